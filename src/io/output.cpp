#include "io/output.hpp"

#include "comm/fault.hpp"
#include "comm/mpi_util.hpp"
#include "io/run_file.hpp"

#include <H5FDmpio.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <numeric>

namespace lifnet {

namespace {
constexpr std::size_t spike_batch = 1 << 16; // spikes per collective write
}

output_file::output_file(const std::string& path, const boost::mpi::communicator& comm): path_(path), comm_(comm) {
    h5::silence_errors();
    const auto fapl = h5::mpio_access(comm);
    const auto tmp = path_ + ".tmp";
    run_collectively(comm_, [&] {
        const hid_t id = H5Fcreate(tmp.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl);
        if (id < 0) {
            H5Eclear2(H5E_DEFAULT);
            throw file_error(tmp, "cannot create the output file");
        }
        file_ = h5::handle(id);
    });
    // SONATA's root attributes.
    h5::write_attribute(root(), "magic", std::uint32_t{0x0A7A});
    h5::write_attribute(root(), "version", std::vector<std::uint32_t>{0, 1});
}

output_file::~output_file() {
    if (committed_) return;
    file_.close();
    if (comm_.rank() == 0) std::remove((path_ + ".tmp").c_str());
}

void output_file::commit() {
    h5::check(H5Fflush(root(), H5F_SCOPE_GLOBAL), "H5Fflush");
    file_.close();
    comm_.barrier();
    run_collectively(comm_, [&] {
        if (comm_.rank() == 0 && std::rename((path_ + ".tmp").c_str(), path_.c_str()) != 0)
            throw file_error(path_, "cannot rename the finished output into place");
    });
    committed_ = true;
}

spike_writer::spike_writer(hid_t file, const std::string& population, double dt, const boost::mpi::communicator& comm):
    dt_(dt), comm_(comm), group_(h5::create_group(file, run_file::spikes(population))),
    timestamps_(group_, run_file::spike_times, spike_batch), node_ids_(group_, run_file::spike_ids, spike_batch) {
    h5::write_attribute(timestamps_.id(), "units", std::string("ms"));
    // libsonata reads `sorting` only as this enum.
    h5::handle sorting(h5::check(H5Tenum_create(H5T_NATIVE_UINT8), "H5Tenum_create"));
    std::uint8_t value = 0;
    for (const char* name: {"none", "by_id", "by_time"}) {
        h5::check(H5Tenum_insert(sorting, name, &value), "H5Tenum_insert");
        ++value;
    }
    const std::uint8_t by_time = 2;
    h5::handle space(h5::check(H5Screate(H5S_SCALAR), "H5Screate"));
    h5::handle attr(h5::check(H5Acreate2(group_, "sorting", sorting, space, H5P_DEFAULT, H5P_DEFAULT), "H5Acreate2"));
    h5::check(H5Awrite(attr, sorting, &by_time), "H5Awrite");
}

void spike_writer::append(std::span<const spike> own, std::uint64_t total) {
    pending_.insert(pending_.end(), own.begin(), own.end());
    pending_total_ += total;
    if (pending_total_ >= spike_batch) flush();
}

void spike_writer::flush() {
    inject_fault("write", comm_.rank());
    if (pending_total_ == 0) return; // the same on every rank
    const auto size = static_cast<std::uint64_t>(comm_.size());
    // The batch's steps [lo, hi], in up to 64 buckets per rank of w steps.
    std::int64_t range[2] = {INT64_MAX, INT64_MAX}; // lo and -hi
    for (const auto& s: pending_) {
        range[0] = std::min(range[0], s.step);
        range[1] = std::min(range[1], -s.step);
    }
    mpi_check(MPI_Allreduce(MPI_IN_PLACE, range, 2, MPI_INT64_T, MPI_MIN, comm_), "MPI_Allreduce");
    const std::int64_t lo = range[0], steps = -range[1] - lo + 1;
    const std::int64_t buckets = std::min<std::int64_t>(steps, 64 * static_cast<std::int64_t>(size));
    const std::int64_t w = (steps + buckets - 1) / buckets;
    auto bucket = [&](const spike& s) { return static_cast<std::size_t>((s.step - lo) / w); };
    std::vector<std::uint64_t> before(buckets + 1, 0); // spikes in earlier buckets, all ranks
    for (const auto& s: pending_) ++before[bucket(s) + 1];
    mpi_check(MPI_Allreduce(MPI_IN_PLACE, before.data(), static_cast<int>(before.size()), MPI_UINT64_T, MPI_SUM, comm_),
              "MPI_Allreduce");
    std::partial_sum(before.begin(), before.end(), before.begin());
    // Bucket b goes to rank before[b] * size / total: pieces in rank order.
    auto owner = [&](std::size_t b) { return static_cast<int>(before[b] * size / pending_total_); };
    std::vector<std::vector<spike>> send(size);
    for (const auto& s: pending_) send[owner(bucket(s))].push_back(s);
    auto piece = alltoallv(comm_, send);
    std::sort(piece.begin(), piece.end());
    // This rank's piece starts after every spike of the buckets before its first.
    std::uint64_t first = 0;
    for (std::size_t b = 0; b < static_cast<std::size_t>(buckets) && owner(b) < comm_.rank(); ++b)
        first = before[b + 1];
    std::vector<double> times;
    std::vector<std::uint64_t> ids;
    for (const auto& s: piece) {
        times.push_back(static_cast<double>(s.step + 1) * dt_);
        ids.push_back(s.id);
    }
    timestamps_.append(pending_total_, first, times);
    node_ids_.append(pending_total_, first, ids);
    pending_.clear();
    pending_total_ = 0;
}

} // namespace lifnet
