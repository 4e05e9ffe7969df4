// Structure-aware: HDF5 edges files built from the fuzz input (any ids, some
// out of range; missing or extra datasets, mismatched lengths, float ids, a
// second population) and read as graph_file. Every file ends in a
// lifnet::error or a graph whose synapses are all between nodes below N.
// (The HDF5 bytes themselves are not fuzzed: that would fuzz libhdf5.)
#include "graph/graph.hpp"

#include <lifnet/errors.hpp>

#include <boost/mpi/communicator.hpp>
#include <fuzzer/FuzzedDataProvider.h>
#include <hdf5.h>
#include <mpi.h>

#include <cstdlib>
#include <string>
#include <unistd.h>
#include <vector>

namespace {

void write_ids(hid_t group, const char* name, const std::vector<std::uint64_t>& ids, bool as_float) {
    const hsize_t n = ids.size();
    const hid_t space = H5Screate_simple(1, &n, nullptr);
    const hid_t type = as_float ? H5T_IEEE_F64LE : H5T_STD_U64LE;
    const hid_t d = H5Dcreate2(group, name, type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (n) H5Dwrite(d, H5T_NATIVE_UINT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, ids.data());
    H5Dclose(d);
    H5Sclose(space);
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) {
    MPI_Init(argc, argv);
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    FuzzedDataProvider in(data, size);
    const std::uint64_t N = in.ConsumeIntegralInRange<std::uint64_t>(1, 64);
    const auto layout = in.ConsumeIntegralInRange<int>(0, 5);
    const auto rows = in.ConsumeIntegralInRange<std::size_t>(0, 128);
    std::vector<std::uint64_t> sources, targets;
    for (std::size_t r = 0; r < rows; ++r) {
        sources.push_back(in.ConsumeIntegralInRange<std::uint64_t>(0, 2 * N));
        targets.push_back(in.ConsumeIntegralInRange<std::uint64_t>(0, 2 * N));
    }
    if (layout == 1 && !targets.empty()) targets.pop_back(); // mismatched lengths

    static const std::string path = "/tmp/lifnet-fuzz-edges-" + std::to_string(getpid()) + ".h5";
    const hid_t file = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    if (layout != 4) { // 4: no /edges group at all
        const hid_t lcpl = H5Pcreate(H5P_LINK_CREATE);
        H5Pset_create_intermediate_group(lcpl, 1);
        const hid_t group = H5Gcreate2(file, "edges/net", lcpl, H5P_DEFAULT, H5P_DEFAULT);
        write_ids(group, "source_node_id", sources, layout == 2);
        if (layout != 3) write_ids(group, "target_node_id", targets, false); // 3: missing dataset
        H5Gclose(group);
        if (layout == 5) H5Gclose(H5Gcreate2(file, "edges/other", lcpl, H5P_DEFAULT, H5P_DEFAULT));
        H5Pclose(lcpl);
    }
    H5Fclose(file);

    lifnet::config c;
    c.N = N;
    c.graph = lifnet::graph_model::file;
    c.graph_file = path;
    const boost::mpi::communicator self(MPI_COMM_SELF, boost::mpi::comm_attach);
    try {
        const auto adj = lifnet::build_graph(c, self);
        if (adj.rows() != N) std::abort();
        for (std::size_t r = 0; r < adj.rows(); ++r)
            for (auto e = adj.offsets[r]; e < adj.offsets[r + 1]; ++e)
                if (adj.neighbours[e] >= N || adj.neighbours[e] == adj.ids[r]) std::abort();
        if (adj.neighbours.size() != sources.size()) std::abort(); // every row became one synapse
    }
    catch (const lifnet::error&) {
    }
    return 0;
}
