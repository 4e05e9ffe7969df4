#include "io/checkpoint.hpp"

#include "io/by_id.hpp"
#include "io/output.hpp"

#include <lifnet/simulation.hpp> // restart_config
#include <lifnet/version.hpp>

#include <H5FDmpio.h>

#include <cmath>
#include <cstring>

namespace lifnet {

namespace {

constexpr const char* format = "lifnet-checkpoint-2";

// The number of values of an attribute or dataset, or an error naming it
// unless it holds exactly `count` values of class `cls`.
void require(hid_t file, const std::string& path, const char* name, bool attribute, hsize_t count, H5T_class_t cls) {
    const auto what = std::string(attribute ? "attribute '" : "dataset '") + name + "'";
    if (attribute ? H5Aexists(file, name) <= 0 : H5Lexists(file, name, H5P_DEFAULT) <= 0)
        throw file_error(path, "damaged checkpoint: no " + what);
    h5::handle object(attribute ? H5Aopen(file, name, H5P_DEFAULT) : H5Dopen2(file, name, H5P_DEFAULT));
    if (object.get() < 0) throw file_error(path, "damaged checkpoint: cannot open " + what);
    h5::handle type(attribute ? H5Aget_type(object) : H5Dget_type(object));
    h5::handle space(attribute ? H5Aget_space(object) : H5Dget_space(object));
    const auto n = H5Sget_simple_extent_npoints(space);
    if (H5Tget_class(type) != cls || n < 0 || static_cast<hsize_t>(n) != count)
        throw file_error(path, "damaged checkpoint: " + what + " has " + std::to_string(n) + " values of another " +
                                   "type or count than the " + std::to_string(count) + " expected");
}

template <typename T>
std::vector<T> attribute_values(hid_t object, const char* name, std::size_t n) {
    h5::handle attr(h5::check(H5Aopen(object, name, H5P_DEFAULT), "H5Aopen"));
    std::vector<T> values(n);
    h5::check(H5Aread(attr, h5::native_type<T>(), values.data()), "H5Aread");
    return values;
}

// Opens a checkpoint for reading by the ranks of `comm` and checks its format.
h5::handle open_checkpoint(const std::string& path, MPI_Comm comm) {
    h5::silence_errors();
    if (H5Fis_hdf5(path.c_str()) <= 0) throw file_error(path, "not a checkpoint (not an HDF5 file)");
    h5::handle file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, h5::mpio_access(comm)));
    if (file.get() < 0) throw file_error(path, "cannot open the checkpoint");
    const auto found = h5::string_attribute(file, "format");
    if (found != format)
        throw file_error(path, found.empty() ? "not a lifnet checkpoint"
                                             : "checkpoint format '" + found + "', this lifnet reads '" + format + "'");
    return file;
}

// The 128-bit sums as pairs of 64-bit words, and back.
std::vector<std::uint64_t> to_words(const std::vector<fixed128>& x) {
    std::vector<std::uint64_t> words(2 * x.size());
    std::memcpy(words.data(), x.data(), words.size() * sizeof(std::uint64_t));
    return words;
}
std::vector<fixed128> from_words(const std::vector<std::uint64_t>& words) {
    std::vector<fixed128> x(words.size() / 2);
    std::memcpy(x.data(), words.data(), x.size() * sizeof(fixed128));
    return x;
}

} // namespace

void write_checkpoint(const std::string& path, const config& c, const std::vector<std::uint64_t>& ids,
                      const checkpoint_state& s, const boost::mpi::communicator& comm) {
    const bool root_rank = comm.rank() == 0;
    const auto& totals = s.voltage_totals;
    // Phase sums exist up to the last spike, at most the samples taken so far.
    auto phase_sums = s.phase_sums;
    phase_sums.resize(2 * totals.vbar.size());
    output_file file(path, comm);
    const hid_t root = file.root();
    h5::write_attribute(root, "format", std::string(format));
    h5::write_attribute(root, "lifnet_version", std::string(version_string));
    h5::write_attribute(root, "config", to_toml(c));
    h5::write_attribute(root, "step", std::int64_t{s.step});
    h5::write_attribute(root, "spikes_total", std::uint64_t{s.spikes_total});
    h5::write_attribute(root, "samples", std::int64_t{totals.samples});
    h5::write_attribute(root, "abs_deviation", to_words({totals.abs_deviation}));
    h5::write_dataset(root, "vbar", totals.vbar.size(), 0, root_rank ? totals.vbar : std::vector<double>{});
    const auto words = to_words(phase_sums);
    h5::write_dataset(root, "phase_sums", words.size(), 0, root_rank ? words : std::vector<std::uint64_t>{});

    const auto N = c.N;
    write_by_id(root, "V", N, ids, s.V, 1, comm);
    write_by_id(root, "I", N, ids, s.I, 1, comm);
    write_by_id(root, "refractory", N, ids, s.refractory, 1, comm);
    write_by_id(root, "ring", N, ids, s.ring, s.ring_width, comm);
    write_by_id(root, "welford", N, ids, s.welford, 2, comm);
    std::vector<std::int64_t> counts;
    std::vector<double> isi;
    for (const auto& n: s.neurons) {
        counts.insert(counts.end(), {n.count, n.first, n.last, n.late});
        isi.insert(isi.end(), {n.isi_mean, n.isi_m2});
    }
    write_by_id(root, "spike_counts", N, ids, counts, 4, comm);
    write_by_id(root, "isi_welford", N, ids, isi, 2, comm);
    file.commit();
}

