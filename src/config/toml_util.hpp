#pragma once
// The one toml++ helper lifnet needs besides parsing.
#include <toml++/toml.h>

#include <cstdint>
#include <optional>

namespace lifnet {

// The value of an integer node; nothing for any other node (a float too).
// Not toml++'s value<int64_t>(): for a float out of range, toml++ 3.3 casts
// with undefined behaviour (found by tests/fuzz).
inline std::optional<std::int64_t> integer_of(const toml::node& node) {
    if (const auto* i = node.as_integer()) return i->get();
    return std::nullopt;
}

} // namespace lifnet
