#pragma once
// The SONATA membrane-potential report (MODEL.md §5): /report/<population>
// with data [samples, recorded neurons] streamed in batches of samples into
// a chunked, extendable dataset. Every rank takes part in every write, also
// one that records no neuron: at each flush the values go to the rank that
// owns their block of columns, which writes the block as one hyperslab
// (whatever the partition, the writes stay contiguous).
#include "io/h5.hpp"
#include "measures/measures.hpp"

#include <lifnet/config.hpp>

#include <boost/mpi/communicator.hpp>

#include <span>
#include <vector>

namespace lifnet {

class report_writer {
public:
    // local_ids: this rank's neurons (sorted); the recorded ones are chosen
    // by `selection`; samples are taken at the times of `grid`.
    report_writer(hid_t file, const config& c, const record_selection& selection,
                  const std::vector<std::uint64_t>& local_ids, const sample_grid& grid,
                  const boost::mpi::communicator& comm);
    // Local: the next sample of every local neuron's V [mV] (buffered).
    void sample(std::span<const double> V);
    // Collective: writes the buffered samples.
    void flush();
    bool buffer_full() const { return buffered_ >= batch_; }
    // mapping/time: [t_first, t_last + sample_dt, sample_dt] [ms].
    const std::vector<double>& time_range() const { return time_range_; }

private:
    boost::mpi::communicator comm_;
    bool float32_;
    hsize_t recorded_;                     // columns of the whole report
    std::vector<std::size_t> local_index_; // local neurons recorded, in column order
    // This rank writes columns [columns_lo_, columns_lo_ + width_) (a block);
    // per rank, how many of this rank's columns it owns and how many of this
    // block's columns come from it, and where those go in the block.
    hsize_t columns_lo_ = 0, width_ = 0;
    std::vector<std::size_t> send_counts_, recv_counts_;
    std::vector<std::size_t> recv_positions_;
    bool in_place_; // every rank holds just its block, in order: nothing to send
    // Collective: the buffered samples of this rank's block of columns.
    std::vector<double> gather_block();
    h5::handle data_;
    hsize_t written_ = 0, buffered_ = 0, batch_;
    std::vector<double> buffer_; // buffered samples × recorded local neurons
    std::vector<double> time_range_;
};

} // namespace lifnet
