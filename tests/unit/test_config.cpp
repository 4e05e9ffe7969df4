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
    const auto keys = bad_keys(c);
    for (const char* key: {"k", "p", "seed", "t_stop"}) EXPECT_TRUE(names(keys, key)) << key;
    EXPECT_EQ(keys.size(), 4u);
}

TEST(config, modes_are_parsed_from_their_names) {
    config c;
    set_key(c, "routing", "allgather");
    set_key(c, "exchange", "step");
    set_key(c, "report_dtype", "float64");
    EXPECT_EQ(c.routing, spike_routing::allgather);
    EXPECT_EQ(c.exchange, epoch_length::step);
    EXPECT_EQ(c.report_dtype, report_type::float64);
    EXPECT_EQ(c.epoch_steps(), 1);
    set_key(c, "exchange", "epoch");
    EXPECT_EQ(c.epoch_steps(), c.delay_steps());
    try {
        set_key(c, "graph", "torus");
        FAIL() << "graph = torus accepted";
    }
    catch (const config_error& e) {
        ASSERT_EQ(e.problems.size(), 1u);
        EXPECT_EQ(e.problems[0].key, "graph");
        EXPECT_EQ(e.problems[0].message, "'torus' is not one of ws | ring | er | file");
    }
    EXPECT_EQ(c.graph, graph_model::ws);
    // A TOML file: every bad mode at once, with its line.
    config d;
    try {
        load_toml_text(d, "partition = \"metis\"\nJ_norm = 3\nintegrator = \"exact\"\n", "t.toml");
        FAIL() << "bad modes accepted";
    }
    catch (const config_error& e) {
        ASSERT_EQ(e.problems.size(), 2u);
        for (const auto& p: e.problems) {
            if (p.key == "partition")
                EXPECT_EQ(p.message, "'metis' is not one of ptscotch | block | random (t.toml:1)");
            else
                EXPECT_EQ(p.message, "expected a string (t.toml:2)") << p.key;
        }
    }
    EXPECT_EQ(d.integrator, integrator_method::exact);
    // --help lists a mode's values from the same table.
    for (const auto& k: config_keys()) {
        if (k.name == "routing") {
            EXPECT_EQ(k.values, (std::vector<std::string>{"allgather", "neighbour"}));
        }
    }
}

TEST(config, rk4_stability_limit) {
    config c;
    c.tau_syn = 0.1;
    c.dt = 0.3; // 0.3 >= 2.78 * 0.1
    c.d = c.t_ref = 0.3;
    c.t_stop = c.t_transient = c.sample_dt = 3;
    EXPECT_EQ(bad_keys(c), std::vector<std::string>{"dt"});
    c.integrator = integrator_method::exact;
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
    EXPECT_EQ(c.graph, graph_model::er);
    EXPECT_THROW(set_key(c, "p", "abc"), config_error);
    EXPECT_THROW(set_key(c, "N", "-3"), config_error);
    EXPECT_THROW(set_key(c, "nonsense", "1"), config_error);
}

TEST(config, toml_round_trip) {
    config c;
    c.N = 321;
    c.p = 0.25;
    c.graph = graph_model::ring;
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
