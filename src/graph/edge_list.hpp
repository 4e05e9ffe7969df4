#pragma once
// One line of a text edge list: `u v` (0-based node ids), `#` starts a
// comment. Kept apart from the file reading so that it can be fuzzed.
#include <cstdint>
#include <optional>
#include <string>
#include <utility>

namespace lifnet {

// The edge on `line` (line `number` of `path`), nothing for a blank or
// comment line; file_error naming the line for anything else that is not an
// edge between two distinct nodes below N.
std::optional<std::pair<std::uint64_t, std::uint64_t>> parse_edge_line(std::string line, std::uint64_t N,
                                                                       std::uint64_t number, const std::string& path);

} // namespace lifnet