config restart_config(const std::string& path) {
    return checkpoint_config(path);
}

config checkpoint_config(const std::string& path) {
    const auto file = open_checkpoint(path, MPI_COMM_SELF);
    require(file, path, "config", true, 1, H5T_STRING);
    config c;
    load_toml_text(c, h5::string_attribute(file, "config"), path);
    return c;
}

std::int64_t check_checkpoint(const std::string& path, const config& c) {
    // The model must match: a restart continues the same run. What does not
    // change the results may: t_stop, the partitioner, the exchange mode
    // and routing.
    config saved = checkpoint_config(path);
    saved.t_stop = c.t_stop;
    saved.partition = c.partition;
    saved.exchange = c.exchange;
    saved.routing = c.routing;
    if (to_toml(saved) != to_toml(c))
        throw file_error(path, "checkpoint from another configuration (on restart only t_stop, partition, "
                               "exchange and routing may change)");
    const auto file = open_checkpoint(path, MPI_COMM_SELF);
    for (auto name: {"step", "spikes_total", "samples"}) require(file, path, name, true, 1, H5T_INTEGER);
    require(file, path, "abs_deviation", true, 2, H5T_INTEGER);
    const auto step = attribute_values<std::int64_t>(file, "step", 1)[0];
    if (step < 0 || step > c.nsteps())
        throw file_error(path, "checkpoint at t = " + std::to_string(static_cast<double>(step) * c.dt) +
                                   " ms is past t_stop");
    // The shapes that the reader relies on; the values are checked as they are read.
    const auto samples = static_cast<hsize_t>(sample_grid(c).count_upto(step));
    if (attribute_values<std::int64_t>(file, "samples", 1)[0] != static_cast<std::int64_t>(samples))
        throw file_error(path, "damaged checkpoint: its sample count does not match its step");
    const hsize_t N = c.N, ring_width = 2 * static_cast<hsize_t>(c.delay_steps() + 1);
    const std::pair<const char*, hsize_t> floats[] = {
        {"V", N}, {"I", N}, {"welford", 2 * N}, {"isi_welford", 2 * N}, {"vbar", samples}};
    const std::pair<const char*, hsize_t> integers[] = {
        {"refractory", N}, {"ring", ring_width * N}, {"spike_counts", 4 * N}, {"phase_sums", 4 * samples}};
    for (const auto& [name, count]: floats) require(file, path, name, false, count, H5T_FLOAT);
    for (const auto& [name, count]: integers) require(file, path, name, false, count, H5T_INTEGER);
    return step;
}

checkpoint_state read_checkpoint(const std::string& path, const config& c, const std::vector<std::uint64_t>& ids,
                                 std::size_t ring_width, const boost::mpi::communicator& comm) {
    const auto file = open_checkpoint(path, comm);
    checkpoint_state s;
    s.step = attribute_values<std::int64_t>(file, "step", 1)[0]; // as checked
    s.spikes_total = attribute_values<std::uint64_t>(file, "spikes_total", 1)[0];
    const auto N = c.N;
    s.V = read_by_id<double>(file, "V", N, ids, 1, comm);
    s.I = read_by_id<double>(file, "I", N, ids, 1, comm);
    s.refractory = read_by_id<std::int64_t>(file, "refractory", N, ids, 1, comm);
    s.ring_width = ring_width;
    s.ring = read_by_id<std::uint32_t>(file, "ring", N, ids, ring_width, comm);
    s.welford = read_by_id<double>(file, "welford", N, ids, 2, comm);
    const auto samples = attribute_values<std::int64_t>(file, "samples", 1)[0]; // as checked
    s.voltage_totals = {samples, from_words(attribute_values<std::uint64_t>(file, "abs_deviation", 2))[0],
                        h5::read_dataset<double>(file, "vbar", 0, static_cast<hsize_t>(samples))};
    s.phase_sums = from_words(h5::read_dataset<std::uint64_t>(file, "phase_sums", 0, 4 * samples));
    s.phase_sums.resize(2 * static_cast<std::size_t>(sample_grid(c).count()), 0);
    const auto counts = read_by_id<std::int64_t>(file, "spike_counts", N, ids, 4, comm);
    const auto isi = read_by_id<double>(file, "isi_welford", N, ids, 2, comm);
    s.neurons.resize(ids.size());
    for (std::size_t i = 0; i < ids.size(); ++i)
        s.neurons[i] = {counts[4 * i],     counts[4 * i + 1], counts[4 * i + 2],
                        counts[4 * i + 3], isi[2 * i],        isi[2 * i + 1]};
    return s;
}

} // namespace lifnet
