#include "report.hpp"

#include <H5FDmpio.h>
#include <boost/mpi/collectives.hpp>

#include <algorithm>

namespace lifnet {

namespace {
constexpr hsize_t chunk_samples = 256;
constexpr hsize_t chunk_columns = 1024;
} // namespace

report_writer::report_writer(hid_t file, const config& c, const record_selection& selection,
                             const std::vector<std::uint64_t>& local_ids, const sample_grid& grid,
                             const boost::mpi::communicator& comm):
    comm_(comm),
    float32_(c.report_dtype == "float32"), recorded_(selection.size()) {
    std::int64_t previous = -2;
    for (std::size_t i = 0; i < local_ids.size(); ++i) {
        const auto column = selection.column(local_ids[i]);
        if (column < 0) continue;
        local_index_.push_back(i);
        if (column == previous + 1)
            ++runs_.back();
        else
            runs_.insert(runs_.end(), {static_cast<hsize_t>(column), 1});
        previous = column;
    }
    // Whole chunks of samples, about 8 MB of buffer on the rank that records
    // most; the same on every rank, since every flush is collective.
    const auto most = boost::mpi::all_reduce(comm_, local_index_.size(), boost::mpi::maximum<std::size_t>());
    batch_ = std::max<hsize_t>(1, (hsize_t(1) << 20) / std::max<hsize_t>(most, 1) / chunk_samples) * chunk_samples;

    auto group = h5::create_group(file, "report/" + c.population);
    const hsize_t dims[2] = {0, recorded_}, max_dims[2] = {H5S_UNLIMITED, recorded_};
    h5::handle space(h5::check(H5Screate_simple(2, dims, max_dims), "H5Screate_simple"));
    h5::handle dcpl(h5::check(H5Pcreate(H5P_DATASET_CREATE), "H5Pcreate"));
    const hsize_t chunk[2] = {chunk_samples, std::min(recorded_, chunk_columns)};
    h5::check(H5Pset_chunk(dcpl, 2, chunk), "H5Pset_chunk");
    // Parallel HDF5 (>= 1.10.2) writes filtered datasets with collective I/O,
    // which is what every write here is; older versions get no compression.
#if H5_VERSION_GE(1, 10, 2)
    if (H5Zfilter_avail(H5Z_FILTER_DEFLATE) > 0) {
        h5::check(H5Pset_shuffle(dcpl), "H5Pset_shuffle");
        h5::check(H5Pset_deflate(dcpl, 1), "H5Pset_deflate");
    }
#endif
    const hid_t type = float32_ ? H5T_IEEE_F32LE : H5T_IEEE_F64LE;
    data_ = h5::handle(h5::check(H5Dcreate2(group, "data", type, space, H5P_DEFAULT, dcpl, H5P_DEFAULT), "H5Dcreate2"));
    h5::write_attribute(data_, "units", std::string("mV"));

    // The mapping is known to every rank; rank 0 writes it.
    auto mapping = h5::create_group(group, "mapping");
    const bool root = comm_.rank() == 0;
    std::vector<std::uint64_t> ids, pointers;
    std::vector<std::uint32_t> elements;
    if (root) {
        for (hsize_t col = 0; col < recorded_; ++col) ids.push_back(selection.id(col));
        for (hsize_t col = 0; col <= recorded_; ++col) pointers.push_back(col);
        elements.assign(recorded_, 0);
    }
    h5::write_dataset(mapping, "node_ids", recorded_, 0, ids);
    h5::write_dataset(mapping, "index_pointers", recorded_ + 1, 0, pointers);
    h5::write_dataset(mapping, "element_ids", recorded_, 0, elements);
    // Right-open [t_first, t_last + sample_dt), as libsonata reads it.
    const std::vector<double> time_range = {static_cast<double>(grid.first) * c.dt,
                                            static_cast<double>(grid.last) * c.dt + c.sample_dt, c.sample_dt};
    h5::write_dataset(mapping, "time", 3, 0, root ? time_range : std::vector<double>{});
    h5::handle time(h5::check(H5Dopen2(mapping, "time", H5P_DEFAULT), "H5Dopen2"));
    h5::write_attribute(time, "units", std::string("ms"));
}

void report_writer::sample(std::span<const double> V) {
    for (auto i: local_index_) buffer_.push_back(V[i]);
    ++buffered_;
}

void report_writer::flush() {
    if (buffered_ == 0) return;
    const hsize_t size[2] = {written_ + buffered_, recorded_};
    h5::check(H5Dset_extent(data_, size), "H5Dset_extent");
    h5::handle file_space(h5::check(H5Dget_space(data_), "H5Dget_space"));
    h5::check(H5Sselect_none(file_space), "H5Sselect_none");
    for (std::size_t r = 0; r < runs_.size(); r += 2) {
        const hsize_t start[2] = {written_, runs_[r]}, count[2] = {buffered_, runs_[r + 1]};
        h5::check(H5Sselect_hyperslab(file_space, H5S_SELECT_OR, start, nullptr, count, nullptr),
                  "H5Sselect_hyperslab");
    }
    const hsize_t elements = buffer_.size();
    h5::handle mem_space(h5::check(H5Screate_simple(1, &elements, nullptr), "H5Screate_simple"));
    if (elements == 0) h5::check(H5Sselect_none(mem_space), "H5Sselect_none");
    h5::handle xfer(h5::check(H5Pcreate(H5P_DATASET_XFER), "H5Pcreate"));
    h5::check(H5Pset_dxpl_mpio(xfer, H5FD_MPIO_COLLECTIVE), "H5Pset_dxpl_mpio");
    // Converted here, not by HDF5: a type conversion would break collective I/O.
    if (float32_) {
        std::vector<float> narrow(buffer_.begin(), buffer_.end());
        h5::check(H5Dwrite(data_, H5T_NATIVE_FLOAT, mem_space, file_space, xfer, narrow.data()), "H5Dwrite");
    }
    else
        h5::check(H5Dwrite(data_, H5T_NATIVE_DOUBLE, mem_space, file_space, xfer, buffer_.data()), "H5Dwrite");
    written_ += buffered_;
    buffered_ = 0;
    buffer_.clear();
}

} // namespace lifnet
