#include "output.hpp"

#include "fault.hpp"
#include "mpi_util.hpp"

#include <H5FDmpio.h>

#include <algorithm>
#include <cstdio>

namespace lifnet {

namespace {
constexpr std::size_t spike_batch = 1 << 16; // spikes per collective write
}

output_file::output_file(const std::string& path, const boost::mpi::communicator& comm): path_(path), comm_(comm) {
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr); // errors become exceptions instead
    h5::handle fapl(h5::check(H5Pcreate(H5P_FILE_ACCESS), "H5Pcreate"));
    h5::check(H5Pset_fapl_mpio(fapl, comm, MPI_INFO_NULL), "H5Pset_fapl_mpio");
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
    dt_(dt), comm_(comm), group_(h5::create_group(file, "spikes/" + population)),
    timestamps_(group_, "timestamps", spike_batch), node_ids_(group_, "node_ids", spike_batch) {
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
    auto batch = gatherv(comm_, std::span<const spike>(pending_), 0);
    std::sort(batch.begin(), batch.end());
    std::vector<double> times;
    std::vector<std::uint64_t> ids;
    for (const auto& s: batch) {
        times.push_back(static_cast<double>(s.step + 1) * dt_);
        ids.push_back(s.id);
    }
    timestamps_.append(pending_total_, 0, times);
    node_ids_.append(pending_total_, 0, ids);
    pending_.clear();
    pending_total_ = 0;
}

} // namespace lifnet
