#pragma once
// A sweep's members and the checks of a sweep that need no MPI: shared by
// the engine (run_sweep) and the command line's front end, so that a bad
// sweep is refused in milliseconds, with the same messages.
#include <lifnet/config.hpp>
#include <lifnet/sweep.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace lifnet {

struct sweep_member {
    std::size_t index;               // position in the sweep
    std::uint64_t point;             // which combination of the varied values
    std::vector<std::string> values; // of the varied keys
    std::uint64_t seed;
    config c;         // resolved
    std::string hash; // of to_toml(c); set by run_sweep
};

// The checks of `spec` alone (config_error naming the option): seeds (none,
// or one twice), a key varied twice, more members than --max-members, no
// summary file, --save-graph without --member-output.
void check_sweep(const sweep_spec& spec);

// Every member: a combination of the axes' values (the last axis varying
// fastest), then each seed, its configuration checked. Throws one
// config_error with each distinct problem once (not once per seed). Stops
// early, incomplete, when a stop is requested (lifnet/signals.hpp).
std::vector<sweep_member> sweep_members(const config& base, const sweep_spec& spec);

} // namespace lifnet
