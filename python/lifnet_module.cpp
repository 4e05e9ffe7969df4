// lifnet._core: the Python binding of the library (issue 17). Configurations
// go through the CLI's key table (set_key, load_toml, validate), runs through
// lifnet::run, so that Python and the command line compute the same bits.
#include "comm/context.hpp"
#include "comm/mpi_util.hpp"

#include <lifnet/config.hpp>
#include <lifnet/errors.hpp>
#include <lifnet/info.hpp>
#include <lifnet/signals.hpp>
#include <lifnet/simulation.hpp>
#include <lifnet/version.hpp>

#include <mpi4py/mpi4py.h>
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <algorithm>
#include <memory>
#include <optional>

namespace py = pybind11;
using namespace lifnet;

namespace {

// MPI and PETSc, started by the first run and stopped at interpreter exit.
// MPI is finalised only if lifnet initialised it: when mpi4py (or anyone)
// initialised it first, boost::mpi::environment leaves it to them.
std::unique_ptr<environment> the_environment;

void ensure_environment() {
    if (the_environment) return;
    static int argc = 1;
    static char name[] = "lifnet", *args[] = {name, nullptr};
    static char** argv = args;
    the_environment = std::make_unique<environment>(argc, argv);
    // Registered after any earlier import of mpi4py, so it runs before
    // mpi4py's own finalisation (atexit is last in, first out).
    py::module_::import("atexit").attr("register")(py::cpp_function([] { the_environment.reset(); }));
}

// The exception classes (set in PYBIND11_MODULE).
PyObject* error_type = nullptr;        // lifnet.Error
PyObject* config_error_type = nullptr; // lifnet.ConfigError
PyObject* file_error_type = nullptr;   // lifnet.FileError

void raise_config_error(const config_error& e) {
    py::list problems, keys;
    for (const auto& p: e.problems) {
        problems.append(py::make_tuple(p.key, p.message));
        keys.append(p.key);
    }
    py::object exc = py::reinterpret_borrow<py::object>(config_error_type)(e.what());
    exc.attr("problems") = problems;
    exc.attr("keys") = keys;
    PyErr_SetObject(config_error_type, exc.ptr());
}

void translate_exceptions(std::exception_ptr p) {
    try {
        if (p) std::rethrow_exception(p);
    }
    catch (const config_error& e) {
        raise_config_error(e);
    }
    catch (const file_error& e) {
        py::object exc = py::reinterpret_borrow<py::object>(file_error_type)(e.what());
        exc.attr("path") = e.path;
        exc.attr("line") = e.line;
        PyErr_SetObject(file_error_type, exc.ptr());
    }
    catch (const interrupted& e) {
        PyErr_SetString(PyExc_KeyboardInterrupt, e.what());
    }
    catch (const error& e) {
        PyErr_SetString(error_type, e.what());
    }
}

config_error bad_key(const std::string& key, const std::string& message) {
    return config_error({config_error::problem{key, message}});
}

// A Python value as the text `--set key=value` would give: integers and
// strings as they are, reals in their shortest exact form, a list of node ids
// (key record) comma-separated. Anything else is refused, never guessed.
std::optional<std::string> key_text(const py::handle& value) {
    if (py::isinstance<py::bool_>(value)) return std::nullopt;
    if (py::isinstance<py::int_>(value) || py::isinstance<py::str>(value)) return py::str(value).cast<std::string>();
    if (py::isinstance<py::float_>(value)) return py::repr(value).cast<std::string>();
    if (py::isinstance<py::list>(value) || py::isinstance<py::tuple>(value)) {
        std::string ids;
        for (const auto& item: value) {
            if (!py::isinstance<py::int_>(item) || py::isinstance<py::bool_>(item)) return std::nullopt;
            ids += (ids.empty() ? "" : ",") + py::str(item).cast<std::string>();
        }
        return ids;
    }
    return std::nullopt;
}

// Sets every key of `values` on `c`, then validates; one config_error lists
// every problem, as the CLI reports them.
void apply_keys(config& c, const py::dict& values) {
    std::vector<config_error::problem> problems;
    for (const auto& [k, v]: values) {
        const auto key = py::str(k).cast<std::string>();
        const auto text = key_text(v);
        try {
            if (!text)
                throw bad_key(key, "a " + py::str(py::type::of(v).attr("__name__")).cast<std::string>() +
                                       " is not a value of this key (a number, a string, or for record a list "
                                       "of node ids)");
            config trial = c; // a value that fails to parse leaves the key as it was
            set_key(trial, key, *text);
            c = std::move(trial);
        }
        catch (const config_error& e) {
            problems.insert(problems.end(), e.problems.begin(), e.problems.end());
        }
    }
    try {
        validate(c);
    }
    catch (const config_error& e) {
        problems.insert(problems.end(), e.problems.begin(), e.problems.end());
    }
    if (!problems.empty()) throw config_error(std::move(problems));
}

// The configuration's keys and values, parsed from its TOML form (one
// description of the keys, the library's).
py::dict config_dict(const config& c) {
    return py::module_::import("tomllib").attr("loads")(to_toml(c));
}

// A run or a run file, as Python sees it.
struct result {
    config cfg;
    py::array_t<std::uint64_t> node_ids; // in (time, id) order
    py::array_t<double> times;           // [ms]
    sync_measures sync;
    py::dict summary;
    std::string path; // the run file; empty for none
    int rank = 0, size = 1;
    bool gathered = true; // spikes of every rank (on rank 0), or of this rank only
};

template <typename T>
py::array_t<T> to_array(const std::vector<T>& v) {
    return py::array_t<T>(static_cast<py::ssize_t>(v.size()), v.data());
}

py::dict summary_dict(const run_summary& s) {
    py::dict seconds;
    for (const auto& phase: run_phases) seconds[phase.name] = s.seconds[phase.id];
    py::dict d;
    d["spikes"] = s.spikes;
    d["rate_hz"] = s.rate_hz;
    d["synapses"] = s.synapses;
    d["edge_cut"] = s.edge_cut;
    d["neurons_per_rank"] = s.neurons_per_rank;
    d["synapses_per_rank"] = s.synapses_per_rank;
    d["imbalance"] = s.imbalance;
    d["seconds"] = seconds;
    d["update_seconds"] = s.update_seconds;
    d["peak_memory_setup"] = s.peak_memory_setup;
    d["peak_memory_loop"] = s.peak_memory_loop;
    d["exchange_bytes"] = s.exchange_bytes;
    return d;
}

// The context of a run: the caller's mpi4py communicator (duplicated, so that
// lifnet's messages never meet the caller's), or every rank of the job.
context run_context(const py::object& comm) {
    if (comm.is_none()) return context();
    if (import_mpi4py() < 0) throw py::error_already_set();
    MPI_Comm* handle = PyMPIComm_Get(comm.ptr());
    if (!handle) throw py::error_already_set();
    return make_context(boost::mpi::communicator(*handle, boost::mpi::comm_duplicate));
}

result run_python(std::optional<config> given, const std::optional<std::string>& output, const py::object& comm,
                  bool progress, const std::optional<std::string>& checkpoint, double checkpoint_every,
                  const std::optional<std::string>& restart, bool save_graph, bool gather) {
    ensure_environment();
    const context ctx = run_context(comm);
    if (!given && !restart) throw bad_key("config", "run() needs a Config, or restart= a checkpoint to continue");
    const config c = given ? *given : restart_config(*restart);
    run_options options;
    options.output = output.value_or("");
    options.progress = progress;
    options.command_line = "python: lifnet.run";
    options.save_graph = save_graph;
    options.checkpoint = checkpoint.value_or("");
    options.checkpoint_every = checkpoint_every;
    options.restart = restart.value_or("");
    std::vector<spike> own;
    options.on_spikes = [&own](std::span<const spike> s) { own.insert(own.end(), s.begin(), s.end()); };
    run_summary summary;
    {
        py::gil_scoped_release free_python;
        // SIGINT (Ctrl-C), SIGTERM, SIGUSR1: every rank stops at the same
        // epoch boundary and run() throws interrupted (KeyboardInterrupt).
        const scoped_stop_handlers stop_on_signals;
        summary = lifnet::run(c, options, ctx);
        if (gather) own = gatherv(ctx.get().comm, std::span<const spike>(own));
        std::sort(own.begin(), own.end()); // (time, id): the run file's order
    }
    std::vector<std::uint64_t> ids(own.size());
    std::vector<double> times(own.size());
    for (std::size_t i = 0; i < own.size(); ++i) {
        ids[i] = own[i].id;
        times[i] = static_cast<double>(own[i].step + 1) * c.dt; // a spike of step n is at (n + 1)·dt (spike.hpp)
    }
    return result{c,          to_array(ids), to_array(times), summary.sync, summary_dict(summary), options.output,
                  ctx.rank(), ctx.size(),    gather};
}

// A run file read back through the engine's checked reader.
result open_run_file(const std::string& path) {
    auto contents = read_run_file(path);
    py::dict seconds;
    for (const auto& [phase, s]: contents.seconds) seconds[phase.c_str()] = s;
    py::dict summary;
    summary["spikes"] = contents.node_ids.size();
    summary["ranks"] = contents.ranks;
    summary["seconds"] = seconds;
    return result{contents.cfg,
                  to_array(contents.node_ids),
                  to_array(contents.times),
                  std::move(contents.sync),
                  summary,
                  path,
                  0,
                  1,
                  true};
}

} // namespace

