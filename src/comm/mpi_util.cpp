#include "comm/mpi_util.hpp"

#include <lifnet/signals.hpp>

#include <boost/mpi/collectives.hpp>
#include <boost/serialization/string.hpp>
#include <boost/serialization/vector.hpp>

#include <string>
#include <vector>

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
    // A config_error's problems, (key, message, path) in threes: every rank
    // rethrows it as a config_error, so that callers (Python's ConfigError
    // and FileError) still see which key or file was bad.
    std::vector<std::string> problems;
    try {
        work();
    }
    catch (const config_error& e) {
        message = e.what();
        code = exit_code_of(e);
        for (const auto& p: e.problems) problems.insert(problems.end(), {p.key, p.message, p.path});
    }
    catch (const std::exception& e) {
        message = e.what();
        code = exit_code_of(e);
    }
    const int first = boost::mpi::all_reduce(comm, code ? comm.rank() : comm.size(), boost::mpi::minimum<int>());
    if (first == comm.size()) return;
    boost::mpi::broadcast(comm, message, first);
    boost::mpi::broadcast(comm, code, first);
    boost::mpi::broadcast(comm, problems, first);
    if (code == exit_interrupted) throw interrupted();
    if (!problems.empty()) {
        std::vector<config_error::problem> agreed;
        for (std::size_t i = 0; i + 2 < problems.size(); i += 3)
            agreed.push_back({problems[i], problems[i + 1], problems[i + 2]});
        throw config_error(std::move(agreed));
    }
    if (comm.size() > 1) message = "rank " + std::to_string(first) + ": " + message;
    throw collective_error(first, code, message);
}

} // namespace lifnet

namespace lifnet {

void agree_on_stop(const boost::mpi::communicator& comm) {
    if (boost::mpi::all_reduce(comm, stop_requested(), std::logical_or<>())) throw interrupted();
}

} // namespace lifnet
