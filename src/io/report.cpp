#include "io/report.hpp"

#include "comm/decomposition.hpp"
#include "comm/mpi_util.hpp"
#include "io/run_file.hpp"

#include <H5FDmpio.h>
#include <boost/mpi/collectives.hpp>

#include <algorithm>

namespace lifnet {

namespace {
constexpr hsize_t chunk_samples = 256;
constexpr hsize_t chunk_columns = 1024;

// The dataset [samples, recorded] of V, chunked and extendable by samples.
h5::handle create_data(hid_t group, hsize_t recorded, bool float32) {
    const hsize_t dims[2] = {0, recorded}, max_dims[2] = {H5S_UNLIMITED, recorded};
    h5::handle space(h5::check(H5Screate_simple(2, dims, max_dims), "H5Screate_simple"));
    h5::handle dcpl(h5::check(H5Pcreate(H5P_DATASET_CREATE), "H5Pcreate"));
    const hsize_t chunk[2] = {chunk_samples, std::min(recorded, chunk_columns)};
    h5::check(H5Pset_chunk(dcpl, 2, chunk), "H5Pset_chunk");
    // Parallel HDF5 (>= 1.10.2) writes filtered datasets with collective I/O,
    // which is what every write here is; older versions get no compression.
#if H5_VERSION_GE(1, 10, 2)
    if (H5Zfilter_avail(H5Z_FILTER_DEFLATE) > 0) {
        h5::check(H5Pset_shuffle(dcpl), "H5Pset_shuffle");
        h5::check(H5Pset_deflate(dcpl, 1), "H5Pset_deflate");
    }
#endif
    const hid_t type = float32 ? H5T_IEEE_F32LE : H5T_IEEE_F64LE;
    h5::handle data(
        h5::check(H5Dcreate2(group, run_file::report_data, type, space, H5P_DEFAULT, dcpl, H5P_DEFAULT), "H5Dcreate2"));
    h5::write_attribute(data, "units", std::string("mV"));
    return data;
}

// The SONATA mapping: node id per column and the sample times. The mapping
// is known to every rank; `root` writes it. Returns mapping/time.
std::vector<double> write_mapping(hid_t group, const config& c, const record_selection& selection,
                                  const sample_grid& grid, hsize_t recorded, bool root) {
    auto mapping = h5::create_group(group, "mapping");
    std::vector<std::uint64_t> ids, pointers;
    std::vector<std::uint32_t> elements;
    if (root) {
        for (hsize_t col = 0; col < recorded; ++col) ids.push_back(selection.id(col));
        for (hsize_t col = 0; col <= recorded; ++col) pointers.push_back(col);
        elements.assign(recorded, 0);
    }
    h5::write_dataset(mapping, "node_ids", recorded, 0, ids);
    h5::write_dataset(mapping, "index_pointers", recorded + 1, 0, pointers);
    h5::write_dataset(mapping, "element_ids", recorded, 0, elements);
    // Right-open [t_first, t_last + sample_dt), as libsonata reads it.
    const std::vector<double> time_range = {static_cast<double>(grid.first) * c.dt,
                                            static_cast<double>(grid.last) * c.dt + c.sample_dt, c.sample_dt};
    h5::write_dataset(mapping, "time", 3, 0, root ? time_range : std::vector<double>{});
    h5::handle time(h5::check(H5Dopen2(mapping, "time", H5P_DEFAULT), "H5Dopen2"));
    h5::write_attribute(time, "units", std::string("ms"));
    return time_range;
}
} // namespace

report_writer::report_writer(hid_t file, const config& c, const record_selection& selection,
                             const std::vector<std::uint64_t>& local_ids, const sample_grid& grid,
                             const boost::mpi::communicator& comm):
    comm_(comm),
    float32_(c.report_dtype == report_type::float32), recorded_(selection.size()) {
    // Each rank writes one block of columns; the values of the other ranks'
    // neurons in it come to it at each flush. Here each rank learns which of
    // its columns go where, and which columns of its block come from whom.
    const auto block = block_of(recorded_, comm_.size(), comm_.rank());
    columns_lo_ = block.lo;
    width_ = block.hi - block.lo;
    struct column_of {
        int source;
        std::uint64_t column;
    };
    std::vector<std::vector<column_of>> send(comm_.size());
    send_counts_.assign(comm_.size(), 0);
    for (std::size_t i = 0; i < local_ids.size(); ++i) {
        const auto column = selection.column(local_ids[i]);
        if (column < 0) continue;
        local_index_.push_back(i);
        const auto owner = block_owner(static_cast<std::uint64_t>(column), recorded_, comm_.size());
        send[owner].push_back({comm_.rank(), static_cast<std::uint64_t>(column)});
        ++send_counts_[owner];
    }
    recv_counts_.assign(comm_.size(), 0);
    for (const auto& c: alltoallv(comm_, send)) {
        ++recv_counts_[c.source];
        recv_positions_.push_back(c.column - columns_lo_);
    }
    // On one rank, or when each rank holds just its block (partition =
    // block), the samples are already in place.
    const bool own_block = local_index_.size() == width_ && send_counts_[comm_.rank()] == width_;
    in_place_ = boost::mpi::all_reduce(comm_, own_block, std::logical_and<>());
    // Whole chunks of samples, about 8 MB of buffer on the rank that records
    // most; the same on every rank, since every flush is collective.
    const auto most = boost::mpi::all_reduce(comm_, local_index_.size(), boost::mpi::maximum<std::size_t>());
    batch_ = std::max<hsize_t>(1, (hsize_t(1) << 20) / std::max<hsize_t>(most, 1) / chunk_samples) * chunk_samples;

    auto group = h5::create_group(file, run_file::report(c.population));
    data_ = create_data(group, recorded_, float32_);
    time_range_ = write_mapping(group, c, selection, grid, recorded_, comm_.rank() == 0);
}

void report_writer::sample(std::span<const double> V) {
    for (auto i: local_index_) buffer_.push_back(V[i]);
    ++buffered_;
}

std::vector<double> report_writer::gather_block() {
    // To the owners of the columns: per owner, the buffered samples of the
    // columns it owns (this rank's columns are in order, so each owner's are
    // consecutive).
    const std::size_t mine = local_index_.size();
    std::vector<std::vector<double>> send(comm_.size());
    for (std::size_t owner = 0, first = 0; owner < send.size(); first += send_counts_[owner], ++owner)
        for (hsize_t t = 0; t < buffered_; ++t)
            send[owner].insert(send[owner].end(), buffer_.begin() + t * mine + first,
                               buffer_.begin() + t * mine + first + send_counts_[owner]);
    buffer_.clear();
    const auto received = alltoallv(comm_, send);
    send = {};
    std::vector<double> block(buffered_ * width_);
    std::size_t at = 0, position = 0;
    for (auto count: recv_counts_) {
        for (hsize_t t = 0; t < buffered_; ++t)
            for (std::size_t k = 0; k < count; ++k) block[t * width_ + recv_positions_[position + k]] = received[at++];
        position += count;
    }
    return block;
}

void report_writer::flush() {
    if (buffered_ == 0) return;
    const auto block = in_place_ ? std::move(buffer_) : gather_block();
    buffer_.clear();

    const hsize_t size[2] = {written_ + buffered_, recorded_};
    h5::check(H5Dset_extent(data_, size), "H5Dset_extent");
    h5::handle file_space(h5::check(H5Dget_space(data_), "H5Dget_space"));
    const hsize_t start[2] = {written_, columns_lo_}, count[2] = {buffered_, width_};
    const hsize_t elements = block.size();
    h5::handle mem_space(h5::check(H5Screate_simple(1, &elements, nullptr), "H5Screate_simple"));
    if (elements)
        h5::check(H5Sselect_hyperslab(file_space, H5S_SELECT_SET, start, nullptr, count, nullptr),
                  "H5Sselect_hyperslab");
    else {
        h5::check(H5Sselect_none(file_space), "H5Sselect_none");
        h5::check(H5Sselect_none(mem_space), "H5Sselect_none");
    }
    h5::handle xfer(h5::check(H5Pcreate(H5P_DATASET_XFER), "H5Pcreate"));
    h5::check(H5Pset_dxpl_mpio(xfer, H5FD_MPIO_COLLECTIVE), "H5Pset_dxpl_mpio");
    // Converted here, not by HDF5: a type conversion would break collective I/O.
    h5::agreed_write([&] {
        if (float32_) {
            std::vector<float> narrow(block.begin(), block.end());
            h5::check(H5Dwrite(data_, H5T_NATIVE_FLOAT, mem_space, file_space, xfer, narrow.data()), "H5Dwrite");
        }
        else
            h5::check(H5Dwrite(data_, H5T_NATIVE_DOUBLE, mem_space, file_space, xfer, block.data()), "H5Dwrite");
    });
    written_ += buffered_;
    buffered_ = 0;
}

} // namespace lifnet
