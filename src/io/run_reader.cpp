// Reading a run file or a sweep summary back (lifnet.open in Python): through
// the checked reader only, so a file that is not what docs/output-format.md describes is
// a file_error naming the object, never a crash or a silent conversion.
#include <lifnet/errors.hpp>
#include <lifnet/info.hpp>
#include <lifnet/sweep.hpp>

#include "io/h5.hpp"
#include "io/run_file.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

namespace lifnet {

namespace {

// The configuration the run was made with: the root attribute `config`
// (TOML), read and validated like a user's file.
config recorded_config(const h5::reader& file) {
    config c;
    try {
        load_toml_text(c, file.string_attribute("config"), file.path() + ":config");
        validate(c);
    }
    catch (const config_error& e) {
        file.fail("config", std::string("not a valid lifnet configuration: ") + e.what());
    }
    catch (const file_error& e) {
        file.fail("config", e.what());
    }
    return c;
}

// /spikes/<population>: one id per timestamp, ids below N, finite times in
// (time, id) order.
void read_spikes(const h5::reader& file, const config& c, run_contents& out) {
    const auto populations = file.children("spikes");
    if (populations.size() != 1 || populations[0] != c.population)
        file.fail("spikes", "expected the one population '" + c.population + "' of the configuration");
    const auto group = run_file::spikes(c.population);
    const auto times = run_file::path(group, run_file::spike_times), ids = run_file::path(group, run_file::spike_ids);
    const auto n = file.shape<double>(times, 1)[0];
    if (file.node_id_rows(ids) != n) file.fail(ids, "not one id per timestamp");
    out.times = file.values<double>(times, n);
    out.node_ids = file.node_ids(ids, 0, n);
    for (std::size_t i = 0; i < n; ++i) {
        if (out.node_ids[i] >= c.N) file.fail(ids, "node id " + std::to_string(out.node_ids[i]) + " >= N");
        if (!std::isfinite(out.times[i])) file.fail(times, "a time that is not finite");
        if (i > 0 && (out.times[i] < out.times[i - 1] ||
                      (out.times[i] == out.times[i - 1] && out.node_ids[i] <= out.node_ids[i - 1])))
            file.fail(group, "spikes not in (time, id) order at row " + std::to_string(i));
    }
}

// /sync: the measures, and Vbar with its sample times t (of one length).
void read_sync(const h5::reader& file, sync_measures& s) {
    using run_file::path, run_file::sync;
    s.chi = file.scalar<double>(path(sync, run_file::chi));
    s.E = file.scalar<double>(path(sync, run_file::E));
    s.R = file.scalar<double>(path(sync, run_file::R));
    s.rate_hz = file.scalar<double>(path(sync, run_file::rate_hz));
    s.cv = file.scalar<double>(path(sync, run_file::cv));
    const auto t = path(sync, "t"), Vbar = path(sync, "Vbar");
    const auto samples = file.shape<double>(t, 1)[0];
    if (file.shape<double>(Vbar, 1)[0] != samples) file.fail(Vbar, "not one value per sample time");
    s.t = file.values<double>(t, samples);
    s.Vbar = file.values<double>(Vbar, samples);
}

// /report/<population>, when recorded: V [mV] of samples × recorded neurons
// with the mapping's node ids (below N) and sample times [ms].
void read_report(const h5::reader& file, const config& c, run_contents& out) {
    const auto group = run_file::report(c.population);
    if (!file.exists(group)) return;
    const auto data = run_file::path(group, run_file::report_data), ids = group + "/mapping/node_ids",
               time = group + "/mapping/time";
    const auto dims = file.float_shape(data, 2);
    if (file.node_id_rows(ids) != dims[1]) file.fail(ids, "not one node id per column of " + data);
    out.report_ids = file.node_ids(ids, 0, dims[1]);
    for (auto id: out.report_ids)
        if (id >= c.N) file.fail(ids, "node id " + std::to_string(id) + " >= N");
    const auto t = file.values<double>(time, 3); // [t_first, t_last + sample_dt, sample_dt]
    if (!std::isfinite(t[0]) || !(t[2] > 0) || !std::isfinite(t[2])) file.fail(time, "not a range of sample times");
    out.report = file.float_matrix(data, dims[0], dims[1]);
    for (hsize_t j = 0; j < dims[0]; ++j) out.report_t.push_back(t[0] + static_cast<double>(j) * t[2]);
}

// The root attributes wall_seconds, named by wall_seconds_phases.
void read_wall_seconds(const h5::reader& file, run_contents& out) {
    std::vector<std::string> names;
    std::istringstream list(file.string_attribute("wall_seconds_phases"));
    for (std::string name; std::getline(list >> std::ws, name, ',');) names.push_back(name);
    const auto seconds = file.attribute<double>("wall_seconds", names.size());
    for (std::size_t i = 0; i < names.size(); ++i) out.seconds.emplace_back(names[i], seconds[i]);
}

} // namespace

run_contents read_run_file(const std::string& path) {
    const h5::reader file(path);
    if (file.has_attribute("kind")) file.fail("kind", "a " + file.string_attribute("kind") + " file, not a run file");
    if (!file.exists("spikes") || !file.exists(run_file::path(run_file::sync, run_file::chi)))
        throw file_error(path, "not a lifnet run file (no /spikes or /sync)");
    run_contents out;
    out.cfg = recorded_config(file);
    read_spikes(file, out.cfg, out);
    read_sync(file, out.sync);
    out.ranks = file.attribute<std::int64_t>("ranks", 1)[0];
    read_wall_seconds(file, out);
    read_report(file, out.cfg, out);
    return out;
}

run_contents read_run_report(const std::string& path) {
    const h5::reader file(path);
    run_contents out;
    out.cfg = recorded_config(file);
    read_report(file, out.cfg, out);
    return out;
}

bool is_sweep_summary(const std::string& path) {
    const h5::reader file(path);
    return file.has_attribute("kind") && file.string_attribute("kind") == "lifnet-sweep";
}

sweep_contents read_sweep_summary(const std::string& path) {
    const h5::reader file(path);
    if (!file.has_attribute("kind") || file.string_attribute("kind") != "lifnet-sweep")
        throw file_error(path, file.has_attribute("kind")
                                   ? "a " + file.string_attribute("kind") + " file, not a sweep summary"
                                   : "not a lifnet sweep summary (no attribute kind = lifnet-sweep)");
    sweep_contents out;
    out.base = recorded_config(file);
    out.command_line = file.string_attribute("command_line");
    out.lifnet_version = file.string_attribute("lifnet_version");
    std::istringstream varied(file.string_attribute("varied"));
    for (std::string key; std::getline(varied, key, ',');) {
        // Each a configuration key, once: the names become paths in the file.
        const auto& keys = config_keys();
        if (std::none_of(keys.begin(), keys.end(), [&](const key_info& k) { return k.name == key; }))
            file.fail("varied", "'" + key + "' is not a configuration key");
        if (std::find(out.varied.begin(), out.varied.end(), key) != out.varied.end())
            file.fail("varied", "'" + key + "' is varied twice");
        out.varied.push_back(key);
    }
    const auto seeds = file.attribute<std::int64_t>("seeds", 1)[0];
    const auto members = file.shape<std::uint64_t>("members/index", 1)[0];
    if (seeds < 1 || members % static_cast<std::uint64_t>(seeds) != 0)
        file.fail("seeds", std::to_string(seeds) + " seeds do not divide the " + std::to_string(members) + " members");
    out.seeds = static_cast<std::uint64_t>(seeds);
    const auto points = members / out.seeds;

    // Column `name` of `table` with `rows` values of type T, appended to `columns`.
    auto column = [&]<typename T>(std::vector<sweep_column>& columns, const std::string& table, const std::string& name,
                                  hsize_t rows, T) {
        columns.push_back({name, file.values<T>(table + "/" + name, rows)});
    };
    // A varied key's column: numbers, or strings when a value is not one.
    auto axes = [&](std::vector<sweep_column>& columns, const std::string& table, hsize_t rows) {
        for (const auto& key: out.varied) {
            const auto name = table + "/" + key;
            if (file.holds_strings(name))
                columns.push_back({key, file.strings(name, rows)});
            else
                column(columns, table, key, rows, 0.0);
        }
    };
    const std::string measures[] = {run_file::chi, run_file::E, run_file::R, run_file::rate_hz, run_file::cv};
    column(out.members, "members", "index", members, std::uint64_t{});
    column(out.members, "members", "seed", members, std::uint64_t{});
    axes(out.members, "members", members);
    for (const auto& m: measures) column(out.members, "members", m, members, 0.0);
    column(out.members, "members", "wall_seconds", members, 0.0);
    column(out.members, "members", "group", members, std::int64_t{});
    out.members.push_back({"status", file.strings("members/status", members)});
    out.members.push_back({"hash", file.strings("members/hash", members)});

    axes(out.points, "points", points);
    column(out.points, "points", "n", points, std::uint64_t{});
    for (const auto& m: measures) {
        for (const char* stat: {"_mean", "_std", "_sem"}) column(out.points, "points", m + stat, points, 0.0);
        column(out.points, "points", m + "_n", points, std::uint64_t{});
    }
    return out;
}

} // namespace lifnet
