// The `lifnet` command: a thin front end that answers --help, --version and
// every error of the command line and of a configuration (file and --set
// flags) on its own, in milliseconds: it loads neither MPI, HDF5 nor PETSc.
// Started as one of several ranks, it leaves all of that to the engine.
// Everything else it hands to the engine, `lifnet-engine` beside it, by
// exec (the same process, arguments and environment, so mpirun and SLURM
// see one process per rank). The engine parses and checks the same command
// line again, with the same code (src/cli/commands.cpp).
#include "cli/commands.hpp"
#include "sweep/spec.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>

#include <unistd.h>

namespace {

using namespace lifnet;
using namespace lifnet::cli;

// Started as one rank of several by an MPI launcher (mpirun, srun). Then the
// engine answers everything, in every rank: its checks are agreed across
// the ranks, and rank 0 reports them once. (Here a rank that stopped
// alone at a bad configuration could be killed by mpirun before its
// message is out, or leave srun's other tasks waiting in MPI_Init.)
bool one_of_several_ranks() {
    for (const char* name: {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "SLURM_NTASKS"})
        if (const char* size = std::getenv(name)) return std::strtol(size, nullptr, 10) > 1;
    return false;
}

// Everything in the command line that can be checked without MPI. A restart
// takes its configuration from the checkpoint (HDF5): the engine checks it.
void check(const arguments& a) {
    apply_global_options(a);
    if (a.info_command->parsed() || (a.run_command->parsed() && !a.run.restart.empty())) return;
    problem_list problems;
    const config c = resolve(config{}, a.file, a.sets, problems);
    if (a.sweep_command->parsed()) {
        const auto spec = resolve_sweep(a, problems);
        problems.throw_if_any();
        check_sweep(spec);
        sweep_members(c, spec); // every member's configuration
    }
    problems.throw_if_any();
    if (a.run_command->parsed() && !a.checkpoint_every.empty()) checkpoint_interval(c, a.checkpoint_every);
    if (is_dry_run(a)) check_dry_run(c, a.dry_run);
}

// The engine's path: lifnet-engine in the folder of this executable.
std::string engine_path() {
    std::string self(4096, '\0');
    const auto n = readlink("/proc/self/exe", self.data(), self.size());
    if (n <= 0 || static_cast<std::size_t>(n) >= self.size()) return "lifnet-engine"; // then found on PATH
    self.resize(static_cast<std::size_t>(n));
    return self.substr(0, self.rfind('/') + 1) + "lifnet-engine";
}

} // namespace

int main(int argc, char** argv) {
    const auto engine = engine_path();
    if (one_of_several_ranks()) execvp(engine.c_str(), argv);
    CLI::App app{"lifnet: leaky integrate-and-fire networks on small-world graphs, distributed with MPI"};
    arguments args;
    define_commands(app, args);
    try {
        app.parse(argc, argv);
        check(args);
    }
    catch (const CLI::ParseError& e) {
        // Help and version go to stdout with 0; a bad flag is bad input: 2.
        const int code = app.exit(e);
        return code == 0 ? 0 : 2;
    }
    catch (const std::exception& e) { // a configuration error or an unreadable file
        std::cerr << "lifnet: " << e.what() << "\n";
        return exit_code_of(e);
    }
    execvp(engine.c_str(), argv);
    std::cerr << "lifnet: cannot start the engine " << engine << ": " << std::strerror(errno) << "\n";
    return 1;
}
