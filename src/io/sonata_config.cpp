#include "io/sonata_config.hpp"

#include "io/safe_output.hpp"

#include <charconv>
#include <cstdio>
#include <filesystem>

namespace lifnet {

namespace {

std::string quoted(const std::string& s) {
    std::string out = "\"";
    for (const char ch: s) {
        const auto u = static_cast<unsigned char>(ch);
        if (ch == '"' || ch == '\\')
            out += std::string("\\") + ch;
        else if (u < 0x20) {
            char escape[8];
            std::snprintf(escape, sizeof escape, "\\u%04x", u);
            out += escape;
        }
        else
            out += ch;
    }
    return out + "\"";
}

// The shortest text that reads back as the same double.
std::string number(double x) {
    char text[32];
    return std::string(text, std::to_chars(text, text + sizeof text, x).ptr);
}

std::string file_name(const std::string& path) {
    return std::filesystem::path(path).filename().string();
}

std::string circuit_config(const config& c, const std::string& output, const sonata_files& f, bool edges) {
    const auto h5 = quoted("$BASE_DIR/" + file_name(output)), pop = quoted(c.population);
    std::string text = "{\n  \"manifest\": {\"$BASE_DIR\": \".\"},\n";
    text += "  \"node_sets_file\": " + quoted("$BASE_DIR/" + file_name(f.node_sets)) + ",\n";
    text += "  \"networks\": {\n    \"nodes\": [\n      {\n        \"nodes_file\": " + h5 + ",\n";
    text += "        \"node_types_file\": " + quoted("$BASE_DIR/" + file_name(f.node_types)) + ",\n";
    text += "        \"populations\": {" + pop + ": {\"type\": \"point_neuron\"}}\n      }\n    ],\n";
    if (edges) {
        text += "    \"edges\": [\n      {\n        \"edges_file\": " + h5 + ",\n";
        text += "        \"edge_types_file\": " + quoted("$BASE_DIR/" + file_name(f.edge_types)) + ",\n";
        text += "        \"populations\": {" + pop + ": {\"type\": \"chemical\"}}\n      }\n    ]\n  }\n";
    }
    else {
        // SONATA's readers require the key; the metadata says why it is empty.
        text += "    \"edges\": []\n  },\n";
        text += "  \"metadata\": {\"edges\": " +
                quoted("none: the run file holds no edges (run lifnet with --save-graph to write them)") + "}\n";
    }
    return text + "}\n";
}

std::string simulation_config(const config& c, const std::string& output, const sonata_files& f,
                              const std::optional<report_listing>& report) {
    const auto h5 = quoted(file_name(output));
    std::string text = "{\n  \"network\": " + quoted(file_name(f.circuit)) + ",\n";
    text += "  \"node_sets_file\": " + quoted(file_name(f.node_sets)) + ",\n";
    text += "  \"node_set\": \"All\",\n";
    text += "  \"run\": {\"tstop\": " + number(c.t_stop) + ", \"dt\": " + number(c.dt) +
            ", \"random_seed\": " + std::to_string(c.seed) + "},\n";
    text += "  \"output\": {\"output_dir\": \".\", \"spikes_file\": " + h5 + ", \"spikes_sort_order\": \"by_time\"}";
    if (report) {
        text += ",\n  \"reports\": {\n    \"v\": {\"cells\": " + quoted(report->subset.empty() ? "All" : "recorded") +
                ", \"type\": \"compartment\", \"sections\": \"soma\", \"variable_name\": \"v\", \"unit\": \"mV\",\n";
        text += "          \"start_time\": " + number(report->start) + ", \"end_time\": " + number(report->end) +
                ", \"dt\": " + number(report->dt) + ", \"file_name\": " + h5 + ", \"enabled\": true}\n  }";
    }
    return text + "\n}\n";
}

std::string node_sets(const config& c, const std::optional<report_listing>& report) {
    const auto pop = "{\"population\": " + quoted(c.population);
    std::string text = "{\n  \"All\": " + pop + "},\n";
    text += "  \"excitatory\": " + pop + ", \"inhibitory\": 0},\n";
    text += "  \"inhibitory\": " + pop + ", \"inhibitory\": 1}";
    if (report && !report->subset.empty()) {
        text += ",\n  \"recorded\": " + pop + ", \"node_id\": [";
        for (std::size_t i = 0; i < report->subset.size(); ++i)
            text += (i ? ", " : "") + std::to_string(report->subset[i]);
        text += "]}";
    }
    return text + "\n}\n";
}

// SONATA's node-types table: space-separated, one row per type.
std::string node_types(const config& c) {
    const std::pair<const char*, double> columns[] = {
        {"tau_m", c.tau_m},       {"tau_syn", c.tau_syn},       {"V_rest", c.V_rest},    {"V_reset", c.V_reset},
        {"V_th", c.V_th},         {"t_ref", c.t_ref},           {"I_bias", c.I_bias},    {"sigma", c.sigma},
        {"stim_amp", c.stim_amp}, {"stim_start", c.stim_start}, {"stim_dur", c.stim_dur}};
    std::string header = "node_type_id model_type model_template", row = "0 point_process lifnet:lif_psc_exp";
    for (const auto& [name, value]: columns) {
        header += std::string(" ") + name;
        row += " " + number(value);
    }
    return header + "\n" + row + "\n";
}

// SONATA's edge-types table: the one synapse type of every edge, the
// exponential current synapse of MODEL.md §2 (its weight and delay are per
// edge, in edge group 0; its time constant is the node type's tau_syn).
std::string edge_types() {
    return "edge_type_id model_template\n0 lifnet:psc_exp\n";
}

} // namespace

sonata_files sonata_files_of(const std::string& output) {
    const auto stem = std::filesystem::path(output).replace_extension("").string();
    return {stem + ".circuit_config.json", stem + ".simulation_config.json", stem + ".node_sets.json",
            stem + ".node_types.csv", stem + ".edge_types.csv"};
}

std::string unlisted_report_reason(const config& c, const std::string& output) {
    switch (c.report_dtype) {
    case report_type::float32:
        break;
    case report_type::float64:
        return "report_dtype = float64 writes a report that is not SONATA (its readers expect float32)";
    }
    if (std::filesystem::path(output).extension() != ".h5")
        return "the output file name does not end in .h5, which SONATA readers add to a report's file name";
    return "";
}

void write_sonata_configs(const config& c, const std::string& output, bool edges,
                          const std::optional<report_listing>& report) {
    const auto f = sonata_files_of(output);
    write_file_safely(f.node_types, node_types(c));
    if (edges) write_file_safely(f.edge_types, edge_types());
    write_file_safely(f.node_sets, node_sets(c, report));
    write_file_safely(f.circuit, circuit_config(c, output, f, edges));
    write_file_safely(f.simulation, simulation_config(c, output, f, report));
}

} // namespace lifnet
