#include "io/h5.hpp"

#include "comm/mpi_util.hpp"
#include "io/input_file.hpp"

#include <H5FDmpio.h>
#include <sys/statvfs.h>

#include <algorithm>
#include <limits>
#include <sstream>
#include <type_traits>
#include <utility>

namespace lifnet::h5 {

namespace {
herr_t collect(unsigned depth, const H5E_error2_t* e, void* out) {
    auto& text = *static_cast<std::string*>(out);
    text += (depth ? "; " : "") + std::string(e->func_name ? e->func_name : "?") + ": " + (e->desc ? e->desc : "");
    return 0;
}
} // namespace

hid_t check(hid_t rc, const char* call) {
    if (rc >= 0) return rc;
    std::string text;
    H5Ewalk2(H5E_DEFAULT, H5E_WALK_DOWNWARD, collect, &text);
    H5Eclear2(H5E_DEFAULT);
    throw library_error(call, text.empty() ? "HDF5 error" : text);
}

namespace {
bool failed_close = false;
thread_local const collective_writes* innermost = nullptr;
} // namespace

collective_writes::collective_writes(const boost::mpi::communicator& c, const std::string& p):
    comm(c), path(p), previous_(innermost) {
    innermost = this;
}
collective_writes::~collective_writes() {
    innermost = previous_;
}

void agreed_write(const std::function<void()>& f) {
    if (!innermost) return f();
    const auto& scope = *innermost;
    run_collectively(scope.comm, [&] {
        try {
            f();
        }
        catch (const library_error& e) {
            // HDF5's messages do not say why a write failed; a full disk is the usual reason.
            struct statvfs disk {};
            if (::statvfs(scope.path.c_str(), &disk) == 0 && disk.f_bavail == 0)
                throw file_error(scope.path, std::string("cannot write: No space left on device (") + e.what() + ")");
            throw;
        }
    });
}

bool close_failed() {
    return failed_close;
}

bool handle::close() {
    if (id_ < 0) return true;
    // The close call of each kind of handle lifnet holds (a table, not a
    // switch: H5I_type_t has many kinds that lifnet never opens).
    static constexpr std::pair<H5I_type_t, herr_t (*)(hid_t)> closers[] = {
        {H5I_FILE, H5Fclose},     {H5I_GROUP, H5Gclose}, {H5I_DATASET, H5Dclose},    {H5I_DATASPACE, H5Sclose},
        {H5I_DATATYPE, H5Tclose}, {H5I_ATTR, H5Aclose},  {H5I_GENPROP_LST, H5Pclose}};
    const auto type = H5Iget_type(id_);
    herr_t rc = 0;
    for (const auto& [kind, close]: closers)
        if (kind == type) rc = close(id_);
    id_ = H5I_INVALID_HID;
    if (rc < 0) {
        failed_close = true;
        H5Eclear2(H5E_DEFAULT);
    }
    return rc >= 0;
}

void silence_errors() {
    static const bool silenced = H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr) >= 0;
    (void)silenced;
}

handle mpio_access(MPI_Comm comm) {
    handle fapl(check(H5Pcreate(H5P_FILE_ACCESS), "H5Pcreate"));
    check(H5Pset_fapl_mpio(fapl, comm, MPI_INFO_NULL), "H5Pset_fapl_mpio");
    return fapl;
}

handle create_group(hid_t parent, const std::string& path) {
    handle lcpl(check(H5Pcreate(H5P_LINK_CREATE), "H5Pcreate"));
    check(H5Pset_create_intermediate_group(lcpl, 1), "H5Pset_create_intermediate_group");
    return handle(check(H5Gcreate2(parent, path.c_str(), lcpl, H5P_DEFAULT, H5P_DEFAULT), "H5Gcreate2"));
}

