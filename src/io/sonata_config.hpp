#pragma once
// The SONATA configs beside a run file (MODEL.md §5): for `-o run.h5`,
// run.circuit_config.json (the node population, and the edge population
// with --save-graph, both in run.h5), run.node_types.csv (the LIF
// parameters), run.edge_types.csv (with --save-graph: the synapse model),
// run.node_sets.json and run.simulation_config.json (spikes
// and report in run.h5). The data stays in the run file.
#include <lifnet/config.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace lifnet {

struct sonata_files {
    std::string circuit, simulation, node_sets, node_types, edge_types;
};
// The config files of the run file `output`: its name without the
// extension, then .circuit_config.json, .simulation_config.json,
// .node_sets.json, .node_types.csv, .edge_types.csv.
sonata_files sonata_files_of(const std::string& output);

// The report as the simulation config lists it: times [ms] as in the file's
// mapping/time, and the recorded nodes (empty: every node).
struct report_listing {
    double start, end, dt;
    std::vector<std::uint64_t> subset;
};

// Whether a report of `c` written to `output` can be listed: it is SONATA
// only as float32, and libsonata appends ".h5" to a report file name
// without that extension. Empty when it can, else why not.
std::string unlisted_report_reason(const config& c, const std::string& output);

// Writes the files, each through io/safe_output (one writer). `edges`: the
// run file holds /edges/<population> (then the edge types are written too);
// `report`: the report to list, if any.
void write_sonata_configs(const config& c, const std::string& output, bool edges,
                          const std::optional<report_listing>& report);

} // namespace lifnet
