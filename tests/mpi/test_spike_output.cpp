// The spike writer sorts each epoch's spikes as they are appended and merges
// the ranks' runs when it flushes: whatever order the spikes come in
// (scrambled within an epoch, an epoch earlier than the one before it, an
// epoch of more steps than the linear bucketing takes), the file must hold
// every spike once, ordered by (time, id).
#include "io/output.hpp"
#include "io/run_file.hpp"

#include <boost/mpi/collectives.hpp>
#include <boost/mpi/communicator.hpp>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <numeric>
#include <optional>
#include <random>
#include <vector>

namespace {

using lifnet::spike;

TEST(spike_output, any_append_order_is_written_in_time_and_id_order) {
    const boost::mpi::communicator comm;
    const auto size = static_cast<std::uint64_t>(comm.size()), rank = static_cast<std::uint64_t>(comm.rank());
    std::string path;
    if (comm.rank() == 0)
        path = (std::filesystem::temp_directory_path() / ("lifnet-spike-output-" + std::to_string(::getpid()) + ".h5"))
                   .string();
    boost::mpi::broadcast(comm, path, 0);
    // Epochs [first step, steps): the third precedes the second in time; the
    // last spans more than 4096 steps.
    const std::vector<std::pair<std::int64_t, std::int64_t>> epochs = {{0, 10}, {30, 10}, {10, 20}, {40, 9000}};
    // Every rank draws every rank's spikes (the same ones), and appends its own.
    std::vector<std::mt19937_64> random;
    for (std::uint64_t r = 0; r < size; ++r) random.emplace_back(7 + r);
    std::vector<spike> all;
    const double dt = 0.1;
    {
        lifnet::output_file file(path, comm);
        std::optional<lifnet::spike_writer> writer(std::in_place, file.root(), "p", dt, comm);
        for (const auto& [first, steps]: epochs) {
            std::vector<spike> own;
            for (std::uint64_t r = 0; r < size; ++r) {
                std::vector<spike> theirs;
                for (std::uint64_t j = 0; j < 500 + 37 * r; ++j)
                    theirs.push_back(
                        {first + static_cast<std::int64_t>(random[r]() % steps), r + size * (random[r]() % 1000)});
                std::shuffle(theirs.begin(), theirs.end(), random[r]);
                all.insert(all.end(), theirs.begin(), theirs.end());
                if (r == rank) own = theirs;
            }
            writer->append(own, all.size()); // every rank's spikes so far
        }
        writer->flush(all.size());
        writer.reset(); // its datasets closed before the file (as a run does)
        file.commit();
    }
    std::sort(all.begin(), all.end());
    const lifnet::h5::reader in(path);
    const auto group = lifnet::run_file::spikes("p") + "/";
    const auto ids = in.values<std::uint64_t>(group + lifnet::run_file::spike_ids, all.size());
    const auto times = in.values<double>(group + lifnet::run_file::spike_times, all.size());
    for (std::size_t j = 0; j < all.size(); ++j) {
        ASSERT_EQ(ids[j], all[j].id) << "row " << j;
        ASSERT_EQ(times[j], static_cast<double>(all[j].step + 1) * dt) << "row " << j;
    }
    comm.barrier();
    if (comm.rank() == 0) std::filesystem::remove(path);
}

} // namespace
