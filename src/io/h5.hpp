#pragma once
// HDF5 handles owned by RAII, and return codes turned into exceptions that
// carry HDF5's own error stack (as HighFive does).
#include <lifnet/errors.hpp>

#include <hdf5.h>
#include <mpi.h>

#include <cstdint>
#include <string>
#include <vector>

namespace lifnet::h5 {

// Throws library_error(call, HDF5's messages) when `rc` is negative.
hid_t check(hid_t rc, const char* call);
inline herr_t check(herr_t rc, const char* call) {
    return static_cast<herr_t>(check(hid_t(rc), call));
}

class handle {
public:
    handle() = default;
    explicit handle(hid_t id): id_(id) {}
    handle(handle&& o) noexcept: id_(o.id_) { o.id_ = H5I_INVALID_HID; }
    handle& operator=(handle&& o) noexcept {
        std::swap(id_, o.id_);
        return *this;
    }
    handle(const handle&) = delete;
    handle& operator=(const handle&) = delete;
    ~handle() { close(); }
    void close();
    hid_t get() const { return id_; }
    operator hid_t() const { return id_; }

private:
    hid_t id_ = H5I_INVALID_HID;
};

// A group, created with its parents.
handle create_group(hid_t parent, const std::string& path);

// Stops HDF5 printing its error stack: lifnet reports failures as exceptions
// (check()) instead. Call before any HDF5 call whose failure is expected
// (opening a file that may not be HDF5); the first call sets it for the process.
void silence_errors();

// A file access property list for MPI-IO over the ranks of `comm`: every
// parallel open and create uses it.
handle mpio_access(MPI_Comm comm);

template <typename T>
hid_t native_type();

// The one string type lifnet writes, for every string attribute and string
// dataset: fixed-length ASCII of `length` characters plus the terminator,
// null-terminated. libsonata's reader (HighFive) drops the last stored byte
// of a null-terminated string, so one without room for the terminator
// loses its last character there.
handle string_type(std::size_t length);

void write_attribute(hid_t object, const std::string& name, const std::string& value);
template <typename T>
void write_attribute(hid_t object, const std::string& name, const std::vector<T>& values);
template <typename T>
void write_attribute(hid_t object, const std::string& name, T value) {
    write_attribute(object, name, std::vector<T>{value});
}

// A one-dimensional dataset that grows by collective appends; each rank
// writes its own contiguous share (possibly empty) of every append.
template <typename T>
class appendable {
public:
    appendable(hid_t parent, const std::string& name, hsize_t chunk);
    // Collective: `total` values are appended; this rank writes `mine` at
    // offset `first` of them.
    void append(hsize_t total, hsize_t first, const std::vector<T>& mine);
    hid_t id() const { return dataset_; }
    hsize_t size() const { return size_; }

private:
    handle dataset_;
    hsize_t size_ = 0;
};

// Collective write of a whole dataset from shares: [total] values, or
// [total, width] when width > 1; this rank writes the rows `mine` (row-major)
// from row `first` on.
template <typename T>
void write_dataset(hid_t parent, const std::string& name, hsize_t total, hsize_t first, const std::vector<T>& mine,
                   hsize_t width = 1);

// A string attribute of `object`, or "" when it is absent or not one
// fixed-length string (with or without room for the terminator: files
// before 0.2 were written without).
std::string string_attribute(hid_t object, const char* name);

// Values [first, first + count) of a one-dimensional dataset (independent read).
template <typename T>
std::vector<T> read_dataset(hid_t parent, const std::string& name, hsize_t first, hsize_t count);

// A dataset of fixed-length strings, written whole (one writer).
void write_strings(hid_t parent, const std::string& name, const std::vector<std::string>& values);

// Collective: a scalar dataset; every rank passes the same value.
template <typename T>
void write_scalar(hid_t parent, const std::string& name, T value);

} // namespace lifnet::h5
