#include "io/h5.hpp"

#include <H5FDmpio.h>

#include <algorithm>
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

void handle::close() {
    if (id_ < 0) return;
    // The close call of each kind of handle lifnet holds (a table, not a
    // switch: H5I_type_t has many kinds that lifnet never opens).
    static constexpr std::pair<H5I_type_t, herr_t (*)(hid_t)> closers[] = {
        {H5I_FILE, H5Fclose},      {H5I_GROUP, H5Gclose}, {H5I_DATASET, H5Dclose},       {H5I_DATASPACE, H5Sclose},
        {H5I_DATATYPE, H5Tclose}, {H5I_ATTR, H5Aclose},  {H5I_GENPROP_LST, H5Pclose}};
    const auto type = H5Iget_type(id_);
    for (const auto& [kind, close]: closers)
        if (kind == type) close(id_);
    id_ = H5I_INVALID_HID;
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
    check(H5Dset_extent(dataset_, &size_), "H5Dset_extent");
    write_share(dataset_.get(), size_ - total + first, mine);
}

template <typename T>
void write_dataset(hid_t parent, const std::string& name, hsize_t total, hsize_t first, const std::vector<T>& mine,
                   hsize_t width) {
    const hsize_t dims[2] = {total, width};
    handle space(check(H5Screate_simple(width > 1 ? 2 : 1, dims, nullptr), "H5Screate_simple"));
    handle dataset(
        check(H5Dcreate2(parent, name.c_str(), native_type<T>(), space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
              "H5Dcreate2"));
    if (total) write_share(dataset.get(), first, mine, width); // an empty dataset has no storage to write to
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
    check(H5Dwrite(dataset, native_type<T>(), H5S_ALL, H5S_ALL, xfer, &value), "H5Dwrite");
}
template void write_scalar(hid_t, const std::string&, double);
template void write_scalar(hid_t, const std::string&, std::uint64_t);

std::string string_attribute(hid_t object, const char* name) {
    if (H5Aexists(object, name) <= 0) return "";
    handle attr(check(H5Aopen(object, name, H5P_DEFAULT), "H5Aopen"));
    handle type(check(H5Aget_type(attr), "H5Aget_type"));
    handle space(check(H5Aget_space(attr), "H5Aget_space"));
    if (H5Tget_class(type) != H5T_STRING || H5Tis_variable_str(type) != 0 || H5Sget_simple_extent_npoints(space) != 1)
        return "";
    std::string value(H5Tget_size(type), '\0');
    check(H5Aread(attr, type, value.data()), "H5Aread");
    return value.substr(0, value.find('\0'));
}

template <typename T>
std::vector<T> read_dataset(hid_t parent, const std::string& name, hsize_t first, hsize_t count) {
    handle dataset(check(H5Dopen2(parent, name.c_str(), H5P_DEFAULT), "H5Dopen2"));
    handle file_space(check(H5Dget_space(dataset), "H5Dget_space"));
    handle mem_space(check(H5Screate_simple(1, &count, nullptr), "H5Screate_simple"));
    if (count)
        check(H5Sselect_hyperslab(file_space, H5S_SELECT_SET, &first, nullptr, &count, nullptr), "H5Sselect_hyperslab");
    else {
        check(H5Sselect_none(file_space), "H5Sselect_none");
        check(H5Sselect_none(mem_space), "H5Sselect_none");
    }
    std::vector<T> values(count);
    check(H5Dread(dataset, native_type<T>(), mem_space, file_space, H5P_DEFAULT, values.data()), "H5Dread");
    return values;
}
template std::vector<double> read_dataset(hid_t, const std::string&, hsize_t, hsize_t);
template std::vector<std::uint64_t> read_dataset(hid_t, const std::string&, hsize_t, hsize_t);
template std::vector<std::int64_t> read_dataset(hid_t, const std::string&, hsize_t, hsize_t);
template std::vector<std::uint32_t> read_dataset(hid_t, const std::string&, hsize_t, hsize_t);

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
