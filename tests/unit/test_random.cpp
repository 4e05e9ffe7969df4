// MODEL.md §3's known answers.
#include "measures/exact_sum.hpp"
#include "neurons/neurons.hpp"
#include "neurons/noise.hpp"

#include <lifnet/errors.hpp>
#include <lifnet/random.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>
#include <numbers>

using namespace lifnet;

TEST(random, philox_known_answer) {
    // Counter (0, 0, 0, 0), key (1, 1).
    const auto x = philox(1, purpose::noise, 0, 0);
    EXPECT_EQ(x, (philox_words{2714744177u, 753884053u, 3575498877u, 49995687u}));
}

TEST(random, counter_words_split_64_bit_values) {
    // i and n fill the counter as (i lo, i hi, n lo, n hi).
    EXPECT_NE(philox(1, purpose::noise, std::uint64_t(1) << 32, 0), philox(1, purpose::noise, 0, 0));
    EXPECT_NE(philox(1, purpose::noise, 0, std::uint64_t(1) << 32), philox(1, purpose::noise, 0, 0));
    EXPECT_NE(philox(1, purpose::noise, 0, 0), philox(1, purpose::initial_v, 0, 0));
}

// MODEL.md §3's known answers of xi (exact values of the formula, to 17
// digits), to a relative 1e-15: double-precision log/cos/sin, scalar or
// vectorised, differ from the exact value by a few ulp.
struct known_normal {
    std::uint64_t seed, i, n;
    double xi;
};
const known_normal known_normals[] = {
    {1, 0, 0, 0.43202850374898448},
    {1, 0, 1, 0.85489403272941861},
    {1, 0, 2, 0.60392089058159665},
    {1, 0, 3, 0.044249460273454651},
    {42, 12345, 678, 0.72322593889015838},
    {42, 12345, 679, -2.3662635538836805},
    {7, (std::uint64_t(1) << 33) + 5, (std::uint64_t(1) << 34) + 3, 0.48091652854400677},
};

TEST(random, normal_known_answers) {
    for (const auto& k: known_normals)
        EXPECT_NEAR(normal(k.seed, k.i, k.n), k.xi, 1e-15 * std::abs(k.xi)) << k.seed << ", " << k.i << ", " << k.n;
}

TEST(random, one_philox_block_serves_four_steps) {
    // §3: steps 4m ... 4m+3 take the block of counter (i, m): cos and sin
    // of the pair (u0, u1), then of (u2, u3).
    const std::uint64_t seed = 42, i = 12345, m = 169; // steps 676 ... 679
    const auto x = philox(seed, purpose::noise, i, m);
    const double ra = std::sqrt(-2.0 * std::log(to_unit(x[0]))), a = 2.0 * std::numbers::pi * to_unit(x[1]);
    const double rb = std::sqrt(-2.0 * std::log(to_unit(x[2]))), b = 2.0 * std::numbers::pi * to_unit(x[3]);
    EXPECT_EQ(normal(seed, i, 4 * m), ra * std::cos(a));
    EXPECT_EQ(normal(seed, i, 4 * m + 1), ra * std::sin(a));
    EXPECT_EQ(normal(seed, i, 4 * m + 2), rb * std::cos(b));
    EXPECT_EQ(normal(seed, i, 4 * m + 3), rb * std::sin(b));
    EXPECT_NE(normal(seed, i, 4 * m + 4), normal(seed, i, 4 * m)); // the next group has its own block
}

TEST(random, initial_v_known_answers) {
    const config c; // defaults, seed 1
    EXPECT_DOUBLE_EQ(initial_v(c, 0), -51.64611240674276);
    EXPECT_DOUBLE_EQ(initial_v(c, 1), -54.92002596787643);
}

TEST(random, normal_has_unit_variance) {
    double sum = 0, sum2 = 0;
    const int n = 200000;
    for (int i = 0; i < n; ++i) {
        const double x = normal(7, i, 3);
        sum += x;
        sum2 += x * x;
    }
    EXPECT_NEAR(sum / n, 0.0, 5 / std::sqrt(n));
    EXPECT_NEAR(sum2 / n, 1.0, 0.02);
}

