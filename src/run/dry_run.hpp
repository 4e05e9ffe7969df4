#pragma once
// The dry run (`lifnet run --dry-run RANKS --as-rank R`): one process builds
// what rank R of a RANKS-rank job would hold and reports, as one JSON
// record (docs/output-format.md), its memory per phase, its synapses by
// source rank, its neighbour ranks and its exchange per step, without
// simulating the other ranks.
#include "run/dry_run_options.hpp"

#include <lifnet/config.hpp>

#include <cstdint>
#include <string>

namespace lifnet {

// Builds rank R's part, writes the record to options.output (atomically)
// and returns it.
std::string dry_run(const config& c, const dry_run_options& options, const std::string& command_line);

} // namespace lifnet