template <>
hid_t native_type<double>() {
    return H5T_NATIVE_DOUBLE;
}
template <>
hid_t native_type<float>() {
    return H5T_NATIVE_FLOAT;
}
template <>
hid_t native_type<std::uint64_t>() {
    return H5T_NATIVE_UINT64;
}
template <>
hid_t native_type<std::uint32_t>() {
    return H5T_NATIVE_UINT32;
}
template <>
hid_t native_type<std::int64_t>() {
    return H5T_NATIVE_INT64;
}
template <>
hid_t native_type<std::uint8_t>() {
    return H5T_NATIVE_UINT8;
}

handle string_type(std::size_t length) {
    handle type(check(H5Tcopy(H5T_C_S1), "H5Tcopy"));
    check(H5Tset_size(type, length + 1), "H5Tset_size");
    check(H5Tset_strpad(type, H5T_STR_NULLTERM), "H5Tset_strpad");
    return type;
}

void write_attribute(hid_t object, const std::string& name, const std::string& value) {
    const auto type = string_type(value.size());
    handle space(check(H5Screate(H5S_SCALAR), "H5Screate"));
    handle attr(check(H5Acreate2(object, name.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT), "H5Acreate2"));
    check(H5Awrite(attr, type, value.c_str()), "H5Awrite"); // with its terminator
}

template <typename T>
void write_attribute(hid_t object, const std::string& name, const std::vector<T>& values) {
    const hsize_t n = values.size();
    handle space(check(n == 1 ? H5Screate(H5S_SCALAR) : H5Screate_simple(1, &n, nullptr), "H5Screate"));
    handle attr(
        check(H5Acreate2(object, name.c_str(), native_type<T>(), space, H5P_DEFAULT, H5P_DEFAULT), "H5Acreate2"));
    check(H5Awrite(attr, native_type<T>(), values.data()), "H5Awrite");
}

namespace {
// Selects the rows [first, first + data.size() / width) of `dataset` (of
// rank 1, or rank 2 with `width` columns) and writes `data` collectively.
template <typename T>
void write_share(hid_t dataset, hsize_t first, const std::vector<T>& data, hsize_t width = 1) {
    handle file_space(check(H5Dget_space(dataset), "H5Dget_space"));
    const hsize_t count = data.size();
    handle mem_space(check(H5Screate_simple(1, &count, nullptr), "H5Screate_simple"));
    if (count == 0) {
        check(H5Sselect_none(file_space), "H5Sselect_none");
        check(H5Sselect_none(mem_space), "H5Sselect_none");
    }
    else {
        const hsize_t start[2] = {first, 0}, rows[2] = {count / width, width};
        check(H5Sselect_hyperslab(file_space, H5S_SELECT_SET, start, nullptr, rows, nullptr), "H5Sselect_hyperslab");
    }
    handle xfer(check(H5Pcreate(H5P_DATASET_XFER), "H5Pcreate"));
    check(H5Pset_dxpl_mpio(xfer, H5FD_MPIO_COLLECTIVE), "H5Pset_dxpl_mpio");
    check(H5Dwrite(dataset, native_type<T>(), mem_space, file_space, xfer, data.data()), "H5Dwrite");
}
} // namespace

template <typename T>
appendable<T>::appendable(hid_t parent, const std::string& name, hsize_t chunk) {
    const hsize_t zero = 0, unlimited = H5S_UNLIMITED;
    handle space(check(H5Screate_simple(1, &zero, &unlimited), "H5Screate_simple"));
    handle dcpl(check(H5Pcreate(H5P_DATASET_CREATE), "H5Pcreate"));
    check(H5Pset_chunk(dcpl, 1, &chunk), "H5Pset_chunk");
    dataset_ = handle(
        check(H5Dcreate2(parent, name.c_str(), native_type<T>(), space, H5P_DEFAULT, dcpl, H5P_DEFAULT), "H5Dcreate2"));
}

template <typename T>
void appendable<T>::append(hsize_t total, hsize_t first, const std::vector<T>& mine) {
    if (total == 0) return;
    size_ += total;
    agreed_write([&] {
        check(H5Dset_extent(dataset_, &size_), "H5Dset_extent");
        write_share(dataset_.get(), size_ - total + first, mine);
    });
}

