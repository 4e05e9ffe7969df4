#include "sweep/journal.hpp"

#include <lifnet/errors.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

namespace lifnet {

namespace {
constexpr const char* format_version = "lifnet-journal-1";

std::string number(double x) {
    char text[32];
    std::snprintf(text, sizeof text, "%.17g", x);
    return text;
}

// Fields are tab-separated; no field may hold a tab or a newline.
std::string clean(std::string s) {
    for (auto& ch: s)
        if (ch == '\t' || ch == '\n') ch = ' ';
    return s;
}
} // namespace

std::string hash_text(const std::string& text) {
    std::uint64_t h = 0xcbf29ce484222325ull;
    for (unsigned char ch: text) {
        h ^= ch;
        h *= 0x100000001b3ull;
    }
    char out[17];
    std::snprintf(out, sizeof out, "%016llx", static_cast<unsigned long long>(h));
    return out;
}

std::vector<journal_record> read_journal(const std::string& path) {
    std::vector<journal_record> records;
    std::ifstream in(path);
    std::string line;
    while (std::getline(in, line)) {
        // The last field is a checksum of the rest: a damaged line is not done.
        const auto tab = line.rfind('\t');
        if (tab == std::string::npos || line.substr(tab + 1) != hash_text(line.substr(0, tab))) continue;
        line.resize(tab);
        std::vector<std::string> f;
        std::istringstream fields(line);
        for (std::string field; std::getline(fields, field, '\t');) f.push_back(field);
        if (f.size() < 12 || f[0] != format_version) continue;
        journal_record r;
        try {
            r.hash = f[1];
            r.index = std::stoull(f[2]);
            r.seed = std::stoull(f[3]);
            r.group = std::stoi(f[4]);
            r.wall_seconds = std::stod(f[5]);
            r.status = f[6];
            r.chi = std::stod(f[7]);
            r.E = std::stod(f[8]);
            r.R = std::stod(f[9]);
            r.rate_hz = std::stod(f[10]);
            r.cv = std::stod(f[11]);
        }
        catch (const std::exception&) {
            continue; // a damaged line counts as not done
        }
        r.values.assign(f.begin() + 12, f.end());
        records.push_back(std::move(r));
    }
    return records;
}

void append_journal(const std::string& path, const journal_record& r) {
    std::string line = std::string(format_version) + "\t" + r.hash + "\t" + std::to_string(r.index) + "\t" +
                       std::to_string(r.seed) + "\t" + std::to_string(r.group) + "\t" + number(r.wall_seconds) + "\t" +
                       clean(r.status);
    for (double x: {r.chi, r.E, r.R, r.rate_hz, r.cv}) line += "\t" + number(x);
    for (const auto& v: r.values) line += "\t" + clean(v);
    line += "\t" + hash_text(line) + "\n";
    // Never through a symlink, never into anything but a regular file.
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK, 0644);
    if (fd < 0) throw file_error(path, std::string("cannot open the journal: ") + std::strerror(errno));
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        ::close(fd);
        throw file_error(path, "the journal is not a regular file");
    }
    // After a torn last line, start on a fresh one so the fragment stays apart.
    char last = '\n';
    if (::lseek(fd, -1, SEEK_END) >= 0 && ::read(fd, &last, 1) == 1 && last != '\n') line.insert(0, "\n");
    const auto written = ::write(fd, line.data(), line.size());
    const bool synced = ::fsync(fd) == 0;
    ::close(fd);
    if (written != static_cast<ssize_t>(line.size()) || !synced)
        throw file_error(path, std::string("cannot append to the journal: ") + std::strerror(errno));
}

} // namespace lifnet
