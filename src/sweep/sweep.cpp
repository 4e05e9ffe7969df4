#include <lifnet/sweep.hpp>

#include "comm/context.hpp"
#include "comm/mpi_util.hpp"
#include "comm/shared_counters.hpp"
#include "io/input_file.hpp"
#include "io/safe_output.hpp"
#include "io/sweep_summary.hpp"
#include "sweep/journal.hpp"

#include <lifnet/random.hpp>
#include <lifnet/signals.hpp>

#include "config/toml_util.hpp"
#include <boost/mpi/collectives.hpp>
#include <boost/serialization/string.hpp>
#include <boost/serialization/vector.hpp>

#include <toml++/toml.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <set>

namespace lifnet {

namespace {

[[noreturn]] void bad(const std::string& key, const std::string& message) {
    throw config_error({{key, message}});
}

std::vector<std::string> split(const std::string& text, char sep) {
    std::vector<std::string> out;
    std::size_t start = 0;
    for (std::size_t end; (end = text.find(sep, start)) != std::string::npos; start = end + 1)
        out.push_back(text.substr(start, end - start));
    out.push_back(text.substr(start));
    return out;
}

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

// Every member: a combination of the axes' values (the last axis varying
// fastest), then each seed. Collective over comm: rank 0 hashes the graph
// files, and a signal on any rank stops every rank.
std::vector<sweep_member> expand(const config& base, const sweep_spec& spec, const boost::mpi::communicator& comm) {
    std::vector<config_error::problem> problems;
    std::vector<sweep_member> members;
    std::vector<std::size_t> at(spec.axes.size(), 0);
    for (std::uint64_t point = 0;; ++point) {
        if (stop_requested()) break; // agreed below
        for (auto seed: spec.seeds) {
            sweep_member m{members.size(), point, {}, seed, base, ""};
            try {
                for (std::size_t a = 0; a < spec.axes.size(); ++a) {
                    m.values.push_back(spec.axes[a].values[at[a]]);
                    set_key(m.c, spec.axes[a].key, m.values.back());
                }
                set_key(m.c, "seed", std::to_string(seed));
                validate(m.c);
            }
            catch (const config_error& e) {
                std::string where;
                for (std::size_t a = 0; a < spec.axes.size(); ++a)
                    where += (a ? ", " : "") + spec.axes[a].key + " = " + spec.axes[a].values[at[a]];
                for (const auto& p: e.problems)
                    problems.push_back({p.key, p.message + (where.empty() ? "" : " (member with " + where + ")")});
            }
            members.push_back(std::move(m));
        }
        std::size_t a = spec.axes.size();
        while (a > 0 && ++at[a - 1] == spec.axes[a - 1].values.size()) at[--a] = 0;
        if (a == 0) break;
    }
    agree_on_stop(comm);
    if (!problems.empty()) {
        // One line per distinct problem, not one per seed.
        std::set<std::pair<std::string, std::string>> seen;
        std::vector<config_error::problem> distinct;
        for (auto& p: problems)
            if (seen.insert({p.key, p.message}).second) distinct.push_back(p);
        throw config_error(std::move(distinct));
    }
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

sweep_axis parse_axis(const std::string& text) {
    const auto eq = text.find('=');
    if (eq == std::string::npos) bad("--vary", "'" + text + "': expected key=v1,v2,...");
    sweep_axis axis{text.substr(0, eq), {}};
    if (text.size() == eq + 1) bad("--vary", "'" + axis.key + "': the list of values is empty");
    axis.values = split(text.substr(eq + 1), ',');
    std::map<std::string, std::string> effects; // a value's configuration, and the value
    for (const auto& v: axis.values) {
        if (v.empty()) bad("--vary", "'" + text + "': an empty value");
        config probe;
        try {
            set_key(probe, axis.key, v);
        }
        catch (const config_error& e) {
            bad("--vary " + axis.key, e.problems.front().message);
        }
        const auto [it, fresh] = effects.emplace(to_toml(probe), v);
        if (!fresh) bad("--vary " + axis.key, "the value '" + v + "' is given twice (also as '" + it->second + "')");
    }
    if (axis.key == "seed") bad("--vary", "vary the seed with --seeds");
    return axis;
}

std::vector<std::uint64_t> parse_seeds(const std::string& text, std::size_t max_seeds) {
    std::vector<std::uint64_t> seeds;
    auto too_many = [&](std::uint64_t n) {
        bad("--seeds", "'" + text + "' names " + std::to_string(n) + " seeds or more; a sweep has at most " +
                           std::to_string(max_seeds) + " members (raise the limit with --max-members)");
    };
    auto number = [&](const std::string& s) {
        config probe;
        set_key(probe, "seed", s);
        if (probe.seed >= (std::uint64_t(1) << 32)) bad("--seeds", "'" + s + "' is not below 2^32");
        return probe.seed;
    };
    try {
        for (const auto& part: split(text, ',')) {
            const auto dash = part.find('-');
            if (seeds.size() >= max_seeds) too_many(seeds.size() + 1);
            if (dash == std::string::npos)
                seeds.push_back(number(part));
            else {
                const auto lo = number(part.substr(0, dash)), hi = number(part.substr(dash + 1));
                if (hi < lo) bad("--seeds", "'" + part + "' is an empty range");
                if (hi - lo >= max_seeds - seeds.size()) too_many(seeds.size() + (hi - lo) + 1);
                for (auto s = lo; s <= hi; ++s) seeds.push_back(s);
            }
        }
    }
    catch (const config_error& e) {
        if (e.problems.front().key == "--seeds") throw;
        bad("--seeds", "'" + text + "': expected seeds like 1-20 or 1,2,5");
    }
    return seeds; // duplicates are refused by run_sweep, for seeds from any source
}

void load_sweep_table(sweep_spec& spec, const std::string& path) {
    toml::table table;
    try {
        table = toml::parse(input_file(path).rest(), path);
    }
    catch (const toml::parse_error& e) {
        throw file_error(path, std::string(e.description()), e.source().begin.line);
    }
    const auto* sweep = table["sweep"].as_table();
    if (!sweep) return;
    for (const auto& [name, node]: *sweep) {
        const std::string key(name.str());
        if (key == "vary" && node.is_table()) {
            // toml++ keeps keys sorted; the axes keep the order they are written in.
            std::vector<std::pair<const toml::key*, const toml::node*>> ordered;
            for (const auto& [axis_key, list]: *node.as_table()) ordered.emplace_back(&axis_key, &list);
            std::sort(ordered.begin(), ordered.end(), [](const auto& a, const auto& b) {
                const auto &x = a.first->source().begin, &y = b.first->source().begin;
                return std::pair(x.line, x.column) < std::pair(y.line, y.column);
            });
            for (const auto& [key_ptr, list_ptr]: ordered) {
                const auto& axis_key = *key_ptr;
                const auto& list = *list_ptr;
                std::string text = std::string(axis_key.str()) + "=";
                const auto* values = list.as_array();
                if (!values || values->empty())
                    bad("sweep.vary." + std::string(axis_key.str()), "expected a non-empty list");
                for (std::size_t i = 0; i < values->size(); ++i) {
                    const auto& v = *values->get(i);
                    std::string item;
                    if (auto s = v.value<std::string>(); s && v.is_string())
                        item = *s;
                    else if (auto d = v.value<double>()) {
                        char buf[32];
                        item = std::string(buf, std::to_chars(buf, buf + sizeof buf, *d).ptr);
                    }
                    else
                        bad("sweep.vary." + std::string(axis_key.str()), "values must be numbers or strings");
                    text += (i ? "," : "") + item;
                }
                spec.axes.push_back(parse_axis(text));
            }
        }
        else if (key == "seeds" && node.is_string())
            spec.seeds = parse_seeds(*node.value<std::string>(), spec.max_members);
        else if (key == "seeds" && node.is_array()) {
            spec.seeds.clear();
            if (node.as_array()->size() > spec.max_members)
                bad("sweep.seeds", "more seeds than the " + std::to_string(spec.max_members) +
                                       " members a sweep may have (raise the limit with --max-members)");
            for (const auto& s: *node.as_array()) {
                const auto v = integer_of(s);
                if (!v || *v < 0 || *v >= (std::int64_t(1) << 32)) bad("sweep.seeds", "expected seeds below 2^32");
                spec.seeds.push_back(static_cast<std::uint64_t>(*v));
            }
        }
        else if (const auto ranks = integer_of(node);
                 key == "ranks_per_member" && ranks && *ranks > 0 && *ranks <= std::numeric_limits<int>::max()) {
            spec.ranks_per_member = static_cast<int>(*ranks);
        }
        else
            bad("sweep." + key, "unknown key or wrong type (vary = {key = [...]}, seeds, ranks_per_member)");
    }
}

sweep_result run_sweep(const config& base, const sweep_spec& spec, const context& ctx) {
    const auto& world = ctx.get().comm;
    const int R = spec.ranks_per_member;
    if (R < 1 || world.size() % R != 0)
        bad("--ranks-per-member",
            std::to_string(R) + " does not divide the " + std::to_string(world.size()) + " ranks");
    if (spec.seeds.empty()) bad("--seeds", "no seeds");
    auto seeds = spec.seeds;
    std::sort(seeds.begin(), seeds.end());
    if (const auto twice = std::adjacent_find(seeds.begin(), seeds.end()); twice != seeds.end())
        bad("--seeds", "the seed " + std::to_string(*twice) + " is given twice");
    for (std::size_t a = 0; a < spec.axes.size(); ++a)
        for (std::size_t b = 0; b < a; ++b)
            if (spec.axes[a].key == spec.axes[b].key)
                bad("--vary " + spec.axes[a].key, "varied twice (in the [sweep] table and by --vary?)");
    // The number of members, bounded before anything is expanded.
    std::size_t count = spec.seeds.size();
    for (const auto& a: spec.axes)
        if (__builtin_mul_overflow(count, a.values.size(), &count)) count = SIZE_MAX;
    if (count > spec.max_members)
        bad("--max-members", "the sweep has " +
                                 (count == SIZE_MAX ? std::string("more than 2^64") : std::to_string(count)) +
                                 " members, more than the limit of " + std::to_string(spec.max_members) +
                                 " (raise it with --max-members)");
    if (spec.output.empty()) bad("--output", "the sweep needs a summary file");
    if (spec.save_graph && spec.member_dir.empty())
        bad("--save-graph", "writes each member's edges into its run file: give --member-output too");
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
            bad("--member-output", "'" + spec.member_dir + "' is not a folder that can be made" +
                                       (ec ? ": " + ec.message() : std::string()));
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
    if (world.rank() == 0 && spec.progress && shown != static_cast<long>(todo.size())) show(static_cast<long>(todo.size()));

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
