#include "edge_registry.hpp"

#include "graph.hpp"
#include "mpi_util.hpp"

#include <algorithm>

namespace lifnet {

edge_registry::edge_registry(const boost::mpi::communicator& comm, std::uint64_t N): comm_(comm), N_(N) {}

int edge_registry::owner(const edge& e) const {
    return block_owner(e.a, N_, comm_.size());
}

void edge_registry::insert_distinct(const std::vector<edge>& edges) {
    std::vector<std::vector<edge>> send(comm_.size());
    for (const auto& e: edges) send[owner(e)].push_back(e);
    const auto mine = alltoallv(comm_, send);
    held_.reserve(held_.size() + mine.size());
    held_.insert(mine.begin(), mine.end());
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
    for (std::size_t i = 0; i < requests.size(); ++i) {
        const auto& r = requests[i];
        const bool first_of_edge = i == 0 || requests[i - 1].c.e != r.c.e;
        const bool taken = first_of_edge && held_.insert(r.c.e).second;
        answers[r.from].push_back({r.index, taken});
    }
    std::vector<char> result(candidates.size(), 0);
    for (const auto& a: alltoallv(comm_, answers)) result[a.index] = a.taken;
    return result;
}

std::vector<edge> edge_registry::local_edges() const {
    std::vector<edge> out(held_.begin(), held_.end());
    std::sort(out.begin(), out.end());
    return out;
}

} // namespace lifnet
