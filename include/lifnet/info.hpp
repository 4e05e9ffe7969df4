#pragma once
#include <lifnet/config.hpp>
#include <lifnet/simulation.hpp>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace lifnet {

// A human-readable account of a run file: provenance, configuration, counts
// and synchrony measures. Throws file_error for a file that is not one.
std::string describe_file(const std::string& path);

// What a run file holds for analysis (docs/output-format.md), checked: the
// configuration it was run with, its spikes in (time, id) order, the
// synchrony measures (without their notes), the ranks and the wall time per
// phase.
struct run_contents {
    config cfg;
    std::vector<std::uint64_t> node_ids;
    std::vector<double> times; // [ms]
    sync_measures sync;
    std::int64_t ranks = 1;
    std::vector<std::pair<std::string, double>> seconds; // phase name, wall time [s]
    // The membrane-potential report, when the run recorded one: the recorded
    // node ids (column order), V [mV] as samples × recorded neurons
    // (row-major), and the sample times [ms] (t_first, t_first + sample_dt, ...).
    std::vector<std::uint64_t> report_ids;
    std::vector<double> report;
    std::vector<double> report_t;
};
// Throws file_error, naming the file and the object, for a file that is not
// a complete run file of this format (a sweep summary, a checkpoint, other
// HDF5, a damaged or crafted file).
run_contents read_run_file(const std::string& path);
// Only the configuration and the report of a run file (the other fields
// empty), checked as read_run_file checks them.
run_contents read_run_report(const std::string& path);
// Whether `path` is a sweep summary (root attribute kind = lifnet-sweep);
// file_error when it is not an HDF5 file that can be read.
bool is_sweep_summary(const std::string& path);

} // namespace lifnet
