// A manual check, not part of the build (libsonata is not a lifnet
// dependency): opens a lifnet run through its simulation config with
// libsonata, the SONATA reference reader, and prints what it reads: the node
// population and node sets, the edge population through both indices
// (afferent and efferent edges of node 7), the spikes and the report.
//
// Build libsonata (github.com/BlueBrain/libsonata, with HighFive, fmt and
// nlohmann-json) by hand; then compile this file with mpicxx -std=c++17,
// -Doptional_CONFIG_SELECT_OPTIONAL=optional_OPTIONAL_NONSTD and
// -Dvariant_CONFIG_SELECT_VARIANT=variant_VARIANT_NONSTD (libsonata is built
// as C++14), libsonata's and HighFive's include folders,
// -I/usr/include/hdf5/openmpi, and link -lsonata and Debian's
// -L/usr/lib/x86_64-linux-gnu/hdf5/openmpi -lhdf5. Then:
//   lifnet run --set f_inh=0.2 --save-graph -o x.h5 && ./libsonata-check x.simulation_config.json
#include <bbp/sonata/config.h>
#include <bbp/sonata/edges.h>
#include <bbp/sonata/node_sets.h>
#include <bbp/sonata/nodes.h>
#include <bbp/sonata/report_reader.h>

#include <cstdio>
#include <iostream>
#include <numeric>

using namespace bbp::sonata;

int main(int argc, char** argv) {
    try {
        const auto sim = SimulationConfig::fromFile(argv[1]);
        const auto circuit = CircuitConfig::fromFile(sim.getNetwork());
        for (const auto& pop: circuit.listNodePopulations()) {
            const auto nodes = circuit.getNodePopulation(pop);
            std::cout << "node population " << pop << ": " << nodes.size() << " nodes; attributes";
            for (const auto& a: nodes.attributeNames()) std::cout << " " << a;
            std::cout << "\n";
            const auto all = nodes.selectAll();
            const auto inh = nodes.getAttribute<uint8_t>("inhibitory", all);
            const auto v0 = nodes.getAttribute<double>("initial_v", all);
            const auto kin = nodes.getAttribute<uint64_t>("in_degree", all);
            const auto kout = nodes.getAttribute<uint64_t>("out_degree", all);
            std::printf("  inhibitory %llu, V0[0] = %.17g, sum in %llu, sum out %llu\n",
                        (unsigned long long)std::accumulate(inh.begin(), inh.end(), 0ull), v0[0],
                        (unsigned long long)std::accumulate(kin.begin(), kin.end(), 0ull),
                        (unsigned long long)std::accumulate(kout.begin(), kout.end(), 0ull));
            const auto sets = NodeSets::fromFile(sim.getNodeSetsFile());
            for (const auto& name: sets.names())
                std::cout << "  node set " << name << ": " << sets.materialize(name, nodes).flatSize() << " nodes\n";
        }
        for (const auto& pop: circuit.listEdgePopulations()) {
            const auto edges = circuit.getEdgePopulation(pop);
            std::cout << "edge population " << pop << ": " << edges.size() << " edges, source " << edges.source()
                      << ", target " << edges.target() << "; attributes";
            for (const auto& a: edges.attributeNames()) std::cout << " " << a;
            std::cout << "\n";
            const auto in7 = edges.afferentEdges({7}), out7 = edges.efferentEdges({7});
            const auto src = edges.sourceNodeIDs(in7), tgt = edges.targetNodeIDs(out7);
            const auto w = edges.getAttribute<double>("syn_weight", in7);
            const auto d = edges.getAttribute<double>("delay", out7);
            std::cout << "  afferent of 7:";
            for (std::size_t i = 0; i < src.size(); ++i) std::cout << " " << src[i] << " (w " << w[i] << ")";
            std::cout << "\n  efferent of 7:";
            for (std::size_t i = 0; i < tgt.size(); ++i) std::cout << " " << tgt[i] << " (d " << d[i] << ")";
            std::cout << "\n";
        }
        const auto& out = sim.getOutput();
        const SpikeReader spikes(out.outputDir + "/" + out.spikesFile);
        for (const auto& pop: spikes.getPopulationNames()) {
            const auto p = spikes.openPopulation(pop);
            const auto [t0, t1] = p.getTimes();
            const auto s = p.get();
            std::cout << "spikes " << pop << ": " << s.size() << " spikes in [" << t0 << ", " << t1 << "], units '"
                      << p.getTimeUnits() << "', sorting " << int(p.getSorting()) << "; first (" << s.at(0).first
                      << ", " << s.at(0).second << ")\n";
        }
        for (const auto& name: sim.listReportNames()) {
            const auto& r = sim.getReport(name);
            const SomaReportReader report(r.fileName);
            for (const auto& pop: report.getPopulationNames()) {
                const auto p = report.openPopulation(pop);
                const auto [t0, t1, dt] = p.getTimes();
                const auto frame = p.get(Selection::fromValues({0, 3}));
                std::cout << "report " << name << " / " << pop << ": times " << t0 << " " << t1 << " " << dt
                          << ", units '" << p.getTimeUnits() << "' '" << p.getDataUnits() << "', "
                          << p.getNodeIds().size() << " nodes, " << frame.times.size()
                          << " samples; V(0)[0] = " << frame.data.at(0) << "\n";
            }
        }
    }
    catch (const std::exception& e) {
        std::cerr << "libsonata: " << e.what() << "\n";
        return 1;
    }
}
