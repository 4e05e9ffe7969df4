// Structure-aware, as fuzz_checkpoint: a small run writes one valid run file
// (with its SONATA nodes and edges) and a small sweep one summary at
// start-up; each input changes a copy of one of them through the HDF5 API
// (h5_mutator.hpp) and describes it as `lifnet info` does. Every input ends
// in a lifnet::error or a description.
#include "h5_mutator.hpp"

#include <lifnet/config.hpp>
#include <lifnet/errors.hpp>
#include <lifnet/info.hpp>
#include <lifnet/simulation.hpp>
#include <lifnet/sweep.hpp>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <unistd.h>

namespace {

const std::string dir = "/tmp/lifnet-fuzz-info-" + std::to_string(getpid());
const std::string pristine[] = {dir + "/run.h5", dir + "/sweep.h5"};
const std::string damaged = dir + "/damaged.h5";
std::vector<h5_mutator::object> objects[2]; // of each pristine file

lifnet::config small_run() {
    lifnet::config c;
    c.N = 30;
    c.k = 4;
    c.t_stop = 20;
    c.t_transient = 0;
    c.I_bias = 25;
    c.partition = lifnet::partition_method::block;
    return c;
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) {
    static lifnet::environment env(*argc, *argv);
    std::filesystem::create_directories(dir);
    lifnet::run_options o;
    o.output = pristine[0];
    o.save_graph = true;
    if (lifnet::run(small_run(), o, lifnet::context::single()).spikes == 0) std::abort();
    lifnet::sweep_spec spec;
    spec.axes.push_back(lifnet::parse_axis("p=0,0.5"));
    spec.axes.push_back(lifnet::parse_axis("integrator=rk4,exact"));
    spec.seeds = {1, 2};
    spec.output = pristine[1];
    lifnet::run_sweep(small_run(), spec, lifnet::context::single());
    for (int f = 0; f < 2; ++f) {
        lifnet::describe_file(pristine[f]); // valid: must not throw
        objects[f] = h5_mutator::objects_of(pristine[f]);
        if (objects[f].size() < 10) std::abort();
    }
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    FuzzedDataProvider in(data, size);
    const int f = in.ConsumeBool();
    std::filesystem::copy_file(pristine[f], damaged, std::filesystem::copy_options::overwrite_existing);
    const hid_t file = H5Fopen(damaged.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
    for (int m = in.ConsumeIntegralInRange<int>(1, 3); m > 0; --m) h5_mutator::mutate(in, file, objects[f]);
    H5Fclose(file);
    try {
        lifnet::describe_file(damaged);
    }
    catch (const lifnet::error&) {
    }
    return 0;
}
