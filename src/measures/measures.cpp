#include "measures/measures.hpp"

#include "comm/mpi_util.hpp"

#include <boost/mpi/collectives.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>

namespace lifnet {

namespace {
constexpr double nan = std::numeric_limits<double>::quiet_NaN();
}

sample_grid::sample_grid(const config& c):
    stride(c.steps(c.sample_dt)), last(c.nsteps()), inverse_stride(1.0 / static_cast<double>(stride)) {
    const std::int64_t t0 = c.steps(c.t_transient);
    first = (t0 + stride - 1) / stride * stride;
    last = last / stride * stride;
}

voltage_measures::voltage_measures(const sample_grid& grid, std::size_t local_neurons, std::uint64_t N,
                                   const boost::mpi::communicator& comm):
    grid_(grid),
    local_(local_neurons), N_(N), comm_(comm), sums_(comm), mean_(local_neurons, 0.0), m2_(local_neurons, 0.0) {
    vbar_.reserve(static_cast<std::size_t>(grid.count()));
}

namespace {
// Welford's update of every neuron with its sample number `count` (1, 2,
// ...), in time order for each neuron (rank independent), and a copy of the
// sample into `kept`. 1/count is taken once per sample, not per neuron: a
// division per neuron-sample cost more than the rest of the measures.
// Branch-free and restrict-qualified so that it vectorises; the clones
// compute the same bits (no FMA contraction).
__attribute__((target_clones("arch=x86-64-v4", "avx2", "default"))) void welford(const double* __restrict V,
                                                                                 std::size_t n, double* __restrict mean,
                                                                                 double* __restrict m2, double count,
                                                                                 double* __restrict kept) {
    const double inverse = 1 / count;
    for (std::size_t j = 0; j < n; ++j) {
        const double delta = V[j] - mean[j];
        mean[j] += delta * inverse;
        m2[j] += delta * (V[j] - mean[j]);
        kept[j] = V[j];
    }
}
} // namespace

void voltage_measures::sample(std::int64_t m, std::size_t first, std::span<const double> V) {
    const auto w = static_cast<std::size_t>((m - grid_.first) / grid_.stride); // samples before this one
    const auto row = w - started_;
    // The buffer keeps its size from epoch to epoch (no clearing, no refill).
    if (buffer_.size() < (row + 1) * local_) buffer_.resize((row + 1) * local_);
    welford(V.data(), V.size(), mean_.data() + first, m2_.data() + first, static_cast<double>(w + 1),
            buffer_.data() + row * local_ + first);
}

std::size_t voltage_measures::buffered(std::int64_t step) const {
    return static_cast<std::size_t>(grid_.count_upto(step)) - started_;
}

std::span<const double> voltage_measures::buffered_sample(std::size_t j) const {
    return {buffer_.data() + j * local_, local_};
}

namespace {
// The message for a diverged value among `n` samples: one not below
// fixed_limit / 2 (so that the deviations from V̄ are below fixed_limit
// too), or NaN.
std::string diverged_value(const double* x, std::size_t n) {
    const auto bad = std::find_if(x, x + n, [](double v) { return !(std::abs(v) < fixed_limit / 2); });
    return "a membrane potential of " + std::to_string(*bad) + " mV reached the measures: the simulation diverged";
}

// Collective: throws the same collective_error on every rank when the last
// element of `reduced` (a count of ranks) says some rank diverged.
void agree_on_divergence(const boost::mpi::communicator& comm, const std::vector<fixed128>& reduced,
                         const std::string& mine) {
    if (reduced.back() == 0) return;
    run_collectively(comm, [&] {
        if (!mine.empty()) throw error(mine);
    });
}
} // namespace

void voltage_measures::reduce(std::int64_t step) {
    complete();
    // The same count on every rank, also on one without neurons.
    const std::size_t count = buffered(step);
    if (!count) return;
    // The sums, and whether this rank diverged: agreed in one reduction.
    std::vector<fixed128> sums(count + 1, 0);
    in_flight_diverged_.clear();
    for (std::size_t s = 0; s < count; ++s) {
        const auto sum = exact_sum(buffer_.data() + s * local_, local_, fixed_limit / 2);
        if (!sum) {
            in_flight_diverged_ = diverged_value(buffer_.data() + s * local_, local_);
            std::fill(sums.begin(), sums.end(), 0);
            sums[count] = 1;
            break;
        }
        sums[s] = *sum;
    }
    std::swap(buffer_, in_flight_);
    in_flight_samples_ = count;
    started_ += count;
    sums_.start(std::move(sums));
}

void voltage_measures::complete() {
    if (!sums_.in_flight()) return;
    const auto& sums = sums_.wait();
    agree_on_divergence(comm_, sums, in_flight_diverged_);
    for (std::size_t s = 0; s < in_flight_samples_; ++s) {
        const double vbar = from_fixed(sums[s]) / static_cast<double>(N_);
        vbar_.push_back(vbar);
        abs_deviation_ += exact_sum_abs_deviation(in_flight_.data() + s * local_, local_, vbar);
    }
    in_flight_samples_ = 0;
}

void voltage_measures::finish(double dt, sync_measures& out) {
    reduce(grid_.last);
    complete();
    const auto n = static_cast<double>(vbar_.size());
    out.Vbar = vbar_;
    out.t.clear();
    for (std::size_t s = 0; s < vbar_.size(); ++s)
        out.t.push_back(static_cast<double>(grid_.first + static_cast<std::int64_t>(s) * grid_.stride) * dt);

    std::vector<fixed128> totals = {abs_deviation_, 0, 0}; // the last: ranks whose variances overflow
    std::string diverged;
    try {
        for (std::size_t i = 0; i < local_; ++i) totals[1] += to_fixed(m2_[i] / n);
    }
    catch (const error& e) {
        diverged = e.what();
        totals[2] = 1;
    }
    all_reduce_sum(comm_, totals);
    agree_on_divergence(comm_, totals, diverged);
    if (vbar_.empty()) {
        out.chi = out.E = nan;
        out.notes.push_back("chi, E: no sample time in [t_transient, t_stop]");
        return;
    }
    out.E = from_fixed(totals[0]) / (static_cast<double>(N_) * n);
    double mean = 0, m2 = 0;
    for (std::size_t s = 0; s < vbar_.size(); ++s) {
        const double delta = vbar_[s] - mean;
        mean += delta / static_cast<double>(s + 1);
        m2 += delta * (vbar_[s] - mean);
    }
    const double mean_var = from_fixed(totals[1]) / static_cast<double>(N_);
    if (mean_var == 0) {
        out.chi = nan;
        out.notes.push_back("chi: every neuron's V is constant over the samples");
    }
    else
        out.chi = std::sqrt(m2 / n / mean_var);
}

std::vector<double> voltage_measures::neuron_state() const {
    std::vector<double> out(2 * local_);
    for (std::size_t i = 0; i < local_; ++i) {
        out[2 * i] = mean_[i];
        out[2 * i + 1] = m2_[i];
    }
    return out;
}

voltage_measures::totals voltage_measures::global_state() {
    complete();
    std::vector<fixed128> sum = {abs_deviation_};
    all_reduce_sum(comm_, sum);
    return {static_cast<std::int64_t>(vbar_.size()), sum[0], vbar_};
}

bool voltage_measures::restore(const std::vector<double>& neurons, const totals& t, std::int64_t step) {
    // A run up to `step` has taken the samples at m <= step.
    const auto expected = grid_.count_upto(step);
    // Σ|V − V̄| over the samples and neurons, each term below 2·fixed_limit.
    const double abs_deviation = from_fixed(t.abs_deviation);
    bool valid =
        neurons.size() == 2 * local_ && t.samples == expected && t.vbar.size() == static_cast<std::size_t>(expected) &&
        abs_deviation >= 0 &&
        abs_deviation <= std::min(0x1p62, 2 * fixed_limit * static_cast<double>(N_) * static_cast<double>(expected));
    for (std::size_t i = 0; i < local_ && valid; ++i)
        valid &= std::isfinite(neurons[2 * i]) && std::isfinite(neurons[2 * i + 1]) && neurons[2 * i + 1] >= 0;
    for (auto v: t.vbar) valid &= std::abs(v) < fixed_limit;
    if (!valid) return false;
    for (std::size_t i = 0; i < local_; ++i) {
        mean_[i] = neurons[2 * i];
        m2_[i] = neurons[2 * i + 1];
    }
    abs_deviation_ = comm_.rank() == 0 ? t.abs_deviation : 0;
    vbar_ = t.vbar;
    started_ = vbar_.size();
    return true;
}

spike_measures::spike_measures(const sample_grid& grid, const config& c, std::size_t local_neurons):
    grid_(grid), N_(c.N), transient_(c.steps(c.t_transient)), t_stop_(c.t_stop), t_transient_(c.t_transient),
    neurons_(local_neurons), phase_sums_(4 * static_cast<std::size_t>(grid.count()), 0),
    phase_tables_(static_cast<std::size_t>(max_table) + 1) {
    pending_.reserve(batch + batch / 4);
    queued_.reserve(batch + batch / 4);
}

namespace {
// The four halves (split_fixed) of cos θ and sin θ, θ = 2π·j/L: the phase
// j steps into an interval of L steps.
void phase(std::size_t j, std::int64_t L, std::int64_t* out) {
    const double theta = 2 * std::numbers::pi * static_cast<double>(j) / static_cast<double>(L);
    double c, s;
    ::sincos(theta, &s, &c); // glibc: the bits of sin and cos, in one call
    const auto [ch, cl] = split(c);
    const auto [sh, sl] = split(s);
    out[0] = ch;
    out[1] = cl;
    out[2] = sh;
    out[3] = sl;
}

// sums[0 .. 4·count) += table[0 .. 4·count): integer additions that
// vectorise (one clone per instruction set; integer sums, the same on each).
__attribute__((target_clones("arch=x86-64-v4", "avx2", "default"))) void
add_phases(std::int64_t* __restrict sums, const std::int64_t* __restrict table, std::size_t count) {
    for (std::size_t e = 0; e < 4 * count; ++e) sums[e] += table[e];
}
} // namespace

// The table of L holds phase step j = r + c·stride (r < stride) at row r,
// column c: an interval's sample times, stride steps apart, read it
// contiguously.
const std::vector<std::int64_t>& spike_measures::phase_table(std::int64_t L) {
    auto& table = phase_tables_[static_cast<std::size_t>(L)];
    if (table.empty()) {
        // Rows r < min(stride, L): a phase step j < L has j mod stride < L.
        const auto stride = static_cast<std::size_t>(grid_.stride), columns = phase_columns(L);
        table.resize(4 * std::min(stride, static_cast<std::size_t>(L)) * columns);
        for (std::size_t j = 0; j < static_cast<std::size_t>(L); ++j)
            phase(j, L, table.data() + 4 * (j % stride * columns + j / stride));
    }
    return table;
}

std::size_t spike_measures::phase_columns(std::int64_t L) const {
    return static_cast<std::size_t>(grid_.div_stride(L + grid_.stride - 1));
}

void spike_measures::add(std::span<const local_spike> fired) {
    pending_.insert(pending_.end(), fired.begin(), fired.end());
    if (pending_.size() >= batch) flush();
}

void spike_measures::flush() {
    // The neurons' accumulators are scattered over the rank's neurons and
    // are rarely in the cache: fetch a few spikes ahead. Their intervals'
    // phases are added up after them, so that the phase tables stay in the
    // cache meanwhile.
    constexpr std::size_t ahead = 8;
    for (std::size_t k = 0; k < pending_.size(); ++k) {
        if (k + ahead < pending_.size()) { // both cache lines a neuron may straddle
            const auto* next = &neurons_[pending_[k + ahead].index];
            __builtin_prefetch(next, 1);
            __builtin_prefetch(reinterpret_cast<const char*>(next + 1) - 1, 1);
        }
        add(pending_[k].index, pending_[k].step + 1);
    }
    pending_.clear();
    for (const auto& q: queued_) add_phases(q.sums, q.row, q.count);
    queued_.clear();
}

void spike_measures::add(std::size_t i, std::int64_t a) {
    auto& s = neurons_[i];
    if (s.count == 0)
        s.first = a;
    else {
        // The phase 2π(t − b)/(a − b) of every sample time b <= t < a:
        // the sample times w0 ... w1 of the grid (m = first + w·stride).
        const auto b = s.last, L = a - b, top = std::min(a - 1, grid_.last);
        const auto w0 = b <= grid_.first ? 0 : grid_.div_stride(b - grid_.first - 1) + 1;
        const auto w1 = top < grid_.first ? -1 : grid_.div_stride(top - grid_.first);
        if (w0 <= w1) {
            const auto count = static_cast<std::size_t>(w1 - w0 + 1);
            const auto j0 = grid_.first + w0 * grid_.stride - b; // the first one's phase step
            if (L <= max_table) {
                const auto column = grid_.div_stride(j0), r = j0 - column * grid_.stride;
                const auto* row = phase_table(L).data() + 4 * (static_cast<std::size_t>(r) * phase_columns(L) +
                                                               static_cast<std::size_t>(column));
                queued_.push_back({phase_sums_.data() + 4 * w0, row, count});
            }
            else
                for (std::size_t c = 0; c < count; ++c) {
                    std::int64_t halves[4];
                    phase(static_cast<std::size_t>(j0) + c * static_cast<std::size_t>(grid_.stride), L, halves);
                    add_phases(phase_sums_.data() + 4 * (static_cast<std::size_t>(w0) + c), halves, 1);
                }
        }
    }
    if (a > transient_) {
        if (s.late > 0) { // Welford's update with the ISI since the previous late spike
            const auto isi = static_cast<double>(a - s.last);
            const double delta = isi - s.isi_mean;
            s.isi_mean += delta / static_cast<double>(s.late);
            s.isi_m2 += delta * (isi - s.isi_mean);
        }
        ++s.late;
    }
    s.last = a;
    ++s.count;
}

void spike_measures::finish(const boost::mpi::communicator& comm, sync_measures& out) {
    flush();
    namespace mpi = boost::mpi;
    // Rate and CV over the spikes after t_transient.
    std::uint64_t late = 0, with_isis = 0;
    fixed128 cv_sum = 0;
    std::int64_t first = 0, last = std::numeric_limits<std::int64_t>::max();
    std::uint64_t counted = 0;
    for (const auto& s: neurons_) {
        late += static_cast<std::uint64_t>(s.late);
        if (s.late >= 3) {
            cv_sum += to_fixed(std::sqrt(s.isi_m2 / static_cast<double>(s.late - 1)) / s.isi_mean);
            ++with_isis;
        }
        if (s.count >= 2) {
            ++counted;
            first = std::max(first, s.first);
            last = std::min(last, s.last);
        }
    }
    late = mpi::all_reduce(comm, late, std::plus<>());
    with_isis = mpi::all_reduce(comm, with_isis, std::plus<>());
    counted = mpi::all_reduce(comm, counted, std::plus<>());
    first = mpi::all_reduce(comm, first, mpi::maximum<std::int64_t>());
    last = mpi::all_reduce(comm, last, mpi::minimum<std::int64_t>());

    if (t_stop_ > t_transient_)
        out.rate_hz = 1000.0 * static_cast<double>(late) / (static_cast<double>(N_) * (t_stop_ - t_transient_));
    else {
        out.rate_hz = nan;
        out.notes.push_back("rate: t_transient = t_stop leaves no time to count spikes in");
    }
    if (with_isis) {
        std::vector<fixed128> sum = {cv_sum};
        all_reduce_sum(comm, sum);
        out.cv = from_fixed(sum[0]) / static_cast<double>(with_isis);
    }
    else {
        out.cv = nan;
        out.notes.push_back("cv: no neuron has 2 inter-spike intervals after t_transient");
    }
    finish_R(comm, first, last, counted, out);
}

// Kuramoto R over the sample times with max_i(first spike) <= t < min_i(last spike).
// Every neuron with 2 spikes has an interval around each of these times,
// so the phase sums there hold one term per counted neuron.
void spike_measures::finish_R(const boost::mpi::communicator& comm, std::int64_t first, std::int64_t last,
                              std::uint64_t counted, sync_measures& out) {
    const auto sums = global_phase_sums(comm);
    double R = 0;
    std::size_t times = 0;
    for (auto m = grid_.first; m <= grid_.last; m += grid_.stride)
        if (m >= first && m < last) {
            const auto w = static_cast<std::size_t>((m - grid_.first) / grid_.stride);
            R += std::hypot(from_fixed(sums[2 * w]), from_fixed(sums[2 * w + 1])) / static_cast<double>(counted);
            ++times;
        }
    if (counted == 0 || times == 0) {
        out.R = nan;
        out.notes.push_back(counted == 0 ? "R: no neuron spiked twice"
                                         : "R: no sample time between the last first spike and the first last spike");
        return;
    }
    out.R = R / static_cast<double>(times);
}

std::vector<fixed128> spike_measures::global_phase_sums(const boost::mpi::communicator& comm) {
    flush();
    std::vector<fixed128> sums(phase_sums_.size() / 2);
    for (std::size_t k = 0; k < sums.size(); ++k)
        sums[k] =
            join_fixed(phase_sums_[2 * k], phase_sums_[2 * k + 1]) + (restored_sums_.empty() ? 0 : restored_sums_[k]);
    all_reduce_sum(comm, sums);
    return sums;
}

bool spike_measures::restore(std::vector<neuron> neurons, std::vector<fixed128> phase_sums, std::int64_t step,
                             bool root) {
    bool valid = neurons.size() == neurons_.size() && 2 * phase_sums.size() == phase_sums_.size();
    for (const auto& s: neurons) {
        if (s.count == 0) {
            valid &= s.first == 0 && s.last == 0 && s.late == 0;
            continue;
        }
        // Spikes at distinct time indices in [first, last], within [1, step].
        valid &= s.count > 0 && s.first >= 1 && s.first <= s.last && s.last <= step &&
                 (s.count == 1) == (s.first == s.last) && s.count - 1 <= s.last - s.first;
        // The late ones are the last `late`, after t_transient.
        valid &= s.late >= 0 && s.late <= s.count && (s.late == 0 || s.late <= s.last - transient_);
    }
    for (const auto& s: neurons) {
        if (s.late >= 2)
            valid &= s.isi_mean >= 1 && s.isi_mean <= static_cast<double>(s.last - s.first) &&
                     std::isfinite(s.isi_m2) && s.isi_m2 >= 0;
        else
            valid &= s.isi_mean == 0 && s.isi_m2 == 0;
    }
    // A sum over neurons of cos θ or sin θ.
    for (auto x: phase_sums) valid &= std::abs(from_fixed(x)) <= static_cast<double>(N_);
    if (!valid) return false;
    neurons_ = std::move(neurons);
    std::fill(phase_sums_.begin(), phase_sums_.end(), 0);
    restored_sums_ = root ? std::move(phase_sums) : std::vector<fixed128>();
    return true;
}

} // namespace lifnet
