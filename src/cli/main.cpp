// The lifnet command line: `lifnet run [config.toml] [--set key=value]... [-o out.h5]`.
#include <lifnet/config.hpp>
#include <lifnet/errors.hpp>
#include <lifnet/info.hpp>
#include <lifnet/input.hpp>
#include <lifnet/signals.hpp>
#include <lifnet/simulation.hpp>
#include <lifnet/sweep.hpp>
#include <lifnet/version.hpp>

#include <CLI/CLI.hpp>

#include <cstdio>
#include <iostream>

namespace {

using namespace lifnet;

std::string keys_help() {
    std::string text = "\nConfiguration keys (--set key=value, or key = value in the TOML file):\n";
    for (const auto& k: config_keys()) {
        const auto name = k.name + (k.unit.empty() ? "" : " [" + k.unit + "]");
        std::string values;
        for (const auto& v: k.values) values += (values.empty() ? "" : " | ") + v;
        text += "  " + name + std::string(name.size() < 18 ? 18 - name.size() : 1, ' ') +
                (values.empty() ? "" : values + ": ") + k.help + "\n";
    }
    return text;
}

// Every problem with the user's input, collected so that all are reported
// at once, as one config_error.
class problem_list {
public:
    template <typename Check>
    void check(Check&& f) {
        try {
            f();
        }
        catch (const config_error& e) {
            problems_.insert(problems_.end(), e.problems.begin(), e.problems.end());
        }
        catch (const file_error& e) { // a malformed or unreadable file
            problems_.push_back({"file", e.what()});
        }
    }
    void add(const std::string& key, const std::string& message) { problems_.push_back({key, message}); }
    void throw_if_any() {
        if (!problems_.empty()) throw config_error(std::move(problems_));
    }

private:
    std::vector<config_error::problem> problems_;
};

// The configuration from a checkpoint (for a restart), the file and the
// --set flags, checked as a whole.
config resolve(const std::string& file, const std::vector<std::string>& sets, const std::string& restart,
               problem_list& problems) {
    config c;
    // A restart continues the checkpoint's configuration (t_stop may change).
    if (!restart.empty()) problems.check([&] { c = restart_config(restart); });
    if (!file.empty()) problems.check([&] { load_toml(c, file); });
    for (const auto& s: sets) {
        const auto eq = s.find('=');
        if (eq == std::string::npos)
            problems.add(s, "expected --set key=value");
        else
            problems.check([&] { set_key(c, s.substr(0, eq), s.substr(eq + 1)); });
    }
    problems.check([&] { validate(c); });
    return c;
}

void print_summary(const config& c, const run_summary& s, int ranks, const std::string& output) {
    std::printf("lifnet %s: %s graph, N = %llu, k = %llu, p = %g, seed = %llu, %d rank%s, partition %s\n",
                version_string, mode_name(c.graph), (unsigned long long)c.N, (unsigned long long)c.k, c.p,
                (unsigned long long)c.seed, ranks, ranks == 1 ? "" : "s", mode_name(c.partition));
    const auto [lo, hi] = std::minmax_element(s.neurons_per_rank.begin(), s.neurons_per_rank.end());
    std::printf("  synapses %llu, edge cut %llu (%.1f%%), neurons per rank %llu..%llu (imbalance %.3f)\n",
                (unsigned long long)s.synapses, (unsigned long long)s.edge_cut,
                s.synapses ? 100.0 * s.edge_cut / s.synapses : 0.0, (unsigned long long)*lo, (unsigned long long)*hi,
                s.imbalance);
    std::printf("  spikes %llu, mean rate %.3f Hz over %g ms\n", (unsigned long long)s.spikes, s.rate_hz, c.t_stop);
    const auto& m = s.sync;
    std::printf("  synchrony after %g ms: chi = %.4f, E = %.4f mV, R = %.4f, rate = %.3f Hz, CV = %.4f\n",
                c.t_transient, m.chi, m.E, m.R, m.rate_hz, m.cv);
    for (const auto& note: m.notes) std::printf("    (%s)\n", note.c_str());
    const char* separator = "  wall time: ";
    for (const auto& ph: run_phases) {
        std::printf("%s%s %.3f s", separator, ph.name, s.seconds[ph.id]);
        separator = ", ";
    }
    std::printf("\n");
    if (s.peak_memory_setup)
        std::printf("  peak memory (all ranks): %.1f MB up to the loop, %.1f MB in the loop\n",
                    s.peak_memory_setup / 1e6, s.peak_memory_loop / 1e6);
    if (ranks > 1) {
        const auto [fastest, slowest] = std::minmax_element(s.update_seconds.begin(), s.update_seconds.end());
        double mean = 0;
        for (double u: s.update_seconds) mean += u / ranks;
        std::printf("  neuron update per rank: %.3f .. %.3f s (load balance mean / max = %.3f)\n", *fastest, *slowest,
                    *slowest > 0 ? mean / *slowest : 1.0);
        std::printf("  spike exchange (%s): %llu bytes sent between ranks, %.4g per step\n", mode_name(c.routing),
                    (unsigned long long)s.exchange_bytes, static_cast<double>(s.exchange_bytes) / c.nsteps());
    }
    if (!output.empty()) std::printf("  output: %s\n", output.c_str());
}

int run_command(const std::string& file, const std::vector<std::string>& sets, run_options options,
                const std::string& checkpoint_every) {
    const context world;
    problem_list problems;
    const config c = resolve(file, sets, options.restart, problems);
    problems.throw_if_any();
    if (!checkpoint_every.empty()) {
        // "100ms" or "100": milliseconds, a whole number of steps.
        const auto number = checkpoint_every.substr(0, checkpoint_every.find("ms"));
        config probe = c;
        try {
            set_key(probe, "t_ref", number); // parses a time like any other
        }
        catch (const config_error&) {
            throw config_error(
                {config_error::problem{"--checkpoint-every", "'" + checkpoint_every + "' is not a time in ms"}});
        }
        if (!(probe.t_ref > 0)) throw config_error({config_error::problem{"--checkpoint-every", "must be > 0 ms"}});
        options.checkpoint_every = probe.t_ref;
        if (options.checkpoint.empty()) options.checkpoint = options.output + ".ckpt";
    }
    options.progress = true;
    const auto summary = run(c, options, world);
    if (world.rank() == 0) print_summary(c, summary, world.size(), options.output);
    return 0;
}

int sweep_command(const std::string& file, const std::vector<std::string>& sets, const std::vector<std::string>& vary,
                  const std::string& seeds, int ranks_per_member, sweep_spec spec) {
    const context world;
    problem_list problems;
    const config base = resolve(file, sets, "", problems);
    if (!file.empty()) problems.check([&] { load_sweep_table(spec, file); });
    for (const auto& v: vary) problems.check([&] { spec.axes.push_back(parse_axis(v)); });
    if (!seeds.empty()) problems.check([&] { spec.seeds = parse_seeds(seeds); });
    if (ranks_per_member > 0) spec.ranks_per_member = ranks_per_member;
    problems.throw_if_any();
    const auto result = run_sweep(base, spec, world);
    if (world.rank() == 0) {
        std::printf("sweep: %zu members, %zu run now, %zu already done, %zu failed\n  summary: %s\n", result.members,
                    result.members - result.skipped, result.skipped, result.failed, spec.output.c_str());
    }
    return result.failed ? 1 : 0;
}

// The command line: the subcommands and what they were given.
struct arguments {
    std::string file, output = "lifnet.h5", checkpoint_every, seeds, info_file, max_input_size;
    std::vector<std::string> sets, vary;
    int ranks_per_member = 0;
    run_options run;
    sweep_spec sweep;
    CLI::App *run_command = nullptr, *sweep_command = nullptr, *info_command = nullptr;
};

void define_commands(CLI::App& app, arguments& a) {
    app.require_subcommand(1);
    app.set_version_flag("--version", version_string);
    app.add_option("--max-input-size", a.max_input_size,
                   "largest config or graph file read, in bytes (suffix k, M, G or T; default 64G)");
    auto* run = a.run_command = app.add_subcommand("run", "simulate one network and write its spikes (SONATA, HDF5)");
    run->add_option("config", a.file, "TOML file of key = value lines")->check(CLI::ExistingFile);
    run->add_option("--set", a.sets, "set a configuration key: --set key=value (repeatable)");
    run->add_option("-o,--output", a.output, "output HDF5 file (written as <file>.tmp, renamed when complete)");
    run->add_flag("--save-graph", a.run.save_graph,
                  "also write the synapses as SONATA edges with their indices (/edges/<population>)");
    run->add_option("--checkpoint", a.run.checkpoint,
                    "write the run's state here at the end and when a signal stops it (HDF5)");
    run->add_option("--checkpoint-every", a.checkpoint_every,
                    "also every this much simulated time, e.g. 100ms (default file: <output>.ckpt)");
    run->add_option("--restart", a.run.restart, "continue the run saved in this checkpoint (--set t_stop=... to extend)")
        ->check(CLI::ExistingFile);
    run->footer(keys_help());
    a.sweep.output = "sweep.h5";
    auto* sweep = a.sweep_command =
        app.add_subcommand("sweep", "run every combination of the varied keys x every seed (resumable)");
    sweep->add_option("config", a.file, "TOML file of key = value lines, optionally with a [sweep] table")
        ->check(CLI::ExistingFile);
    sweep->add_option("--set", a.sets, "set a configuration key for every member: --set key=value");
    sweep->add_option("--vary", a.vary, "a key and its values: --vary p=0,0.1,0.3 (repeatable)");
    sweep->add_option("--seeds", a.seeds, "seeds of every point: 1-20, or 1,2,5 (default 1)");
    sweep->add_option("--ranks-per-member", a.ranks_per_member, "ranks that run one member (must divide the ranks)");
    sweep->add_option("-o,--output", a.sweep.output, "summary file (HDF5); the journal is <file>.journal");
    sweep->add_option("--member-output", a.sweep.member_dir, "write each member's full run file into this folder");
    sweep->add_flag("--save-graph", a.sweep.save_graph,
                    "also write each member's synapses as SONATA edges into its run file (with --member-output)");
    sweep->footer(keys_help());
    a.info_command = app.add_subcommand("info", "print the configuration, counts and measures of a run file");
    a.info_command->add_option("file", a.info_file, "lifnet output file (HDF5)")->required();
}

int dispatch(arguments& a, const std::string& command_line, const context& world) {
    if (!a.max_input_size.empty()) set_max_input_size(parse_input_size(a.max_input_size));
    if (a.info_command->parsed()) {
        if (world.rank() == 0) std::cout << describe_file(a.info_file);
        return 0;
    }
    if (a.sweep_command->parsed()) {
        a.sweep.command_line = command_line;
        return sweep_command(a.file, a.sets, a.vary, a.seeds, a.ranks_per_member, a.sweep);
    }
    a.run.output = a.output;
    a.run.command_line = command_line;
    return run_command(a.file, a.sets, a.run, a.checkpoint_every);
}

} // namespace

