// The lifnet engine: `lifnet run [config.toml] [--set key=value]... [-o
// out.h5]`, `lifnet sweep`, `lifnet info`. Started by the front end
// (src/cli/front.cpp) once the command line has passed the checks that need
// no MPI; it parses and checks the same command line again, in every rank.
#include "cli/commands.hpp"
#include "run/dry_run.hpp"

#include <lifnet/config.hpp>
#include <lifnet/errors.hpp>
#include <lifnet/info.hpp>
#include <lifnet/signals.hpp>
#include <lifnet/simulation.hpp>
#include <lifnet/sweep.hpp>
#include <lifnet/version.hpp>

#include <CLI/CLI.hpp>

#include <cstdio>
#include <iostream>

namespace {

using namespace lifnet;
using namespace lifnet::cli;

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
    if (s.peak_memory_setup && ranks > 1) {
        std::printf("  peak memory per rank (MB, up to the loop / in the loop):");
        for (int r = 0; r < ranks; ++r)
            std::printf(" %d: %.1f / %.1f", r, s.peak_memory_setup_per_rank[r] / 1e6,
                        s.peak_memory_loop_per_rank[r] / 1e6);
        std::printf("\n");
    }
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
    // A restart continues the checkpoint's configuration (t_stop may change).
    config start;
    if (!options.restart.empty()) problems.check([&] { start = restart_config(options.restart); });
    const config c = resolve(start, file, sets, problems);
    problems.throw_if_any();
    if (!checkpoint_every.empty()) {
        options.checkpoint_every = checkpoint_interval(c, checkpoint_every);
        if (options.checkpoint.empty()) options.checkpoint = options.output + ".ckpt";
    }
    options.progress = true;
    const auto summary = run(c, options, world);
    if (world.rank() == 0) print_summary(c, summary, world.size(), options.output);
    return 0;
}

int sweep_command(const arguments& a) {
    const context world;
    problem_list problems;
    const config base = resolve(config{}, a.file, a.sets, problems);
    const auto spec = resolve_sweep(a, problems);
    problems.throw_if_any();
    const auto result = run_sweep(base, spec, world);
    if (world.rank() == 0) {
        std::printf("sweep: %zu members, %zu run now, %zu already done, %zu failed\n  summary: %s\n", result.members,
                    result.members - result.skipped, result.skipped, result.failed, spec.output.c_str());
    }
    return result.failed ? 1 : 0;
}

// One process plays one rank of a larger job: it is not itself one of several.
int dry_run_command(arguments& a, const std::string& command_line, const context& world) {
    if (world.size() > 1)
        throw config_error(
            {config_error::problem{"--dry-run", "a dry run is one process that plays one rank; start it without mpirun "
                                                "or srun (here it was started as " +
                                                    std::to_string(world.size()) + " ranks)"}});
    if (!a.run.restart.empty() || !a.run.checkpoint.empty() || !a.checkpoint_every.empty() || a.run.save_graph)
        throw config_error(
            {config_error::problem{"--dry-run", "a dry run writes only its record: --restart, --checkpoint, "
                                                "--checkpoint-every and --save-graph do not apply"}});
    problem_list problems;
    const config c = resolve(config{}, a.file, a.sets, problems);
    problems.throw_if_any();
    a.dry_run.output = dry_run_output(a);
    dry_run(c, a.dry_run, command_line);
    std::printf("lifnet: dry run of rank %d of %d: record written to %s\n", a.dry_run.rank, a.dry_run.ranks,
                a.dry_run.output.c_str());
    return 0;
}

int dispatch(arguments& a, const std::string& command_line, const context& world) {
    apply_global_options(a);
    if (a.info_command->parsed()) {
        if (world.rank() == 0) std::cout << describe_file(a.info_file);
        return 0;
    }
    if (a.sweep_command->parsed()) {
        a.sweep.command_line = command_line;
        a.sweep.config_file = a.file;
        return sweep_command(a);
    }
    if (is_dry_run(a)) return dry_run_command(a, command_line, world);
    a.run.output = a.output;
    a.run.command_line = command_line;
    a.run.config_file = a.file;
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
