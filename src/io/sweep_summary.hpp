#pragma once
// The sweep's summary file: a table of members and aggregates per point,
// rebuilt from the journal (so an interrupted sweep and an uninterrupted one
// give the same summary).
#include "sweep/journal.hpp"
#include "sweep/spec.hpp"

#include <lifnet/config.hpp>
#include <lifnet/sweep.hpp>

#include <string>
#include <vector>

namespace lifnet {

// Written by one rank, through a temporary and a rename; returns the number
// of members that failed.
std::uint64_t write_sweep_summary(const sweep_spec& spec, const config& base, const std::vector<sweep_member>& members,
                                  const std::vector<journal_record>& records);

} // namespace lifnet
