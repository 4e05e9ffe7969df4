#pragma once
// The block decomposition: N node ids split into near-equal contiguous
// ranges, one per rank. Graphs are generated, files written and node ids
// looked up (comm/id_directory.hpp) by block, whatever the partition.
#include <algorithm>
#include <cstdint>

namespace lifnet {

// Node ids [lo, hi) of `rank`'s block.
struct node_range {
    std::uint64_t lo, hi;
};

inline node_range block_of(std::uint64_t N, int size, int rank) {
    const std::uint64_t q = N / size, r = N % size;
    auto start = [&](std::uint64_t b) { return b * q + std::min<std::uint64_t>(b, r); };
    return {start(rank), start(rank + 1)};
}

// The rank whose block holds `node`.
inline int block_owner(std::uint64_t node, std::uint64_t N, int size) {
    const std::uint64_t q = N / size, r = N % size;
    // The first r blocks hold q + 1 nodes, the others q.
    if (node < r * (q + 1)) return static_cast<int>(node / (q + 1));
    return static_cast<int>(r + (node - r * (q + 1)) / q);
}

} // namespace lifnet
