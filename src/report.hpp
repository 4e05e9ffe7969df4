#pragma once
// The SONATA membrane-potential report (MODEL.md §5): /report/<population>
// with data [samples, recorded neurons] streamed in batches of samples into
// a chunked, extendable dataset. Every rank takes part in every write, also
// one that records no neuron.
#include "h5.hpp"
#include "measures.hpp"

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

private:
    boost::mpi::communicator comm_;
    bool float32_;
    hsize_t recorded_;                     // columns of the whole report
    std::vector<std::size_t> local_index_; // local neurons recorded, in column order
    std::vector<hsize_t> runs_;            // (first column, length) pairs of this rank's columns
    h5::handle data_;
    hsize_t written_ = 0, buffered_ = 0, batch_;
    std::vector<double> buffer_; // buffered samples × recorded local neurons
};

} // namespace lifnet
