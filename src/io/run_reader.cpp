// Reading a run file back (lifnet.open in Python): through the checked
// reader only, so a file that is not what docs/output-format.md describes is
// a file_error naming the object, never a crash or a silent conversion.
#include <lifnet/errors.hpp>
#include <lifnet/info.hpp>

#include "io/h5.hpp"
#include "io/run_file.hpp"

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
    return out;
}

} // namespace lifnet
