// Google Benchmark kernels. Counters report per-item rates:
//   neuron_steps/s for the block update, normals/s for the noise,
//   events/s (synaptic deliveries) for delivery.
#include "delivery/delivery.hpp"
#include "measures/measures.hpp"
#include "neurons/neurons.hpp"
#include "neurons/noise.hpp"

#include <lifnet/random.hpp>

#include <benchmark/benchmark.h>
#include <boost/mpi/environment.hpp>

#include <numeric>
#include <string>
#include <string_view>

using namespace lifnet;

namespace {

// A block of N neurons through one epoch, with or without noise.
void block_update(benchmark::State& state) {
    config c;
    c.sigma = static_cast<double>(state.range(1));
    const auto N = static_cast<std::size_t>(state.range(0));
    std::vector<std::uint64_t> ids(N);
    std::iota(ids.begin(), ids.end(), 0);
    neuron_block block(c, ids, std::vector<double>(N, c.J));
    delay_ring ring(N, c.delay_steps()); // no input: advance() leaves it zero
    const sample_grid grid(c);
    const neuron_block::sampler none = [](std::int64_t, std::size_t, std::span<const double>) {};
    std::vector<local_spike> fired;
    // One epoch per iteration, as a run advances (the noise of a group of
    // four steps is drawn once per chunk).
    const std::int64_t epoch = c.epoch_steps();
    std::int64_t n = 0;
    for (auto _: state) {
        block.advance(n, n + epoch, ring, c.g, grid, fired, none);
        n += epoch;
        fired.clear();
    }
    state.counters["neuron_steps/s"] = benchmark::Counter(
        static_cast<double>(N * epoch) * static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(block_update)->Args({100000, 0})->Args({100000, 1})->Unit(benchmark::kMicrosecond);

// The scalar draw (the reference mapping: four normals per Philox block)
// and every vector kernel this CPU can run (the first is the one the
// simulation uses, noise_kernel()). A call draws one group of four steps.
void noise_scalar(benchmark::State& state) {
    std::uint64_t i = 0;
    double sum = 0;
    for (auto _: state) {
        for (int k = 0; k < 256; ++k) {
            const auto xi = normals4(1, i++, 7);
            sum += xi[0] + xi[1] + xi[2] + xi[3];
        }
    }
    benchmark::DoNotOptimize(sum);
    state.counters["normals/s"] =
        benchmark::Counter(1024.0 * static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(noise_scalar);

void noise_vector(benchmark::State& state, const char* kernel) {
    std::vector<std::uint64_t> ids(1024);
    std::iota(ids.begin(), ids.end(), 0);
    std::vector<double> xi(4 * ids.size());
    std::uint64_t m = 0;
    for (auto _: state) {
        normals_with(kernel, 1, ids.data(), ids.size(), m++, xi.data(), ids.size());
        benchmark::DoNotOptimize(xi.data());
    }
    state.SetLabel(kernel);
    state.counters["normals/s"] =
        benchmark::Counter(4096.0 * static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
const bool noise_vector_registered = [] {
    for (const char* kernel: noise_kernels())
        if (std::string_view(kernel) != "scalar")
            benchmark::RegisterBenchmark((std::string("noise_vector/") + kernel).c_str(), noise_vector, kernel);
    return true;
}();

// The synchrony measures per neuron-sample (MODEL.md §4), on one rank: N
// neurons sampled once per epoch of 10 steps (sample_dt = 1 ms), each
// sample's V̄ reduced and its |V − V̄| summed (voltage_measures), and the
// epoch's spikes at 40 Hz added to the Kuramoto phase sums (spike_measures).
void measures(benchmark::State& state) {
    static const boost::mpi::environment mpi; // once per process
    const boost::mpi::communicator self(MPI_COMM_SELF, boost::mpi::comm_duplicate);
    config c;
    c.N = 100000;
    c.t_stop = 1000;
    c.t_transient = 0;
    const auto N = static_cast<std::size_t>(c.N);
    const sample_grid grid(c);
    std::vector<double> V(N);
    std::uint64_t x = 1;
    for (auto& v: V) {
        x = x * 6364136223846793005ull + 1442695040888963407ull;
        v = -65 + 15 * static_cast<double>(x >> 11) * 0x1p-53;
    }
    // 40 Hz: each neuron spikes every 250 steps, at a step of its own.
    std::vector<std::vector<local_spike>> fired(static_cast<std::size_t>(grid.last / 10));
    for (std::size_t e = 0; e < fired.size(); ++e) {
        const auto e0 = static_cast<std::int64_t>(10 * e);
        for (std::size_t i = 0; i < N; ++i) {
            const auto phase = (static_cast<std::int64_t>(i * 37) + e0) % 250;
            if (phase < 10) fired[e].push_back({e0 + phase, static_cast<std::uint32_t>(i)});
        }
    }
    std::int64_t samples = 0;
    for (auto _: state) {
        state.PauseTiming();
        voltage_measures voltages(grid, N, c.N, self);
        spike_measures spikes(grid, c, N);
        state.ResumeTiming();
        for (std::size_t e = 0; e < fired.size(); ++e) {
            const auto e1 = static_cast<std::int64_t>(10 * e + 10);
            for (std::size_t first = 0; first < N; first += 1024)
                voltages.sample(e1, first,
                                std::span<const double>(V.data() + first, std::min<std::size_t>(1024, N - first)));
            voltages.reduce(e1);
            spikes.add(fired[e]);
        }
        spikes.flush(); // the last batch
        samples += grid.count() * static_cast<std::int64_t>(N);
    }
    state.counters["ns_per_neuron_sample"] =
        benchmark::Counter(static_cast<double>(samples), benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK(measures)->Unit(benchmark::kMillisecond)->Iterations(3);

// Delivery of one epoch's spikes into the delay ring: k = 10 synapses per
// source, 1 % of sources spiking.
void delivery(benchmark::State& state) {
    static const boost::mpi::environment mpi; // once per process, for the inhibitory set
    {
        const boost::mpi::communicator self(MPI_COMM_SELF, boost::mpi::comm_duplicate);
        config c;
        c.N = 100000;
        const std::uint64_t N = c.N, k = 10;
        adjacency local;
        local.N = N;
        for (std::uint64_t i = 0; i < N; ++i) {
            local.ids.push_back(i);
            for (std::uint64_t j = 1; j <= k; ++j) local.neighbours.push_back((i + j * 7919) % N);
            std::sort(local.neighbours.end() - k, local.neighbours.end());
            local.offsets.push_back(local.neighbours.size());
        }
        const inhibitory_set inh(c, local.ids, self);
        const connections conns(local, inh);
        delay_ring ring(N, 10);
        std::vector<spike> spikes;
        for (std::uint64_t i = 0; i < N; i += 100) spikes.push_back({0, i});
        for (auto _: state) {
            conns.deliver(spikes, 10, ring);
            ring.clear(11);
        }
        state.counters["events/s"] = benchmark::Counter(static_cast<double>(spikes.size() * k * state.iterations()),
                                                        benchmark::Counter::kIsRate);
    }
}
BENCHMARK(delivery)->Iterations(2000);

} // namespace