TEST(random, to_index_is_in_range_and_covers_it) {
    std::vector<int> hits(7, 0);
    for (std::uint64_t i = 0; i < 7000; ++i) {
        const auto x = philox(3, purpose::er_edge, i, 0);
        const auto k = to_index(x[0], x[1], 7);
        ASSERT_LT(k, 7u);
        ++hits[k];
    }
    for (int h: hits) EXPECT_NEAR(h, 1000, 150);
}

TEST(noise, every_kernel_matches_the_scalar_mapping) {
    // The SIMD paths may differ from scalar log/cos/sin in the last bits
    // only. Ids above 2^32 and groups above 2^32 use every counter word;
    // 4096 draws cross the kernels' blocks of 256; the output planes are
    // written with a stride larger than the count.
    std::vector<std::uint64_t> ids(4096);
    for (std::size_t j = 0; j < ids.size(); ++j) ids[j] = j * 2654435761ull + (std::uint64_t(j % 3) << 33);
    const std::size_t stride = ids.size() + 8;
    std::vector<double> xi(4 * stride);
    const auto kernels = noise_kernels();
    ASSERT_EQ(std::string(kernels.front()), noise_kernel());
    for (const char* kernel: kernels)
        for (std::uint64_t m: {std::uint64_t(169), (std::uint64_t(5) << 32) + 9}) {
            normals_with(kernel, 42, ids.data(), ids.size(), m, xi.data(), stride);
            for (std::size_t q = 0; q < 4; ++q)
                for (std::size_t j = 0; j < ids.size(); ++j) {
                    const double want = normal(42, ids[j], 4 * m + q);
                    ASSERT_NEAR(xi[q * stride + j], want, 1e-14 * std::max(1.0, std::abs(want)))
                        << kernel << ", id " << ids[j] << ", step " << 4 * m + q;
                }
        }
    // The known answers through the kernel the simulation uses.
    for (const auto& k: known_normals) {
        std::vector<std::uint64_t> block(noise_lanes, 3);
        block[5] = k.i;
        std::vector<double> out(4 * noise_lanes);
        normals(k.seed, block.data(), block.size(), k.n / 4, out.data(), noise_lanes);
        EXPECT_NEAR(out[(k.n % 4) * noise_lanes + 5], k.xi, 1e-15 * std::abs(k.xi)) << noise_kernel() << ", " << k.n;
    }
}

TEST(noise, every_kernel_computes_the_same_bits) {
    // One algorithm in every instruction set (exactly rounded operations
    // only), so a run draws the same noise on any x86-64 CPU.
    std::vector<std::uint64_t> ids(2048);
    for (std::size_t j = 0; j < ids.size(); ++j) ids[j] = j * 0x9E3779B97F4A7C15ull;
    const auto kernels = noise_kernels();
    std::vector<double> first(4 * ids.size()), xi(first.size());
    normals_with(kernels.front(), 9, ids.data(), ids.size(), 77, first.data(), ids.size());
    for (const char* kernel: kernels) {
        normals_with(kernel, 9, ids.data(), ids.size(), 77, xi.data(), ids.size());
        for (std::size_t at = 0; at < xi.size(); ++at)
            ASSERT_EQ(std::bit_cast<std::uint64_t>(xi[at]), std::bit_cast<std::uint64_t>(first[at]))
                << kernel << " against " << kernels.front() << ", value " << at;
    }
}

TEST(noise, a_group_drawn_by_halves_equals_the_whole_group) {
    // An epoch that ends inside a group draws its first pair, the next epoch
    // its second: together the whole group, and neither touches the other's planes.
    std::vector<std::uint64_t> ids(64);
    for (std::size_t j = 0; j < ids.size(); ++j) ids[j] = 1000 + 7 * j;
    for (const char* kernel: noise_kernels()) {
        std::vector<double> whole(4 * ids.size()), halves(whole.size(), -1.0);
        normals_with(kernel, 4, ids.data(), ids.size(), 5, whole.data(), ids.size());
        normals_with(kernel, 4, ids.data(), ids.size(), 5, halves.data(), ids.size(), first_pair);
        for (std::size_t at = 2 * ids.size(); at < halves.size(); ++at) ASSERT_EQ(halves[at], -1.0) << kernel;
        normals_with(kernel, 4, ids.data(), ids.size(), 5, halves.data(), ids.size(), second_pair);
        EXPECT_EQ(halves, whole) << kernel;
    }
}

