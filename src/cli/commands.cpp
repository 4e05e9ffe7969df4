#include "cli/commands.hpp"

#include <lifnet/input.hpp>
#include <lifnet/version.hpp>

namespace lifnet::cli {

namespace {

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

} // namespace

config resolve(config c, const std::string& file, const std::vector<std::string>& sets, problem_list& problems) {
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

sweep_spec resolve_sweep(const arguments& a, problem_list& problems) {
    sweep_spec spec = a.sweep;
    if (!a.file.empty()) problems.check([&] { load_sweep_table(spec, a.file); });
    for (const auto& v: a.vary) problems.check([&] { spec.axes.push_back(parse_axis(v)); });
    if (!a.seeds.empty()) problems.check([&] { spec.seeds = parse_seeds(a.seeds, spec.max_members); });
    if (a.ranks_per_member > 0) spec.ranks_per_member = a.ranks_per_member;
    return spec;
}

void apply_global_options(const arguments& a) {
    if (!a.max_input_size.empty()) set_max_input_size(parse_input_size(a.max_input_size));
}

double checkpoint_interval(const config& c, const std::string& text) {
    // "100ms" or "100": milliseconds, a whole number of steps.
    const auto number = text.substr(0, text.find("ms"));
    config probe = c;
    try {
        set_key(probe, "t_ref", number); // parses a time like any other
    }
    catch (const config_error&) {
        throw config_error({config_error::problem{"--checkpoint-every", "'" + text + "' is not a time in ms"}});
    }
    if (!(probe.t_ref > 0)) throw config_error({config_error::problem{"--checkpoint-every", "must be > 0 ms"}});
    if (!(probe.t_ref / c.dt <= 0x1p53)) // as every time key (config.cpp)
        throw config_error({config_error::problem{"--checkpoint-every", "at most 2^53 steps of dt are allowed"}});
    return probe.t_ref;
}

void define_commands(CLI::App& app, arguments& a) {
    app.require_subcommand(1);
    app.set_version_flag("--version", version_string);
    app.add_option("--max-input-size", a.max_input_size,
                   "largest config or graph file read, in bytes (suffix k, M, G or T; default 64G)");
    auto* run = a.run_command = app.add_subcommand("run", "simulate one network and write its spikes (SONATA, HDF5)");
    run->add_option("config", a.file, "TOML file of key = value lines")->check(CLI::ExistingFile);
    run->add_option("--set", a.sets, "set a configuration key: --set key=value (repeatable)");
    run->add_option("-o,--output", a.output,
                    "output HDF5 file (written to a temporary beside it, renamed when complete)");
    run->add_flag("--save-graph", a.run.save_graph,
                  "also write the synapses as SONATA edges with their indices (/edges/<population>)");
    run->add_option("--checkpoint", a.run.checkpoint,
                    "write the run's state here at the end and when a signal stops it (HDF5)");
    run->add_option("--checkpoint-every", a.checkpoint_every,
                    "also every this much simulated time, e.g. 100ms (default file: <output>.ckpt)");
    run->add_option("--restart", a.run.restart,
                    "continue the run saved in this checkpoint (--set t_stop=... to extend)")
        ->check(CLI::ExistingFile);
    a.dry_run.ranks = 0;
    auto* dry = run->add_option("--dry-run", a.dry_run.ranks,
                                "size one rank of a job of RANKS ranks, in this one process, without simulating: "
                                "writes a JSON record (to -o, default dry_run.json; docs/user-guide.md)")
                    ->type_name("RANKS");
    run->add_option("--as-rank", a.dry_run.rank, "with --dry-run: the rank to play (default 0)")
        ->type_name("R")
        ->needs(dry);
    run->add_option("--rate", a.dry_run.rate_hz,
                    "with --dry-run: the network's mean firing rate [Hz] for the exchange per step (default: the "
                    "rate of an uncoupled neuron)")
        ->type_name("HZ")
        ->check(CLI::NonNegativeNumber)
        ->needs(dry);
    run->add_option("--simulate", a.dry_run.simulate_ms,
                    "with --dry-run: also simulate the rank's neurons this long [ms], the input from other ranks "
                    "replaced by Poisson spikes at --rate, to time their update")
        ->type_name("MS")
        ->needs(dry);
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
    sweep->add_option("--max-members", a.sweep.max_members,
                      "refuse a sweep of more members than this (points x seeds; default " +
                          std::to_string(default_max_members) + ")");
    sweep->add_flag("--save-graph", a.sweep.save_graph,
                    "also write each member's synapses as SONATA edges into its run file (with --member-output)");
    sweep->footer(keys_help());
    a.info_command = app.add_subcommand("info", "print the configuration, counts and measures of a run file");
    a.info_command->add_option("file", a.info_file, "lifnet output file (HDF5)")->required();
}

bool is_dry_run(const arguments& a) {
    return a.run_command->parsed() && a.run_command->count("--dry-run") > 0;
}

std::string dry_run_output(const arguments& a) {
    return a.run_command->count("--output") > 0 ? a.output : "dry_run.json";
}

} // namespace lifnet::cli
