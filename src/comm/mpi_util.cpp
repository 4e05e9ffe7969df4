#include "comm/mpi_util.hpp"

#include <boost/mpi/collectives.hpp>

#include <string>

namespace lifnet {

void mpi_check(int rc, const char* call) {
    if (rc == MPI_SUCCESS) return;
    char text[MPI_MAX_ERROR_STRING];
    int length = 0;
    MPI_Error_string(rc, text, &length);
    throw library_error(call, std::string(text, length));
}

int ranks_on_this_node(const boost::mpi::communicator& comm) {
    MPI_Comm node_comm;
    mpi_check(MPI_Comm_split_type(comm, MPI_COMM_TYPE_SHARED, comm.rank(), MPI_INFO_NULL, &node_comm),
              "MPI_Comm_split_type");
    int on_node = 1;
    MPI_Comm_size(node_comm, &on_node);
    MPI_Comm_free(&node_comm);
    return on_node;
}

void run_collectively(const boost::mpi::communicator& comm, const std::function<void()>& work) {
    std::string message;
    int code = 0;
    try {
        work();
    }
    catch (const std::exception& e) {
        message = e.what();
        code = exit_code_of(e);
    }
    const int first = boost::mpi::all_reduce(comm, code ? comm.rank() : comm.size(), boost::mpi::minimum<int>());
    if (first == comm.size()) return;
    boost::mpi::broadcast(comm, message, first);
    boost::mpi::broadcast(comm, code, first);
    if (comm.size() > 1) message = "rank " + std::to_string(first) + ": " + message;
    throw collective_error(first, code, message);
}

} // namespace lifnet
