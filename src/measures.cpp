#include "measures.hpp"

#include <boost/mpi/collectives.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>

namespace lifnet {

namespace {
constexpr double nan = std::numeric_limits<double>::quiet_NaN();
}

sample_grid::sample_grid(const config& c): stride(c.steps(c.sample_dt)), last(c.nsteps()) {
    const std::int64_t t0 = c.steps(c.t_transient);
    first = (t0 + stride - 1) / stride * stride;
    last = last / stride * stride;
}

voltage_measures::voltage_measures(const sample_grid& grid, std::size_t local_neurons, std::uint64_t N,
                                   const boost::mpi::communicator& comm):
    grid_(grid),
    local_(local_neurons), N_(N), comm_(comm), mean_(local_neurons, 0.0), m2_(local_neurons, 0.0) {
    vbar_.reserve(static_cast<std::size_t>(grid.count()));
}

void voltage_measures::sample(std::span<const double> V) {
    buffer_.insert(buffer_.end(), V.begin(), V.end());
    ++samples_;
    // Welford's update, in time order for each neuron (rank independent).
    for (std::size_t i = 0; i < local_; ++i) {
        const double delta = V[i] - mean_[i];
        mean_[i] += delta / static_cast<double>(samples_);
        m2_[i] += delta * (V[i] - mean_[i]);
    }
}

void voltage_measures::reduce() {
    // The same count on every rank, also on one without neurons.
    const std::size_t count = static_cast<std::size_t>(samples_) - vbar_.size();
    std::vector<fixed128> sums(count, 0);
    for (std::size_t s = 0; s < count; ++s)
        for (std::size_t i = 0; i < local_; ++i) sums[s] += to_fixed(buffer_[s * local_ + i]);
    if (count) all_reduce_sum(comm_, sums);
    for (std::size_t s = 0; s < count; ++s) {
        const double vbar = from_fixed(sums[s]) / static_cast<double>(N_);
        vbar_.push_back(vbar);
        for (std::size_t i = 0; i < local_; ++i) abs_deviation_ += to_fixed(std::abs(buffer_[s * local_ + i] - vbar));
    }
    buffer_.clear();
}

void voltage_measures::finish(double dt, sync_measures& out) {
    reduce();
    const auto n = static_cast<double>(vbar_.size());
    out.Vbar = vbar_;
    out.t.clear();
    for (std::size_t s = 0; s < vbar_.size(); ++s)
        out.t.push_back(static_cast<double>(grid_.first + static_cast<std::int64_t>(s) * grid_.stride) * dt);

    std::vector<fixed128> totals = {abs_deviation_, 0};
    for (std::size_t i = 0; i < local_; ++i) totals[1] += to_fixed(m2_[i] / n);
    all_reduce_sum(comm_, totals);
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

voltage_measures::totals voltage_measures::global_state() const {
    std::vector<fixed128> sum = {abs_deviation_};
    all_reduce_sum(comm_, sum);
    return {samples_, sum[0], vbar_};
}

void voltage_measures::restore(const std::vector<double>& neurons, const totals& t) {
    for (std::size_t i = 0; i < local_; ++i) {
        mean_[i] = neurons[2 * i];
        m2_[i] = neurons[2 * i + 1];
    }
    samples_ = t.samples;
    abs_deviation_ = comm_.rank() == 0 ? t.abs_deviation : 0;
    vbar_ = t.vbar;
}

spike_measures::spike_measures(const sample_grid& grid, const config& c, std::size_t local_neurons):
    grid_(grid), N_(c.N), transient_(c.steps(c.t_transient)), t_stop_(c.t_stop), t_transient_(c.t_transient),
    spikes_(local_neurons) {}

void spike_measures::finish(const boost::mpi::communicator& comm, sync_measures& out) const {
    namespace mpi = boost::mpi;
    // Rate and CV over the spikes after t_transient.
    std::uint64_t late = 0, with_isis = 0;
    fixed128 cv_sum = 0;
    std::int64_t first = 0, last = std::numeric_limits<std::int64_t>::max();
    std::uint64_t counted = 0;
    for (const auto& s: spikes_) {
        const auto begin = std::upper_bound(s.begin(), s.end(), transient_);
        late += static_cast<std::uint64_t>(s.end() - begin);
        if (s.end() - begin >= 3) {
            double mean = 0, m2 = 0;
            std::int64_t k = 0;
            for (auto it = begin + 1; it != s.end(); ++it) {
                const auto isi = static_cast<double>(*it - *(it - 1));
                const double delta = isi - mean;
                mean += delta / static_cast<double>(++k);
                m2 += delta * (isi - mean);
            }
            cv_sum += to_fixed(std::sqrt(m2 / static_cast<double>(k)) / mean);
            ++with_isis;
        }
        if (s.size() >= 2) {
            ++counted;
            first = std::max(first, s.front());
            last = std::min(last, s.back());
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

    // Kuramoto R over the sample times with max_i(first spike) <= t < min_i(last spike).
    std::vector<std::int64_t> times;
    for (auto m = grid_.first; m <= grid_.last; m += grid_.stride)
        if (m >= first && m < last) times.push_back(m);
    if (counted == 0 || times.empty()) {
        out.R = nan;
        out.notes.push_back(counted == 0 ? "R: no neuron spiked twice"
                                         : "R: no sample time between the last first spike and the first last spike");
        return;
    }
    std::vector<fixed128> sums(2 * times.size(), 0); // Σ cos θ, Σ sin θ per sample
    for (const auto& s: spikes_) {
        if (s.size() < 2) continue;
        std::size_t k = 0;
        for (std::size_t w = 0; w < times.size(); ++w) {
            const auto m = times[w];
            while (s[k + 1] <= m) ++k; // s[k] <= m < s[k + 1]; the window keeps k + 1 in range
            const double theta =
                2 * std::numbers::pi * static_cast<double>(m - s[k]) / static_cast<double>(s[k + 1] - s[k]);
            sums[2 * w] += to_fixed(std::cos(theta));
            sums[2 * w + 1] += to_fixed(std::sin(theta));
        }
    }
    all_reduce_sum(comm, sums);
    double R = 0;
    for (std::size_t w = 0; w < times.size(); ++w)
        R += std::hypot(from_fixed(sums[2 * w]), from_fixed(sums[2 * w + 1])) / static_cast<double>(counted);
    out.R = R / static_cast<double>(times.size());
}

} // namespace lifnet
