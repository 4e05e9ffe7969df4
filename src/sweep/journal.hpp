#pragma once
// The sweep journal: one line per finished member, appended, flushed and
// fsync'd as it finishes, so a killed sweep loses only the members in
// flight. Each line ends with a checksum of itself, which alone decides
// whether a line counts: a torn or damaged line (a kill mid-write, a full
// disk) is ignored when read back, a complete one that lost only its
// newline counts, and the next record starts on a line of its own.
#include <cstdint>
#include <string>
#include <vector>

namespace lifnet {

struct journal_record {
    std::string hash; // of the member's resolved configuration
    std::uint64_t index = 0;
    std::uint64_t seed = 0;
    int group = 0; // the group (of ranks) that ran it
    double wall_seconds = 0;
    std::string status; // "ok", or "failed: <why>"
    double chi = 0, E = 0, R = 0, rate_hz = 0, cv = 0;
    std::vector<std::string> values; // of the varied keys
};

// The records of an existing journal (none if it does not exist).
std::vector<journal_record> read_journal(const std::string& path);

// Appends one record with a single write(2) and fsync(2).
void append_journal(const std::string& path, const journal_record& r);

// FNV-1a, as 16 hex digits.
std::string hash_text(const std::string& text);

} // namespace lifnet
