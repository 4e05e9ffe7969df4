#include "io/text_file.hpp"

#include <lifnet/errors.hpp>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

namespace lifnet {

void refuse_non_regular(const std::string& path) {
    std::error_code ec;
    const auto status = std::filesystem::status(path, ec);
    if (std::filesystem::exists(status) && !std::filesystem::is_regular_file(status))
        throw file_error(path, "exists and is not a regular file; lifnet replaces only regular files");
}

void write_text_atomically(const std::string& path, const std::string& text) {
    const auto tmp = path + ".tmp";
    refuse_non_regular(path);
    refuse_non_regular(tmp); // fopen would block on a FIFO
    std::FILE* f = std::fopen(tmp.c_str(), "w");
    if (!f) throw file_error(tmp, std::string("cannot create: ") + std::strerror(errno));
    const bool written = std::fwrite(text.data(), 1, text.size(), f) == text.size();
    if (std::fclose(f) != 0 || !written) {
        std::remove(tmp.c_str());
        throw file_error(tmp, "cannot write");
    }
    if (std::rename(tmp.c_str(), path.c_str()) != 0) {
        std::remove(tmp.c_str());
        throw file_error(path, std::string("cannot rename the finished file into place: ") + std::strerror(errno));
    }
}

} // namespace lifnet