PYBIND11_MODULE(_core, m) {
    m.doc() = "lifnet: leaky integrate-and-fire networks on small-world graphs (the compiled core)";
    m.attr("__version__") = version_string;

    error_type = PyErr_NewExceptionWithDoc("lifnet.Error", "A problem with lifnet's input or environment.",
                                           PyExc_RuntimeError, nullptr);
    py::object config_bases = py::make_tuple(py::handle(error_type), py::handle(PyExc_ValueError));
    config_error_type = PyErr_NewExceptionWithDoc(
        "lifnet.ConfigError",
        "Invalid configuration keys. `problems` lists (key, message) for every bad key, `keys` their names.",
        config_bases.ptr(), nullptr);
    file_error_type = PyErr_NewExceptionWithDoc(
        "lifnet.FileError", "A file that lifnet cannot read or write; `path` names it, `line` is 1-based or 0.",
        error_type, nullptr);
    m.attr("Error") = py::handle(error_type);
    m.attr("ConfigError") = py::handle(config_error_type);
    m.attr("FileError") = py::handle(file_error_type);
    py::register_exception_translator(translate_exceptions);

    py::class_<config>(m, "Config", R"(A run's configuration: the keys of `lifnet run --help`, with the CLI's
defaults, units (time in ms, voltage in mV) and checks.

Config(**keys) sets the given keys and validates the whole; a bad key or
value raises ConfigError naming every bad key. Keys read as attributes.)")
        .def(py::init([](const py::kwargs& keys) {
            config c;
            apply_keys(c, keys);
            return c;
        }))
        .def_static(
            "from_toml",
            [](const std::string& path, const py::kwargs& keys) {
                config c;
                try {
                    load_toml(c, path);
                }
                catch (const file_error& e) {
                    throw bad_key("file", e.what()); // as the CLI reports a malformed file
                }
                apply_keys(c, keys);
                return c;
            },
            py::arg("path"), "The configuration in a TOML file of key = value lines, then the given keys over it.")
        .def_static(
            "from_checkpoint",
            [](const std::string& path, const py::kwargs& keys) {
                config c = restart_config(path);
                apply_keys(c, keys);
                return c;
            },
            py::arg("path"), "The configuration a checkpoint was written with, then the given keys (e.g. t_stop).")
        .def(
            "replace",
            [](const config& self, const py::kwargs& keys) {
                config c = self;
                apply_keys(c, keys);
                return c;
            },
            "A copy with the given keys changed, validated.")
        .def(
            "to_toml", [](const config& c) { return to_toml(c); }, "Every key as TOML text (shortest exact reals).")
        .def("to_dict", &config_dict, "Every key and its value.")
        .def("__getattr__",
             [](const config& c, const std::string& key) {
                 py::dict d = config_dict(c);
                 if (!d.contains(key)) throw py::attribute_error("lifnet.Config has no key '" + key + "'");
                 return py::object(d[key.c_str()]);
             })
        .def("__eq__", [](const config& a, const config& b) { return to_toml(a) == to_toml(b); })
        .def("__dir__",
             [](const config&) {
                 py::list names;
                 for (const auto& k: config_keys()) names.append(k.name);
                 for (const char* method: {"from_toml", "from_checkpoint", "replace", "to_toml", "to_dict", "keys"})
                     names.append(method);
                 return names;
             })
        .def("__repr__",
             [](const config& c) {
                 std::string text = to_toml(c);
                 std::replace(text.begin(), text.end(), '\n', ' ');
                 return "lifnet.Config(" + text + ")";
             })
        .def_static(
            "keys",
            [] {
                py::list out;
                for (const auto& k: config_keys()) out.append(py::make_tuple(k.name, k.unit, k.help));
                return out;
            },
            "Every key as (name, unit, meaning).");

    py::class_<result>(m, "Result", "A run's spikes, synchrony measures and summary, from run() or open().")
        .def_readonly("config", &result::cfg, "The run's configuration (a Config).")
        .def_readonly("node_ids", &result::node_ids, "Spiking node ids (uint64), in (time, id) order.")
        .def_readonly("times", &result::times, "Spike times [ms] (float64), in (time, id) order.")
        .def_property_readonly(
            "chi", [](const result& r) { return r.sync.chi; }, "Golomb–Rinzel coherence χ in [0, 1].")
        .def_property_readonly(
            "E", [](const result& r) { return r.sync.E; }, "Synchronisation error E [mV].")
        .def_property_readonly(
            "R", [](const result& r) { return r.sync.R; }, "Kuramoto order parameter R in [0, 1].")
        .def_property_readonly(
            "rate_hz", [](const result& r) { return r.sync.rate_hz; }, "Mean firing rate after t_transient [Hz].")
        .def_property_readonly(
            "cv", [](const result& r) { return r.sync.cv; }, "Mean CV of inter-spike intervals.")
        .def_property_readonly(
            "t", [](const result& r) { return to_array(r.sync.t); }, "Sample times [ms].")
        .def_property_readonly(
            "Vbar", [](const result& r) { return to_array(r.sync.Vbar); },
            "Population mean membrane potential at the sample times [mV].")
        .def_property_readonly(
            "notes", [](const result& r) { return r.sync.notes; }, "Why a measure is NaN.")
        .def_readonly("summary", &result::summary,
                      "Run summary: counts, per-rank sizes, wall seconds per phase [s], peak memory [bytes].")
        .def_readonly("path", &result::path, "The run file ('' when none was written).")
        .def_readonly("rank", &result::rank, "This process's rank in the run's communicator (0 for a file).")
        .def_readonly("size", &result::size, "The ranks of the run's communicator (1 for a file).")
        .def("__repr__",
             [](const result& r) {
                 return "<lifnet.Result: " + std::to_string(r.node_ids.size()) + " spikes" +
                        (r.path.empty() ? std::string() : " from " + r.path) + ", chi = " + std::to_string(r.sync.chi) +
                        ", E = " + std::to_string(r.sync.E) + " mV>";
             })
        .def_readonly("gathered", &result::gathered, "True: every rank's spikes (on rank 0); False: this rank's.");

    m.def("open", &open_run_file, py::arg("path"),
          R"(Reads a run file written by `lifnet run` or run(output=...) into a Result: its configuration,
spikes (node ids, times [ms]), synchrony measures, and a summary of the spike count, the ranks and the
wall time per phase [s]. Raises FileError for anything else (a sweep summary, a checkpoint, other HDF5,
a damaged file).)");
    m.def("run", &run_python, py::arg("config") = py::none(), py::kw_only(), py::arg("output") = py::none(),
          py::arg("comm") = py::none(), py::arg("progress") = false, py::arg("checkpoint") = py::none(),
          py::arg("checkpoint_every") = 0.0, py::arg("restart") = py::none(), py::arg("save_graph") = false,
          py::arg("gather") = true,
          R"(Simulates `config` (collective over `comm`, an mpi4py communicator; default every rank of the
job) and returns a Result. output: a run file to write (SONATA, HDF5). checkpoint / checkpoint_every [ms] /
restart: as the CLI's flags. gather: True puts every rank's spikes on rank 0 (others get empty arrays),
False leaves each rank its own. The GIL is released while the network runs.)");
}
