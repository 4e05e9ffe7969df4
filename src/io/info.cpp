#include <lifnet/errors.hpp>
#include <lifnet/info.hpp>

#include "io/h5.hpp"
#include "io/run_file.hpp"

#include <algorithm>
#include <sstream>

namespace lifnet {

namespace {

// A sweep summary (io/sweep_summary.cpp): what was varied, and E and chi
// per point (mean ± sem).
std::string describe_sweep(const h5::reader& file) {
    std::ostringstream out;
    const auto varied = file.string_attribute("varied");
    const auto members = file.shape<std::uint64_t>("members/index", 1)[0];
    const auto seeds = file.attribute<std::int64_t>("seeds", 1)[0];
    if (seeds < 1 || members % static_cast<std::uint64_t>(seeds) != 0)
        file.fail("seeds", std::to_string(seeds) + " seeds do not divide the " + std::to_string(members) + " members");
    const auto points = members / static_cast<std::uint64_t>(seeds);
    out << file.path() << ": lifnet " << file.string_attribute("lifnet_version") << " sweep over " << varied << ", "
        << members << " members\n";
    out << "command: " << file.string_attribute("command_line") << "\n";
    std::vector<std::string> keys;
    std::istringstream names(varied);
    for (std::string key; std::getline(names, key, ',');) keys.push_back(key);
    const auto n = file.values<std::uint64_t>("points/n", points);
    std::vector<std::vector<double>> columns;
    for (const char* m: {"E_mean", "E_sem", "chi_mean", "chi_sem", "rate_hz_mean"})
        columns.push_back(file.values<double>(std::string("points/") + m, points));
    // A varied key's column holds numbers, or strings when a value is not one.
    std::vector<std::vector<std::string>> axes;
    for (const auto& key: keys) {
        const auto column = "points/" + key;
        if (file.holds_strings(column)) {
            axes.push_back(file.strings(column, points));
            continue;
        }
        std::vector<std::string> text;
        for (double x: file.values<double>(column, points)) {
            std::ostringstream number;
            number << x;
            text.push_back(number.str());
        }
        axes.push_back(text);
    }
    for (std::size_t p = 0; p < points; ++p) {
        for (std::size_t k = 0; k < keys.size(); ++k) out << keys[k] << " = " << axes[k][p] << "  ";
        out << "n = " << n[p] << "  E = " << columns[0][p] << " ± " << columns[1][p] << " mV  chi = " << columns[2][p]
            << " ± " << columns[3][p] << "  rate = " << columns[4][p] << " Hz\n";
    }
    out << "base configuration:\n" << file.string_attribute("config") << "\n";
    return out.str();
}

// A run file (docs/output-format.md).
std::string describe_run(const h5::reader& file) {
    namespace f = run_file;
    const auto populations = file.children("spikes");
    if (populations.size() != 1)
        file.fail("spikes", "expected one population, found " + std::to_string(populations.size()));
    const auto& pop = populations[0];
    std::ostringstream out;
    out << file.path() << ": lifnet " << file.string_attribute("lifnet_version") << " ("
        << file.string_attribute("lifnet_git_hash") << "), " << file.string_attribute("start_time") << " to "
        << file.string_attribute("end_time") << "\n";
    out << "command: " << file.string_attribute("command_line") << "\n";
    const auto spikes = file.shape<double>(f::path(f::spikes(pop), f::spike_times), 1)[0];
    if (file.shape<std::uint64_t>(f::path(f::spikes(pop), f::spike_ids), 1)[0] != spikes)
        file.fail(f::path(f::spikes(pop), f::spike_ids), "not one id per timestamp");
    out << "population " << pop << ": " << spikes << " spikes";
    const auto report = f::path(f::report(pop), f::report_data);
    if (file.exists(report)) {
        const auto dims = file.float_shape(report, 2);
        out << ", report of " << dims[1] << " neurons x " << dims[0] << " samples";
    }
    else
        out << ", no report";
    out << "\n";
    const auto inhibitory = f::path(f::nodes(pop), "0/inhibitory");
    if (file.exists(inhibitory)) {
        const auto flags = file.values<std::uint8_t>(inhibitory, file.shape<std::uint8_t>(inhibitory, 1)[0]);
        out << "circuit: " << flags.size() << " nodes (" << std::count(flags.begin(), flags.end(), 1)
            << " inhibitory), ";
        const auto sources = f::path(f::edges(pop), "source_node_id");
        if (file.exists(sources))
            out << file.node_id_rows(sources) << " edges\n";
        else
            out << "no edges (written without --save-graph)\n";
    }
    else
        out << "circuit: none (a file of the older layout, without a SONATA node population)\n";
    if (file.exists(f::path(f::network, f::edge_cut)))
        out << "partition: edge cut " << file.scalar<std::uint64_t>(f::path(f::network, f::edge_cut))
            << " synapses, imbalance " << file.scalar<double>(f::path(f::network, f::imbalance)) << "\n";
    if (file.exists(f::path(f::sync, f::chi))) {
        auto sync = [&](const char* name) { return file.scalar<double>(f::path(f::sync, name)); };
        out << "synchrony: chi = " << sync(f::chi) << ", E = " << sync(f::E) << " mV, R = " << sync(f::R)
            << ", rate = " << sync(f::rate_hz) << " Hz, CV = " << sync(f::cv) << "\n";
    }
    out << "configuration:\n" << file.string_attribute("config") << "\n";
    return out.str();
}

} // namespace

std::string describe_file(const std::string& path) {
    const h5::reader file(path);
    if (file.has_attribute("kind")) {
        const auto kind = file.string_attribute("kind");
        if (kind != "lifnet-sweep") file.fail("kind", "'" + kind + "' is not a lifnet file kind");
        return describe_sweep(file);
    }
    if (!file.exists("spikes")) throw file_error(path, "neither a lifnet run file nor a sweep summary");
    return describe_run(file);
}

} // namespace lifnet
