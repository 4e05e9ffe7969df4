#include <lifnet/config.hpp>
#include <lifnet/errors.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>

using namespace lifnet;

namespace {
std::vector<std::string> bad_keys(const config& c) {
    try {
        validate(c);
    }
    catch (const config_error& e) {
        std::vector<std::string> keys;
        for (const auto& p: e.problems) keys.push_back(p.key);
        return keys;
    }
    return {};
}
bool names(const std::vector<std::string>& keys, const std::string& key) {
    return std::find(keys.begin(), keys.end(), key) != keys.end();
}
} // namespace

TEST(config, defaults_are_valid_and_match_the_model) {
    const config c;
    EXPECT_TRUE(bad_keys(c).empty());
    EXPECT_EQ(c.nsteps(), 10000);
    EXPECT_EQ(c.delay_steps(), 10);
    EXPECT_EQ(c.ref_steps(), 20);
}

TEST(config, every_bad_key_is_named_at_once) {
    config c;
    c.k = 5;
    c.p = 1.5;
    c.seed = std::uint64_t(1) << 32;
    c.t_stop = 100.05;
    c.graph = "torus";
    const auto keys = bad_keys(c);
    for (const char* key: {"k", "p", "seed", "t_stop", "graph"}) EXPECT_TRUE(names(keys, key)) << key;
    EXPECT_EQ(keys.size(), 5u);
}

TEST(config, rk4_stability_limit) {
    config c;
    c.tau_syn = 0.1;
    c.dt = 0.3; // 0.3 >= 2.78 * 0.1
    c.d = c.t_ref = 0.3;
    c.t_stop = c.t_transient = c.sample_dt = 3;
    EXPECT_EQ(bad_keys(c), std::vector<std::string>{"dt"});
    c.integrator = "exact";
    EXPECT_TRUE(bad_keys(c).empty());
}

TEST(config, delay_must_be_at_least_one_step) {
    config c;
    c.d = 0;
    EXPECT_TRUE(names(bad_keys(c), "d"));
}

TEST(config, set_key_parses_and_rejects) {
    config c;
    set_key(c, "p", "0.3");
    set_key(c, "N", "1000");
    set_key(c, "graph", "er");
    EXPECT_EQ(c.p, 0.3);
    EXPECT_EQ(c.N, 1000u);
    EXPECT_EQ(c.graph, "er");
    EXPECT_THROW(set_key(c, "p", "abc"), config_error);
    EXPECT_THROW(set_key(c, "N", "-3"), config_error);
    EXPECT_THROW(set_key(c, "nonsense", "1"), config_error);
}

TEST(config, toml_round_trip) {
    config c;
    c.N = 321;
    c.p = 0.25;
    c.graph = "ring";
    c.t_stop = 250;
    const auto path = testing::TempDir() + "/roundtrip.toml";
    std::ofstream(path) << to_toml(c);
    config d;
    load_toml(d, path);
    EXPECT_EQ(to_toml(d), to_toml(c));
    EXPECT_EQ(d.N, 321u);
    EXPECT_EQ(d.p, 0.25);
}

TEST(config, malformed_toml_names_the_line) {
    const auto path = testing::TempDir() + "/bad.toml";
    std::ofstream(path) << "N = 10\np = = 3\n";
    config c;
    try {
        load_toml(c, path);
        FAIL() << "no error";
    }
    catch (const file_error& e) {
        EXPECT_EQ(e.line, 2u);
        EXPECT_EQ(e.path, path);
    }
}
