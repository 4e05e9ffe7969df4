#pragma once
// Ensembles and sweeps: every combination of the varied keys × every seed,
// each member a full run on a group of ranks, resumable from a journal.
#include <lifnet/config.hpp>
#include <lifnet/simulation.hpp>

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

namespace lifnet {

struct sweep_axis {
    std::string key;
    std::vector<std::string> values; // as given; each is checked with set_key
};

// The default bound on the members of one sweep (points × seeds), so that a
// typo such as --seeds 0-4294967295 is refused instead of filling memory.
inline constexpr std::size_t default_max_members = 100000;

struct sweep_spec {
    std::vector<sweep_axis> axes;
    std::vector<std::uint64_t> seeds{1};
    int ranks_per_member = 1;
    std::size_t max_members = default_max_members; // --max-members
    std::string output;                            // the summary file (HDF5)
    std::string member_dir;                        // when set, every member's full run file goes here
    bool save_graph = false;                       // members' run files also hold their SONATA edges (needs member_dir)
    std::string command_line;                      // recorded for provenance
    std::string config_file;                       // the TOML file read for the configuration: never written
    bool progress = true;                          // rank 0 prints a line per finished member to stderr
};

// "key=v1,v2,..." (config_error naming --vary for a bad key, value or empty list).
sweep_axis parse_axis(const std::string& text);
// "1-20", "1,2,5" or a mix ("1-3,7"); at most `max_seeds` of them, none twice.
std::vector<std::uint64_t> parse_seeds(const std::string& text, std::size_t max_seeds = default_max_members);
// The [sweep] table of a TOML config: vary = { p = [0, 0.1] }, seeds = "1-20"
// (or a list), ranks_per_member = 2. Absent table: nothing changes.
void load_sweep_table(sweep_spec& spec, const std::string& path);

struct sweep_result {
    std::size_t members = 0; // in the sweep
    std::size_t skipped = 0; // already finished (ok or failed) in the journal
    std::size_t failed = 0;  // failed, now or before (status in the summary)
};

// Collective over ctx. The journal `<output>.journal` records each member
// as it starts and as it finishes; running the same sweep again skips the
// finished ones and rebuilds the summary. A member whose group agrees on a
// failure is recorded as failed, with its cause, and the sweep goes on; one
// started twice that never finished (its process died) is recorded as
// failed ("crashed") and skipped.
sweep_result run_sweep(const config& base, const sweep_spec& spec, const context& ctx = context());

// A sweep summary read back (lifnet.open in Python), checked against
// docs/output-format.md: its tables as named columns of one length each.
struct sweep_column {
    std::string name;
    std::variant<std::vector<double>, std::vector<std::uint64_t>, std::vector<std::int64_t>, std::vector<std::string>>
        values;
};
struct sweep_contents {
    config base;                     // the configuration every member started from
    std::vector<std::string> varied; // the varied keys, in sweep order
    std::uint64_t seeds = 0;         // per point
    std::string command_line, lifnet_version;
    std::vector<sweep_column> members; // one row per member, in sweep order
    std::vector<sweep_column> points;  // one row per point: n, and <measure>_mean, _std, _sem, _n
};
// Throws file_error, naming the file and the object, for a file that is not
// a complete sweep summary of this format (a run file, other HDF5, a damaged
// or crafted file).
sweep_contents read_sweep_summary(const std::string& path);

} // namespace lifnet
