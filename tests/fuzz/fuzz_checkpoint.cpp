// Structure-aware: a small run writes one valid checkpoint at start-up; each
// input changes a copy of it through the HDF5 API (h5_mutator.hpp) and then
// restarts from the copy. Every input ends in a lifnet::error or a completed
// run with a finite rate.
#include "h5_mutator.hpp"

#include <lifnet/config.hpp>
#include <lifnet/errors.hpp>
#include <lifnet/simulation.hpp>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <limits>
#include <string>
#include <unistd.h>
#include <vector>

namespace {

const std::string dir = "/tmp/lifnet-fuzz-checkpoint-" + std::to_string(getpid());
const std::string pristine = dir + "/pristine.h5";
const std::string damaged = dir + "/damaged.h5";

std::vector<h5_mutator::object> objects; // of the pristine checkpoint

lifnet::config small_run() {
    lifnet::config c;
    c.N = 40;
    c.k = 4;
    c.t_stop = 6;
    c.t_transient = 0;
    c.sample_dt = 0.5;
    c.I_bias = 25; // spikes within the first milliseconds
    c.partition = lifnet::partition_method::block;
    c.record = "none";
    return c;
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) {
    static lifnet::environment env(*argc, *argv);
    std::filesystem::create_directories(dir);
    lifnet::run_options o;
    o.checkpoint = pristine;
    lifnet::config c = small_run();
    c.t_stop = 3;
    const auto s = lifnet::run(c, o, lifnet::context::single());
    if (s.spikes == 0) std::abort(); // the fuzzed state must include spikes
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
    objects = h5_mutator::objects_of(pristine);
    if (objects.size() < 10) std::abort();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    FuzzedDataProvider in(data, size);
    std::filesystem::copy_file(pristine, damaged, std::filesystem::copy_options::overwrite_existing);
    const hid_t file = H5Fopen(damaged.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
    for (int m = in.ConsumeIntegralInRange<int>(1, 3); m > 0; --m) h5_mutator::mutate(in, file, objects);
    H5Fclose(file);

    lifnet::config c = small_run();
    lifnet::run_options o;
    o.restart = damaged;
    try {
        if (in.ConsumeBool()) c = lifnet::restart_config(damaged); // what `lifnet run --restart` does
        c.t_stop = 6;
        const auto s = lifnet::run(c, o, lifnet::context::single());
        if (!std::isfinite(s.rate_hz)) std::abort();
    }
    catch (const lifnet::error&) {
    }
    return 0;
}
