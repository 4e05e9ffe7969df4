#include "run/memory.hpp"

#include "comm/mpi_util.hpp"
#include "delivery/delivery.hpp"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <ctime>
#include <iterator>
#include <sstream>
#include <limits>
#include <string>
#include <sys/stat.h>
#include <unistd.h>

namespace lifnet {

std::uint64_t estimate_bytes_per_rank(const config& c, int ranks) {
    // Bytes per synapse while the graph is built and partitioned (edge
    // registry, compressed rows, the migration buffers, PETSc's and
    // PT-Scotch's copies), and per neuron and synapse while simulating
    // (state, delay ring, connection list, measure accumulators). Measured
    // at k = 10 (docs/performance.md): set-up 631 B per neuron on 1 rank,
    // 864 B on 2; loop 234 B on 1 rank, 265 B on 2. A file graph is sized by
    // its file.
    const double n = static_cast<double>(c.N) / ranks;
    double synapses = n * static_cast<double>(c.k);
    if (c.graph == graph_model::file) {
        // Sized without opening it (a FIFO would block); the reader refuses what is not a regular file.
        struct stat st {};
        const bool regular = stat(c.graph_file.c_str(), &st) == 0 && S_ISREG(st.st_mode);
        synapses = regular ? static_cast<double>(st.st_size) / 4 / ranks : 0; // >= 2 bytes per id, 2 synapses per line
    }
    const double build = 80 * synapses + 64 * n;
    const double ring = 2.0 * sizeof(input_count) * static_cast<double>(c.delay_steps() + 1);
    const double simulate = (100 + ring) * n + 12 * synapses + (16 << 20); // + report and spike buffers
    return static_cast<std::uint64_t>(std::max(build, simulate));
}

namespace {
// MemAvailable from /proc/meminfo [bytes]; 0 when unknown.
std::uint64_t available_bytes() {
    std::ifstream in("/proc/meminfo");
    std::string key;
    std::uint64_t kb = 0;
    std::string unit;
    while (in >> key >> kb >> unit)
        if (key == "MemAvailable:") return kb * 1024;
    return 0;
}

std::string gib(double bytes) {
    char text[32];
    std::snprintf(text, sizeof text, "%.2f GiB", bytes / (1 << 30));
    return text;
}
} // namespace

std::uint64_t peak_resident_bytes() {
    std::ifstream in("/proc/self/status");
    std::string key;
    while (in >> key) {
        if (key == "VmHWM:") {
            std::uint64_t kb = 0;
            in >> kb;
            return kb * 1024;
        }
        in.ignore(std::numeric_limits<std::streamsize>::max(), '\n');
    }
    return 0;
}

std::uint64_t resident_bytes() {
    std::ifstream in("/proc/self/statm");
    std::uint64_t size = 0, resident = 0;
    if (!(in >> size >> resident)) return 0;
    return resident * static_cast<std::uint64_t>(sysconf(_SC_PAGESIZE));
}

void check_memory(const config& c, const boost::mpi::communicator& comm) {
    const int on_node = ranks_on_this_node(comm);
    run_collectively(comm, [&] {
        const auto need = estimate_bytes_per_rank(c, comm.size());
        const auto have = available_bytes();
        if (have && static_cast<double>(need) * on_node > static_cast<double>(have))
            throw config_error({config_error::problem{
                "N", "this run needs about " + gib(need) + " per rank (" + std::to_string(on_node) +
                         " ranks on this node: " + gib(static_cast<double>(need) * on_node) + "), but " + gib(have) +
                         " is available; use more nodes or a smaller network"}});
    });
}

double process_age_seconds() {
    // Field 22 of /proc/self/stat, after the command name in parentheses
    // (which may hold spaces): the start time in clock ticks since boot.
    std::ifstream in("/proc/self/stat");
    std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const auto close = stat.rfind(')');
    if (close == std::string::npos) return 0;
    std::istringstream fields(stat.substr(close + 2));
    std::string field;
    for (int i = 3; i < 22 && fields >> field;) ++i;
    unsigned long long ticks = 0;
    timespec now{};
    if (!(fields >> ticks) || clock_gettime(CLOCK_BOOTTIME, &now) != 0) return 0;
    const double age = static_cast<double>(now.tv_sec) + 1e-9 * static_cast<double>(now.tv_nsec) -
                       static_cast<double>(ticks) / static_cast<double>(sysconf(_SC_CLK_TCK));
    return std::max(0.0, age);
}

} // namespace lifnet
