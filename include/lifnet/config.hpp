#pragma once
// The configuration of one run: every key of MODEL.md §7 with its default.
// Units: time in ms, voltage in mV; input terms are in voltage units (R·I).
#include <cstdint>
#include <string>
#include <vector>

namespace lifnet {

// The keys with a fixed set of values (MODEL.md §7). Their names and values
// are listed once, in config.cpp's key table, which parses them and feeds
// --help; code switches on them, so a new value is a compile error
// (-Werror=switch-enum) wherever it is not handled.
enum class graph_model { ws, ring, er, file };
enum class partition_method { ptscotch, block, random };
enum class integrator_method { rk4, exact };
// `exchange`: how long an epoch is, the steps between two exchanges: one
// step, or the delay D (the longest that delivers every spike in time).
enum class epoch_length { step, epoch };
// `routing`: which ranks a spike is sent to: all, or those holding a target.
enum class spike_routing { allgather, neighbour };
enum class weight_norm { none, in_degree };
enum class report_type { float32, float64 };

// The name of a mode value as the user writes it ("neighbour").
template <typename Mode>
const char* mode_name(Mode m);

struct config {
    // Network (MODEL.md §1).
    std::uint64_t N = 100;
    std::uint64_t k = 4;
    double p = 0.1;
    std::uint64_t seed = 1;
    graph_model graph = graph_model::ws;
    std::string graph_file; // text edge list, for graph = file
    partition_method partition = partition_method::ptscotch;

    // Neuron and synapses (MODEL.md §2).
    double dt = 0.1;       // [ms]
    double t_stop = 1000;  // [ms]
    double tau_m = 10;     // [ms]
    double tau_syn = 2;    // [ms]
    double V_rest = -65;   // [mV]
    double V_reset = -65;  // [mV]
    double V_th = -50;     // [mV]
    double t_ref = 2;      // [ms]
    double I_bias = 16;    // [mV]
    double sigma = 1;      // [mV] stationary std of the free membrane
    double J = 2;          // [mV]
    double d = 1;          // [ms] synaptic delay
    double f_inh = 0;      // fraction of inhibitory neurons
    double g = 4;          // relative inhibitory strength
    double stim_amp = 0;   // [mV]
    double stim_start = 0; // [ms]
    double stim_dur = 0;   // [ms]
    integrator_method integrator = integrator_method::rk4;
    epoch_length exchange = epoch_length::epoch;
    spike_routing routing = spike_routing::neighbour;
    weight_norm J_norm = weight_norm::none;

    // Measures and output (MODEL.md §4–5).
    double t_transient = 100; // [ms]
    double sample_dt = 1;     // [ms]
    std::string population = "lifnet";
    std::string record; // all | none | list of ids; empty: MODEL.md §7 default
    std::uint64_t record_every = 1;
    report_type report_dtype = report_type::float32;

    // Derived step counts; valid after validate().
    std::int64_t nsteps() const;        // t_stop / dt
    std::int64_t delay_steps() const;   // d / dt
    std::int64_t ref_steps() const;     // t_ref / dt
    std::int64_t steps(double t) const; // t / dt for a whole number of steps
    std::int64_t epoch_steps() const;   // steps between two exchanges (key exchange)
};

// One key as the user may set it: its name, unit, meaning and, for a mode,
// its allowed values (for --help).
struct key_info {
    std::string name;
    std::string unit;
    std::string help;
    std::vector<std::string> values; // empty unless the key is a mode
};
const std::vector<key_info>& config_keys();

// Sets `key` from its textual form (`--set key=value`); throws config_error
// naming the key for an unknown key or a value of the wrong type.
void set_key(config& c, const std::string& key, const std::string& value);

// Reads a TOML file of `key = value` lines into `c` (file_error for a
// malformed file, config_error naming every unknown or mistyped key).
void load_toml(config& c, const std::string& path);
// The same for TOML text; `source` names it in messages.
void load_toml_text(config& c, const std::string& text, const std::string& source);

// Checks every key and throws one config_error that names every bad key with
// its allowed range.
void validate(const config& c);

// The neurons the membrane-potential report holds (keys record and
// record_every), in column order: every record_every-th of the selected ids
// (all ids, none, or a list), sorted.
class record_selection {
public:
    explicit record_selection(const config& c); // throws config_error naming `record`
    std::uint64_t size() const { return size_; }
    // The column of `id`, or -1 when it is not recorded.
    std::int64_t column(std::uint64_t id) const;
    std::uint64_t id(std::uint64_t column) const;

private:
    bool all_ = false;
    std::uint64_t every_ = 1, size_ = 0;
    std::vector<std::uint64_t> ids_; // for a list: the recorded ids, sorted
};

// The fully resolved configuration as TOML text (for provenance).
std::string to_toml(const config& c);

} // namespace lifnet
