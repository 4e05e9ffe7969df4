#include "io/run_record.hpp"

#include "comm/mpi_util.hpp"
#include "io/by_id.hpp"
#include "io/h5.hpp"
#include "io/run_file.hpp"

#include <lifnet/random.hpp>
#include <lifnet/version.hpp>

#include <boost/mpi/collectives.hpp>

#include <algorithm>
#include <chrono>
#include <ctime>

namespace lifnet {

void write_network(hid_t file, const config& c, const adjacency& local, const partition_stats& stats,
                   const boost::mpi::communicator& comm) {
    auto group = h5::create_group(file, run_file::network);
    write_by_id(group, "rank", c.N, local.ids, std::vector<std::int64_t>(local.rows(), comm.rank()), 1, comm);
    const bool root = comm.rank() == 0;
    auto per_rank = [&](const char* name, const std::vector<std::uint64_t>& v) {
        h5::write_dataset(group, name, v.size(), 0, root ? v : std::vector<std::uint64_t>{});
    };
    per_rank("neurons_per_rank", stats.neurons);
    per_rank("synapses_per_rank", stats.synapses);
    h5::write_scalar(group, run_file::edge_cut, stats.edge_cut);
    h5::write_scalar(group, run_file::imbalance, stats.imbalance);
}

void write_sync(hid_t file, const sync_measures& sync, bool root) {
    auto group = h5::create_group(file, run_file::sync);
    h5::write_scalar(group, run_file::chi, sync.chi);
    h5::write_scalar(group, run_file::E, sync.E);
    h5::write_scalar(group, run_file::R, sync.R);
    h5::write_scalar(group, run_file::rate_hz, sync.rate_hz);
    h5::write_scalar(group, run_file::cv, sync.cv);
    // Every rank holds the same series; rank 0 writes it.
    h5::write_dataset(group, "Vbar", sync.Vbar.size(), 0, root ? sync.Vbar : std::vector<double>{});
    h5::write_dataset(group, "t", sync.t.size(), 0, root ? sync.t : std::vector<double>{});
    for (const char* name: {"Vbar", "t", "E"}) {
        h5::handle d(h5::check(H5Dopen2(group, name, H5P_DEFAULT), "H5Dopen2"));
        h5::write_attribute(d, "units", std::string(name[0] == 't' ? "ms" : "mV"));
    }
    h5::handle rate(h5::check(H5Dopen2(group, "rate_hz", H5P_DEFAULT), "H5Dopen2"));
    h5::write_attribute(rate, "units", std::string("Hz"));
    std::string notes;
    for (const auto& n: sync.notes) notes += (notes.empty() ? "" : "\n") + n;
    h5::write_attribute(group, "notes", notes);
}

void write_provenance(hid_t file, const config& c, const provenance& p) {
    h5::write_attribute(file, "lifnet_version", std::string(version_string));
    h5::write_attribute(file, "lifnet_git_hash", std::string(git_hash));
    h5::write_attribute(file, "config", to_toml(c));
    h5::write_attribute(file, "noise_mapping", std::int64_t{noise_mapping}); // MODEL.md §3 and §5
    h5::write_attribute(file, "command_line", p.command_line);
    h5::write_attribute(file, "ranks", std::int64_t{p.ranks});
    h5::write_attribute(file, "seed", std::int64_t(c.seed));
    h5::write_attribute(file, "start_time", p.start_time);
    h5::write_attribute(file, "end_time", p.end_time);
    std::vector<double> seconds;
    std::string names;
    for (const auto& ph: run_phases) {
        seconds.push_back(p.seconds[ph.id]);
        names += (names.empty() ? "" : ", ") + std::string(ph.name);
    }
    h5::write_attribute(file, "wall_seconds", seconds);
    h5::write_attribute(file, "wall_seconds_phases", names);
    h5::write_attribute(file, "exchange_bytes", static_cast<std::int64_t>(p.exchange_bytes));
}

void write_update_seconds(hid_t file, const std::vector<double>& seconds, bool root) {
    h5::handle group(h5::check(H5Gopen2(file, run_file::network, H5P_DEFAULT), "H5Gopen2"));
    h5::write_dataset(group, "update_seconds", seconds.size(), 0, root ? seconds : std::vector<double>{});
    h5::handle d(h5::check(H5Dopen2(group, "update_seconds", H5P_DEFAULT), "H5Dopen2"));
    h5::write_attribute(d, "units", std::string("s"));
}

std::string now_iso8601() {
    const auto t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
    std::tm utc{};
    gmtime_r(&t, &utc);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
    return text;
}

} // namespace lifnet
