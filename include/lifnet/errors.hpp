#pragma once
// Two roots (STYLE.md): a bug in lifnet is an internal_error; a problem with
// the user's input or environment is a lifnet::error, whose subclasses carry
// the facts as fields.
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace lifnet {

struct internal_error: std::logic_error {
    using std::logic_error::logic_error;
};

struct error: std::runtime_error {
    using std::runtime_error::runtime_error;
};

// One or more configuration keys are invalid; every problem is listed.
struct config_error: error {
    struct problem {
        std::string key;
        std::string message;
        std::string path = {}; // the file, when the key names one that cannot be used (an output)
    };
    explicit config_error(std::vector<problem> problems);
    std::vector<problem> problems;
};

// A file (config, edge list, output) could not be read or written.
struct file_error: error {
    file_error(std::string path, std::string message, std::uint64_t line = 0);
    std::string path;
    std::uint64_t line; // 1-based; 0 when the problem is not tied to a line
};

// A call into MPI, HDF5 or PETSc failed.
struct library_error: error {
    library_error(std::string call, std::string message);
    std::string call;
};

// A failure that every rank of a communicator has agreed on: thrown on all
// of them with the message of the lowest failing rank, so the job ends
// cleanly instead of hanging in a collective.
struct collective_error: error {
    collective_error(int rank, int exit_code, const std::string& message);
    int rank;      // the lowest rank that failed
    int exit_code; // 2 for bad input (config or file), 1 otherwise
};

// The exit code lifnet uses for an exception: 2 for bad input, 3 for a stop
// by a signal (lifnet::interrupted), 1 otherwise.
int exit_code_of(const std::exception& e);

} // namespace lifnet
