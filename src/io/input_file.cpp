#include "io/input_file.hpp"

#include <lifnet/errors.hpp>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace lifnet {

namespace {

std::uint64_t cap = default_max_input_size;

std::string kind_of(mode_t mode) {
    if (S_ISDIR(mode)) return "a directory";
    if (S_ISFIFO(mode)) return "a FIFO";
    if (S_ISCHR(mode)) return "a character device";
    if (S_ISBLK(mode)) return "a block device";
    if (S_ISSOCK(mode)) return "a socket";
    return "not a plain file";
}

void require_regular(const std::string& path, const struct stat& st) {
    if (!S_ISREG(st.st_mode)) throw file_error(path, "not a regular file (" + kind_of(st.st_mode) + ")");
}

} // namespace

void set_max_input_size(std::uint64_t bytes) {
    cap = bytes;
}

std::uint64_t max_input_size() {
    return cap;
}

std::uint64_t parse_input_size(const std::string& text) {
    std::uint64_t number = 0;
    const char* end = text.data() + text.size();
    auto [ptr, ec] = std::from_chars(text.data(), end, number);
    int shift = -1;
    if (ec == std::errc() && ptr + 1 >= end) {
        const std::string suffix(ptr, end);
        shift = suffix.empty()                   ? 0
                : suffix == "k" || suffix == "K" ? 10
                : suffix == "M"                  ? 20
                : suffix == "G"                  ? 30
                : suffix == "T"                  ? 40
                                                 : -1;
    }
    if (shift < 0 || number == 0 || number > (UINT64_MAX >> shift))
        throw config_error({{"--max-input-size", "'" + text +
                                                     "' is not a size of at least 1 byte below 2^64 (a "
                                                     "number of bytes, optionally with k, M, G or T)"}});
    return number << shift;
}

void check_regular_file(const std::string& path) {
    struct stat st {};
    if (stat(path.c_str(), &st) != 0) throw file_error(path, std::string("cannot open: ") + std::strerror(errno));
    require_regular(path, st);
}

input_file::input_file(const std::string& path): path_(path) {
    fd_ = open(path.c_str(), O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (fd_ < 0) throw file_error(path, std::string("cannot open: ") + std::strerror(errno));
    struct stat st {};
    try {
        if (fstat(fd_, &st) != 0) throw file_error(path, std::string("cannot stat: ") + std::strerror(errno));
        require_regular(path, st);
        size_ = static_cast<std::uint64_t>(st.st_size);
        if (size_ > cap)
            throw file_error(path, "has " + std::to_string(size_) + " bytes, more than the input cap of " +
                                       std::to_string(cap) + " (raise it with lifnet --max-input-size)");
    }
    catch (...) {
        close(fd_);
        throw;
    }
}

input_file::~input_file() {
    close(fd_);
}

bool input_file::fill() {
    constexpr std::uint64_t block = 1 << 20; // bytes per read
    if (read_ == size_) return false;
    buffer_.erase(0, at_);
    at_ = 0;
    const auto old = buffer_.size();
    const auto want = std::min(block, size_ - read_);
    buffer_.resize(old + want);
    const auto got = ::read(fd_, buffer_.data() + old, want);
    if (got < 0) throw file_error(path_, std::string("read error: ") + std::strerror(errno));
    buffer_.resize(old + static_cast<std::size_t>(got));
    read_ = got == 0 ? size_ : read_ + static_cast<std::uint64_t>(got); // a file truncated under us ends here
    return got > 0;
}

bool input_file::getline(std::string& line) {
    for (std::size_t from = at_;;) {
        const auto nl = buffer_.find('\n', from);
        if (nl != std::string::npos) {
            line.assign(buffer_, at_, nl - at_);
            at_ = nl + 1;
            return true;
        }
        from = buffer_.size() - at_; // offset of the unsearched bytes after fill() moves them to the front
        if (!fill()) break;
    }
    if (at_ == buffer_.size()) return false;
    line.assign(buffer_, at_); // a last line without '\n'
    at_ = buffer_.size();
    return true;
}

std::string input_file::rest() {
    while (fill()) {
    }
    std::string out = buffer_.substr(at_);
    at_ = buffer_.size();
    return out;
}

} // namespace lifnet
