#include "graph/edge_registry.hpp"

#include "comm/mpi_util.hpp"
#include "graph/graph.hpp"

#include <algorithm>

namespace lifnet {

edge_registry::edge_registry(const boost::mpi::communicator& comm, std::uint64_t N): comm_(comm), N_(N) {}

int edge_registry::owner(const edge& e) const {
    return block_owner(e.a, N_, comm_.size());
}

void edge_registry::insert_distinct(const std::vector<edge>& edges) {
    std::vector<std::vector<edge>> send(comm_.size());
    for (const auto& e: edges) send[owner(e)].push_back(e);
    auto mine = alltoallv(comm_, send);
    send = {};
    std::sort(mine.begin(), mine.end());
    const auto middle = held_.insert(held_.end(), mine.begin(), mine.end());
    std::inplace_merge(held_.begin(), middle, held_.end());
}

std::vector<char> edge_registry::propose(const std::vector<candidate>& candidates) {
    struct request {
        candidate c;
        std::uint64_t index; // position in the proposer's list
        int from;
    };
    struct reply {
        std::uint64_t index;
        char taken;
    };
    std::vector<std::vector<request>> send(comm_.size());
    for (std::size_t i = 0; i < candidates.size(); ++i)
        send[owner(candidates[i].e)].push_back({candidates[i], i, comm_.rank()});
    auto requests = alltoallv(comm_, send);

    // The smallest key of each edge comes first; it wins unless already held.
    std::sort(requests.begin(), requests.end(),
              [](const request& x, const request& y) { return std::tie(x.c.e, x.c.key) < std::tie(y.c.e, y.c.key); });
    std::vector<std::vector<reply>> answers(comm_.size());
    std::vector<edge> added; // sorted, as the requests are
    for (std::size_t i = 0; i < requests.size(); ++i) {
        const auto& r = requests[i];
        const bool first_of_edge = i == 0 || requests[i - 1].c.e != r.c.e;
        const bool taken = first_of_edge && !std::binary_search(held_.begin(), held_.end(), r.c.e);
        if (taken) added.push_back(r.c.e);
        answers[r.from].push_back({r.index, taken});
    }
    const auto middle = held_.insert(held_.end(), added.begin(), added.end());
    std::inplace_merge(held_.begin(), middle, held_.end());
    std::vector<char> result(candidates.size(), 0);
    for (const auto& a: alltoallv(comm_, answers)) result[a.index] = a.taken;
    return result;
}

std::vector<edge> edge_registry::take_edges() {
    return std::move(held_);
}

} // namespace lifnet
