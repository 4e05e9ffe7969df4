#include "run/dry_run_options.hpp"

#include <lifnet/errors.hpp>

#include <string>
#include <vector>

namespace lifnet {

void check_dry_run(const config& c, const dry_run_options& o) {
    std::vector<config_error::problem> problems;
    if (o.ranks < 1) problems.push_back({"--dry-run", "RANKS must be at least 1, not " + std::to_string(o.ranks)});
    if (o.rank < 0 || (o.ranks >= 1 && o.rank >= o.ranks))
        problems.push_back({"--as-rank", "R must be in 0 … RANKS - 1 = " + std::to_string(o.ranks - 1) + ", not " +
                                             std::to_string(o.rank)});
    if (o.ranks >= 1 && static_cast<std::uint64_t>(o.ranks) > c.N)
        problems.push_back({"--dry-run", "RANKS = " + std::to_string(o.ranks) + " is more than the N = " +
                                             std::to_string(c.N) + " neurons: some rank would hold none"});
    if (c.partition == partition_method::ptscotch && o.ranks > 1)
        problems.push_back({"partition", "a dry run cannot use ptscotch, which partitions the whole graph; use "
                                         "--set partition=block or partition=random"});
    if (c.graph == graph_model::file)
        problems.push_back({"graph", "a dry run cannot read a graph file, which holds the whole graph; use a "
                                     "generated graph (ws or ring)"});
    if (c.graph == graph_model::er)
        problems.push_back({"graph", "a dry run of an er graph is not supported: which draws make its edges "
                                     "depends on duplicates anywhere in the graph; use ws or ring"});
    if (!(o.rate_hz < 0) && !(o.rate_hz < 1e6)) problems.push_back({"--rate", "must be a rate in Hz, >= 0 and < 1e6"});
    if (!(o.simulate_ms >= 0 && o.simulate_ms <= 1e7))
        problems.push_back({"--simulate", "must be a time in ms, >= 0 and <= 1e7"});
    if (!problems.empty()) throw config_error(std::move(problems));
}

} // namespace lifnet
