#pragma once
// The one way lifnet writes a file (issue 13): every output (run file,
// checkpoint, sweep summary, journal, member files, JSON side files) is
// checked before any work starts, written to a temporary of its own and
// renamed into place when complete.
//
// Overwrite policy: an existing regular file at an output's path is replaced,
// atomically and only when the new file is complete; until then the old one
// stays untouched. A path that exists and is not a regular file (a directory,
// device node, FIFO or socket, or a symlink to one) is refused, and so is an
// output that is also a file the same command reads, compared by identity
// (device and inode: hard links and symlinks count), not by name.
#include <boost/mpi/communicator.hpp>

#include <string>
#include <vector>

namespace lifnet {

// A file of the command, named in messages by the option or key that gave
// it ("-o", "--checkpoint", "config", "graph_file").
struct command_file {
    std::string option;
    std::string path;
    // An input that may also be written as the output of this option: a
    // restart's checkpoint, read whole before it is first replaced.
    std::string may_be_output = {};
    // An output written through MPI-IO (an HDF5 file), whose temporary's
    // path must fit Open MPI's limit (see create_temporary).
    bool mpi_io = true;
};

// Collective: throws the same config_error on every rank, naming the option,
// unless every output can be written where it is going (its folder exists
// and takes a new file, its name fits, it is not something other than a
// regular file), no two outputs are the same file, and no output is an input.
// Empty paths are ignored.
void check_command_files(const std::vector<command_file>& outputs, const std::vector<command_file>& inputs,
                         const boost::mpi::communicator& comm);

// Creates an empty temporary for `target` in target's folder, exclusively
// (O_EXCL: never through a symlink, never a file that exists) and with a name
// no other run can pick: `<start of target's name>.<random>.tmp`, short
// enough for any valid target name. With `mpi_io`, a temporary path that
// Open MPI's MPI-IO could not open is refused (file_error). Returns its path.
std::string create_temporary(const std::string& target, bool mpi_io = true);

// Renames the complete `temporary` over `target` (file_error, with the
// temporary removed, when target has meanwhile become something other than
// a regular file or the rename fails).
void replace_with(const std::string& temporary, const std::string& target);

// Writes `text` to `target` through a temporary (one process).
void write_file_safely(const std::string& target, const std::string& text);

} // namespace lifnet
