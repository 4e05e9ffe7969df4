// Google Benchmark kernels that need MPI, run under mpirun at any number of
// ranks (rank 0 reports; every rank runs the same fixed iteration counts, so
// the collectives match):
//   exchange       one epoch's spike exchange, S spikes per rank, by
//                  all-gather or to neighbours: spikes/s over all ranks,
//                  epochs/s, and bytes sent per epoch by rank 0
//   spike_writer   appending and flushing 2^20 spikes to the SONATA spikes of
//                  a parallel HDF5 file: MB/s (16 bytes a spike)
//   report_writer  flushing 256 samples of 10^4 neurons per rank (float32)
//                  to the membrane-potential report, each rank's neurons a
//                  block of ids (/0) or interleaved with the others' (/1): MB/s
//
//   mpirun -np 4 build/benchmarks/mpi_kernels [--benchmark_repetitions=5]
// The files go to $TMPDIR (default /tmp) and are removed.
#include "exchange/exchange.hpp"
#include "io/output.hpp"
#include "io/report.hpp"
#include "measures/measures.hpp"

#include <benchmark/benchmark.h>
#include <boost/mpi/communicator.hpp>
#include <boost/mpi/environment.hpp>

#include <algorithm>
#include <cstdlib>
#include <string>

using namespace lifnet;

namespace {

std::string scratch_file(const char* name) {
    const char* dir = std::getenv("TMPDIR");
    return std::string(dir && *dir ? dir : "/tmp") + "/lifnet-bench-" + name + ".h5";
}

// S spikes per rank in one epoch of 10 steps, each of a different neuron.
// Each rank holds a block of S ids and needs the spikes of its own block
// and its two neighbours' blocks (a ring of ranks, as a good partition of a
// WS graph comes close to): routing 0 (allgather) still sends every spike
// to every rank, routing 1 (neighbour) to two.
void exchange(benchmark::State& state) {
    const boost::mpi::communicator world;
    const auto per_rank = static_cast<std::uint64_t>(state.range(0));
    const int size = world.size(), rank = world.rank();
    std::vector<std::uint64_t> ids, sources;
    for (std::uint64_t i = 0; i < per_rank; ++i) ids.push_back(rank * per_rank + i);
    for (int r: {rank - 1, rank, rank + 1})
        for (std::uint64_t i = 0; i < per_rank; ++i) sources.push_back((r + size) % size * per_rank + i);
    std::sort(sources.begin(), sources.end());
    sources.erase(std::unique(sources.begin(), sources.end()), sources.end());
    spike_exchange ex(state.range(1) ? spike_routing::neighbour : spike_routing::allgather, per_rank * size, ids,
                      sources, world);
    std::vector<local_spike> fired;
    for (std::uint32_t i = 0; i < per_rank; ++i) fired.push_back({i % 10, i});
    for (auto _: state) {
        ex.exchange(fired, ids, false);
        benchmark::DoNotOptimize(ex.received().data());
    }
    const auto epochs = static_cast<double>(state.iterations());
    state.counters["spikes/s"] =
        benchmark::Counter(epochs * static_cast<double>(per_rank * size), benchmark::Counter::kIsRate);
    state.counters["epochs/s"] = benchmark::Counter(epochs, benchmark::Counter::kIsRate);
    state.counters["bytes sent/epoch"] = static_cast<double>(ex.bytes_sent()) / epochs;
    state.counters["ranks"] = size;
}
BENCHMARK(exchange)
    ->ArgNames({"spikes", "neighbour"})
    ->ArgsProduct({{50, 500, 5000}, {0, 1}})
    ->Iterations(1000)
    ->UseRealTime();

void spike_writer_bench(benchmark::State& state) {
    const boost::mpi::communicator world;
    constexpr std::size_t count = std::size_t(1) << 20;
    std::vector<spike> own; // this rank's share, 64 spikes a step over all ranks
    for (std::size_t i = world.rank(); i < count; i += world.size())
        own.push_back({static_cast<std::int64_t>(i / 64), i % 64 * 1000});
    output_file file(scratch_file("spikes"), world);
    spike_writer writer(file.root(), "net", 0.1, world);
    std::uint64_t appended = 0; // all ranks'
    for (auto _: state) {
        appended += count;
        writer.append(own, appended);
        writer.flush(appended);
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * count * 16));
    state.counters["ranks"] = world.size();
} // not committed: the file is removed
BENCHMARK(spike_writer_bench)->Name("spike_writer")->Iterations(10)->UseRealTime()->Unit(benchmark::kMillisecond);

void report_writer_bench(benchmark::State& state) {
    const boost::mpi::communicator world;
    constexpr std::size_t per_rank = 10000, samples = 256;
    config c;
    c.N = per_rank * world.size();
    c.t_stop = 10000;
    c.t_transient = 0;
    c.record = "all";
    std::vector<std::uint64_t> ids(per_rank);
    // Arg 0: a block of ids per rank (as partition = block gives); 1: ids
    // interleaved across ranks (as partition = random comes close to).
    const bool interleaved = state.range(0) == 1;
    for (std::size_t i = 0; i < per_rank; ++i)
        ids[i] = interleaved ? i * world.size() + world.rank() : world.rank() * per_rank + i;
    const std::vector<double> V(per_rank, -60.0);
    output_file file(scratch_file("report"), world);
    report_writer report(file.root(), c, record_selection(c), ids, sample_grid(c), world);
    for (auto _: state) {
        for (std::size_t s = 0; s < samples; ++s) report.sample(V);
        report.flush();
    }
    state.SetBytesProcessed(
        static_cast<std::int64_t>(state.iterations() * samples * per_rank * world.size() * sizeof(float)));
    state.counters["ranks"] = world.size();
}
BENCHMARK(report_writer_bench)
    ->Name("report_writer")
    ->Arg(0)
    ->Arg(1)
    ->Iterations(10)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

// Prints nothing: the reporter of every rank but 0.
class silent: public benchmark::BenchmarkReporter {
public:
    bool ReportContext(const Context&) override { return true; }
    void ReportRuns(const std::vector<Run>&) override {}
};

} // namespace

int main(int argc, char** argv) {
    const boost::mpi::environment env(argc, argv);
    benchmark::Initialize(&argc, argv);
    if (boost::mpi::communicator().rank() == 0)
        benchmark::RunSpecifiedBenchmarks();
    else {
        silent quiet;
        benchmark::RunSpecifiedBenchmarks(&quiet);
    }
    benchmark::Shutdown();
}