TEST(noise, box_muller_is_within_two_ulp_of_the_exact_formula) {
    // Words at the corners of the kernels' reductions: u at its ends, at the
    // zeros of cos and sin (u = k/4), where the angle's quadrant changes
    // (u = (2k+1)/8), at powers of two and at the logarithm's split √½ 2^-k;
    // then 2^20 words spread evenly over the whole range (stride 4093, so
    // that the low bits vary too), then random words. The reference is the
    // formula in long double.
    std::vector<std::uint32_t> corners = {0, 1, 2, 0xFFFFFFFFu, 0xFFFFFFFEu};
    for (std::uint64_t k = 1; k < 8; ++k)
        for (std::int64_t d: {-2, -1, 0, 1}) corners.push_back(static_cast<std::uint32_t>((k << 29) + d));
    for (int k = 1; k < 32; ++k) {
        const auto split = static_cast<std::uint32_t>(std::ldexp(std::sqrt(0.5), 32 - k));
        for (std::uint32_t x: {(1u << (32 - k)) - 1, 1u << (32 - k), split - 1, split, split + 1}) corners.push_back(x);
    }
    std::vector<std::uint32_t> all;
    for (std::uint32_t a: corners)
        for (std::uint32_t b: corners) all.push_back(a), all.push_back(b);
    for (std::uint32_t j = 0; j < (1u << 20); ++j) all.push_back(j * 4093u), all.push_back(~(j * 4093u));
    for (std::uint64_t j = 0; all.size() < 2 * (1u << 20) + 4 * 100000; ++j) {
        const auto x = philox(5, purpose::noise, j, 0);
        all.insert(all.end(), x.begin(), x.end());
    }
    // Words for lanes j: (all[4j] … all[4j+3]) as (u0, u1, u2, u3).
    const std::size_t count = all.size() / 4 / noise_lanes * noise_lanes;
    std::vector<std::uint32_t> words(4 * count);
    for (std::size_t j = 0; j < count; ++j)
        for (std::size_t q = 0; q < 4; ++q) words[q * count + j] = all[4 * j + q];
    std::vector<double> xi(4 * count);
    const long double two_pi = 2 * std::numbers::pi_v<long double>;
    for (const char* kernel: noise_kernels()) {
        box_muller_with(kernel, words.data(), count, xi.data(), count);
        for (std::size_t j = 0; j < count; ++j)
            for (std::size_t pair = 0; pair < 2; ++pair) {
                const long double u = (words[2 * pair * count + j] + 0.5L) * 0x1p-32L;
                const long double angle = two_pi * ((words[(2 * pair + 1) * count + j] + 0.5L) * 0x1p-32L);
                const long double r = std::sqrt(-2 * std::log(u));
                // A bound relative to r: cos and sin err by about a unit in the last place of 1.
                const long double want[2] = {r * std::cos(angle), r * std::sin(angle)};
                for (std::size_t q = 0; q < 2; ++q)
                    ASSERT_LE(std::abs(xi[(2 * pair + q) * count + j] - want[q]), r * 0x1p-51L)
                        << kernel << ", words " << words[2 * pair * count + j] << ", "
                        << words[(2 * pair + 1) * count + j] << (q ? " (sin)" : " (cos)");
            }
    }
}

TEST(noise, every_philox_run_kernel_matches_the_scalar_philox) {
    // Counters that cross 2^32 (the carry into the high word) and a b above 2^32.
    const std::uint64_t a0 = (std::uint64_t(1) << 32) - 100;
    const std::size_t count = 256, stride = count + 8;
    std::vector<std::uint32_t> out(4 * stride);
    for (const char* kernel: noise_kernels())
        for (std::uint64_t b: {std::uint64_t(0), (std::uint64_t(3) << 32) + 7}) {
            philox_run_with(kernel, 42, purpose::ws_rewire, a0, count, b, out.data(), stride);
            for (std::size_t j = 0; j < count; ++j) {
                const auto want = philox(42, purpose::ws_rewire, a0 + j, b);
                for (std::size_t q = 0; q < 4; ++q)
                    ASSERT_EQ(out[q * stride + j], want[q]) << kernel << ", counter " << a0 + j << ", word " << q;
            }
        }
}

