#include <lifnet/config.hpp>
#include <lifnet/errors.hpp>

#include "config/toml_util.hpp"
#include "io/input_file.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <limits>
#include <optional>
#include <sstream>
#include <variant>

namespace lifnet {

namespace {

// The values of each mode, in the user's spelling (MODEL.md §7).
using std::pair;
constexpr auto values_of(graph_model) {
    return std::to_array<pair<graph_model, const char*>>(
        {{graph_model::ws, "ws"}, {graph_model::ring, "ring"}, {graph_model::er, "er"}, {graph_model::file, "file"}});
}
constexpr auto values_of(partition_method) {
    return std::to_array<pair<partition_method, const char*>>({{partition_method::ptscotch, "ptscotch"},
                                                               {partition_method::block, "block"},
                                                               {partition_method::random, "random"}});
}
constexpr auto values_of(integrator_method) {
    return std::to_array<pair<integrator_method, const char*>>(
        {{integrator_method::rk4, "rk4"}, {integrator_method::exact, "exact"}});
}
constexpr auto values_of(epoch_length) {
    return std::to_array<pair<epoch_length, const char*>>(
        {{epoch_length::step, "step"}, {epoch_length::epoch, "epoch"}});
}
constexpr auto values_of(spike_routing) {
    return std::to_array<pair<spike_routing, const char*>>(
        {{spike_routing::allgather, "allgather"}, {spike_routing::neighbour, "neighbour"}});
}
constexpr auto values_of(weight_norm) {
    return std::to_array<pair<weight_norm, const char*>>(
        {{weight_norm::none, "none"}, {weight_norm::in_degree, "in_degree"}});
}
constexpr auto values_of(report_type) {
    return std::to_array<pair<report_type, const char*>>(
        {{report_type::float32, "float32"}, {report_type::float64, "float64"}});
}

template <typename Mode>
std::vector<std::string> names_of() {
    std::vector<std::string> names;
    for (const auto& [value, name]: values_of(Mode{})) names.emplace_back(name);
    return names;
}

// The mode named `text`, or an error naming the allowed values.
template <typename Mode>
std::optional<Mode> parse_mode(const std::string& text, std::string& error) {
    for (const auto& [value, name]: values_of(Mode{}))
        if (text == name) return value;
    error = "'" + text + "' is not one of ";
    for (const auto& name: names_of<Mode>()) error += (error.back() == ' ' ? "" : " | ") + name;
    return std::nullopt;
}

using member = std::variant<double config::*, std::uint64_t config::*, std::string config::*, graph_model config::*,
                            partition_method config::*, integrator_method config::*, epoch_length config::*,
                            spike_routing config::*, weight_norm config::*, report_type config::*>;

struct key_spec {
    const char *name, *unit, *help;
    member field;
};

// Every key, in the order of MODEL.md §7. A mode's values come from values_of.
const std::vector<key_spec>& specs() {
    static const std::vector<key_spec> table = {
        {"N", "", "number of neurons", &config::N},
        {"k", "", "lattice degree (even, 2 <= k < N)", &config::k},
        {"p", "", "rewiring probability in [0, 1]", &config::p},
        {"seed", "", "random seed, 0 <= seed < 2^32", &config::seed},
        {"graph", "", "Watts-Strogatz, ring lattice, Erdos-Renyi, or the edge list graph_file", &config::graph},
        {"graph_file", "", "text edge list for graph = file", &config::graph_file},
        {"partition", "", "how neurons are assigned to ranks (results do not change)", &config::partition},
        {"dt", "ms", "time step", &config::dt},
        {"t_stop", "ms", "simulated time", &config::t_stop},
        {"tau_m", "ms", "membrane time constant", &config::tau_m},
        {"tau_syn", "ms", "synaptic time constant", &config::tau_syn},
        {"V_rest", "mV", "resting potential", &config::V_rest},
        {"V_reset", "mV", "reset potential", &config::V_reset},
        {"V_th", "mV", "threshold", &config::V_th},
        {"t_ref", "ms", "refractory period", &config::t_ref},
        {"I_bias", "mV", "constant input", &config::I_bias},
        {"sigma", "mV", "noise: stationary std of the free membrane", &config::sigma},
        {"J", "mV", "synaptic weight", &config::J},
        {"d", "ms", "synaptic delay", &config::d},
        {"f_inh", "", "fraction of inhibitory neurons in [0, 1]", &config::f_inh},
        {"g", "", "relative inhibitory strength", &config::g},
        {"stim_amp", "mV", "stimulus pulse amplitude", &config::stim_amp},
        {"stim_start", "ms", "stimulus pulse start", &config::stim_start},
        {"stim_dur", "ms", "stimulus pulse duration", &config::stim_dur},
        {"integrator", "", "RK4, or the exact propagator of the linear system", &config::integrator},
        {"exchange", "",
         "how often spikes are exchanged (the epoch length): after every step, or once per "
         "delay d; results do not change (the algorithm is `routing`)",
         &config::exchange},
        {"routing", "",
         "how spikes are exchanged (the algorithm): to every rank, or only to the ranks that "
         "hold one of their targets; results do not change (how often is `exchange`)",
         &config::routing},
        {"J_norm", "", "synaptic weight J, or J scaled by k / in-degree", &config::J_norm},
        {"t_transient", "ms", "excluded from synchrony measures", &config::t_transient},
        {"sample_dt", "ms", "sampling interval of V", &config::sample_dt},
        {"population", "", "SONATA population name", &config::population},
        {"record", "", "all | none | list of node ids (default: all when N <= 10000)", &config::record},
        {"record_every", "", "record every n-th node", &config::record_every},
        {"report_dtype", "", "value type of /report", &config::report_dtype},
    };
    return table;
}

const key_spec* find_spec(const std::string& key) {
    for (const auto& s: specs())
        if (s.name == key) return &s;
    return nullptr;
}

[[noreturn]] void bad_key(const std::string& key, const std::string& message) {
    throw config_error({{key, message}});
}

const key_spec& spec_or_throw(const std::string& key) {
    if (auto s = find_spec(key)) return *s;
    bad_key(key, "unknown key (lifnet run --help lists the keys)");
}

template <typename T>
bool parse_number(const std::string& text, T& out) {
    const char* end = text.data() + text.size();
    auto [ptr, ec] = std::from_chars(text.data(), end, out);
    return ec == std::errc() && ptr == end;
}

} // namespace

template <typename Mode>
const char* mode_name(Mode m) {
    for (const auto& [value, name]: values_of(Mode{}))
        if (value == m) return name;
    throw internal_error("a mode value without a name");
}
template const char* mode_name(graph_model);
template const char* mode_name(partition_method);
template const char* mode_name(integrator_method);
template const char* mode_name(epoch_length);
template const char* mode_name(spike_routing);
template const char* mode_name(weight_norm);
template const char* mode_name(report_type);

const std::vector<key_info>& config_keys() {
    static const std::vector<key_info> keys = [] {
        std::vector<key_info> out;
        for (const auto& s: specs()) {
            out.push_back({s.name, s.unit, s.help, {}});
            std::visit(
                [&](auto field) {
                    using T = std::remove_cvref_t<decltype(config{}.*field)>;
                    if constexpr (std::is_enum_v<T>) out.back().values = names_of<T>();
                },
                s.field);
        }
        return out;
    }();
    return keys;
}

void set_key(config& c, const std::string& key, const std::string& value) {
    const auto& spec = spec_or_throw(key);
    std::visit(
        [&](auto field) {
            using T = std::remove_cvref_t<decltype(c.*field)>;
            if constexpr (std::is_same_v<T, std::string>) {
                c.*field = value;
            }
            else if constexpr (std::is_enum_v<T>) {
                std::string error;
                if (const auto mode = parse_mode<T>(value, error))
                    c.*field = *mode;
                else
                    bad_key(key, error);
            }
            else if constexpr (std::is_same_v<T, double>) {
                if (!parse_number(value, c.*field) || !std::isfinite(c.*field))
                    bad_key(key, "'" + value + "' is not a finite number");
            }
            else {
                if (!parse_number(value, c.*field)) bad_key(key, "'" + value + "' is not a non-negative integer");
            }
        },
        spec.field);
}

void load_toml(config& c, const std::string& path) {
    load_toml_text(c, input_file(path).rest(), path);
}

namespace {

// A list of node ids, in the textual form the key `record` stores; empty
// with `error` set unless every entry is a node id.
std::string id_list(const toml::array& a, std::string& error) {
    std::string ids;
    for (const auto& e: a) {
        const auto id = integer_of(e);
        if (!id || *id < 0) {
            error = "list entries must be node ids";
            return {};
        }
        ids += (ids.empty() ? "" : ",") + std::to_string(*id);
    }
    return ids;
}

// Sets the key of `spec` from a TOML value; returns what is wrong with the
// value, or an empty string.
std::string set_from_toml(config& c, const key_spec& spec, const toml::node& node) {
    std::string error;
    std::visit(
        [&](auto field) {
            using T = std::remove_cvref_t<decltype(c.*field)>;
            if constexpr (std::is_same_v<T, std::string>) {
                if (auto s = node.template value<std::string>())
                    c.*field = *s;
                else if (auto a = node.as_array(); a && std::string(spec.name) == "record")
                    c.*field = id_list(*a, error);
                else
                    error = "expected a string";
            }
            else if constexpr (std::is_enum_v<T>) {
                error = "expected a string";
                const auto text = node.template value<std::string>();
                if (const auto mode = text ? parse_mode<T>(*text, error) : std::nullopt) {
                    c.*field = *mode;
                    error.clear();
                }
            }
            else if constexpr (std::is_same_v<T, double>) {
                // TOML integers are accepted for real keys (t_stop = 1000).
                if (auto v = node.template value<double>(); v && std::isfinite(*v))
                    c.*field = *v;
                else if (v)
                    error = "expected a finite number, not " + std::to_string(*v);
                else
                    error = "expected a number";
            }
            else {
                const auto v = integer_of(node);
                if (v && *v >= 0)
                    c.*field = static_cast<std::uint64_t>(*v);
                else
                    error = "expected a non-negative integer";
            }
        },
        spec.field);
    return error;
}

} // namespace

void load_toml_text(config& c, const std::string& text, const std::string& path) {
    toml::table table;
    try {
        table = toml::parse(text, path);
    }
    catch (const toml::parse_error& e) {
        throw file_error(path, std::string(e.description()), e.source().begin.line);
    }
    std::vector<config_error::problem> problems;
    for (const auto& [name, node]: table) {
        const std::string key(name.str());
        if (key == "sweep" && node.is_table()) continue; // read by load_sweep_table
        const std::string at = " (" + path + ":" + std::to_string(node.source().begin.line) + ")";
        const auto* spec = find_spec(key);
        const auto error = spec ? set_from_toml(c, *spec, node) : "unknown key (lifnet run --help lists the keys)";
        if (!error.empty()) problems.push_back({key, error + at});
    }
    if (!problems.empty()) throw config_error(std::move(problems));
}

std::int64_t config::steps(double t) const {
    return std::llround(t / dt);
}
std::int64_t config::nsteps() const {
    return steps(t_stop);
}
std::int64_t config::delay_steps() const {
    return steps(d);
}
std::int64_t config::ref_steps() const {
    return steps(t_ref);
}
std::int64_t config::epoch_steps() const {
    switch (exchange) {
    case epoch_length::step:
        return 1;
    case epoch_length::epoch:
        return delay_steps();
    }
    throw internal_error("unknown epoch length");
}

namespace {

// The most steps any time key may span: 2^53, exact in a double.
constexpr double max_steps = 0x1p53;

// The time keys: dt, RK4's limit on it, and every time a whole number of steps.
void time_problems(const config& c, std::vector<config_error::problem>& bad) {
    auto require = [&](bool ok, const char* key, const std::string& message) {
        if (!ok) bad.push_back({key, message});
    };
    if (!(c.dt > 0)) {
        bad.push_back({"dt", "must be > 0"});
    }
    else {
        // RK4's stability limit for the linear decay terms (MODEL.md §2).
        const double limit = 2.78 * std::min(c.tau_m, c.tau_syn);
        if (c.integrator == integrator_method::rk4 && c.tau_m > 0 && c.tau_syn > 0)
            require(c.dt < limit, "dt",
                    "must be < 2.78 * min(tau_m, tau_syn) = " + std::to_string(limit) + " ms for rk4");
        // Every time parameter is a whole number of steps (relative tolerance
        // 1e-9), and at most max_steps of them, so that every step count,
        // and the half-steps of the stimulus window, fit in 64 bits and are
        // exact in a double.
        bool steps_ok = true;
        auto whole = [&](double t, const char* key) {
            const double n = t / c.dt;
            if (!(t >= 0) || std::abs(n - std::nearbyint(n)) > 1e-9 * std::max(1.0, std::abs(n))) {
                bad.push_back(
                    {key, "must be a non-negative whole number of steps of dt = " + std::to_string(c.dt) + " ms"});
                steps_ok = false;
            }
            else if (!(n <= max_steps)) {
                char text[128];
                std::snprintf(text, sizeof text, "is %.3g steps of dt = %g ms; at most 2^53 steps are allowed", n,
                              c.dt);
                bad.push_back({key, text});
                steps_ok = false;
            }
        };
        whole(c.d, "d");
        whole(c.t_ref, "t_ref");
        whole(c.t_stop, "t_stop");
        whole(c.t_transient, "t_transient");
        whole(c.sample_dt, "sample_dt");
        whole(c.stim_start, "stim_start");
        whole(c.stim_dur, "stim_dur");
        require(c.d >= c.dt * (1 - 1e-9), "d", "must be >= dt (a delay of at least one step)");
        require(c.t_stop > 0, "t_stop", "must be > 0");
        require(c.sample_dt >= c.dt * (1 - 1e-9), "sample_dt", "must be >= dt");
        require(c.t_transient <= c.t_stop, "t_transient", "must be <= t_stop");
        if (steps_ok && c.sample_dt >= c.dt * (1 - 1e-9) && c.t_transient <= c.t_stop) {
            // MODEL.md §4: the samples are the multiples of sample_dt in [t_transient, t_stop].
            const std::int64_t stride = c.steps(c.sample_dt), first = c.steps(c.t_transient), last = c.nsteps();
            if ((first + stride - 1) / stride * stride > last) {
                char text[200];
                std::snprintf(text, sizeof text,
                              "no sample time (a multiple of sample_dt = %g ms) lies in [t_transient, t_stop] = "
                              "[%g, %g] ms, where the synchrony is measured",
                              c.sample_dt, c.t_transient, c.t_stop);
                bad.push_back({"sample_dt", text});
            }
        }
    }
}

} // namespace

void validate(const config& c) {
    std::vector<config_error::problem> bad;
    auto require = [&](bool ok, const char* key, const std::string& message) {
        if (!ok) bad.push_back({key, message});
    };
    require(c.N >= 1, "N", "must be >= 1");
    if (c.graph != graph_model::file) {
        require(c.k >= 2 && c.k % 2 == 0 && c.k < c.N, "k",
                "must be even with 2 <= k < N (N = " + std::to_string(c.N) + ")");
        // Rewiring (ws) and drawing distinct pairs (er) redraw a target that
        // is taken: bounded work needs at least as many free targets as
        // taken ones. The complete graph (k = N - 1) has nothing to rewire.
        const bool ws = c.graph == graph_model::ws && c.p > 0 && c.k + 1 < c.N;
        if ((ws || c.graph == graph_model::er) && c.k < c.N)
            require(c.k <= c.N / 2, "k",
                    "must be <= N / 2 = " + std::to_string(c.N / 2) +
                        (ws ? " for graph = ws with p > 0" : " for graph = er") +
                        ": a denser graph leaves too few nodes to draw from (k = N - 1 is the complete "
                        "graph, p = 0 the ring lattice)");
    }
    else {
        require(!c.graph_file.empty(), "graph_file", "required when graph = file");
    }
    require(c.p >= 0 && c.p <= 1, "p", "must be in [0, 1]");
    require(c.seed < (std::uint64_t(1) << 32), "seed", "must be < 2^32");
    require(c.f_inh >= 0 && c.f_inh <= 1, "f_inh", "must be in [0, 1]");
    require(c.tau_m > 0, "tau_m", "must be > 0");
    require(c.tau_syn > 0, "tau_syn", "must be > 0");
    require(c.V_th > c.V_reset, "V_th", "must be > V_reset");
    require(c.sigma >= 0, "sigma", "must be >= 0");
    require(c.g >= 0, "g", "must be >= 0");
    require(c.record_every >= 1, "record_every", "must be >= 1");
    // The name is an HDF5 link name and part of file names: no '/', no
    // control characters, not "." or "..".
    require(!c.population.empty() && c.population != "." && c.population != ".." &&
                std::none_of(c.population.begin(), c.population.end(),
                             [](char ch) { return ch == '/' || static_cast<unsigned char>(ch) < 0x20 || ch == 0x7f; }),
            "population", "must be a name without '/' or control characters, and not empty, '.' or '..'");
    try {
        record_selection{c};
    }
    catch (const config_error& e) {
        bad.insert(bad.end(), e.problems.begin(), e.problems.end());
    }

    time_problems(c, bad);
    if (!bad.empty()) throw config_error(std::move(bad));
}

record_selection::record_selection(const config& c): every_(std::max<std::uint64_t>(c.record_every, 1)) {
    const std::string mode = c.record.empty() ? (c.N <= 10000 ? "all" : "none") : c.record;
    if (mode == "all") {
        all_ = true;
        size_ = (c.N + every_ - 1) / every_;
        return;
    }
    if (mode == "none") return;
    // A list of ids separated by commas or spaces.
    std::vector<std::uint64_t> ids;
    std::string text = mode;
    std::replace(text.begin(), text.end(), ',', ' ');
    std::istringstream in(text);
    for (std::string word; in >> word;) {
        std::uint64_t id;
        if (!parse_number(word, id) || id >= c.N)
            bad_key("record", "'" + word + "' is not all, none, or a node id below N = " + std::to_string(c.N));
        ids.push_back(id);
    }
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    for (std::size_t i = 0; i < ids.size(); i += every_) ids_.push_back(ids[i]);
    size_ = ids_.size();
}

std::int64_t record_selection::column(std::uint64_t id) const {
    if (all_) return id % every_ == 0 ? static_cast<std::int64_t>(id / every_) : -1;
    const auto it = std::lower_bound(ids_.begin(), ids_.end(), id);
    return it != ids_.end() && *it == id ? it - ids_.begin() : -1;
}

std::uint64_t record_selection::id(std::uint64_t column) const {
    return all_ ? column * every_ : ids_[column];
}

std::string to_toml(const config& c) {
    // In the order of MODEL.md §7, reals in their shortest exact form.
    std::ostringstream out;
    for (const auto& spec: specs()) {
        out << spec.name << " = ";
        std::visit(
            [&](auto field) {
                using T = std::remove_cvref_t<decltype(c.*field)>;
                if constexpr (std::is_same_v<T, std::string>)
                    out << toml::value<std::string>(c.*field);
                else if constexpr (std::is_enum_v<T>)
                    out << toml::value<std::string>(mode_name(c.*field));
                else if constexpr (std::is_same_v<T, double>) {
                    char text[32];
                    const auto end = std::to_chars(text, text + sizeof text, c.*field).ptr;
                    std::string number(text, end);
                    if (number.find_first_of(".en") == std::string::npos) number += ".0";
                    out << number;
                }
                else
                    out << c.*field;
            },
            spec.field);
        out << "\n";
    }
    return out.str();
}

} // namespace lifnet
