// Runs a small network through the installed public API and checks what the
// callback saw against the summary.
#include <lifnet/config.hpp>
#include <lifnet/simulation.hpp>
#include <lifnet/version.hpp>

#include <cstdio>

int main(int argc, char** argv) {
    lifnet::environment env(argc, argv);
    lifnet::config c;
    c.N = 200;
    c.t_stop = 100;
    c.t_transient = 0;
    c.partition = lifnet::partition_method::block;
    std::uint64_t seen = 0;
    lifnet::run_options options;
    options.on_spikes = [&](std::span<const lifnet::spike> spikes) { seen += spikes.size(); };
    const auto summary = lifnet::run(c, options);
    std::printf("lifnet %s: %llu spikes, %llu seen by the callback, %s routing\n", lifnet::version_string,
                static_cast<unsigned long long>(summary.spikes), static_cast<unsigned long long>(seen),
                lifnet::mode_name(c.routing));
    return summary.spikes > 0 && summary.spikes == seen ? 0 : 1;
}
