#include <lifnet/sweep.hpp>

#include "comm/context.hpp"
#include "comm/mpi_util.hpp"
#include "comm/shared_counters.hpp"
#include "io/input_file.hpp"
#include "io/safe_output.hpp"
#include "io/sweep_summary.hpp"
#include "sweep/journal.hpp"
#include "sweep/spec.hpp"

#include <lifnet/random.hpp>
#include <lifnet/signals.hpp>

#include <boost/mpi/collectives.hpp>
#include <boost/serialization/string.hpp>
#include <boost/serialization/vector.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <optional>
#include <set>

namespace lifnet {

namespace {

// FNV-1a of a file's lines (each with its '\n'), read as every input file
// is (io/input_file.hpp); "unreadable" when it cannot be read (the member
// then fails when it runs, with the reason).
std::string file_hash(const std::string& path) {
    std::uint64_t h = 0xcbf29ce484222325ull;
    try {
        input_file in(path);
        std::string line;
        for (std::uint64_t n = 1; in.getline(line); ++n) {
            if (n % 65536 == 0 && stop_requested()) throw interrupted(); // agreed by the caller
            line += '\n';
            for (unsigned char ch: line) {
                h ^= ch;
                h *= 0x100000001b3ull;
            }
        }
    }
    catch (const file_error&) {
        return "unreadable";
    }
    char text[17];
    std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(h));
    return text;
}

// A member's identity: everything that decides its results, the noise
// mapping it draws with (lifnet/random.hpp) and the graph file's content
// included, so that a sweep begun with other inputs is not resumed.
std::string member_hash(const config& c, const std::map<std::string, std::string>& graph_hashes) {
    std::string inputs = to_toml(c) + "noise_mapping = " + std::to_string(noise_mapping) + "\n";
    if (c.graph == graph_model::file) inputs += "graph_file_hash = \"" + graph_hashes.at(c.graph_file) + "\"\n";
    return hash_text(inputs);
}

// Every member (sweep/spec.hpp) with its identity. Collective over comm:
// rank 0 hashes the graph files, and a signal on any rank stops every rank.
std::vector<sweep_member> expand(const config& base, const sweep_spec& spec, const boost::mpi::communicator& comm) {
    std::vector<sweep_member> members;
    std::optional<config_error> problems; // the same on every rank, thrown once a stop is agreed on
    try {
        members = sweep_members(base, spec);
    }
    catch (const config_error& e) {
        problems = e;
    }
    agree_on_stop(comm);
    if (problems) throw *problems;
    std::set<std::string> graph_files;
    for (const auto& m: members)
        if (m.c.graph == graph_model::file) graph_files.insert(m.c.graph_file);
    std::vector<std::string> hashes;
    run_collectively(comm, [&] {
        if (comm.rank() == 0)
            for (const auto& f: graph_files) hashes.push_back(file_hash(f));
    });
    boost::mpi::broadcast(comm, hashes, 0);
    std::map<std::string, std::string> graph_hashes;
    for (const auto& f: graph_files) graph_hashes[f] = hashes[graph_hashes.size()];
    for (auto& m: members) m.hash = member_hash(m.c, graph_hashes);
    return members;
}

} // namespace

