#include "io/output.hpp"

#include "comm/fault.hpp"
#include "comm/mpi_util.hpp"
#include "io/safe_output.hpp"

#include "io/run_file.hpp"
#include <boost/mpi/collectives.hpp>
#include <boost/serialization/string.hpp>

#include <H5FDmpio.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <numeric>

namespace lifnet {

namespace {
constexpr std::size_t spike_batch = 1 << 16; // spikes per collective write

// Appends `in` to `out` in (step, id) order. The exchange lists a rank's
// spikes by chunk of neurons, then step, then neuron, so a stable bucketing
// by step (linear) already sorts them; any other order is sorted outright.
void append_sorted(std::vector<spike>& out, std::span<const spike> in) {
    const auto from = out.size();
    out.resize(from + in.size());
    const auto [lo, hi] =
        std::minmax_element(in.begin(), in.end(), [](const auto& a, const auto& b) { return a.step < b.step; });
    const auto steps = in.empty() ? 0 : hi->step - lo->step + 1;
    if (steps > 0 && steps <= 4096) {
        std::vector<std::size_t> next(static_cast<std::size_t>(steps) + 1, 0); // where each step's spikes go
        for (const auto& s: in) ++next[static_cast<std::size_t>(s.step - lo->step) + 1];
        std::partial_sum(next.begin(), next.end(), next.begin());
        for (const auto& s: in) out[from + next[static_cast<std::size_t>(s.step - lo->step)]++] = s;
    }
    else {
        std::copy(in.begin(), in.end(), out.begin() + static_cast<std::ptrdiff_t>(from));
    }
    const auto first = out.begin() + static_cast<std::ptrdiff_t>(from);
    if (!std::is_sorted(first, out.end())) std::sort(first, out.end());
}

// Sorts v, made of non-decreasing runs, by merging neighbouring runs until
// one is left: linear for the one run per rank that flush() receives, and
// correct (a merge sort) for any order.
void merge_runs(std::vector<spike>& v) {
    std::vector<std::size_t> bounds{0};
    for (std::size_t i = 1; i < v.size(); ++i)
        if (v[i] < v[i - 1]) bounds.push_back(i);
    bounds.push_back(v.size());
    while (bounds.size() > 2) {
        std::vector<std::size_t> merged{0};
        for (std::size_t r = 0; r + 2 < bounds.size(); r += 2) {
            std::inplace_merge(v.begin() + static_cast<std::ptrdiff_t>(bounds[r]),
                               v.begin() + static_cast<std::ptrdiff_t>(bounds[r + 1]),
                               v.begin() + static_cast<std::ptrdiff_t>(bounds[r + 2]));
            merged.push_back(bounds[r + 2]);
        }
        if (merged.back() != v.size()) merged.push_back(v.size()); // an odd run, merged in the next pass
        bounds = std::move(merged);
    }
}
} // namespace

output_file::output_file(const std::string& path, const boost::mpi::communicator& comm): path_(path), comm_(comm) {
    h5::silence_errors();
    const auto fapl = h5::mpio_access(comm);
    // Metadata written by every rank in one collective call, so that a
    // failure (a full disk) reaches every rank: written by one rank alone, a
    // failed write leaves the others waiting in HDF5's next barrier.
    h5::check(H5Pset_coll_metadata_write(fapl, true), "H5Pset_coll_metadata_write");
    // Rank 0 creates the temporary exclusively; then every rank opens it.
    run_collectively(comm_, [&] {
        if (comm_.rank() == 0) temporary_ = create_temporary(path_);
    });
    boost::mpi::broadcast(comm_, temporary_, 0);
    run_collectively(comm_, [&] {
        const hid_t id = H5Fcreate(temporary_.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl);
        if (id < 0) {
            H5Eclear2(H5E_DEFAULT);
            throw file_error(temporary_, "cannot create the output file");
        }
        file_ = h5::handle(id);
    });
    // SONATA's root attributes.
    h5::write_attribute(root(), "magic", std::uint32_t{0x0A7A});
    h5::write_attribute(root(), "version", std::vector<std::uint32_t>{0, 1});
}

void output_file::discard() {
    // Best effort: a file that cannot be emptied is closed as it is.
    if (!committed_ && !temporary_.empty() && ::truncate(temporary_.c_str(), 0) != 0) return;
}

output_file::~output_file() {
    if (committed_) return;
    discard();
    file_.close();
    if (comm_.rank() == 0 && !temporary_.empty()) std::remove(temporary_.c_str());
}

void output_file::commit() {
    // Every rank learns of a failure (a full disk) before the rename, and
    // the file is closed even then: HDF5 must hold no open file when MPI
    // is finalised.
    // HDF5 1.10 can fail a metadata flush on one rank and leave the others
    // waiting in its barrier: a disk without room for the metadata is found
    // first, by every rank.
    run_collectively(comm_, [&] {
        std::size_t max_size = 0, min_clean = 0, dirty = 0;
        int entries = 0;
        struct statvfs disk {};
        if (H5Fget_mdc_size(root(), &max_size, &min_clean, &dirty, &entries) >= 0 &&
            ::statvfs(temporary_.c_str(), &disk) == 0) {
            const auto free = static_cast<std::uint64_t>(disk.f_bavail) * disk.f_frsize;
            if (free < dirty + (1 << 20))
                throw file_error(path_, "cannot write the file: No space left on device (" + std::to_string(free) +
                                            " bytes free)");
        }
    });
    run_collectively(comm_, [&] {
        const herr_t flushed = H5Fflush(root(), H5F_SCOPE_GLOBAL);
        std::string why;
        if (flushed < 0) {
            try {
                h5::check(flushed, "H5Fflush");
            }
            catch (const library_error& e) {
                why = e.what();
            }
            discard(); // lost: the close must not fail too
        }
        if (!file_.close() && why.empty()) why = "H5Fclose failed";
        if (!why.empty()) throw file_error(temporary_, "cannot write the file: " + why);
    });
    run_collectively(comm_, [&] {
        if (comm_.rank() == 0) replace_with(temporary_, path_);
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

void spike_writer::append(std::span<const spike> own, std::uint64_t agreed_total) {
    // Sorted an epoch at a time: epochs follow one another in time, so
    // pending_ stays sorted and write_batch() only merges the ranks' runs
    // (sorting each batch's 2^16 spikes took 0.14 s of a 2-rank N = 1e5
    // run's 1 s).
    append_sorted(pending_, own);
    // written_ may run ahead of agreed_total by the spikes of epochs not yet agreed.
    if (agreed_total >= written_ + spike_batch) write_batch();
}

void spike_writer::flush(std::uint64_t agreed_total) {
    inject_fault("write", comm_.rank());         // also when there is nothing to write
    if (agreed_total != written_) write_batch(); // the same on every rank
}

// Collective: every rank's pending spikes, at least one on some rank.
void spike_writer::write_batch() {
    inject_fault("write", comm_.rank());
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
    const std::uint64_t total = before.back(); // the batch's spikes, all ranks
    // Bucket b goes to rank before[b] * size / total: pieces in rank order.
    auto owner = [&](std::size_t b) { return static_cast<int>(before[b] * size / total); };
    std::vector<std::vector<spike>> send(size);
    for (const auto& s: pending_) send[owner(bucket(s))].push_back(s);
    auto piece = alltoallv(comm_, send); // each rank's part in order, one after the other
    merge_runs(piece);
    // This rank's piece starts after every spike of the buckets before its first.
    std::uint64_t first = 0;
    for (std::size_t b = 0; b < static_cast<std::size_t>(buckets) && owner(b) < comm_.rank(); ++b)
        first = before[b + 1];
    std::vector<double> times;
    std::vector<std::uint64_t> ids;
    times.reserve(piece.size());
    ids.reserve(piece.size());
    for (const auto& s: piece) {
        times.push_back(static_cast<double>(s.step + 1) * dt_);
        ids.push_back(s.id);
    }
    timestamps_.append(total, first, times);
    node_ids_.append(total, first, ids);
    pending_.clear();
    written_ += total;
}

} // namespace lifnet
