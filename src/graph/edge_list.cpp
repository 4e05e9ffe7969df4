#include "graph/edge_list.hpp"

#include <lifnet/errors.hpp>

#include <sstream>

namespace lifnet {

std::optional<std::pair<std::uint64_t, std::uint64_t>> parse_edge_line(std::string line, std::uint64_t N,
                                                                       std::uint64_t number, const std::string& path) {
    line = line.substr(0, line.find('#'));
    std::istringstream fields(line);
    std::string u_text, v_text, rest;
    if (!(fields >> u_text)) return std::nullopt; // blank or comment
    auto id = [&](const std::string& text, std::uint64_t& out) {
        // Digits only: no sign, no exponent, no hex; and below N.
        if (text.empty() || text.size() > 19 || text.find_first_not_of("0123456789") != std::string::npos) return false;
        out = std::stoull(text);
        return true;
    };
    std::uint64_t u = 0, v = 0;
    if (!(fields >> v_text) || (fields >> rest) || !id(u_text, u) || !id(v_text, v))
        throw file_error(path, "expected two non-negative node ids 'u v', got '" + line + "'", number);
    if (u >= N || v >= N)
        throw file_error(path, "node id out of range for N = " + std::to_string(N) + " (set N)", number);
    if (u == v) throw file_error(path, "self-loop on node " + std::to_string(u), number);
    return std::pair(u, v);
}

} // namespace lifnet
