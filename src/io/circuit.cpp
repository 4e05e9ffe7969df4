#include "io/circuit.hpp"

#include "graph/edge_registry.hpp"
#include "io/by_id.hpp"
#include "io/h5.hpp"
#include "io/run_file.hpp"
#include "neurons/neurons.hpp"

#include <algorithm>
#include <numeric>
#include <type_traits>

namespace lifnet {

namespace {

void write_units(hid_t group, const char* dataset, const char* units) {
    h5::handle d(h5::check(H5Dopen2(group, dataset, H5P_DEFAULT), "H5Dopen2"));
    h5::write_attribute(d, "units", std::string(units));
}

// indices/<name>: `keys[i]` is the node (source or target) of edge
// first + i. Each block owner gathers the (node, edge id) pairs of its
// nodes and cuts each node's edge ids into runs of consecutive ids:
// node_id_to_ranges [N, 2] holds, per node, its rows [begin, end) of
// range_to_edge_id [ranges, 2], which holds each run [first, last + 1).
// A node without edges gets an empty [k, k]; the ranges do not depend on
// the number of ranks, as libsonata's own indexer writes them.
void write_index(hid_t edges, const char* name, std::uint64_t N, const std::vector<std::uint64_t>& keys,
                 std::uint64_t first, const boost::mpi::communicator& comm) {
    std::vector<std::vector<edge>> send(comm.size()); // (node, edge id)
    for (std::size_t i = 0; i < keys.size(); ++i)
        send[block_owner(keys[i], N, comm.size())].push_back({keys[i], first + i});
    auto pairs = alltoallv(comm, send);
    send = {};
    std::sort(pairs.begin(), pairs.end());
    const auto block = block_of(N, comm.size(), comm.rank());
    std::vector<std::uint64_t> runs, runs_of(block.hi - block.lo, 0); // runs: [first, end) pairs
    for (std::size_t j = 0; j < pairs.size(); ++j) {
        if (j > 0 && pairs[j].a == pairs[j - 1].a && pairs[j].b == pairs[j - 1].b + 1)
            runs.back() = pairs[j].b + 1;
        else {
            runs.push_back(pairs[j].b);
            runs.push_back(pairs[j].b + 1);
            ++runs_of[pairs[j].a - block.lo];
        }
    }
    std::vector<std::uint64_t> ranges;
    for (std::uint64_t row = ranks_before(runs.size() / 2, comm); auto n: runs_of) {
        ranges.push_back(row);
        ranges.push_back(row += n);
    }
    auto group = h5::create_group(edges, std::string("indices/") + name);
    h5::write_dataset(group, "node_id_to_ranges", N, block.lo, ranges, 2);
    write_concatenated(group, "range_to_edge_id", runs, comm, 2);
}

struct synapse_row {
    std::uint64_t target, source;
    double weight; // [mV]
    auto operator<=>(const synapse_row&) const = default;
};

} // namespace

void write_nodes(hid_t file, const config& c, const adjacency& local, const inhibitory_set& inhibitory,
                 const boost::mpi::communicator& comm) {
    // Every node has type 0 (the one row of the node-types table) and group 0.
    const auto block = block_of(c.N, comm.size(), comm.rank());
    const std::uint64_t n = block.hi - block.lo;
    auto group = h5::create_group(file, run_file::nodes(c.population));
    h5::write_dataset(group, "node_type_id", c.N, block.lo, std::vector<std::int64_t>(n, 0));
    h5::write_dataset(group, "node_group_id", c.N, block.lo, std::vector<std::uint32_t>(n, 0));
    std::vector<std::uint64_t> index(n);
    std::iota(index.begin(), index.end(), block.lo);
    h5::write_dataset(group, "node_group_index", c.N, block.lo, index);

    auto attributes = h5::create_group(group, "0");
    std::vector<std::uint8_t> inh(n);
    std::vector<double> v0(n);
    for (std::uint64_t i = 0; i < n; ++i) {
        inh[i] = inhibitory.contains(block.lo + i) ? 1 : 0;
        v0[i] = initial_v(c, block.lo + i);
    }
    h5::write_dataset(attributes, "inhibitory", c.N, block.lo, inh);
    h5::write_dataset(attributes, "initial_v", c.N, block.lo, v0);
    write_units(attributes, "initial_v", "mV");
    std::vector<std::uint64_t> in(local.rows());
    for (std::size_t r = 0; r < local.rows(); ++r) in[r] = local.offsets[r + 1] - local.offsets[r];
    write_by_id(attributes, "in_degree", c.N, local.ids, in, 1, comm);
    // Every synapse of a symmetric graph has its reverse: out = in.
    if (local.symmetric) {
        write_by_id(attributes, "out_degree", c.N, local.ids, in, 1, comm);
        return;
    }
    // Out-degrees: this rank's synapses counted per source, summed by the
    // source's block owner.
    auto sources = local.neighbours;
    std::sort(sources.begin(), sources.end());
    std::vector<std::vector<edge>> send(comm.size()); // (source, synapses)
    for (std::size_t j = 0, k = 0; j < sources.size(); j = k) {
        while (k < sources.size() && sources[k] == sources[j]) ++k;
        send[block_owner(sources[j], c.N, comm.size())].push_back({sources[j], k - j});
    }
    sources = {};
    std::vector<std::uint64_t> out(n, 0);
    for (const auto& e: alltoallv(comm, send)) out[e.a - block.lo] += e.b;
    h5::write_dataset(attributes, "out_degree", c.N, block.lo, out);
}

void write_edges(hid_t file, const config& c, const adjacency& local, const std::vector<double>& weight,
                 const inhibitory_set& inhibitory, const boost::mpi::communicator& comm) {
    // Each synapse goes to the block owner of its target, which writes its
    // block's rows in place: the rows are ordered by (target, source)
    // whatever the partition.
    std::vector<std::vector<synapse_row>> send(comm.size());
    for (std::size_t r = 0; r < local.rows(); ++r)
        for (auto e = local.offsets[r]; e < local.offsets[r + 1]; ++e) {
            const auto source = local.neighbours[e];
            // MODEL.md §2: c_i·J from an excitatory source, −c_i·g·J from an inhibitory one.
            const double w = inhibitory.contains(source) ? -(weight[r] * c.g) : weight[r];
            send[block_owner(local.ids[r], c.N, comm.size())].push_back({local.ids[r], source, w});
        }
    auto rows = alltoallv(comm, send);
    send = {};
    std::sort(rows.begin(), rows.end());
    const std::size_t count = rows.size();
    const std::uint64_t first = ranks_before(count, comm);
    // The columns one at a time, each freed once written (with --save-graph
    // the edges are the largest thing in the file: keep the peak low).
    auto column = [&](auto member) {
        std::vector<std::remove_cvref_t<decltype(rows[0].*member)>> values(count);
        for (std::size_t i = 0; i < count; ++i) values[i] = rows[i].*member;
        return values;
    };
    auto group = h5::create_group(file, run_file::edges(c.population));
    auto attributes = h5::create_group(group, "0");
    write_concatenated(attributes, "syn_weight", column(&synapse_row::weight), comm);
    write_units(attributes, "syn_weight", "mV");
    auto sources = column(&synapse_row::source);
    auto targets = column(&synapse_row::target);
    rows = {};
    write_concatenated(group, "source_node_id", sources, comm);
    write_concatenated(group, "target_node_id", targets, comm);
    for (const char* name: {"source_node_id", "target_node_id"}) {
        h5::handle d(h5::check(H5Dopen2(group, name, H5P_DEFAULT), "H5Dopen2"));
        h5::write_attribute(d, "node_population", c.population);
    }
    write_concatenated(group, "edge_type_id", std::vector<std::int64_t>(count, 0), comm);
    write_concatenated(group, "edge_group_id", std::vector<std::uint32_t>(count, 0), comm);
    std::vector<std::uint64_t> index(count);
    std::iota(index.begin(), index.end(), first);
    write_concatenated(group, "edge_group_index", index, comm);
    index = {};
    write_concatenated(attributes, "delay", std::vector<double>(count, c.d), comm);
    write_units(attributes, "delay", "ms");
    write_index(group, "source_to_target", c.N, sources, first, comm);
    sources = {};
    write_index(group, "target_to_source", c.N, targets, first, comm);
}

} // namespace lifnet