TEST(noise, a_draw_does_not_depend_on_its_position) {
    // Rank invariance needs the same bits wherever a neuron sits in a block.
    const std::uint64_t id = 987654321;
    std::vector<double> reference(4 * noise_lanes);
    std::vector<std::uint64_t> ids(noise_lanes, 5);
    ids[0] = id;
    normals(3, ids.data(), ids.size(), 11, reference.data(), noise_lanes);
    for (std::size_t at = 1; at < 3 * noise_lanes; ++at) {
        std::vector<std::uint64_t> block(3 * noise_lanes, at);
        block[at] = id;
        std::vector<double> xi(4 * block.size());
        normals(3, block.data(), block.size(), 11, xi.data(), block.size());
        for (std::size_t q = 0; q < 4; ++q)
            EXPECT_EQ(xi[q * block.size() + at], reference[q * noise_lanes])
                << "position " << at << ", step " << q << " (" << noise_kernel() << ")";
    }
}

TEST(exact_sum, fast_conversion_equals_the_direct_one) {
    for (double x: {0.0, 1.0, -1.0, -65.123456789, 3.5e-5, -2.75e-3, 1e9, -7.0e11, 0x1p-12, -0x1p-30, 123.456e-9}) {
        const auto direct = static_cast<fixed128>(std::ldexp(x, 64));
        EXPECT_TRUE(to_fixed(x) == direct) << x;
        EXPECT_NEAR(from_fixed(to_fixed(x)), x, 1e-18 + 1e-15 * std::abs(x)) << x;
    }
    std::uint64_t state = 1;
    for (int i = 0; i < 100000; ++i) {
        state = state * 6364136223846793005ull + 1442695040888963407ull;
        const double x = (static_cast<double>(state >> 11) * 0x1p-53 - 0.5) * 200; // [-100, 100) mV
        ASSERT_TRUE(to_fixed(x) == static_cast<fixed128>(std::ldexp(x, 64))) << x;
    }
}

TEST(exact_sum, values_outside_the_range_are_an_error) {
    EXPECT_NO_THROW(to_fixed(std::nextafter(fixed_limit, 0.0)));
    for (double x: {fixed_limit, -fixed_limit, 1e300, std::numeric_limits<double>::infinity(),
                    std::numeric_limits<double>::quiet_NaN()})
        EXPECT_THROW(to_fixed(x), lifnet::error) << x;
}

TEST(exact_sum, vector_sums_equal_the_sum_of_to_fixed) {
    // Runs of 512 and a remainder; values from tiny to above the fast
    // path's 2^20, signs mixed, so both paths and the joins are checked.
    std::vector<double> x(1500);
    std::uint64_t state = 7;
    for (std::size_t i = 0; i < x.size(); ++i) {
        state = state * 6364136223846793005ull + 1442695040888963407ull;
        const double u = static_cast<double>(state >> 11) * 0x1p-53 - 0.5;
        x[i] = i % 97 == 5 ? u * 0x1p35 : i % 13 == 0 ? u * 1e-9 : -65 + 40 * u;
    }
    for (std::size_t n: {std::size_t(0), std::size_t(1), std::size_t(511), std::size_t(512), std::size_t(1500)}) {
        fixed128 sum = 0, deviation = 0;
        for (std::size_t i = 0; i < n; ++i) {
            sum += to_fixed(x[i]);
            deviation += to_fixed(std::abs(x[i] - (-57.25)));
        }
        EXPECT_TRUE(exact_sum(x.data(), n) == sum) << n;
        // A bound: the sum if every |x[i]| is below it, else nothing.
        const bool within = std::all_of(x.begin(), x.begin() + n, [](double v) { return std::abs(v) < 0x1p30; });
        if (n <= 1 || n == 1500) {
            EXPECT_EQ(within, n <= 1); // both cases occur
        }
        EXPECT_TRUE(within ? exact_sum(x.data(), n, 0x1p30) == sum : !exact_sum(x.data(), n, 0x1p30)) << n;
        EXPECT_TRUE(exact_sum_abs_deviation(x.data(), n, -57.25) == deviation) << n;
    }
    for (double bad: {std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::infinity(), fixed_limit,
                      -fixed_limit}) {
        x[700] = bad;
        EXPECT_FALSE(exact_sum(x.data(), x.size()).has_value()) << bad;
    }
    x[700] = 0x1p41;
    EXPECT_THROW(exact_sum_abs_deviation(x.data(), x.size(), 0.0), lifnet::error);
}
