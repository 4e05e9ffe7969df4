// Structure-aware: a small run writes one valid checkpoint at start-up; each
// input changes a copy of it through the HDF5 API (values overwritten with
// fuzzed bytes or extreme numbers, datasets and attributes resized, given
// another type, deleted, strings replaced) and then restarts from the copy.
// Every input ends in a lifnet::error or a completed run with a finite rate.
// (The HDF5 bytes themselves are not fuzzed: that would fuzz libhdf5.)
#include <lifnet/config.hpp>
#include <lifnet/errors.hpp>
#include <lifnet/simulation.hpp>

#include <fuzzer/FuzzedDataProvider.h>
#include <hdf5.h>

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

struct object {
    bool attribute; // of the root group; else a dataset in it
    std::string name;
};
std::vector<object> objects; // of the pristine checkpoint

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

herr_t add_attribute(hid_t, const char* name, const H5A_info_t*, void*) {
    objects.push_back({true, name});
    return 0;
}
herr_t add_link(hid_t, const char* name, const H5L_info_t*, void*) {
    objects.push_back({false, name});
    return 0;
}

// The object's file type, extent and bytes.
struct contents {
    hid_t type;
    hsize_t count;
    std::vector<unsigned char> bytes;
};

contents read(hid_t root, const object& o) {
    contents x{};
    const hid_t id =
        o.attribute ? H5Aopen(root, o.name.c_str(), H5P_DEFAULT) : H5Dopen2(root, o.name.c_str(), H5P_DEFAULT);
    const hid_t space = o.attribute ? H5Aget_space(id) : H5Dget_space(id);
    x.type = o.attribute ? H5Aget_type(id) : H5Dget_type(id);
    x.count = static_cast<hsize_t>(H5Sget_simple_extent_npoints(space));
    x.bytes.resize(x.count * H5Tget_size(x.type));
    if (x.count)
        o.attribute ? H5Aread(id, x.type, x.bytes.data())
                    : H5Dread(id, x.type, H5S_ALL, H5S_ALL, H5P_DEFAULT, x.bytes.data());
    H5Sclose(space);
    o.attribute ? H5Aclose(id) : H5Dclose(id);
    return x;
}

// Replaces the object by one of `type` with `count` values from `bytes`.
void write(hid_t root, const object& o, hid_t type, hsize_t count, std::vector<unsigned char> bytes) {
    bytes.resize(count * H5Tget_size(type));
    if (o.attribute ? H5Aexists(root, o.name.c_str()) > 0 : H5Lexists(root, o.name.c_str(), H5P_DEFAULT) > 0)
        o.attribute ? H5Adelete(root, o.name.c_str()) : H5Ldelete(root, o.name.c_str(), H5P_DEFAULT);
    const hid_t space = count == 1 && o.attribute ? H5Screate(H5S_SCALAR) : H5Screate_simple(1, &count, nullptr);
    const hid_t id = o.attribute ? H5Acreate2(root, o.name.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT)
                                 : H5Dcreate2(root, o.name.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (count)
        o.attribute ? H5Awrite(id, type, bytes.data())
                    : H5Dwrite(id, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, bytes.data());
    H5Sclose(space);
    o.attribute ? H5Aclose(id) : H5Dclose(id);
}

// A number at an edge: zero, -1, the extremes of 64-bit integers, NaN, inf.
std::vector<unsigned char> extreme(FuzzedDataProvider& in, hid_t type) {
    const auto size = H5Tget_size(type);
    std::vector<unsigned char> out(size, 0);
    const auto pick = in.ConsumeIntegralInRange<int>(0, 4);
    if (H5Tget_class(type) == H5T_FLOAT && size == 8) {
        const double values[] = {0.0, -1.0, std::numeric_limits<double>::quiet_NaN(),
                                 std::numeric_limits<double>::infinity(), -1e308};
        std::memcpy(out.data(), &values[pick], 8);
    }
    else if (size == 8) {
        const std::int64_t values[] = {0, -1, std::numeric_limits<std::int64_t>::max(),
                                       std::numeric_limits<std::int64_t>::min(), 1 << 20};
        std::memcpy(out.data(), &values[pick], 8);
    }
    else
        for (auto& b: out) b = pick == 0 ? 0 : 0xff;
    return out;
}

void mutate(FuzzedDataProvider& in, hid_t root) {
    const auto& o = objects[in.ConsumeIntegralInRange<std::size_t>(0, objects.size() - 1)];
    if (o.attribute ? H5Aexists(root, o.name.c_str()) <= 0 : H5Lexists(root, o.name.c_str(), H5P_DEFAULT) <= 0)
        return; // deleted by an earlier mutation
    auto x = read(root, o);
    const auto size = H5Tget_size(x.type);
    switch (in.ConsumeIntegralInRange<int>(0, 5)) {
    case 0: { // overwrite bytes
        if (x.bytes.empty()) break;
        const auto at = in.ConsumeIntegralInRange<std::size_t>(0, x.bytes.size() - 1);
        const auto patch = in.ConsumeBytes<unsigned char>(in.ConsumeIntegralInRange<std::size_t>(1, 16));
        for (std::size_t i = 0; i < patch.size() && at + i < x.bytes.size(); ++i) x.bytes[at + i] = patch[i];
        write(root, o, x.type, x.count, x.bytes);
        break;
    }
    case 1: { // one value at an edge
        if (!x.count || H5Tget_class(x.type) == H5T_STRING) break;
        const auto at = in.ConsumeIntegralInRange<hsize_t>(0, x.count - 1);
        const auto v = extreme(in, x.type);
        std::copy(v.begin(), v.end(), x.bytes.begin() + static_cast<std::ptrdiff_t>(at * size));
        write(root, o, x.type, x.count, x.bytes);
        break;
    }
    case 2: // deleted
        o.attribute ? H5Adelete(root, o.name.c_str()) : H5Ldelete(root, o.name.c_str(), H5P_DEFAULT);
        break;
    case 3: { // shorter or longer
        const auto count = in.ConsumeIntegralInRange<hsize_t>(0, 2 * x.count + 2);
        write(root, o, x.type, count, x.bytes);
        break;
    }
    case 4: { // another type, the same bytes
        const hid_t types[] = {H5T_IEEE_F64LE, H5T_STD_I64LE, H5T_STD_U64LE, H5T_STD_U32LE, H5T_STD_I8LE};
        write(root, o, types[in.ConsumeIntegralInRange<int>(0, 4)], x.count, x.bytes);
        break;
    }
    case 5: { // a string: fuzzed text (for the TOML config and the format name)
        const auto text = in.ConsumeRandomLengthString(256);
        const hid_t type = H5Tcopy(H5T_C_S1);
        H5Tset_size(type, text.empty() ? 1 : text.size());
        write(root, o, type, 1, std::vector<unsigned char>(text.begin(), text.end()));
        H5Tclose(type);
        break;
    }
    }
    H5Tclose(x.type);
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
    const hid_t file = H5Fopen(pristine.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
    H5Aiterate2(file, H5_INDEX_NAME, H5_ITER_INC, nullptr, add_attribute, nullptr);
    H5Literate(file, H5_INDEX_NAME, H5_ITER_INC, nullptr, add_link, nullptr);
    H5Fclose(file);
    if (objects.size() < 10) std::abort();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    FuzzedDataProvider in(data, size);
    std::filesystem::copy_file(pristine, damaged, std::filesystem::copy_options::overwrite_existing);
    const hid_t file = H5Fopen(damaged.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
    for (int m = in.ConsumeIntegralInRange<int>(1, 3); m > 0; --m) mutate(in, file);
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
