#pragma once
// The command line's subcommands and arguments, and the checks of a
// configuration that need no MPI, HDF5 or PETSc. Shared by the engine
// (src/cli/main.cpp) and the thin front end (src/cli/front.cpp), so that
// both parse and check a command line the same way.
#include "run/dry_run_options.hpp"

#include <lifnet/config.hpp>
#include <lifnet/errors.hpp>
#include <lifnet/simulation.hpp>
#include <lifnet/sweep.hpp>

#include <CLI/CLI.hpp>

#include <string>
#include <vector>

namespace lifnet::cli {

// The command line: the subcommands and what they were given.
struct arguments {
    std::string file, output = "lifnet.h5", checkpoint_every, seeds, info_file, max_input_size;
    std::vector<std::string> sets, vary;
    int ranks_per_member = 0;
    run_options run;
    dry_run_options dry_run; // dry_run.ranks = 0: no dry run
    sweep_spec sweep;
    CLI::App *run_command = nullptr, *sweep_command = nullptr, *info_command = nullptr;
};

void define_commands(CLI::App& app, arguments& a);

// Whether the run command is a dry run (--dry-run), and the path of its
// record: -o when given, else dry_run.json.
bool is_dry_run(const arguments& a);
std::string dry_run_output(const arguments& a);

// The options that hold for every subcommand (--max-input-size), applied to
// this process.
void apply_global_options(const arguments& a);

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

// The configuration of the TOML file and the --set flags on top of `base`
// (the defaults, or a checkpoint's for a restart), checked as a whole.
config resolve(config base, const std::string& file, const std::vector<std::string>& sets, problem_list& problems);

// The sweep of the command line: its [sweep] table, --vary, --seeds and
// --ranks-per-member on top of the sweep options.
sweep_spec resolve_sweep(const arguments& a, problem_list& problems);

// --checkpoint-every: "100ms" or "100", in ms, a whole number of steps of c.
double checkpoint_interval(const config& c, const std::string& text);

} // namespace lifnet::cli
