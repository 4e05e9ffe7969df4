// Any bytes as an edge list, line by line: each line is skipped, rejected
// with a lifnet::error, or an edge between two distinct nodes below N.
#include "graph/edge_list.hpp"

#include <lifnet/errors.hpp>

#include <cstdint>
#include <cstdlib>
#include <sstream>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    constexpr std::uint64_t N = 1000;
    std::istringstream in(std::string(reinterpret_cast<const char*>(data), size));
    std::string line;
    for (std::uint64_t number = 1; std::getline(in, line); ++number) {
        try {
            if (const auto edge = lifnet::parse_edge_line(line, N, number, "fuzz.txt"))
                if (edge->first >= N || edge->second >= N || edge->first == edge->second) std::abort();
        }
        catch (const lifnet::error&) {
        }
    }
    return 0;
}
