#pragma once
// The run's HDF5 file, written collectively by all ranks in the SONATA
// layout (MODEL.md §5). It is written to a temporary of its own
// (io/safe_output.hpp) and renamed only when complete, so an interrupted run
// never leaves a file that looks finished, and two runs never share one.
#include "io/h5.hpp"

#include <lifnet/spike.hpp>

#include <boost/mpi/communicator.hpp>

#include <span>
#include <string>

namespace lifnet {

class output_file {
public:
    output_file(const std::string& path, const boost::mpi::communicator& comm);
    // Without commit(), the temporary file is removed.
    ~output_file();
    hid_t root() const { return file_.get(); }
    // Collective: closes the file (a failure, a full disk say, is agreed by
    // every rank) and renames it to its final path.
    void commit();
    // On failure, before the writers close: empties the temporary, so that
    // closing (which flushes) does not fail for want of space on a full disk.
    void discard();

private:
    std::string path_, temporary_;
    boost::mpi::communicator comm_;
    h5::collective_writes agreed_{comm_, temporary_};
    h5::handle file_;
    bool committed_ = false;
};

// /spikes/<population>/{timestamps, node_ids}, ordered by (time, id),
// streamed in batches: each rank keeps its own spikes until the batch is
// full; then the batch's time range is cut into one contiguous piece per
// rank with about as many spikes each, every spike goes to the rank of its
// piece, and each rank writes its piece in place. Each epoch's spikes are
// sorted as they are appended, so a piece is one sorted run per rank, merged.
class spike_writer {
public:
    spike_writer(hid_t file, const std::string& population, double dt, const boost::mpi::communicator& comm);
    // Collective: this rank's spikes of an epoch, and the spikes of all
    // ranks over the epochs agreed so far (spike_exchange::agreed_total: the
    // same on every rank, so that all flush together; it may leave out the
    // latest epoch, whose spikes then join this batch or the next).
    void append(std::span<const spike> own, std::uint64_t agreed_total);
    // Collective: writes every spike appended; agreed_total counts them all.
    void flush(std::uint64_t agreed_total);

private:
    void write_batch();

    double dt_;
    boost::mpi::communicator comm_;
    h5::handle group_;
    h5::appendable<double> timestamps_;
    h5::appendable<std::uint64_t> node_ids_;
    std::vector<spike> pending_; // this rank's
    std::uint64_t written_ = 0;  // all ranks'
};

} // namespace lifnet