sweep_result run_sweep(const config& base, const sweep_spec& spec, const context& ctx) {
    const auto& world = ctx.get().comm;
    const int R = spec.ranks_per_member;
    if (R < 1 || world.size() % R != 0)
        throw config_error({{"--ranks-per-member",
                             std::to_string(R) + " does not divide the " + std::to_string(world.size()) + " ranks"}});
    check_sweep(spec);
    const auto members = expand(base, spec, world);
    const std::string journal = spec.output + ".journal";

    // Every file the sweep writes, checked before any member runs.
    auto member_file = [&](const sweep_member& m) {
        return spec.member_dir.empty()
                   ? std::string()
                   : (std::filesystem::path(spec.member_dir) / ("member-" + std::to_string(m.index) + ".h5")).string();
    };
    run_collectively(world, [&] {
        if (world.rank() != 0 || spec.member_dir.empty()) return;
        std::error_code ec;
        std::filesystem::create_directories(spec.member_dir, ec);
        if (ec || !std::filesystem::is_directory(spec.member_dir))
            throw config_error({{"--member-output", "'" + spec.member_dir + "' is not a folder that can be made" +
                                                        (ec ? ": " + ec.message() : std::string())}});
    });
    std::vector<command_file> outputs = {{"-o", spec.output}, {"-o (its journal)", journal, "", false}};
    std::vector<command_file> inputs = {{"config", spec.config_file}};
    std::set<std::string> graph_files;
    for (const auto& m: members) {
        outputs.push_back({"--member-output", member_file(m)});
        if (m.c.graph == graph_model::file && graph_files.insert(m.c.graph_file).second)
            inputs.push_back({"graph_file", m.c.graph_file});
    }
    check_command_files(outputs, inputs, world);
    agree_on_stop(world);

    // Members finished (ok or failed) in the journal are skipped. One that
    // started twice and never finished killed its job twice: it is recorded
    // as crashed and skipped too. One started once is run again (the kill
    // may have come from outside, a time limit say).
    std::vector<std::string> done_hashes;
    run_collectively(world, [&] {
        if (world.rank() != 0) return;
        std::map<std::string, int> starts;
        std::set<std::string> finished;
        for (const auto& r: read_journal(journal)) {
            if (r.status == "started")
                ++starts[r.hash];
            else
                finished.insert(r.hash);
        }
        for (const auto& m: members) {
            if (finished.count(m.hash)) {
                done_hashes.push_back(m.hash);
            }
            else if (starts[m.hash] >= 2) {
                journal_record crashed{
                    m.hash, m.index, m.seed, -1, 0, "failed: crashed (started twice, never finished)",
                    0,      0,       0,      0,  0, m.values};
                append_journal(journal, crashed);
                done_hashes.push_back(m.hash);
            }
        }
    });
    boost::mpi::broadcast(world, done_hashes, 0);
    const std::set<std::string> done(done_hashes.begin(), done_hashes.end());
    std::vector<const sweep_member*> todo;
    for (const auto& m: members)
        if (!done.count(m.hash)) todo.push_back(&m);

    sweep_result result;
    result.members = members.size();
    result.skipped = members.size() - todo.size();
    if (world.rank() == 0 && spec.progress) {
        std::fprintf(stderr, "sweep: %zu members (%zu points x %zu seeds), %zu already done, %d groups of %d rank%s\n",
                     members.size(), members.size() / spec.seeds.size(), spec.seeds.size(), result.skipped,
                     world.size() / R, R, R == 1 ? "" : "s");
    }

    // Members go to whichever group asks next, so a slow one idles nobody.
    const int group_id = world.rank() / R;
    const auto group = world.split(group_id);
    const bool leader = group.rank() == 0;
    shared_counters counters(world);
    const auto start = std::chrono::steady_clock::now();
    long shown = -1; // the last count rank 0 printed
    auto show = [&](long finished) {
        const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        std::fprintf(stderr, "sweep: %ld/%zu members done, %.1f s elapsed, ETA %.0f s\n", finished, todo.size(),
                     elapsed, finished ? elapsed / finished * (todo.size() - finished) : 0.0);
        shown = finished;
    };
    bool stopped = false; // by a signal: members in flight are dropped, the rest stay to do
    for (;;) {
        // The leader decides for its group: the next member, or -1 to stop.
        long k = -1;
        if (leader && !stop_requested()) k = counters.add(0, 1) - 1;
        boost::mpi::broadcast(group, k, 0);
        if (k < 0) stopped = true;
        if (k < 0 || k >= static_cast<long>(todo.size())) break;
        const auto& m = *todo[static_cast<std::size_t>(k)];

        run_options options;
        options.output = member_file(m);
        options.command_line = spec.command_line;
        options.config_file = spec.config_file;
        options.save_graph = spec.save_graph;
        journal_record record{m.hash, m.index, m.seed, group_id, 0, "started", 0, 0, 0, 0, 0, m.values};
        // A member that kills the job leaves this record alone (see above).
        if (leader) append_journal(journal, record);
        record.status = "ok";
        const auto t0 = std::chrono::steady_clock::now();
        try {
            const auto s = run(m.c, options, make_context(group)).sync;
            std::tie(record.chi, record.E, record.R, record.rate_hz, record.cv) =
                std::tuple(s.chi, s.E, s.R, s.rate_hz, s.cv);
        }
        catch (const interrupted&) { // agreed by the whole group; not journalled
            stopped = true;
            break;
        }
        catch (const collective_error& e) { // agreed by the whole group
            record.status = std::string("failed: ") + e.what();
        }
        catch (const config_error& e) { // the same on every rank of the group
            record.status = std::string("failed: ") + e.what();
        }
        catch (const std::exception& e) {
            // A group of one rank agrees with itself; a larger group cannot
            // be here (run() ends the job when one rank fails alone).
            if (group.size() > 1) throw;
            record.status = std::string("failed: ") + e.what();
        }
        record.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        if (leader) {
            append_journal(journal, record);
            const long finished = counters.add(1, 1);
            if (world.rank() == 0 && spec.progress) show(finished);
        }
    }
    // Every finished member is in the journal: the same command resumes.
    if (boost::mpi::all_reduce(world, stopped, std::logical_or<>())) throw interrupted();
    if (world.rank() == 0 && spec.progress && shown != static_cast<long>(todo.size()))
        show(static_cast<long>(todo.size()));

    // Rank 0 rebuilds the summary from the journal, the record of what is done.
    std::uint64_t failed = 0;
    run_collectively(world, [&] {
        if (world.rank() == 0) failed = write_sweep_summary(spec, base, members, read_journal(journal));
    });
    boost::mpi::broadcast(world, failed, 0);
    result.failed = failed;
    return result;
}

} // namespace lifnet