int main(int argc, char** argv) {
    lifnet::environment env(argc, argv);
    const lifnet::context world;
    CLI::App app{"lifnet: leaky integrate-and-fire networks on small-world graphs, distributed with MPI"};
    arguments args;
    define_commands(app, args);
    try {
        app.parse(argc, argv);
    }
    catch (const CLI::ParseError& e) {
        // Help and version go to stdout with 0; a bad flag is bad input: 2.
        const int code = world.rank() == 0 ? app.exit(e) : e.get_exit_code();
        return code == 0 ? 0 : 2;
    }
    lifnet::install_stop_handlers();
    std::string command_line;
    for (int i = 0; i < argc; ++i) command_line += (i ? " " : "") + std::string(argv[i]);
    const bool root = world.rank() == 0;
    try {
        // A failure on one rank alone ends the whole job (abort_if_alone).
        return lifnet::abort_if_alone(world, [&] { return dispatch(args, command_line, world); });
    }
    catch (const lifnet::interrupted& e) {
        // Every rank stopped at the same epoch boundary.
        if (root) {
            std::cerr << "lifnet: " << e.what() << "; no output file was left. ";
            if (args.run_command->parsed() && !args.run.checkpoint.empty())
                std::cerr << "Continue with --restart " << args.run.checkpoint << ".\n";
            else
                std::cerr << "A sweep resumes when run again.\n";
        }
        return lifnet::exit_interrupted;
    }
    catch (const lifnet::collective_error& e) {
        // Every rank agreed on this failure: rank 0 reports it once.
        if (root) std::cerr << "lifnet: " << e.what() << "\n";
        return e.exit_code;
    }
    catch (const lifnet::config_error& e) {
        // Every rank validated the same configuration.
        if (root) std::cerr << "lifnet: " << e.what() << "\n";
        return 2;
    }
    catch (const std::exception& e) { // on the only rank: abort_if_alone ended larger jobs
        std::cerr << "lifnet: " << e.what() << std::endl;
        return lifnet::exit_code_of(e);
    }
}
