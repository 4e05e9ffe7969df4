#include "checkpoint.hpp"

#include "by_id.hpp"
#include "output.hpp"

#include <lifnet/simulation.hpp>
#include <lifnet/version.hpp>

#include <H5FDmpio.h>

#include <algorithm>
#include <cstring>

namespace lifnet {

namespace {

constexpr const char* format = "lifnet-checkpoint-1";

template <typename T>
std::vector<T> attribute_values(hid_t object, const char* name, std::size_t n) {
    h5::handle attr(h5::check(H5Aopen(object, name, H5P_DEFAULT), "H5Aopen"));
    std::vector<T> values(n);
    h5::check(H5Aread(attr, h5::native_type<T>(), values.data()), "H5Aread");
    return values;
}

// Opens a checkpoint for reading by the ranks of `comm` and checks its format.
h5::handle open_checkpoint(const std::string& path, MPI_Comm comm) {
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
    if (H5Fis_hdf5(path.c_str()) <= 0) throw file_error(path, "not a checkpoint (not an HDF5 file)");
    h5::handle fapl(h5::check(H5Pcreate(H5P_FILE_ACCESS), "H5Pcreate"));
    h5::check(H5Pset_fapl_mpio(fapl, comm, MPI_INFO_NULL), "H5Pset_fapl_mpio");
    h5::handle file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, fapl));
    if (file.get() < 0) throw file_error(path, "cannot open the checkpoint");
    const auto found = h5::string_attribute(file, "format");
    if (found != format)
        throw file_error(path, found.empty() ? "not a lifnet checkpoint"
                                             : "checkpoint format '" + found + "', this lifnet reads '" + format + "'");
    return file;
}

} // namespace

void write_checkpoint(const std::string& path, std::int64_t step, const run_state& s,
                      const boost::mpi::communicator& comm) {
    const auto totals = s.voltages.global_state();
    output_file file(path, comm);
    const hid_t root = file.root();
    h5::write_attribute(root, "format", std::string(format));
    h5::write_attribute(root, "lifnet_version", std::string(version_string));
    h5::write_attribute(root, "config", to_toml(s.c));
    h5::write_attribute(root, "step", std::int64_t{step});
    h5::write_attribute(root, "spikes_total", std::uint64_t{s.spikes_total});
    h5::write_attribute(root, "samples", std::int64_t{totals.samples});
    std::uint64_t words[2];
    std::memcpy(words, &totals.abs_deviation, sizeof words);
    h5::write_attribute(root, "abs_deviation", std::vector<std::uint64_t>{words[0], words[1]});
    h5::write_dataset(root, "vbar", totals.vbar.size(), 0, comm.rank() == 0 ? totals.vbar : std::vector<double>{});

    const auto& ids = s.block.ids;
    const auto N = s.c.N;
    write_by_id(root, "V", N, ids, s.block.V, 1, comm);
    write_by_id(root, "I", N, ids, s.block.I, 1, comm);
    write_by_id(root, "refractory", N, ids, s.block.refractory, 1, comm);
    write_by_id(root, "ring", N, ids, s.ring.pending(step), s.ring.width(), comm);
    write_by_id(root, "welford", N, ids, s.voltages.neuron_state(), 2, comm);
    write_lists_by_id(root, "spikes", N, ids, s.spike_stats.spikes(), comm);
    file.commit();
}

config restart_config(const std::string& path) {
    return checkpoint_config(path);
}

config checkpoint_config(const std::string& path) {
    const auto file = open_checkpoint(path, MPI_COMM_SELF);
    config c;
    load_toml_text(c, h5::string_attribute(file, "config"), path);
    return c;
}

std::int64_t check_checkpoint(const std::string& path, const config& c) {
    // The model must match: a restart continues the same run. What does not
    // change the results may: t_stop, the partitioner, the exchange mode.
    config saved = checkpoint_config(path);
    saved.t_stop = c.t_stop;
    saved.partition = c.partition;
    saved.exchange = c.exchange;
    if (to_toml(saved) != to_toml(c))
        throw file_error(path, "checkpoint from another configuration (on restart only t_stop, partition and "
                               "exchange may change)");
    const auto file = open_checkpoint(path, MPI_COMM_SELF);
    const auto step = attribute_values<std::int64_t>(file, "step", 1)[0];
    if (step < 0 || step > c.nsteps())
        throw file_error(path, "checkpoint at t = " + std::to_string(static_cast<double>(step) * c.dt) +
                                   " ms is past t_stop");
    return step;
}

void read_checkpoint(const std::string& path, const run_state& s, std::int64_t step,
                     const boost::mpi::communicator& comm) {
    const auto file = open_checkpoint(path, comm);

    const auto& ids = s.block.ids;
    const auto N = s.c.N;
    s.block.V = read_by_id<double>(file, "V", N, ids, 1, comm);
    s.block.I = read_by_id<double>(file, "I", N, ids, 1, comm);
    s.block.refractory = read_by_id<std::int64_t>(file, "refractory", N, ids, 1, comm);
    s.ring.restore(step, read_by_id<std::uint32_t>(file, "ring", N, ids, s.ring.width(), comm));

    const auto words = attribute_values<std::uint64_t>(file, "abs_deviation", 2);
    voltage_measures::totals totals{attribute_values<std::int64_t>(file, "samples", 1)[0], 0, {}};
    std::memcpy(&totals.abs_deviation, words.data(), sizeof totals.abs_deviation);
    {
        h5::handle d(h5::check(H5Dopen2(file, "vbar", H5P_DEFAULT), "H5Dopen2"));
        h5::handle space(h5::check(H5Dget_space(d), "H5Dget_space"));
        totals.vbar = h5::read_dataset<double>(file, "vbar", 0, H5Sget_simple_extent_npoints(space));
    }
    s.voltages.restore(read_by_id<double>(file, "welford", N, ids, 2, comm), totals);
    s.spikes_total = attribute_values<std::uint64_t>(file, "spikes_total", 1)[0];

    auto lists = read_lists_by_id<std::int64_t>(file, "spikes", N, ids, comm);
    // The measures walk these lists assuming them sorted within [1, step]:
    // a damaged file must not make them read out of bounds.
    bool valid = true;
    for (const auto& list: lists)
        valid &=
            std::is_sorted(list.begin(), list.end()) && (list.empty() || (list.front() >= 1 && list.back() <= step));
    for (auto r: s.block.refractory) valid &= r >= 0 && r <= s.c.ref_steps();
    run_collectively(comm, [&] {
        if (!valid) throw file_error(path, "damaged checkpoint: inconsistent spike times or refractory counters");
    });
    s.spike_stats.restore(std::move(lists));
}

} // namespace lifnet
