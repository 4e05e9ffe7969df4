#include <lifnet/errors.hpp>
#include <lifnet/info.hpp>

#include "io/h5.hpp"
#include "io/run_file.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

namespace lifnet {

namespace {

bool exists(hid_t file, const std::string& path) {
    // Checks each component, as H5Lexists requires.
    std::string prefix;
    std::istringstream parts(path);
    for (std::string part; std::getline(parts, part, '/');) {
        if (part.empty()) continue;
        prefix += "/" + part;
        if (H5Lexists(file, prefix.c_str(), H5P_DEFAULT) <= 0) return false;
    }
    return true;
}

double scalar(hid_t file, const std::string& path) {
    h5::handle d(h5::check(H5Dopen2(file, path.c_str(), H5P_DEFAULT), "H5Dopen2"));
    double value = NAN;
    h5::check(H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, &value), "H5Dread");
    return value;
}

std::vector<hsize_t> shape(hid_t file, const std::string& path) {
    h5::handle d(h5::check(H5Dopen2(file, path.c_str(), H5P_DEFAULT), "H5Dopen2"));
    h5::handle space(h5::check(H5Dget_space(d), "H5Dget_space"));
    std::vector<hsize_t> dims(static_cast<std::size_t>(H5Sget_simple_extent_ndims(space)));
    H5Sget_simple_extent_dims(space, dims.data(), nullptr);
    return dims;
}

// The single group under `parent` (the population name).
std::string only_child(hid_t file, const char* parent) {
    if (!exists(file, parent)) return "";
    h5::handle group(h5::check(H5Gopen2(file, parent, H5P_DEFAULT), "H5Gopen2"));
    char name[256] = {};
    if (H5Lget_name_by_idx(group, ".", H5_INDEX_NAME, H5_ITER_INC, 0, name, sizeof name, H5P_DEFAULT) < 0) return "";
    return name;
}

std::vector<double> read_doubles(hid_t file, const std::string& path) {
    h5::handle d(h5::check(H5Dopen2(file, path.c_str(), H5P_DEFAULT), "H5Dopen2"));
    std::vector<double> values(shape(file, path).at(0));
    h5::check(H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()), "H5Dread");
    return values;
}

std::vector<std::string> read_strings(hid_t file, const std::string& path) {
    h5::handle d(h5::check(H5Dopen2(file, path.c_str(), H5P_DEFAULT), "H5Dopen2"));
    h5::handle type(h5::check(H5Dget_type(d), "H5Dget_type"));
    const std::size_t width = H5Tget_size(type), n = shape(file, path).at(0);
    std::string packed(width * n, '\0');
    h5::check(H5Dread(d, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, packed.data()), "H5Dread");
    std::vector<std::string> out;
    for (std::size_t i = 0; i < n; ++i) {
        const auto s = packed.substr(i * width, width);
        out.push_back(s.substr(0, s.find('\0')));
    }
    return out;
}

bool is_numeric(hid_t file, const std::string& path) {
    h5::handle d(h5::check(H5Dopen2(file, path.c_str(), H5P_DEFAULT), "H5Dopen2"));
    h5::handle type(h5::check(H5Dget_type(d), "H5Dget_type"));
    return H5Tget_class(type) == H5T_FLOAT;
}

// A sweep summary: what was varied, and E and chi per point (mean ± sem).
std::string describe_sweep(const std::string& path, hid_t file) {
    std::ostringstream out;
    const auto varied = h5::string_attribute(file, "varied");
    out << path << ": lifnet " << h5::string_attribute(file, "lifnet_version") << " sweep over " << varied << ", "
        << shape(file, "/members/index")[0] << " members\n";
    out << "command: " << h5::string_attribute(file, "command_line") << "\n";
    std::vector<std::string> keys;
    std::istringstream names(varied);
    for (std::string key; std::getline(names, key, ',');) keys.push_back(key);
    const auto n = read_doubles(file, "/points/n");
    std::vector<std::vector<double>> columns;
    for (const char* m: {"E_mean", "E_sem", "chi_mean", "chi_sem", "rate_hz_mean"})
        columns.push_back(read_doubles(file, std::string("/points/") + m));
    for (std::size_t p = 0; p < n.size(); ++p) {
        for (const auto& key: keys) {
            if (is_numeric(file, "/points/" + key))
                out << key << " = " << read_doubles(file, "/points/" + key)[p];
            else
                out << key << " = " << read_strings(file, "/points/" + key)[p];
            out << "  ";
        }
        out << "n = " << n[p] << "  E = " << columns[0][p] << " ± " << columns[1][p] << " mV  chi = " << columns[2][p]
            << " ± " << columns[3][p] << "  rate = " << columns[4][p] << " Hz\n";
    }
    out << "base configuration:\n" << h5::string_attribute(file, "config") << "\n";
    return out.str();
}

} // namespace

std::string describe_file(const std::string& path) {
    h5::silence_errors();
    if (H5Fis_hdf5(path.c_str()) <= 0) throw file_error(path, "not an HDF5 file");
    h5::handle file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT));
    if (file.get() < 0) throw file_error(path, "cannot open");
    if (h5::string_attribute(file, "kind") == "lifnet-sweep") return describe_sweep(path, file);
    const auto pop = only_child(file, "spikes");
    if (pop.empty()) throw file_error(path, "neither a lifnet run file nor a sweep summary");

    std::ostringstream out;
    out << path << ": lifnet " << h5::string_attribute(file, "lifnet_version") << " ("
        << h5::string_attribute(file, "lifnet_git_hash") << "), " << h5::string_attribute(file, "start_time") << " to "
        << h5::string_attribute(file, "end_time") << "\n";
    out << "command: " << h5::string_attribute(file, "command_line") << "\n";
    namespace f = run_file;
    out << "population " << pop << ": " << shape(file, f::path(f::spikes(pop), f::spike_times))[0] << " spikes";
    const auto report = f::path(f::report(pop), f::report_data);
    if (exists(file, report)) {
        const auto dims = shape(file, report);
        out << ", report of " << dims[1] << " neurons x " << dims[0] << " samples";
    }
    else
        out << ", no report";
    out << "\n";
    if (exists(file, f::path(f::nodes(pop), "0/inhibitory"))) {
        const auto inhibitory = read_doubles(file, f::path(f::nodes(pop), "0/inhibitory"));
        out << "circuit: " << inhibitory.size() << " nodes ("
            << std::count(inhibitory.begin(), inhibitory.end(), 1.0) << " inhibitory), ";
        if (exists(file, f::path(f::edges(pop), "source_node_id")))
            out << shape(file, f::path(f::edges(pop), "source_node_id"))[0] << " edges\n";
        else
            out << "no edges (written without --save-graph)\n";
    }
    else
        out << "circuit: none (a file of the older layout, without a SONATA node population)\n";
    if (exists(file, f::path(f::network, f::edge_cut)))
        out << "partition: edge cut " << scalar(file, f::path(f::network, f::edge_cut)) << " synapses, imbalance "
            << scalar(file, f::path(f::network, f::imbalance)) << "\n";
    if (exists(file, f::path(f::sync, f::chi))) {
        auto sync = [&](const char* name) { return scalar(file, f::path(f::sync, name)); };
        out << "synchrony: chi = " << sync(f::chi) << ", E = " << sync(f::E) << " mV, R = " << sync(f::R)
            << ", rate = " << sync(f::rate_hz) << " Hz, CV = " << sync(f::cv) << "\n";
    }
    out << "configuration:\n" << h5::string_attribute(file, "config") << "\n";
    return out.str();
}

} // namespace lifnet
