#include "io/safe_output.hpp"

#include "comm/mpi_util.hpp"

#include <lifnet/errors.hpp>

#include <fcntl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <optional>

namespace lifnet {

namespace {

namespace fs = std::filesystem;

// Open MPI 4.1's MPI-IO aborts ("buffer overflow detected") when it opens a
// path of more than 234 bytes: its lockedfile component writes the path,
// ".locktest." and the rank into a char[256] with sprintf. So a temporary,
// the path MPI-IO sees, starts with at most this much of the target's name,
// and its folder is named the shorter way (as given, or relative to the
// working folder); a temporary that is still too long is refused.
constexpr std::size_t temporary_prefix = 64;
constexpr std::size_t mpi_io_path_max = 256 - sizeof(".locktest.") - 10; // 10: the digits of an int rank

std::string folder_of(const std::string& path) {
    const auto parent = fs::path(path).parent_path().string();
    return parent.empty() ? "." : parent;
}

std::string errno_text() {
    return std::strerror(errno);
}

// Where a file is: its device and inode when it exists, else its resolved
// folder and name (so that `x` and `./x` are one file before either exists).
struct identity {
    bool exists = false;
    dev_t dev = 0;
    ino_t ino = 0;
    std::string where;
    bool operator==(const identity& o) const {
        return exists == o.exists && (exists ? dev == o.dev && ino == o.ino : where == o.where);
    }
};

identity identify(const std::string& path) {
    identity id;
    struct stat st {};
    if (::stat(path.c_str(), &st) == 0) {
        id.exists = true;
        id.dev = st.st_dev;
        id.ino = st.st_ino;
        return id;
    }
    std::error_code ec;
    const auto folder = fs::weakly_canonical(folder_of(path), ec);
    id.where = (ec ? fs::path(folder_of(path)) : folder).string() + "/" + fs::path(path).filename().string();
    return id;
}

[[noreturn]] void refuse(const command_file& f, const std::string& why) {
    throw config_error({{f.option, "'" + f.path + "' " + why, f.path}});
}

// Everything about one output that this rank can see.
void check_output(const command_file& f) {
    const auto name = fs::path(f.path).filename().string();
    if (name.empty() || name == "." || name == "..") refuse(f, "names a folder, not a file");
    struct stat st {};
    if (::stat(f.path.c_str(), &st) == 0 && !S_ISREG(st.st_mode)) refuse(f, "exists and is not a regular file");
    const auto folder = folder_of(f.path);
    if (::stat(folder.c_str(), &st) != 0) refuse(f, "cannot be written: its folder " + folder + ": " + errno_text());
    if (!S_ISDIR(st.st_mode)) refuse(f, "cannot be written: " + folder + " is not a folder");
    const long name_max = ::pathconf(folder.c_str(), _PC_NAME_MAX);
    if (name_max > 0 && name.size() > static_cast<std::size_t>(name_max))
        refuse(f, "cannot be written: its name is longer than the " + std::to_string(name_max) +
                      " bytes the file system allows");
    // The only sure test that the folder takes a new file (permissions, a
    // read-only mount, root's privileges) is to create one.
    try {
        const auto probe = create_temporary(f.path, f.mpi_io);
        ::unlink(probe.c_str());
    }
    catch (const file_error& e) {
        refuse(f, "cannot be written: " + std::string(e.what()));
    }
}

} // namespace

void check_command_files(const std::vector<command_file>& outputs, const std::vector<command_file>& inputs,
                         const boost::mpi::communicator& comm) {
    run_collectively(comm, [&] {
        std::vector<config_error::problem> problems;
        std::vector<std::pair<const command_file*, identity>> seen;
        for (const auto& in: inputs)
            if (!in.path.empty()) seen.emplace_back(&in, identify(in.path));
        const std::size_t input_count = seen.size();
        for (const auto& out: outputs) {
            if (out.path.empty()) continue;
            try {
                check_output(out);
                const auto id = identify(out.path);
                for (std::size_t i = 0; i < seen.size(); ++i) {
                    const auto& [other, other_id] = seen[i];
                    if (!(other_id == id)) continue;
                    if (i < input_count && other->may_be_output == out.option) continue;
                    refuse(out, i < input_count ? "is also an input of this command (" + other->option + ")"
                                                : "is the same file as " + other->option);
                }
                seen.emplace_back(&out, id);
            }
            catch (const config_error& e) {
                problems.insert(problems.end(), e.problems.begin(), e.problems.end());
            }
        }
        if (!problems.empty()) throw config_error(std::move(problems));
    });
}

std::string create_temporary(const std::string& target, bool mpi_io) {
    const auto name = fs::path(target).filename().string();
    auto folder = folder_of(target);
    std::error_code ec;
    const auto relative = fs::relative(folder, ec).string();
    if (!ec && !relative.empty() && relative.size() < folder.size()) folder = relative;
    const auto stem = (fs::path(folder) / name.substr(0, temporary_prefix)).string();
    const auto length = stem.size() + 21; // ".<16 hex digits>.tmp"
    if (mpi_io && length > mpi_io_path_max)
        throw file_error(target, "its temporary's path would have " + std::to_string(length) +
                                     " characters; Open MPI's MPI-IO takes at most " + std::to_string(mpi_io_path_max) +
                                     " (a fixed buffer): use a shorter folder path, or run closer to the folder");
    for (int attempt = 0; attempt < 100; ++attempt) {
        std::uint64_t random = 0;
        if (::getrandom(&random, sizeof random, 0) != sizeof random) random ^= ::getpid() * 0x9e3779b97f4a7c15ull;
        char suffix[32];
        std::snprintf(suffix, sizeof suffix, ".%016llx.tmp", static_cast<unsigned long long>(random));
        const auto path = stem + suffix;
        // O_EXCL with O_CREAT fails on any existing name, a symlink too.
        const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
        if (fd >= 0) {
            ::close(fd);
            return path;
        }
        if (errno != EEXIST) throw file_error(path, "cannot create a temporary file: " + errno_text());
    }
    throw file_error(stem, "cannot find a free temporary file name");
}

void replace_with(const std::string& temporary, const std::string& target) {
    // The target may have changed since the check: never replace a
    // directory, device, FIFO or socket (as root, rename would).
    struct stat st {};
    if (::lstat(target.c_str(), &st) == 0 && !S_ISREG(st.st_mode) && !S_ISLNK(st.st_mode)) {
        ::unlink(temporary.c_str());
        throw file_error(target, "exists and is not a regular file; not replaced");
    }
    if (std::rename(temporary.c_str(), target.c_str()) != 0) {
        const auto why = errno_text();
        ::unlink(temporary.c_str());
        throw file_error(target, "cannot move the finished file into place: " + why);
    }
}

void write_file_safely(const std::string& target, const std::string& text) {
    const auto tmp = create_temporary(target, false);
    std::string why;
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_TRUNC | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) why = errno_text();
    for (std::size_t done = 0; why.empty() && done < text.size();) {
        const auto n = ::write(fd, text.data() + done, text.size() - done);
        if (n <= 0)
            why = errno_text();
        else
            done += static_cast<std::size_t>(n);
    }
    if (why.empty() && ::fsync(fd) != 0) why = errno_text();
    if (fd >= 0 && ::close(fd) != 0 && why.empty()) why = errno_text();
    if (!why.empty()) {
        ::unlink(tmp.c_str());
        throw file_error(target, "cannot write: " + why);
    }
    replace_with(tmp, target);
}

} // namespace lifnet
