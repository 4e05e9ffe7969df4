#include "run/memory.hpp"

#include "comm/mpi_util.hpp"
#include "delivery/delivery.hpp"
#include "measures/measures.hpp"

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <iterator>
#include <limits>
#include <sstream>
#include <string>
#include <sys/stat.h>
#include <unistd.h>

namespace lifnet {

namespace {

// Saturating arithmetic: an estimate that overflows is "more than any
// machine has", never a small number.
constexpr std::uint64_t saturated = std::numeric_limits<std::uint64_t>::max();
std::uint64_t add(std::uint64_t a, std::uint64_t b) {
    std::uint64_t r;
    return __builtin_add_overflow(a, b, &r) ? saturated : r;
}
std::uint64_t mul(std::uint64_t a, std::uint64_t b) {
    std::uint64_t r;
    return __builtin_mul_overflow(a, b, &r) ? saturated : r;
}

} // namespace

std::uint64_t estimate_bytes_per_rank(const config& c, int ranks) {
    // Bytes per synapse while the graph is built and partitioned (edge
    // registry, compressed rows, the migration buffers, PETSc's and
    // PT-Scotch's copies), and per neuron and synapse while simulating
    // (state, delay ring, connection list, measure accumulators). Measured
    // at k = 10 (docs/performance.md): set-up 631 B per neuron on 1 rank,
    // 864 B on 2; loop 234 B on 1 rank, 265 B on 2; er at k = 4 set-up 403 B
    // per neuron on 1 rank (hence 160 B per neuron besides the synapses). A
    // file graph is sized by its file. Valid configurations only
    // (validate()): step counts fit.
    const auto R = static_cast<std::uint64_t>(ranks);
    const std::uint64_t n = c.N / R + (c.N % R != 0); // neurons on the fullest rank
    std::uint64_t synapses = mul(n, c.k);
    if (c.graph == graph_model::file) {
        // Sized without opening it (a FIFO would block); the reader refuses what is not a regular file.
        struct stat st {};
        const bool regular = stat(c.graph_file.c_str(), &st) == 0 && S_ISREG(st.st_mode);
        synapses =
            regular ? static_cast<std::uint64_t>(st.st_size) / 4 / R + 1 : 0; // >= 2 bytes per id, 2 synapses per line
    }
    const std::uint64_t build = add(mul(80, synapses), mul(160, n));
    // Per neuron: state and accumulators, the delay ring of D + 1 steps, and
    // the voltage samples of two epochs (at most D steps each): the one
    // being simulated, and the one whose V̄ is in flight.
    const auto D = static_cast<std::uint64_t>(c.delay_steps());
    const sample_grid grid(c);
    const auto samples = static_cast<std::uint64_t>(grid.count());
    const std::uint64_t per_epoch = std::min(samples, D / static_cast<std::uint64_t>(grid.stride) + 1);
    const std::uint64_t per_neuron = add(add(100, mul(2 * sizeof(input_count), add(D, 1))), mul(16, per_epoch));
    // Per sample, on every rank: V̄(t) and its copy in the results (16 B),
    // the sample times (8 B), the phase sums of R (32 B), and a
    // checkpoint's global copies of both (40 B).
    const std::uint64_t per_sample = 96;
    // + report and spike buffers (16 MB), the spike measures' batch (1 MB).
    const std::uint64_t simulate =
        add(add(add(mul(per_neuron, n), mul(12, synapses)), mul(per_sample, samples)), 17 << 20);
    return std::max(build, simulate);
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
