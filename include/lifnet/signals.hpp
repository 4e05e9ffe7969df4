#pragma once
// Stopping cleanly on a signal: SLURM sends SIGTERM (or, with
// #SBATCH --signal=B:USR1@60, SIGUSR1) before a time limit. The handler only
// sets a flag; runs check it at every spike exchange, agree on it across
// ranks, and stop together at the same epoch boundary.
#include <lifnet/errors.hpp>

#include <memory>

namespace lifnet {

// Installs handlers for SIGTERM, SIGUSR1 and SIGINT.
void install_stop_handlers();

// Whether one of those signals has arrived (in this process).
bool stop_requested();

// The same handlers for a caller that has its own (Python's): installed, with
// no stop requested yet, for the lifetime of the object, then the caller's
// handlers are restored.
class scoped_stop_handlers {
public:
    scoped_stop_handlers();
    ~scoped_stop_handlers();
    scoped_stop_handlers(const scoped_stop_handlers&) = delete;
    scoped_stop_handlers& operator=(const scoped_stop_handlers&) = delete;

private:
    struct saved;
    std::unique_ptr<saved> saved_;
};

// Thrown on every rank of a run that stopped because some rank was signalled.
struct interrupted: error {
    interrupted();
};

// The exit code for a run or sweep stopped by a signal: rerun to resume.
inline constexpr int exit_interrupted = 3;

} // namespace lifnet
