#include "io/sweep_summary.hpp"

#include "io/h5.hpp"
#include "io/output.hpp"

#include <lifnet/version.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

namespace lifnet {

namespace {

constexpr const char* measure_names[] = {"chi", "E", "R", "rate_hz", "cv"};
constexpr double nan = std::numeric_limits<double>::quiet_NaN();

std::array<double, 5> measures_of(const journal_record& r) {
    return {r.chi, r.E, r.R, r.rate_hz, r.cv};
}

// A varied key's column: numbers when every value is one, else strings.
void write_axis(hid_t group, const std::string& key, const std::vector<std::string>& values) {
    std::vector<double> numbers;
    for (const auto& v: values) {
        char* end = nullptr;
        const double x = std::strtod(v.c_str(), &end);
        if (end != v.c_str() + v.size()) return h5::write_strings(group, key, values);
        numbers.push_back(x);
    }
    h5::write_dataset(group, key, numbers.size(), 0, numbers);
}

} // namespace

std::uint64_t write_sweep_summary(const sweep_spec& spec, const config& base, const std::vector<sweep_member>& members,
                                  const std::vector<journal_record>& records) {
    // The record of each member: its last ok one, else its last failure.
    std::map<std::string, const journal_record*> by_hash;
    for (const auto& r: records) {
        if (r.status == "started") continue;
        auto& slot = by_hash[r.hash];
        if (!slot || slot->status != "ok" || r.status == "ok") slot = &r;
    }

    const boost::mpi::communicator self(MPI_COMM_SELF, boost::mpi::comm_duplicate);
    output_file file(spec.output, self);
    const hid_t root = file.root();
    std::string varied;
    for (const auto& a: spec.axes) varied += (varied.empty() ? "" : ",") + a.key;
    h5::write_attribute(root, "kind", std::string("lifnet-sweep"));
    h5::write_attribute(root, "varied", varied);
    h5::write_attribute(root, "config", to_toml(base));
    h5::write_attribute(root, "command_line", spec.command_line);
    h5::write_attribute(root, "lifnet_version", std::string(version_string));
    h5::write_attribute(root, "seeds", static_cast<std::int64_t>(spec.seeds.size()));

    // Members, in sweep order.
    const std::size_t n = members.size();
    std::vector<std::uint64_t> index(n), seed(n);
    std::vector<std::int64_t> group(n, -1);
    std::vector<double> wall(n, nan);
    std::vector<std::vector<double>> measure(5, std::vector<double>(n, nan));
    std::vector<std::string> status(n, "missing"), hash(n);
    std::vector<std::vector<std::string>> axis(spec.axes.size());
    for (std::size_t i = 0; i < n; ++i) {
        const auto& m = members[i];
        index[i] = m.index;
        seed[i] = m.seed;
        hash[i] = m.hash;
        for (std::size_t a = 0; a < axis.size(); ++a) axis[a].push_back(m.values[a]);
        const auto it = by_hash.find(m.hash);
        if (it == by_hash.end()) continue;
        const auto& r = *it->second;
        status[i] = r.status;
        group[i] = r.group;
        wall[i] = r.wall_seconds;
        if (r.status == "ok")
            for (int k = 0; k < 5; ++k) measure[k][i] = measures_of(r)[k];
    }
    auto table = h5::create_group(root, "members");
    h5::write_dataset(table, "index", n, 0, index);
    h5::write_dataset(table, "seed", n, 0, seed);
    for (std::size_t a = 0; a < axis.size(); ++a) write_axis(table, spec.axes[a].key, axis[a]);
    for (int k = 0; k < 5; ++k) h5::write_dataset(table, measure_names[k], n, 0, measure[k]);
    h5::write_dataset(table, "wall_seconds", n, 0, wall);
    h5::write_dataset(table, "group", n, 0, group);
    h5::write_strings(table, "status", status);
    h5::write_strings(table, "hash", hash);

    // Aggregates per point over its ok members (NaN measures left out).
    const std::size_t points = n / spec.seeds.size();
    std::vector<std::vector<std::string>> point_axis(spec.axes.size());
    std::vector<std::uint64_t> ok(points, 0);
    std::vector<std::vector<double>> mean(5, std::vector<double>(points, nan)), sd = mean, sem = mean;
    std::vector<std::vector<std::uint64_t>> count(5, std::vector<std::uint64_t>(points, 0));
    for (std::size_t p = 0; p < points; ++p) {
        const std::size_t first = p * spec.seeds.size(), last = first + spec.seeds.size();
        for (std::size_t a = 0; a < axis.size(); ++a) point_axis[a].push_back(axis[a][first]);
        for (auto i = first; i < last; ++i) ok[p] += status[i] == "ok";
        for (int k = 0; k < 5; ++k) {
            double sum = 0, sum2 = 0;
            std::uint64_t c = 0;
            for (auto i = first; i < last; ++i) {
                if (std::isnan(measure[k][i])) continue;
                sum += measure[k][i];
                ++c;
            }
            if (!c) continue;
            const double mu = sum / c;
            for (auto i = first; i < last; ++i)
                if (!std::isnan(measure[k][i])) sum2 += (measure[k][i] - mu) * (measure[k][i] - mu);
            count[k][p] = c;
            mean[k][p] = mu;
            sd[k][p] = c > 1 ? std::sqrt(sum2 / (c - 1)) : nan; // sample std (ddof = 1)
            sem[k][p] = c > 1 ? sd[k][p] / std::sqrt(static_cast<double>(c)) : nan;
        }
    }
    auto agg = h5::create_group(root, "points");
    for (std::size_t a = 0; a < axis.size(); ++a) write_axis(agg, spec.axes[a].key, point_axis[a]);
    h5::write_dataset(agg, "n", points, 0, ok);
    for (int k = 0; k < 5; ++k) {
        const std::string m = measure_names[k];
        h5::write_dataset(agg, m + "_mean", points, 0, mean[k]);
        h5::write_dataset(agg, m + "_std", points, 0, sd[k]);
        h5::write_dataset(agg, m + "_sem", points, 0, sem[k]);
        h5::write_dataset(agg, m + "_n", points, 0, count[k]);
    }
    table.close(); // the file closes only with nothing in it open
    agg.close();
    file.commit();
    return static_cast<std::uint64_t>(
        std::count_if(status.begin(), status.end(), [](const std::string& s) { return s.rfind("failed", 0) == 0; }));
}

} // namespace lifnet
