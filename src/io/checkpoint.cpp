#include "io/checkpoint.hpp"

#include "io/by_id.hpp"
#include "io/output.hpp"

#include <lifnet/simulation.hpp> // restart_config
#include <lifnet/version.hpp>

#include <H5FDmpio.h>

#include <bit>
#include <cmath>
#include <cstring>
#include <span>

namespace lifnet {

namespace {

// The checkpoint format (docs/output-format.md). One policy: `format`
// names the kind of file, the integer `format_version` is raised whenever
// a checkpoint of the previous version cannot be continued bit for bit by
// this lifnet, and a checkpoint of any other version is refused. Version 2
// (2026-11-29) adds the checksum and follows the change of noise mapping
// (MODEL.md §3): every earlier checkpoint drew its noise with mapping 1.
constexpr const char* format = "lifnet-checkpoint";
constexpr std::int64_t format_version = 2;
constexpr std::int64_t noise_mapping = 2;

// The integrity check: the sum (mod 2^64) over every value of every state
// dataset and attribute, and every byte of the config, of a hash of (object
// name, position, value bits). Positions are those in the file (node id ×
// width + w for per-node datasets), so the sum does not depend on which rank
// held which node: a checkpoint written by 3 ranks has the checksum of one
// written by 1. A single changed value always changes the sum (mix is a
// bijection); two that cancel have a chance of 2^-64. It detects damage and
// edits, not an adversary who recomputes it.
std::uint64_t mix(std::uint64_t x) { // splitmix64's finaliser
    x += 0x9e3779b97f4a7c15;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9;
    x = (x ^ (x >> 27)) * 0x94d049bb133111eb;
    return x ^ (x >> 31);
}

std::uint64_t tag_of(const char* name) {
    std::uint64_t h = 0xcbf29ce484222325; // FNV-1a
    for (const char* c = name; *c; ++c) h = (h ^ static_cast<unsigned char>(*c)) * 0x100000001b3;
    return mix(h);
}

template <typename T>
std::uint64_t bits_of(T value) {
    if constexpr (std::is_floating_point_v<T>)
        return std::bit_cast<std::uint64_t>(static_cast<double>(value));
    else
        return static_cast<std::uint64_t>(value);
}

// Values at positions first, first + 1, ... of the object `name`.
template <typename T>
std::uint64_t hash_values(const char* name, std::uint64_t first, std::span<const T> values) {
    const auto tag = tag_of(name);
    std::uint64_t sum = 0;
    for (std::size_t j = 0; j < values.size(); ++j) sum += mix(mix(tag + mix(first + j)) ^ bits_of(values[j]));
    return sum;
}

// This rank's nodes' values of a per-node dataset (width values per node).
template <typename T>
std::uint64_t hash_by_id(const char* name, const std::vector<std::uint64_t>& ids, const std::vector<T>& values,
                         std::size_t width) {
    std::uint64_t sum = 0;
    for (std::size_t i = 0; i < ids.size(); ++i)
        sum += hash_values(name, ids[i] * width, std::span<const T>(values).subspan(i * width, width));
    return sum;
}

// What every rank holds whole: the counters, the sums over samples and the config.
struct replicated {
    std::int64_t step, samples;
    std::uint64_t spikes_total;
    std::vector<std::uint64_t> abs_deviation; // two words
    std::vector<double> vbar;
    std::vector<std::uint64_t> phase_sums; // words
    std::string config;
};

std::uint64_t hash_replicated(const replicated& r) {
    const std::int64_t header[] = {format_version, noise_mapping, r.step, r.samples,
                                   static_cast<std::int64_t>(r.spikes_total)};
    return hash_values("header", 0, std::span<const std::int64_t>(header)) +
           hash_values("abs_deviation", 0, std::span<const std::uint64_t>(r.abs_deviation)) +
           hash_values("vbar", 0, std::span<const double>(r.vbar)) +
           hash_values("phase_sums", 0, std::span<const std::uint64_t>(r.phase_sums)) +
           hash_values("config", 0, std::span<const char>(r.config));
}

// Opens a checkpoint for reading by the ranks of `comm` and checks its
// format, version and noise mapping.
h5::reader open_checkpoint(const std::string& path, MPI_Comm comm) {
    h5::reader file(path, comm);
    const auto found = file.has_attribute("format") ? file.string_attribute("format") : "";
    if (!found.starts_with(format)) throw file_error(path, "not a lifnet checkpoint");
    const auto older = [&](const std::string& why) {
        throw file_error(path, why + ": written by an older lifnet with the old noise mapping (noise_mapping 1), "
                                     "so it cannot be continued bit-exactly; rerun from the start");
    };
    if (!file.has_attribute("format_version")) older("checkpoint without format_version");
    const auto version = file.attribute<std::int64_t>("format_version", 1)[0];
    if (version < format_version) older("checkpoint format version " + std::to_string(version));
    if (version != format_version)
        throw file_error(path, "checkpoint format version " + std::to_string(version) + "; this lifnet reads version " +
                                   std::to_string(format_version) + " only");
    if (!file.has_attribute("noise_mapping")) file.fail("noise_mapping", "missing attribute");
    const auto mapping = file.attribute<std::int64_t>("noise_mapping", 1)[0];
    if (mapping != noise_mapping)
        throw file_error(path, "checkpoint drawn with noise_mapping " + std::to_string(mapping) +
                                   "; this lifnet draws noise_mapping " + std::to_string(noise_mapping) +
                                   " and cannot continue it bit-exactly");
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
    const replicated whole{s.step,      totals.samples,       s.spikes_total, to_words({totals.abs_deviation}),
                           totals.vbar, to_words(phase_sums), to_toml(c)};
    std::vector<std::int64_t> counts;
    std::vector<double> isi;
    for (const auto& n: s.neurons) {
        counts.insert(counts.end(), {n.count, n.first, n.last, n.late});
        isi.insert(isi.end(), {n.isi_mean, n.isi_m2});
    }
    std::uint64_t checksum = (root_rank ? hash_replicated(whole) : 0) + hash_by_id("V", ids, s.V, 1) +
                             hash_by_id("I", ids, s.I, 1) + hash_by_id("refractory", ids, s.refractory, 1) +
                             hash_by_id("ring", ids, s.ring, s.ring_width) + hash_by_id("welford", ids, s.welford, 2) +
                             hash_by_id("spike_counts", ids, counts, 4) + hash_by_id("isi_welford", ids, isi, 2);
    checksum = boost::mpi::all_reduce(comm, checksum, std::plus<>()); // mod 2^64, in any order

    output_file file(path, comm);
    const hid_t root = file.root();
    h5::write_attribute(root, "format", std::string(format));
    h5::write_attribute(root, "format_version", format_version);
    h5::write_attribute(root, "noise_mapping", noise_mapping);
    h5::write_attribute(root, "checksum", checksum);
    h5::write_attribute(root, "lifnet_version", std::string(version_string));
    h5::write_attribute(root, "config", whole.config);
    h5::write_attribute(root, "step", whole.step);
    h5::write_attribute(root, "spikes_total", whole.spikes_total);
    h5::write_attribute(root, "samples", whole.samples);
    h5::write_attribute(root, "abs_deviation", whole.abs_deviation);
    h5::write_dataset(root, "vbar", whole.vbar.size(), 0, root_rank ? whole.vbar : std::vector<double>{});
    h5::write_dataset(root, "phase_sums", whole.phase_sums.size(), 0,
                      root_rank ? whole.phase_sums : std::vector<std::uint64_t>{});
    const auto N = c.N;
    write_by_id(root, "V", N, ids, s.V, 1, comm);
    write_by_id(root, "I", N, ids, s.I, 1, comm);
    write_by_id(root, "refractory", N, ids, s.refractory, 1, comm);
    write_by_id(root, "ring", N, ids, s.ring, s.ring_width, comm);
    write_by_id(root, "welford", N, ids, s.welford, 2, comm);
    write_by_id(root, "spike_counts", N, ids, counts, 4, comm);
    write_by_id(root, "isi_welford", N, ids, isi, 2, comm);
    file.commit();
}

config restart_config(const std::string& path) {
    return checkpoint_config(path);
}

config checkpoint_config(const std::string& path) {
    const auto file = open_checkpoint(path, MPI_COMM_NULL);
    config c;
    load_toml_text(c, file.string_attribute("config"), path);
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
    const auto file = open_checkpoint(path, MPI_COMM_NULL);
    const auto step = file.attribute<std::int64_t>("step", 1)[0];
    if (step < 0 || step > c.nsteps())
        throw file_error(path, "checkpoint at t = " + std::to_string(static_cast<double>(step) * c.dt) +
                                   " ms is past t_stop");
    // The shapes that the reader relies on; the values are checked as they are read.
    const auto samples = static_cast<hsize_t>(sample_grid(c).count_upto(step));
    if (file.attribute<std::int64_t>("samples", 1)[0] != static_cast<std::int64_t>(samples))
        throw file_error(path, "damaged checkpoint: its sample count does not match its step");
    file.attribute<std::uint64_t>("spikes_total", 1);
    file.attribute<std::uint64_t>("abs_deviation", 2);
    file.attribute<std::uint64_t>("checksum", 1);
    const hsize_t N = c.N, ring_width = 2 * static_cast<hsize_t>(c.delay_steps() + 1);
    for (const auto& [name, count]:
         {std::pair{"V", N}, {"I", N}, {"welford", 2 * N}, {"isi_welford", 2 * N}, {"vbar", samples}})
        if (file.shape<double>(name, 1)[0] != count) file.fail(name, "expected " + std::to_string(count) + " values");
    const std::tuple<const char*, hsize_t, std::vector<hsize_t>> integers[] = {
        {"refractory", N, file.shape<std::int64_t>("refractory", 1)},
        {"ring", ring_width * N, file.shape<std::uint32_t>("ring", 1)},
        {"spike_counts", 4 * N, file.shape<std::int64_t>("spike_counts", 1)},
        {"phase_sums", 4 * samples, file.shape<std::uint64_t>("phase_sums", 1)}};
    for (const auto& [name, count, dims]: integers)
        if (dims[0] != count) file.fail(name, "expected " + std::to_string(count) + " values");
    return step;
}

checkpoint_state read_checkpoint(const std::string& path, const config& c, const std::vector<std::uint64_t>& ids,
                                 std::size_t ring_width, const boost::mpi::communicator& comm) {
    const auto file = open_checkpoint(path, comm);
    // Everything is read and its checksum verified before it is returned;
    // the parts it is restored into check the values (simulation::restore).
    checkpoint_state s;
    s.step = file.attribute<std::int64_t>("step", 1)[0]; // as checked
    const auto N = c.N;
    s.V = read_by_id<double>(file, "V", N, ids, 1, comm);
    s.I = read_by_id<double>(file, "I", N, ids, 1, comm);
    s.refractory = read_by_id<std::int64_t>(file, "refractory", N, ids, 1, comm);
    s.ring_width = ring_width;
    s.ring = read_by_id<std::uint32_t>(file, "ring", N, ids, ring_width, comm);
    s.welford = read_by_id<double>(file, "welford", N, ids, 2, comm);
    const auto counts = read_by_id<std::int64_t>(file, "spike_counts", N, ids, 4, comm);
    const auto isi = read_by_id<double>(file, "isi_welford", N, ids, 2, comm);
    const auto samples = file.attribute<std::int64_t>("samples", 1)[0]; // as checked
    const replicated whole{s.step,
                           samples,
                           file.attribute<std::uint64_t>("spikes_total", 1)[0],
                           file.attribute<std::uint64_t>("abs_deviation", 2),
                           file.values<double>("vbar", static_cast<hsize_t>(samples)),
                           file.values<std::uint64_t>("phase_sums", 4 * static_cast<hsize_t>(samples)),
                           file.string_attribute("config")};
    const std::uint64_t mine = hash_by_id("V", ids, s.V, 1) + hash_by_id("I", ids, s.I, 1) +
                               hash_by_id("refractory", ids, s.refractory, 1) +
                               hash_by_id("ring", ids, s.ring, ring_width) + hash_by_id("welford", ids, s.welford, 2) +
                               hash_by_id("spike_counts", ids, counts, 4) + hash_by_id("isi_welford", ids, isi, 2);
    const auto checksum = boost::mpi::all_reduce(comm, mine, std::plus<>()) + hash_replicated(whole);
    run_collectively(comm, [&] {
        if (checksum != file.attribute<std::uint64_t>("checksum", 1)[0])
            throw file_error(path, "damaged checkpoint: its checksum does not match its contents (changed or "
                                   "corrupted after it was written)");
    });
    s.spikes_total = whole.spikes_total;
    s.voltage_totals = {samples, from_words(whole.abs_deviation)[0], whole.vbar};
    s.phase_sums = from_words(whole.phase_sums);
    s.phase_sums.resize(2 * static_cast<std::size_t>(sample_grid(c).count()), 0);
    s.neurons.resize(ids.size());
    for (std::size_t i = 0; i < ids.size(); ++i)
        s.neurons[i] = {counts[4 * i],     counts[4 * i + 1], counts[4 * i + 2],
                        counts[4 * i + 3], isi[2 * i],        isi[2 * i + 1]};
    return s;
}

} // namespace lifnet
