#pragma once
// The configuration of one run: every key of MODEL.md §7 with its default.
// Units: time in ms, voltage in mV; input terms are in voltage units (R·I).
#include <cstdint>
#include <string>
#include <vector>

namespace lifnet {

struct config {
    // Network (MODEL.md §1).
    std::uint64_t N = 100;
    std::uint64_t k = 4;
    double p = 0.1;
    std::uint64_t seed = 1;
    std::string graph = "ws";           // ws | ring | er | file
    std::string graph_file;             // text edge list, for graph = file
    std::string partition = "ptscotch"; // ptscotch | block | random

    // Neuron and synapses (MODEL.md §2).
    double dt = 0.1;                   // [ms]
    double t_stop = 1000;              // [ms]
    double tau_m = 10;                 // [ms]
    double tau_syn = 2;                // [ms]
    double V_rest = -65;               // [mV]
    double V_reset = -65;              // [mV]
    double V_th = -50;                 // [mV]
    double t_ref = 2;                  // [ms]
    double I_bias = 16;                // [mV]
    double sigma = 1;                  // [mV] stationary std of the free membrane
    double J = 2;                      // [mV]
    double d = 1;                      // [ms] synaptic delay
    double f_inh = 0;                  // fraction of inhibitory neurons
    double g = 4;                      // relative inhibitory strength
    double stim_amp = 0;               // [mV]
    double stim_start = 0;             // [ms]
    double stim_dur = 0;               // [ms]
    std::string integrator = "rk4";    // rk4 | exact
    std::string exchange = "epoch";    // step | epoch
    std::string routing = "neighbour"; // allgather | neighbour
    std::string J_norm = "none";       // none | in_degree

    // Measures and output (MODEL.md §4–5).
    double t_transient = 100; // [ms]
    double sample_dt = 1;     // [ms]
    std::string population = "lifnet";
    std::string record; // all | none | list of ids; empty: MODEL.md §7 default
    std::uint64_t record_every = 1;
    std::string report_dtype = "float32"; // float32 | float64

    // Derived step counts; valid after validate().
    std::int64_t nsteps() const;        // t_stop / dt
    std::int64_t delay_steps() const;   // d / dt
    std::int64_t ref_steps() const;     // t_ref / dt
    std::int64_t steps(double t) const; // t / dt for a whole number of steps
};

// One key as the user may set it: its name, unit and meaning (for --help).
struct key_info {
    std::string name;
    std::string unit;
    std::string help;
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
