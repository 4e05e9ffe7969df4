#pragma once
// The paths of the run file (MODEL.md §5, docs/output-format.md), spelled
// once: the writers create them and `lifnet info` reads them from here.
#include <string>

namespace lifnet::run_file {

// Groups, relative to the file's root.
inline std::string spikes(const std::string& population) {
    return "spikes/" + population;
}
inline std::string report(const std::string& population) {
    return "report/" + population;
}
inline std::string nodes(const std::string& population) {
    return "nodes/" + population;
}
inline std::string edges(const std::string& population) {
    return "edges/" + population;
}
inline constexpr const char* network = "network";
inline constexpr const char* sync = "sync";

// Datasets, by group.
inline constexpr const char *spike_times = "timestamps", *spike_ids = "node_ids";               // spikes(population)
inline constexpr const char* report_data = "data";                                              // report(population)
inline constexpr const char *edge_cut = "edge_cut", *imbalance = "imbalance";                   // network
inline constexpr const char *chi = "chi", *E = "E", *R = "R", *rate_hz = "rate_hz", *cv = "cv"; // sync

// Path of dataset `name` in `group`.
inline std::string path(const std::string& group, const char* name) {
    return group + "/" + name;
}

} // namespace lifnet::run_file
