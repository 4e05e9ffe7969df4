#pragma once
// Input files (issue 13): config and graph files must be regular files no
// larger than the input cap, so that /dev/zero, a FIFO or a directory is
// refused at once instead of being read without end (or waited on).
#include <lifnet/input.hpp>

#include <cstdint>
#include <string>

namespace lifnet {

// file_error unless `path` names a regular file (symbolic links followed).
void check_regular_file(const std::string& path);

// A regular file within the cap, opened without blocking (a FIFO with no
// writer would block) and checked on the open descriptor, so that nothing
// can be swapped in between the check and the reads. Reads stop at the size
// it had when opened.
class input_file {
public:
    explicit input_file(const std::string& path);
    input_file(const input_file&) = delete;
    input_file& operator=(const input_file&) = delete;
    ~input_file();

    std::uint64_t size() const { return size_; }
    // The next line, without its '\n'; false at the end of the file.
    bool getline(std::string& line);
    // Everything not read yet.
    std::string rest();

private:
    bool fill(); // false at the end
    std::string path_;
    int fd_ = -1;
    std::uint64_t size_ = 0, read_ = 0; // bytes in the file when opened, bytes read so far
    std::string buffer_;
    std::size_t at_ = 0; // next unread byte of buffer_
};

} // namespace lifnet
