#include <lifnet/config.hpp>
#include <lifnet/errors.hpp>

#include "config/toml_util.hpp"
#include "io/input_file.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <sstream>
#include <variant>

namespace lifnet {

namespace {

using member = std::variant<double config::*, std::uint64_t config::*, std::string config::*>;

struct key_spec {
    key_info info;
    member field;
};

const std::vector<key_spec>& specs() {
    static const std::vector<key_spec> table = {
        {{"N", "", "number of neurons"}, &config::N},
        {{"k", "", "lattice degree (even, 2 <= k < N)"}, &config::k},
        {{"p", "", "rewiring probability in [0, 1]"}, &config::p},
        {{"seed", "", "random seed, 0 <= seed < 2^32"}, &config::seed},
        {{"graph", "", "ws | ring | er | file"}, &config::graph},
        {{"graph_file", "", "text edge list for graph = file"}, &config::graph_file},
        {{"partition", "", "ptscotch | block | random"}, &config::partition},
        {{"dt", "ms", "time step"}, &config::dt},
        {{"t_stop", "ms", "simulated time"}, &config::t_stop},
        {{"tau_m", "ms", "membrane time constant"}, &config::tau_m},
        {{"tau_syn", "ms", "synaptic time constant"}, &config::tau_syn},
        {{"V_rest", "mV", "resting potential"}, &config::V_rest},
        {{"V_reset", "mV", "reset potential"}, &config::V_reset},
        {{"V_th", "mV", "threshold"}, &config::V_th},
        {{"t_ref", "ms", "refractory period"}, &config::t_ref},
        {{"I_bias", "mV", "constant input"}, &config::I_bias},
        {{"sigma", "mV", "noise: stationary std of the free membrane"}, &config::sigma},
        {{"J", "mV", "synaptic weight"}, &config::J},
        {{"d", "ms", "synaptic delay"}, &config::d},
        {{"f_inh", "", "fraction of inhibitory neurons in [0, 1]"}, &config::f_inh},
        {{"g", "", "relative inhibitory strength"}, &config::g},
        {{"stim_amp", "mV", "stimulus pulse amplitude"}, &config::stim_amp},
        {{"stim_start", "ms", "stimulus pulse start"}, &config::stim_start},
        {{"stim_dur", "ms", "stimulus pulse duration"}, &config::stim_dur},
        {{"integrator", "", "rk4 | exact"}, &config::integrator},
        {{"exchange", "", "step | epoch"}, &config::exchange},
        {{"routing", "", "allgather | neighbour: spikes go to every rank, or only to those holding a target"},
         &config::routing},
        {{"J_norm", "", "none | in_degree"}, &config::J_norm},
        {{"t_transient", "ms", "excluded from synchrony measures"}, &config::t_transient},
        {{"sample_dt", "ms", "sampling interval of V"}, &config::sample_dt},
        {{"population", "", "SONATA population name"}, &config::population},
        {{"record", "", "all | none | list of node ids (default: all when N <= 10000)"}, &config::record},
        {{"record_every", "", "record every n-th node"}, &config::record_every},
        {{"report_dtype", "", "float32 | float64"}, &config::report_dtype},
    };
    return table;
}

const key_spec* find_spec(const std::string& key) {
    for (const auto& s: specs())
        if (s.info.name == key) return &s;
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

const std::vector<key_info>& config_keys() {
    static const std::vector<key_info> keys = [] {
        std::vector<key_info> out;
        for (const auto& s: specs()) out.push_back(s.info);
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

void load_toml_text(config& c, const std::string& text, const std::string& path) {
    toml::table table;
    try {
        table = toml::parse(text, path);
    }
    catch (const toml::parse_error& e) {
        throw file_error(path, std::string(e.description()), e.source().begin.line);
    }
    std::vector<config_error::problem> problems;
    for (const auto& entry: table) {
        const auto& name = entry.first;
        const auto& node = entry.second; // not a structured binding: lambdas capture it (clang 14)
        const std::string key(name.str());
        if (key == "sweep" && node.is_table()) continue; // read by load_sweep_table
        const std::string at = " (" + path + ":" + std::to_string(node.source().begin.line) + ")";
        const auto* spec = find_spec(key);
        if (!spec) {
            problems.push_back({key, "unknown key (lifnet run --help lists the keys)" + at});
            continue;
        }
        std::visit(
            [&](auto field) {
                using T = std::remove_cvref_t<decltype(c.*field)>;
                if constexpr (std::is_same_v<T, std::string>) {
                    if (auto s = node.template value<std::string>())
                        c.*field = *s;
                    else if (auto a = node.as_array(); a && key == "record") {
                        // A list of node ids is stored in its textual form.
                        std::string ids;
                        for (const auto& e: *a) {
                            const auto id = integer_of(e);
                            if (!id || *id < 0) {
                                problems.push_back({key, "list entries must be node ids" + at});
                                return;
                            }
                            ids += (ids.empty() ? "" : ",") + std::to_string(*id);
                        }
                        c.*field = ids;
                    }
                    else
                        problems.push_back({key, "expected a string" + at});
                }
                else if constexpr (std::is_same_v<T, double>) {
                    // TOML integers are accepted for real keys (t_stop = 1000).
                    if (auto v = node.template value<double>())
                        c.*field = *v;
                    else
                        problems.push_back({key, "expected a number" + at});
                }
                else {
                    const auto v = integer_of(node);
                    if (v && *v >= 0)
                        c.*field = static_cast<std::uint64_t>(*v);
                    else
                        problems.push_back({key, "expected a non-negative integer" + at});
                }
            },
            spec->field);
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

void validate(const config& c) {
    std::vector<config_error::problem> bad;
    auto require = [&](bool ok, const char* key, const std::string& message) {
        if (!ok) bad.push_back({key, message});
    };
    auto one_of = [&](const std::string& v, const char* key, std::initializer_list<const char*> allowed) {
        std::string list;
        for (auto a: allowed) {
            if (v == a) return;
            list += (list.empty() ? "" : " | ") + std::string(a);
        }
        bad.push_back({key, "'" + v + "' is not one of " + list});
    };

    one_of(c.graph, "graph", {"ws", "ring", "er", "file"});
    one_of(c.partition, "partition", {"ptscotch", "block", "random"});
    one_of(c.integrator, "integrator", {"rk4", "exact"});
    one_of(c.exchange, "exchange", {"step", "epoch"});
    one_of(c.routing, "routing", {"allgather", "neighbour"});
    one_of(c.J_norm, "J_norm", {"none", "in_degree"});
    one_of(c.report_dtype, "report_dtype", {"float32", "float64"});

    require(c.N >= 1, "N", "must be >= 1");
    if (c.graph != "file") {
        require(c.k >= 2 && c.k % 2 == 0 && c.k < c.N, "k",
                "must be even with 2 <= k < N (N = " + std::to_string(c.N) + ")");
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

    if (!(c.dt > 0)) {
        bad.push_back({"dt", "must be > 0"});
    }
    else {
        // RK4's stability limit for the linear decay terms (MODEL.md §2).
        const double limit = 2.78 * std::min(c.tau_m, c.tau_syn);
        if (c.integrator == "rk4" && c.tau_m > 0 && c.tau_syn > 0)
            require(c.dt < limit, "dt",
                    "must be < 2.78 * min(tau_m, tau_syn) = " + std::to_string(limit) + " ms for rk4");
        // Every time parameter is a whole number of steps (relative tolerance 1e-9).
        auto whole = [&](double t, const char* key) {
            const double n = t / c.dt;
            if (!(t >= 0) || std::abs(n - std::nearbyint(n)) > 1e-9 * std::max(1.0, std::abs(n)))
                bad.push_back(
                    {key, "must be a non-negative whole number of steps of dt = " + std::to_string(c.dt) + " ms"});
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
    }
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
        out << spec.info.name << " = ";
        std::visit(
            [&](auto field) {
                using T = std::remove_cvref_t<decltype(c.*field)>;
                if constexpr (std::is_same_v<T, std::string>)
                    out << toml::value<std::string>(c.*field);
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
