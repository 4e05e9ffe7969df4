#pragma once
// HDF5 handles owned by RAII, and return codes turned into exceptions that
// carry HDF5's own error stack (as HighFive does).
#include <lifnet/errors.hpp>

#include <hdf5.h>

#include <boost/mpi/communicator.hpp>

#include <cstdint>
#include <functional>
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
    // False when HDF5 failed to close it (see close_failed()).
    bool close();
    hid_t get() const { return id_; }
    operator hid_t() const { return id_; }

private:
    hid_t id_ = H5I_INVALID_HID;
};

// Whether closing some HDF5 object has failed (a full disk): HDF5 1.10
// then keeps a half-destroyed file in its tables, and its clean-up at
// MPI_Finalize would crash on it, so the process must end without it.
bool close_failed();

// While one lives, the collective writes of this process (appends, whole
// datasets, scalars, the report) are agreed over `comm`: a write that fails
// on any rank (a full disk) throws the same collective_error on every rank,
// so that all unwind together instead of one aborting the job. Scopes nest
// (a checkpoint written while the run file is open).
// A failure on a disk without free space says so, naming `path`.
class collective_writes {
public:
    collective_writes(const boost::mpi::communicator& comm, const std::string& path);
    ~collective_writes();
    collective_writes(const collective_writes&) = delete;
    collective_writes& operator=(const collective_writes&) = delete;

    const boost::mpi::communicator& comm;
    const std::string& path;

private:
    const collective_writes* previous_;
};

// Runs the collective write `f`, agreed over the innermost collective_writes
// scope (plainly without one).
void agreed_write(const std::function<void()>& f);

// A group, created with its parents.
handle create_group(hid_t parent, const std::string& path);

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