template <typename T>
void write_dataset(hid_t parent, const std::string& name, hsize_t total, hsize_t first, const std::vector<T>& mine,
                   hsize_t width) {
    const hsize_t dims[2] = {total, width};
    handle space(check(H5Screate_simple(width > 1 ? 2 : 1, dims, nullptr), "H5Screate_simple"));
    handle dataset(
        check(H5Dcreate2(parent, name.c_str(), native_type<T>(), space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
              "H5Dcreate2"));
    if (total) agreed_write([&] { write_share(dataset.get(), first, mine, width); }); // an empty one has no storage
}

void write_strings(hid_t parent, const std::string& name, const std::vector<std::string>& values) {
    std::size_t longest = 0;
    for (const auto& v: values) longest = std::max(longest, v.size());
    const auto type = string_type(longest);
    const std::size_t width = longest + 1; // each value null-terminated
    std::string packed(width * values.size(), '\0');
    for (std::size_t i = 0; i < values.size(); ++i) packed.replace(i * width, values[i].size(), values[i]);
    const hsize_t n = values.size();
    handle space(check(H5Screate_simple(1, &n, nullptr), "H5Screate_simple"));
    handle dataset(
        check(H5Dcreate2(parent, name.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), "H5Dcreate2"));
    if (n) check(H5Dwrite(dataset, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, packed.data()), "H5Dwrite");
}

template <typename T>
void write_scalar(hid_t parent, const std::string& name, T value) {
    handle space(check(H5Screate(H5S_SCALAR), "H5Screate"));
    handle dataset(
        check(H5Dcreate2(parent, name.c_str(), native_type<T>(), space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
              "H5Dcreate2"));
    handle xfer(check(H5Pcreate(H5P_DATASET_XFER), "H5Pcreate"));
    check(H5Pset_dxpl_mpio(xfer, H5FD_MPIO_COLLECTIVE), "H5Pset_dxpl_mpio");
    agreed_write([&] { check(H5Dwrite(dataset, native_type<T>(), H5S_ALL, H5S_ALL, xfer, &value), "H5Dwrite"); });
}
template void write_scalar(hid_t, const std::string&, double);
template void write_scalar(hid_t, const std::string&, std::uint64_t);

namespace {

// "float64", "uint32", "string of 12 bytes", ...: how an object's type reads in a message.
std::string type_name(hid_t type) {
    const auto size = H5Tget_size(type);
    // Not a switch: H5T_class_t has many classes that all read the same here.
    const auto cls = H5Tget_class(type);
    if (cls == H5T_INTEGER) return (H5Tget_sign(type) == H5T_SGN_NONE ? "uint" : "int") + std::to_string(8 * size);
    if (cls == H5T_FLOAT) return "float" + std::to_string(8 * size);
    if (cls == H5T_STRING)
        return H5Tis_variable_str(type) > 0 ? "variable-length string" : "string of " + std::to_string(size) + " bytes";
    return "a non-numeric type";
}

std::string shape_name(const std::vector<hsize_t>& dims) {
    if (dims.empty()) return "a scalar";
    std::string text = "shape (";
    for (std::size_t i = 0; i < dims.size(); ++i) text += (i ? ", " : "") + std::to_string(dims[i]);
    return text + (dims.size() == 1 ? ",)" : ")");
}

template <typename T>
bool is_type(hid_t type) {
    const bool integer = std::is_integral_v<T>;
    if (H5Tget_class(type) != (integer ? H5T_INTEGER : H5T_FLOAT) || H5Tget_size(type) != sizeof(T)) return false;
    return !integer || (H5Tget_sign(type) == H5T_SGN_NONE) == std::is_unsigned_v<T>;
}

template <typename T>
std::string wanted_type() {
    return (std::is_integral_v<T> ? (std::is_unsigned_v<T> ? "uint" : "int") : "float") + std::to_string(8 * sizeof(T));
}

} // namespace

reader::reader(std::string path, MPI_Comm comm): path_(std::move(path)) {
    silence_errors();
    check_regular_file(path_);
    if (H5Fis_hdf5(path_.c_str()) <= 0) throw file_error(path_, "not an HDF5 file");
    const auto fapl =
        comm != MPI_COMM_NULL ? mpio_access(comm) : handle(check(H5Pcreate(H5P_FILE_ACCESS), "H5Pcreate"));
    file_ = handle(H5Fopen(path_.c_str(), H5F_ACC_RDONLY, fapl));
    if (file_.get() < 0) throw file_error(path_, "cannot open as HDF5");
}

void reader::fail(const std::string& object, const std::string& message) const {
    throw file_error(path_, object + ": " + message);
}

bool reader::exists(const std::string& object) const {
    // H5Lexists needs each component checked in turn.
    std::string prefix;
    std::istringstream parts(object);
    for (std::string part; std::getline(parts, part, '/');) {
        if (part.empty()) continue;
        prefix += "/" + part;
        if (H5Lexists(file_, prefix.c_str(), H5P_DEFAULT) <= 0) return false;
    }
    return true;
}

bool reader::has_attribute(const std::string& name) const {
    return H5Aexists(file_, name.c_str()) > 0;
}

std::vector<std::string> reader::children(const std::string& group) const {
    if (!exists(group)) fail(group, "missing");
    handle g(H5Gopen2(file_, group.c_str(), H5P_DEFAULT));
    if (g.get() < 0) fail(group, "not a group");
    H5G_info_t info{};
    check(H5Gget_info(g, &info), "H5Gget_info");
    std::vector<std::string> names;
    for (hsize_t i = 0; i < info.nlinks; ++i) {
        const auto size = H5Lget_name_by_idx(g, ".", H5_INDEX_NAME, H5_ITER_INC, i, nullptr, 0, H5P_DEFAULT);
        if (size < 0) fail(group, "unreadable link name");
        std::string name(static_cast<std::size_t>(size) + 1, '\0');
        check(H5Lget_name_by_idx(g, ".", H5_INDEX_NAME, H5_ITER_INC, i, name.data(), name.size(), H5P_DEFAULT),
              "H5Lget_name_by_idx");
        name.resize(static_cast<std::size_t>(size));
        names.push_back(name);
    }
    return names;
}

handle reader::open_dataset(const std::string& dataset) const {
    if (!exists(dataset)) fail(dataset, "missing");
    handle d(H5Dopen2(file_, dataset.c_str(), H5P_DEFAULT));
    if (d.get() < 0) fail(dataset, "not a dataset");
    return d;
}

handle reader::open_attribute(const std::string& name) const {
    if (!has_attribute(name)) fail(name, "missing attribute");
    return handle(check(H5Aopen(file_, name.c_str(), H5P_DEFAULT), "H5Aopen"));
}

std::vector<hsize_t> reader::extent(hid_t space) const {
    if (H5Sget_simple_extent_type(space) == H5S_NULL) return {0}; // no values at all: read as none, never scalar
    const int rank = H5Sget_simple_extent_ndims(space);
    std::vector<hsize_t> dims(static_cast<std::size_t>(std::max(rank, 0)));
    if (rank < 0 || H5Sget_simple_extent_dims(space, dims.data(), nullptr) < 0)
        throw file_error(path_, "unreadable dataspace");
    return dims;
}

template <typename T>
std::vector<hsize_t> reader::shape(const std::string& dataset, int rank) const {
    const auto d = open_dataset(dataset);
    handle type(check(H5Dget_type(d), "H5Dget_type"));
    handle space(check(H5Dget_space(d), "H5Dget_space"));
    const auto dims = extent(space);
    if (!is_type<T>(type) || dims.size() != static_cast<std::size_t>(rank))
        fail(dataset, "expected " + (rank ? std::to_string(rank) + "-dimensional " : std::string("scalar ")) +
                          wanted_type<T>() + ", found " + shape_name(dims) + " of " + type_name(type));
    return dims;
}

std::vector<hsize_t> reader::float_shape(const std::string& dataset, int rank) const {
    const auto d = open_dataset(dataset);
    handle type(check(H5Dget_type(d), "H5Dget_type"));
    handle space(check(H5Dget_space(d), "H5Dget_space"));
    const auto dims = extent(space);
    if (H5Tget_class(type) != H5T_FLOAT || dims.size() != static_cast<std::size_t>(rank))
        fail(dataset, "expected " + std::to_string(rank) + "-dimensional floats, found " + shape_name(dims) + " of " +
                          type_name(type));
    return dims;
}

std::vector<double> reader::float_matrix(const std::string& dataset, hsize_t rows, hsize_t columns) const {
    const auto dims = float_shape(dataset, 2);
    if (dims[0] != rows || dims[1] != columns)
        fail(dataset, "expected " + std::to_string(rows) + " x " + std::to_string(columns) + " values, found " +
                          shape_name(dims));
    const auto d = open_dataset(dataset);
    handle type(check(H5Dget_type(d), "H5Dget_type"));
    if (H5Tget_size(type) != 4 && H5Tget_size(type) != 8) fail(dataset, "floats of " + type_name(type));
    // Bounded as any read: what is read must be stored (check_rows).
    if (columns && rows > std::numeric_limits<hsize_t>::max() / columns) fail(dataset, "too many values");
    check_rows(d, dataset, rows * columns, 0, rows * columns);
    std::vector<double> out(rows * columns);
    if (!out.empty()) check(H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, out.data()), "H5Dread");
    return out;
}

template <typename T>
T reader::scalar(const std::string& dataset) const {
    shape<T>(dataset, 0);
    T value{};
    check(H5Dread(open_dataset(dataset), native_type<T>(), H5S_ALL, H5S_ALL, H5P_DEFAULT, &value), "H5Dread");
    return value;
}

template <typename T>
std::vector<T> reader::values(const std::string& dataset, hsize_t count) const {
    const auto n = shape<T>(dataset, 1)[0];
    if (n != count) fail(dataset, "expected " + std::to_string(count) + " values, found " + std::to_string(n));
    return slice<T>(dataset, 0, count);
}

void reader::check_rows(hid_t d, const std::string& dataset, hsize_t n, hsize_t first, hsize_t count) const {
    if (first > n || count > n - first)
        fail(dataset, "values [" + std::to_string(first) + ", " + std::to_string(first + count) + ") asked of " +
                          std::to_string(n));
    // A dataset may declare any extent and store nothing (its fill value):
    // what is read must be stored, as lifnet writes it (a compressed one,
    // as other tools may write, may hold up to 1024 times its storage), so
    // that a small file cannot make the reader allocate without bound.
    handle type(check(H5Dget_type(d), "H5Dget_type"));
    handle dcpl(check(H5Dget_create_plist(d), "H5Dget_create_plist"));
    const auto stored = static_cast<long double>(H5Dget_storage_size(d));
    const auto asked = static_cast<long double>(first + count) * static_cast<long double>(H5Tget_size(type));
    if (asked > (H5Pget_nfilters(dcpl) > 0 ? 1024 * stored : stored))
        fail(dataset, "declares " + std::to_string(n) + " values of " + std::to_string(H5Tget_size(type)) +
                          " bytes but stores " + std::to_string(H5Dget_storage_size(d)) + " bytes");
}

void reader::read_rows(hid_t d, const std::string& dataset, hsize_t n, hsize_t first, hsize_t count, hid_t mem_type,
                       void* out) const {
    check_rows(d, dataset, n, first, count);
    handle file_space(check(H5Dget_space(d), "H5Dget_space"));
    handle mem_space(check(H5Screate_simple(1, &count, nullptr), "H5Screate_simple"));
    if (count)
        check(H5Sselect_hyperslab(file_space, H5S_SELECT_SET, &first, nullptr, &count, nullptr), "H5Sselect_hyperslab");
    else {
        check(H5Sselect_none(file_space), "H5Sselect_none");
        check(H5Sselect_none(mem_space), "H5Sselect_none");
    }
    check(H5Dread(d, mem_type, mem_space, file_space, H5P_DEFAULT, out), "H5Dread");
}

template <typename T>
std::vector<T> reader::slice(const std::string& dataset, hsize_t first, hsize_t count) const {
    const auto n = shape<T>(dataset, 1)[0];
    const auto d = open_dataset(dataset);
    check_rows(d, dataset, n, first, count);
    std::vector<T> out(count);
    read_rows(d, dataset, n, first, count, native_type<T>(), out.data());
    return out;
}

hsize_t reader::node_id_rows(const std::string& dataset) const {
    const auto d = open_dataset(dataset);
    handle type(check(H5Dget_type(d), "H5Dget_type"));
    handle space(check(H5Dget_space(d), "H5Dget_space"));
    const auto dims = extent(space);
    if (H5Tget_class(type) != H5T_INTEGER || H5Tget_size(type) > 8)
        fail(dataset, "node ids are not integers (" + type_name(type) + ")");
    if (dims.size() != 1) fail(dataset, "node ids must be one-dimensional, found " + shape_name(dims));
    return dims[0];
}

std::vector<std::uint64_t> reader::node_ids(const std::string& dataset, hsize_t first, hsize_t count) const {
    const auto rows = node_id_rows(dataset);
    const auto d = open_dataset(dataset);
    handle type(check(H5Dget_type(d), "H5Dget_type"));
    check_rows(d, dataset, rows, first, count);
    std::vector<std::uint64_t> out(count);
    if (H5Tget_sign(type) == H5T_SGN_NONE) {
        read_rows(d, dataset, rows, first, count, H5T_NATIVE_UINT64, out.data());
        return out;
    }
    // Signed ids are read as int64 (exact for every signed width) and a
    // negative one is refused (HDF5 would convert it to 0).
    std::vector<std::int64_t> signed_ids(out.size());
    read_rows(d, dataset, rows, first, count, H5T_NATIVE_INT64, signed_ids.data());
    for (std::size_t i = 0; i < signed_ids.size(); ++i) {
        if (signed_ids[i] < 0)
            fail(dataset, "negative node id " + std::to_string(signed_ids[i]) + " in row " + std::to_string(first + i));
        out[i] = static_cast<std::uint64_t>(signed_ids[i]);
    }
    return out;
}

bool reader::holds_strings(const std::string& dataset) const {
    const auto d = open_dataset(dataset);
    handle type(check(H5Dget_type(d), "H5Dget_type"));
    return H5Tget_class(type) == H5T_STRING;
}

std::vector<std::string> reader::strings(const std::string& dataset, hsize_t count) const {
    const auto d = open_dataset(dataset);
    handle type(check(H5Dget_type(d), "H5Dget_type"));
    handle space(check(H5Dget_space(d), "H5Dget_space"));
    const auto dims = extent(space);
    if (H5Tget_class(type) != H5T_STRING || H5Tis_variable_str(type) != 0 || dims.size() != 1)
        fail(dataset,
             "expected one-dimensional fixed-length strings, found " + shape_name(dims) + " of " + type_name(type));
    if (dims[0] != count)
        fail(dataset, "expected " + std::to_string(count) + " strings, found " + std::to_string(dims[0]));
    check_rows(d, dataset, count, 0, count);
    const std::size_t width = H5Tget_size(type);
    std::string packed(width * count, '\0');
    if (count) check(H5Dread(d, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, packed.data()), "H5Dread");
    std::vector<std::string> out;
    for (std::size_t i = 0; i < count; ++i) {
        const auto s = packed.substr(i * width, width);
        out.push_back(s.substr(0, s.find('\0')));
    }
    return out;
}

std::string reader::string_attribute(const std::string& name) const {
    const auto attr = open_attribute(name);
    handle type(check(H5Aget_type(attr), "H5Aget_type"));
    handle space(check(H5Aget_space(attr), "H5Aget_space"));
    const auto dims = extent(space);
    if (H5Tget_class(type) != H5T_STRING || !dims.empty())
        fail(name, "expected an attribute of one string, found " + shape_name(dims) + " of " + type_name(type));
    if (H5Tis_variable_str(type) > 0) { // as h5py writes them
        handle memory(check(H5Tcopy(H5T_C_S1), "H5Tcopy"));
        check(H5Tset_size(memory, H5T_VARIABLE), "H5Tset_size");
        check(H5Tset_cset(memory, H5Tget_cset(type)), "H5Tset_cset"); // HDF5 does not convert ASCII <-> UTF-8
        char* text = nullptr;
        check(H5Aread(attr, memory, &text), "H5Aread");
        std::string value = text ? text : "";
        H5free_memory(text);
        return value;
    }
    std::string value(H5Tget_size(type), '\0');
    check(H5Aread(attr, type, value.data()), "H5Aread");
    return value.substr(0, value.find('\0'));
}

template <typename T>
std::vector<T> reader::attribute(const std::string& name, hsize_t count) const {
    const auto attr = open_attribute(name);
    handle type(check(H5Aget_type(attr), "H5Aget_type"));
    handle space(check(H5Aget_space(attr), "H5Aget_space"));
    const auto dims = extent(space);
    const bool fits = dims.empty() ? count == 1 : dims.size() == 1 && dims[0] == count;
    if (!is_type<T>(type) || !fits)
        fail(name, "expected an attribute of " + std::to_string(count) + " " + wanted_type<T>() + ", found " +
                       shape_name(dims) + " of " + type_name(type));
    std::vector<T> out(count);
    if (count) check(H5Aread(attr, native_type<T>(), out.data()), "H5Aread");
    return out;
}

template std::vector<hsize_t> reader::shape<double>(const std::string&, int) const;
template std::vector<hsize_t> reader::shape<std::uint64_t>(const std::string&, int) const;
template std::vector<hsize_t> reader::shape<std::int64_t>(const std::string&, int) const;
template std::vector<hsize_t> reader::shape<std::uint32_t>(const std::string&, int) const;
template std::vector<hsize_t> reader::shape<std::uint8_t>(const std::string&, int) const;
template double reader::scalar(const std::string&) const;
template std::uint64_t reader::scalar(const std::string&) const;
template std::vector<double> reader::values(const std::string&, hsize_t) const;
template std::vector<std::uint64_t> reader::values(const std::string&, hsize_t) const;
template std::vector<std::int64_t> reader::values(const std::string&, hsize_t) const;
template std::vector<std::uint8_t> reader::values(const std::string&, hsize_t) const;
template std::vector<double> reader::slice(const std::string&, hsize_t, hsize_t) const;
template std::vector<std::uint64_t> reader::slice(const std::string&, hsize_t, hsize_t) const;
template std::vector<std::int64_t> reader::slice(const std::string&, hsize_t, hsize_t) const;
template std::vector<std::uint32_t> reader::slice(const std::string&, hsize_t, hsize_t) const;
template std::vector<std::uint8_t> reader::slice(const std::string&, hsize_t, hsize_t) const;
template std::vector<std::int64_t> reader::attribute(const std::string&, hsize_t) const;
template std::vector<std::uint64_t> reader::attribute(const std::string&, hsize_t) const;
template std::vector<double> reader::attribute(const std::string&, hsize_t) const;

template class appendable<double>;
template class appendable<std::uint64_t>;
template void write_attribute(hid_t, const std::string&, const std::vector<double>&);
template void write_attribute(hid_t, const std::string&, const std::vector<std::uint32_t>&);
template void write_attribute(hid_t, const std::string&, const std::vector<std::uint64_t>&);
template void write_attribute(hid_t, const std::string&, const std::vector<std::int64_t>&);
template void write_dataset(hid_t, const std::string&, hsize_t, hsize_t, const std::vector<double>&, hsize_t);
template void write_dataset(hid_t, const std::string&, hsize_t, hsize_t, const std::vector<std::uint64_t>&, hsize_t);
template void write_dataset(hid_t, const std::string&, hsize_t, hsize_t, const std::vector<std::int64_t>&, hsize_t);
template void write_dataset(hid_t, const std::string&, hsize_t, hsize_t, const std::vector<std::uint32_t>&, hsize_t);
template void write_dataset(hid_t, const std::string&, hsize_t, hsize_t, const std::vector<std::uint8_t>&, hsize_t);

} // namespace lifnet::h5
