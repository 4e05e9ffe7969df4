#pragma once
// The cap on the size of the files lifnet reads as input (config and graph
// files), so that a runaway input is refused before it is read.
#include <cstdint>
#include <string>

namespace lifnet {

// 64 GiB unless set (`lifnet --max-input-size`).
constexpr std::uint64_t default_max_input_size = std::uint64_t(64) << 30;
void set_max_input_size(std::uint64_t bytes);
std::uint64_t max_input_size();

// A size in bytes with an optional binary suffix (k, M, G, T: 2^10 ... 2^40),
// at least 1; config_error naming --max-input-size otherwise.
std::uint64_t parse_input_size(const std::string& text);

} // namespace lifnet
