#include "sweep/spec.hpp"

#include "config/toml_util.hpp"
#include "io/input_file.hpp"

#include <lifnet/signals.hpp>

#include <toml++/toml.h>

#include <algorithm>
#include <charconv>
#include <limits>
#include <map>
#include <set>

namespace lifnet {

namespace {

[[noreturn]] void bad(const std::string& key, const std::string& message) {
    throw config_error({{key, message}});
}

std::vector<std::string> split(const std::string& text, char sep) {
    std::vector<std::string> out;
    std::size_t start = 0;
    for (std::size_t end; (end = text.find(sep, start)) != std::string::npos; start = end + 1)
        out.push_back(text.substr(start, end - start));
    out.push_back(text.substr(start));
    return out;
}

} // namespace

sweep_axis parse_axis(const std::string& text) {
    const auto eq = text.find('=');
    if (eq == std::string::npos) bad("--vary", "'" + text + "': expected key=v1,v2,...");
    sweep_axis axis{text.substr(0, eq), {}};
    if (text.size() == eq + 1) bad("--vary", "'" + axis.key + "': the list of values is empty");
    axis.values = split(text.substr(eq + 1), ',');
    std::map<std::string, std::string> effects; // a value's configuration, and the value
    for (const auto& v: axis.values) {
        if (v.empty()) bad("--vary", "'" + text + "': an empty value");
        config probe;
        try {
            set_key(probe, axis.key, v);
        }
        catch (const config_error& e) {
            bad("--vary " + axis.key, e.problems.front().message);
        }
        const auto [it, fresh] = effects.emplace(to_toml(probe), v);
        if (!fresh) bad("--vary " + axis.key, "the value '" + v + "' is given twice (also as '" + it->second + "')");
    }
    if (axis.key == "seed") bad("--vary", "vary the seed with --seeds");
    return axis;
}

std::vector<std::uint64_t> parse_seeds(const std::string& text, std::size_t max_seeds) {
    std::vector<std::uint64_t> seeds;
    auto too_many = [&](std::uint64_t n) {
        bad("--seeds", "'" + text + "' names " + std::to_string(n) + " seeds or more; a sweep has at most " +
                           std::to_string(max_seeds) + " members (raise the limit with --max-members)");
    };
    auto number = [&](const std::string& s) {
        config probe;
        set_key(probe, "seed", s);
        if (probe.seed >= (std::uint64_t(1) << 32)) bad("--seeds", "'" + s + "' is not below 2^32");
        return probe.seed;
    };
    try {
        for (const auto& part: split(text, ',')) {
            const auto dash = part.find('-');
            if (seeds.size() >= max_seeds) too_many(seeds.size() + 1);
            if (dash == std::string::npos)
                seeds.push_back(number(part));
            else {
                const auto lo = number(part.substr(0, dash)), hi = number(part.substr(dash + 1));
                if (hi < lo) bad("--seeds", "'" + part + "' is an empty range");
                if (hi - lo >= max_seeds - seeds.size()) too_many(seeds.size() + (hi - lo) + 1);
                for (auto s = lo; s <= hi; ++s) seeds.push_back(s);
            }
        }
    }
    catch (const config_error& e) {
        if (e.problems.front().key == "--seeds") throw;
        bad("--seeds", "'" + text + "': expected seeds like 1-20 or 1,2,5");
    }
    return seeds; // duplicates are refused by run_sweep, for seeds from any source
}

void load_sweep_table(sweep_spec& spec, const std::string& path) {
    toml::table table;
    try {
        table = toml::parse(input_file(path).rest(), path);
    }
    catch (const toml::parse_error& e) {
        throw file_error(path, std::string(e.description()), e.source().begin.line);
    }
    const auto* sweep = table["sweep"].as_table();
    if (!sweep) return;
    for (const auto& [name, node]: *sweep) {
        const std::string key(name.str());
        if (key == "vary" && node.is_table()) {
            // toml++ keeps keys sorted; the axes keep the order they are written in.
            std::vector<std::pair<const toml::key*, const toml::node*>> ordered;
            for (const auto& [axis_key, list]: *node.as_table()) ordered.emplace_back(&axis_key, &list);
            std::sort(ordered.begin(), ordered.end(), [](const auto& a, const auto& b) {
                const auto &x = a.first->source().begin, &y = b.first->source().begin;
                return std::pair(x.line, x.column) < std::pair(y.line, y.column);
            });
            for (const auto& [key_ptr, list_ptr]: ordered) {
                const auto& axis_key = *key_ptr;
                const auto& list = *list_ptr;
                std::string text = std::string(axis_key.str()) + "=";
                const auto* values = list.as_array();
                if (!values || values->empty())
                    bad("sweep.vary." + std::string(axis_key.str()), "expected a non-empty list");
                for (std::size_t i = 0; i < values->size(); ++i) {
                    const auto& v = *values->get(i);
                    std::string item;
                    if (auto s = v.value<std::string>(); s && v.is_string())
                        item = *s;
                    else if (auto d = v.value<double>()) {
                        char buf[32];
                        item = std::string(buf, std::to_chars(buf, buf + sizeof buf, *d).ptr);
                    }
                    else
                        bad("sweep.vary." + std::string(axis_key.str()), "values must be numbers or strings");
                    text += (i ? "," : "") + item;
                }
                spec.axes.push_back(parse_axis(text));
            }
        }
        else if (key == "seeds" && node.is_string())
            spec.seeds = parse_seeds(*node.value<std::string>(), spec.max_members);
        else if (key == "seeds" && node.is_array()) {
            spec.seeds.clear();
            if (node.as_array()->size() > spec.max_members)
                bad("sweep.seeds", "more seeds than the " + std::to_string(spec.max_members) +
                                       " members a sweep may have (raise the limit with --max-members)");
            for (const auto& s: *node.as_array()) {
                const auto v = integer_of(s);
                if (!v || *v < 0 || *v >= (std::int64_t(1) << 32)) bad("sweep.seeds", "expected seeds below 2^32");
                spec.seeds.push_back(static_cast<std::uint64_t>(*v));
            }
        }
        else if (const auto ranks = integer_of(node);
                 key == "ranks_per_member" && ranks && *ranks > 0 && *ranks <= std::numeric_limits<int>::max()) {
            spec.ranks_per_member = static_cast<int>(*ranks);
        }
        else
            bad("sweep." + key, "unknown key or wrong type (vary = {key = [...]}, seeds, ranks_per_member)");
    }
}

void check_sweep(const sweep_spec& spec) {
    if (spec.seeds.empty()) bad("--seeds", "no seeds");
    auto seeds = spec.seeds;
    std::sort(seeds.begin(), seeds.end());
    if (const auto twice = std::adjacent_find(seeds.begin(), seeds.end()); twice != seeds.end())
        bad("--seeds", "the seed " + std::to_string(*twice) + " is given twice");
    for (std::size_t a = 0; a < spec.axes.size(); ++a)
        for (std::size_t b = 0; b < a; ++b)
            if (spec.axes[a].key == spec.axes[b].key)
                bad("--vary " + spec.axes[a].key, "varied twice (in the [sweep] table and by --vary?)");
    // The number of members, bounded before anything is expanded.
    std::size_t count = spec.seeds.size();
    for (const auto& a: spec.axes)
        if (__builtin_mul_overflow(count, a.values.size(), &count)) count = SIZE_MAX;
    if (count > spec.max_members)
        bad("--max-members", "the sweep has " +
                                 (count == SIZE_MAX ? std::string("more than 2^64") : std::to_string(count)) +
                                 " members, more than the limit of " + std::to_string(spec.max_members) +
                                 " (raise it with --max-members)");
    if (spec.output.empty()) bad("--output", "the sweep needs a summary file");
    if (spec.save_graph && spec.member_dir.empty())
        bad("--save-graph", "writes each member's edges into its run file: give --member-output too");
}

std::vector<sweep_member> sweep_members(const config& base, const sweep_spec& spec) {
    std::vector<config_error::problem> problems;
    std::vector<sweep_member> members;
    std::vector<std::size_t> at(spec.axes.size(), 0);
    for (std::uint64_t point = 0;; ++point) {
        if (stop_requested()) break; // the caller agrees on the stop
        for (auto seed: spec.seeds) {
            sweep_member m{members.size(), point, {}, seed, base, ""};
            try {
                for (std::size_t a = 0; a < spec.axes.size(); ++a) {
                    m.values.push_back(spec.axes[a].values[at[a]]);
                    set_key(m.c, spec.axes[a].key, m.values.back());
                }
                set_key(m.c, "seed", std::to_string(seed));
                validate(m.c);
            }
            catch (const config_error& e) {
                std::string where;
                for (std::size_t a = 0; a < spec.axes.size(); ++a)
                    where += (a ? ", " : "") + spec.axes[a].key + " = " + spec.axes[a].values[at[a]];
                for (const auto& p: e.problems)
                    problems.push_back({p.key, p.message + (where.empty() ? "" : " (member with " + where + ")")});
            }
            members.push_back(std::move(m));
        }
        std::size_t a = spec.axes.size();
        while (a > 0 && ++at[a - 1] == spec.axes[a - 1].values.size()) at[--a] = 0;
        if (a == 0) break;
    }
    if (!problems.empty()) {
        std::set<std::pair<std::string, std::string>> seen;
        std::vector<config_error::problem> distinct;
        for (auto& p: problems)
            if (seen.insert({p.key, p.message}).second) distinct.push_back(p);
        throw config_error(std::move(distinct));
    }
    return members;
}

} // namespace lifnet
