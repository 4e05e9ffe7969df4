#pragma once
// HDF5 handles owned by RAII, and return codes turned into exceptions that
// carry HDF5's own error stack (as HighFive does).
#include <lifnet/errors.hpp>

#include <hdf5.h>
#include <mpi.h>

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

// A dataset of fixed-length strings, written whole (one writer).
void write_strings(hid_t parent, const std::string& name, const std::vector<std::string>& values);

// Collective: a scalar dataset; every rank passes the same value.
template <typename T>
void write_scalar(hid_t parent, const std::string& name, T value);

// The one way lifnet reads HDF5 (issue 13): every dataset and attribute is
// read through a reader, which checks the object's type (class, sign and
// size), rank and extent against what the format says before a byte is
// copied. A mismatch is a file_error naming the file and the object, so a
// crafted file cannot overrun a buffer or be silently converted. Objects are
// named by paths from the root ("network/edge_cut"); attributes are those of
// the root group.
class reader {
public:
    // Opens `path` read-only: a regular file (check_regular_file) holding
    // HDF5. With a communicator other than MPI_COMM_NULL, through MPI-IO for
    // independent reads by its ranks.
    explicit reader(std::string path, MPI_Comm comm = MPI_COMM_NULL);

    const std::string& path() const { return path_; }
    bool exists(const std::string& object) const; // every component of the path
    bool has_attribute(const std::string& name) const;
    // The names of the links in a group, in name order.
    std::vector<std::string> children(const std::string& group) const;

    // The extent of a dataset of `rank` dimensions and values of type T.
    template <typename T>
    std::vector<hsize_t> shape(const std::string& dataset, int rank) const;
    // The extent of a dataset of `rank` dimensions of floating-point values
    // of any precision (a report of float32 or float64).
    std::vector<hsize_t> float_shape(const std::string& dataset, int rank) const;

    // A scalar dataset of type T.
    template <typename T>
    T scalar(const std::string& dataset) const;
    // A one-dimensional dataset of exactly `count` values of type T.
    template <typename T>
    std::vector<T> values(const std::string& dataset, hsize_t count) const;
    // Values [first, first + count) of a one-dimensional dataset of type T
    // (an error unless they lie within it).
    template <typename T>
    std::vector<T> slice(const std::string& dataset, hsize_t first, hsize_t count) const;
    // A two-dimensional dataset of exactly rows × columns floats of 4 or 8
    // bytes (a report), as doubles in row-major order (float32 converts exactly).
    std::vector<double> float_matrix(const std::string& dataset, hsize_t rows, hsize_t columns) const;
    // Rows [first, first + count) of a one-dimensional dataset of node ids:
    // integers of any width and sign (other tools write int64), none
    // negative. Floats, strings and negative ids are refused, not converted.
    std::vector<std::uint64_t> node_ids(const std::string& dataset, hsize_t first, hsize_t count) const;
    // The number of rows of such a dataset (its type and rank checked).
    hsize_t node_id_rows(const std::string& dataset) const;
    // A one-dimensional dataset of exactly `count` fixed-length strings.
    std::vector<std::string> strings(const std::string& dataset, hsize_t count) const;
    // Whether a dataset holds strings (else numbers are expected).
    bool holds_strings(const std::string& dataset) const;

    // A root attribute: one string (fixed-length, as lifnet writes, or
    // variable-length, as h5py does).
    std::string string_attribute(const std::string& name) const;
    // A root attribute of exactly `count` values of type T (one value may be
    // stored as a scalar).
    template <typename T>
    std::vector<T> attribute(const std::string& name, hsize_t count) const;

    // A file_error naming this file and `object`.
    [[noreturn]] void fail(const std::string& object, const std::string& message) const;

private:
    handle open_dataset(const std::string& dataset) const;
    handle open_attribute(const std::string& name) const;
    std::vector<hsize_t> extent(hid_t space) const;
    // file_error unless rows [first, first + count) of dataset `d` of n rows
    // lie within it and are stored in the file.
    void check_rows(hid_t d, const std::string& dataset, hsize_t n, hsize_t first, hsize_t count) const;
    // Rows [first, first + count) of dataset `d` of n rows, converted to `mem_type`.
    void read_rows(hid_t d, const std::string& dataset, hsize_t n, hsize_t first, hsize_t count, hid_t mem_type,
                   void* out) const;

    std::string path_;
    handle file_;
};

} // namespace lifnet::h5
