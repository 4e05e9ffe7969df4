#pragma once
// What the structure-aware HDF5 harnesses share (fuzz_checkpoint,
// fuzz_info): the objects of a pristine lifnet file, and mutations of a
// copy made through the HDF5 API (values overwritten with fuzzed bytes or
// extreme numbers, objects resized, reshaped, given another type, deleted,
// strings replaced). The HDF5 bytes themselves are not fuzzed: that would
// fuzz libhdf5.
#include <fuzzer/FuzzedDataProvider.h>
#include <hdf5.h>

#include <algorithm>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

namespace h5_mutator {

struct object {
    bool attribute; // of the root group; else a dataset, by its path from the root
    std::string name;
};

// The root attributes and every dataset of the file at `path`.
inline std::vector<object> objects_of(const std::string& path) {
    std::vector<object> out;
    const hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
    H5Aiterate2(
        file, H5_INDEX_NAME, H5_ITER_INC, nullptr,
        [](hid_t, const char* name, const H5A_info_t*, void* o) {
            static_cast<std::vector<object>*>(o)->push_back({true, name});
            return herr_t(0);
        },
        &out);
    H5Ovisit2(
        file, H5_INDEX_NAME, H5_ITER_INC,
        [](hid_t, const char* name, const H5O_info_t* info, void* o) {
            if (info->type == H5O_TYPE_DATASET) static_cast<std::vector<object>*>(o)->push_back({false, name});
            return herr_t(0);
        },
        &out, H5O_INFO_BASIC);
    H5Fclose(file);
    return out;
}

inline bool exists(hid_t root, const object& o) {
    return o.attribute ? H5Aexists(root, o.name.c_str()) > 0 : H5Lexists(root, o.name.c_str(), H5P_DEFAULT) > 0;
}

// The object's file type, extent and bytes.
struct contents {
    hid_t type;
    hsize_t count;
    std::vector<unsigned char> bytes;
};

inline contents read(hid_t root, const object& o) {
    contents x{};
    const hid_t id =
        o.attribute ? H5Aopen(root, o.name.c_str(), H5P_DEFAULT) : H5Dopen2(root, o.name.c_str(), H5P_DEFAULT);
    const hid_t space = o.attribute ? H5Aget_space(id) : H5Dget_space(id);
    x.type = o.attribute ? H5Aget_type(id) : H5Dget_type(id);
    x.count = static_cast<hsize_t>(H5Sget_simple_extent_npoints(space));
    x.bytes.resize(x.count * H5Tget_size(x.type));
    if (x.count && H5Tis_variable_str(x.type) <= 0)
        o.attribute ? H5Aread(id, x.type, x.bytes.data())
                    : H5Dread(id, x.type, H5S_ALL, H5S_ALL, H5P_DEFAULT, x.bytes.data());
    H5Sclose(space);
    o.attribute ? H5Aclose(id) : H5Dclose(id);
    return x;
}

// Replaces the object by one of `type` with `dims` (empty: a scalar) and
// values from `bytes`.
inline void write(hid_t root, const object& o, hid_t type, const std::vector<hsize_t>& dims,
                  std::vector<unsigned char> bytes) {
    hsize_t count = 1;
    for (auto d: dims) count *= d;
    bytes.resize(count * H5Tget_size(type));
    if (exists(root, o)) o.attribute ? H5Adelete(root, o.name.c_str()) : H5Ldelete(root, o.name.c_str(), H5P_DEFAULT);
    const hid_t space =
        dims.empty() ? H5Screate(H5S_SCALAR) : H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr);
    const hid_t id = o.attribute ? H5Acreate2(root, o.name.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT)
                                 : H5Dcreate2(root, o.name.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (count)
        o.attribute ? H5Awrite(id, type, bytes.data())
                    : H5Dwrite(id, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, bytes.data());
    H5Sclose(space);
    o.attribute ? H5Aclose(id) : H5Dclose(id);
}

inline std::vector<hsize_t> one_dimensional(hsize_t count, bool attribute) {
    if (count == 1 && attribute) return {}; // as lifnet writes one value
    return {count};
}

// A number at an edge: zero, -1, the extremes of 64-bit integers, NaN, inf.
inline std::vector<unsigned char> extreme(FuzzedDataProvider& in, hid_t type) {
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

// One mutation of one of `objects` in the open file `root`.
inline void mutate(FuzzedDataProvider& in, hid_t root, const std::vector<object>& objects) {
    const auto& o = objects[in.ConsumeIntegralInRange<std::size_t>(0, objects.size() - 1)];
    if (!exists(root, o)) return; // deleted by an earlier mutation
    auto x = read(root, o);
    const auto size = H5Tget_size(x.type);
    const bool variable = H5Tis_variable_str(x.type) > 0;
    switch (in.ConsumeIntegralInRange<int>(0, 6)) {
    case 0: { // overwrite bytes
        if (x.bytes.empty() || variable) break;
        const auto at = in.ConsumeIntegralInRange<std::size_t>(0, x.bytes.size() - 1);
        const auto patch = in.ConsumeBytes<unsigned char>(in.ConsumeIntegralInRange<std::size_t>(1, 16));
        for (std::size_t i = 0; i < patch.size() && at + i < x.bytes.size(); ++i) x.bytes[at + i] = patch[i];
        write(root, o, x.type, one_dimensional(x.count, o.attribute), x.bytes);
        break;
    }
    case 1: { // one value at an edge
        if (!x.count || H5Tget_class(x.type) == H5T_STRING) break;
        const auto at = in.ConsumeIntegralInRange<hsize_t>(0, x.count - 1);
        const auto v = extreme(in, x.type);
        std::copy(v.begin(), v.end(), x.bytes.begin() + static_cast<std::ptrdiff_t>(at * size));
        write(root, o, x.type, one_dimensional(x.count, o.attribute), x.bytes);
        break;
    }
    case 2: // deleted
        o.attribute ? H5Adelete(root, o.name.c_str()) : H5Ldelete(root, o.name.c_str(), H5P_DEFAULT);
        break;
    case 3: { // shorter or longer
        if (variable) break;
        const auto count = in.ConsumeIntegralInRange<hsize_t>(0, 2 * x.count + 70);
        write(root, o, x.type, one_dimensional(count, o.attribute), x.bytes);
        break;
    }
    case 4: { // another type, the same bytes
        const hid_t types[] = {H5T_IEEE_F64LE, H5T_STD_I64LE, H5T_STD_U64LE,
                               H5T_STD_U32LE,  H5T_STD_I8LE,  H5T_IEEE_F32BE};
        write(root, o, types[in.ConsumeIntegralInRange<int>(0, 5)], one_dimensional(x.count, o.attribute), x.bytes);
        break;
    }
    case 5: { // a string: fuzzed text (a TOML config, a format name, a column of names)
        const auto text = in.ConsumeRandomLengthString(256);
        const hid_t type = H5Tcopy(H5T_C_S1);
        H5Tset_size(type, text.empty() ? 1 : text.size());
        const auto count = in.ConsumeIntegralInRange<hsize_t>(1, 4);
        std::vector<unsigned char> bytes;
        for (hsize_t i = 0; i < count; ++i) bytes.insert(bytes.end(), text.begin(), text.end());
        write(root, o, type, one_dimensional(count, o.attribute), bytes);
        H5Tclose(type);
        break;
    }
    case 6: { // another shape: a scalar, or two dimensions
        if (variable) break;
        const auto rows = in.ConsumeIntegralInRange<hsize_t>(0, 3);
        std::vector<hsize_t> dims;
        if (rows) dims = {rows, std::max<hsize_t>(1, x.count / rows)};
        write(root, o, x.type, dims, x.bytes);
        break;
    }
    }
    H5Tclose(x.type);
}

} // namespace h5_mutator
