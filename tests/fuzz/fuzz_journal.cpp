// Any bytes as a sweep journal: read_journal returns the records whose
// checksums hold, never crashes; appending to it then keeps every record
// and adds exactly one.
#include "sweep/journal.hpp"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <unistd.h>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const std::string path = "/tmp/lifnet-fuzz-journal-" + std::to_string(getpid());
    std::ofstream(path, std::ios::binary)
        .write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
    const auto before = lifnet::read_journal(path);
    lifnet::journal_record r;
    r.hash = "0123456789abcdef";
    r.status = "ok";
    r.values = {"0.5"};
    lifnet::append_journal(path, r);
    const auto after = lifnet::read_journal(path);
    if (after.size() != before.size() + 1 || after.back().hash != r.hash) std::abort();
    std::remove(path.c_str());
    return 0;
}
