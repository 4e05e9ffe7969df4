#pragma once
// The dry run's options and their checks, which need no MPI (the front end,
// src/cli/front.cpp, makes them too).
#include <lifnet/config.hpp>

#include <string>

namespace lifnet {

struct dry_run_options {
    int ranks = 1;          // RANKS: the size of the job it sizes
    int rank = 0;           // R: the rank it plays
    double rate_hz = -1;    // the network's mean rate [Hz]; < 0: the free neuron's (see rate_source)
    double simulate_ms = 0; // simulate R's neurons this long, remote input a Poisson surrogate; 0: not
    std::string output;     // the JSON record
    unsigned threads = 0;   // for the edge stream; 0: every core
};

// The reasons a configuration cannot be dry-run (config_error naming the
// key or option): a partition or graph that needs the whole graph, a rank
// out of range.
void check_dry_run(const config& c, const dry_run_options& options);

} // namespace lifnet
