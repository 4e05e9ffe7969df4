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
#include <lifnet/sweep.hpp>
#include <lifnet/version.hpp>

#include <mpi4py/mpi4py.h>
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <algorithm>
#include <memory>
#include <optional>
#include <type_traits>
#include <variant>

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

// The name a Python caller gave a CLI option: the keyword argument of run()
// or sweep() ("-o" is output=, "--vary p" is vary['p']); keys stay as they are.
std::string python_name(const std::string& key) {
    static const std::pair<const char*, const char*> names[] = {{"-o (its journal)", "output (its journal)"},
                                                                {"-o", "output"},
                                                                {"--member-output", "member_output"},
                                                                {"--ranks-per-member", "ranks_per_member"},
                                                                {"--max-members", "max_members"},
                                                                {"--save-graph", "save_graph"},
                                                                {"--seeds", "seeds"},
                                                                {"--checkpoint", "checkpoint"},
                                                                {"--restart", "restart"},
                                                                {"--checkpoint-every", "checkpoint_every"}};
    for (const auto& [cli, python]: names)
        if (key == cli) return python;
    if (key.rfind("--vary ", 0) == 0) return "vary['" + key.substr(7) + "']";
    if (key == "--vary") return "vary";
    return key;
}

// A config_error as Python sees it: a ConfigError whose `keys` name the keys
// (or keyword arguments), or, when every problem is an output that cannot be
// written, a FileError whose `path` names the first such file.
void raise_config_error(const config_error& e) {
    std::vector<config_error::problem> renamed;
    bool all_files = !e.problems.empty();
    for (const auto& p: e.problems) {
        renamed.push_back({python_name(p.key), p.message, p.path});
        all_files = all_files && !p.path.empty();
    }
    py::list problems, keys;
    for (const auto& p: renamed) {
        problems.append(py::make_tuple(p.key, p.message));
        keys.append(p.key);
    }
    PyObject* type = all_files ? file_error_type : config_error_type;
    py::object exc = py::reinterpret_borrow<py::object>(type)(config_error(renamed).what());
    exc.attr("problems") = problems;
    exc.attr("keys") = keys;
    if (all_files) {
        exc.attr("path") = renamed.front().path;
        exc.attr("line") = 0;
    }
    PyErr_SetObject(type, exc.ptr());
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
// An integer as operator.index takes it: Python's and numpy's (np.int64 is
// not a Python int), never a bool (Python's or numpy's).
std::optional<std::string> integer_text(const py::handle& value) {
    const std::string type = Py_TYPE(value.ptr())->tp_name; // numpy's bool: "numpy.bool_" (1.x), "numpy.bool" (2.x)
    if (py::isinstance<py::bool_>(value) || type == "numpy.bool_" || type == "numpy.bool" ||
        !PyIndex_Check(value.ptr()))
        return std::nullopt;
    const auto index = py::reinterpret_steal<py::object>(PyNumber_Index(value.ptr()));
    if (!index) {
        PyErr_Clear();
        return std::nullopt;
    }
    return py::str(index).cast<std::string>();
}

// A value as the CLI's --set would be given it: an integer, a string, a
// float (np.float64 is one) written so that it reads back exactly, or a
// list of integers (record's node ids). Anything else: nullopt.
std::optional<std::string> key_text(const py::handle& value) {
    if (py::isinstance<py::str>(value)) return value.cast<std::string>();
    if (py::isinstance<py::float_>(value)) return py::repr(py::float_(value.cast<double>())).cast<std::string>();
    if (py::isinstance<py::list>(value) || py::isinstance<py::tuple>(value)) {
        std::string ids;
        for (const auto& item: value) {
            const auto id = integer_text(item);
            if (!id) return std::nullopt;
            ids += (ids.empty() ? "" : ",") + *id;
        }
        return ids;
    }
    return integer_text(value);
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
    // The membrane-potential report read back from the run file, if it has one.
    std::optional<py::array_t<std::uint64_t>> report_ids = {}; // the recorded neurons, in column order
    std::optional<py::array_t<double>> report = {};            // V [mV], samples × recorded neurons
    std::optional<py::array_t<double>> report_t = {};          // sample times [ms]
};

template <typename T>
py::array_t<T> to_array(const std::vector<T>& v) {
    return py::array_t<T>(static_cast<py::ssize_t>(v.size()), v.data());
}

// The report of `contents` (none when it has none) into `r`.
void set_report(result& r, const run_contents& contents) {
    if (contents.report_ids.empty() && contents.report_t.empty()) return;
    r.report_ids = to_array(contents.report_ids);
    r.report_t = to_array(contents.report_t);
    const py::ssize_t samples = static_cast<py::ssize_t>(contents.report_t.size()),
                      recorded = static_cast<py::ssize_t>(contents.report_ids.size());
    r.report = py::array_t<double>({samples, recorded}, contents.report.data());
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
    // As the CLI's --checkpoint-every: a time > 0 [ms] (0: never), and the
    // checkpoint beside the output unless one is named; never ignored.
    if (!(checkpoint_every >= 0) || !(checkpoint_every / c.dt <= 0x1p53))
        throw bad_key("checkpoint_every", "must be 0 (never) or a time > 0 ms of at most 2^53 steps of dt");
    if (checkpoint_every > 0 && options.checkpoint.empty()) {
        if (options.output.empty()) throw bad_key("checkpoint_every", "needs checkpoint= or output= to write to");
        options.checkpoint = options.output + ".ckpt";
    }
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
        // A signal after the run's last check (its last epoch) is not lost:
        // every rank raises KeyboardInterrupt, and the complete run file stays.
        agree_on_stop(ctx.get().comm);
        if (gather) own = gatherv(ctx.get().comm, std::span<const spike>(own));
        std::sort(own.begin(), own.end()); // (time, id): the run file's order
    }
    std::vector<std::uint64_t> ids(own.size());
    std::vector<double> times(own.size());
    for (std::size_t i = 0; i < own.size(); ++i) {
        ids[i] = own[i].id;
        times[i] = static_cast<double>(own[i].step + 1) * c.dt; // a spike of step n is at (n + 1)·dt (spike.hpp)
    }
    result r{c,          to_array(ids), to_array(times), summary.sync, summary_dict(summary), options.output,
             ctx.rank(), ctx.size(),    gather};
    // The report exists only in the run file: rank 0 reads it back, through
    // the checked reader (the CLI's file, so the same bits).
    if (!options.output.empty() && ctx.rank() == 0 && record_selection(c).size() > 0) {
        run_contents contents;
        {
            py::gil_scoped_release free_python;
            contents = read_run_report(options.output);
        }
        set_report(r, contents);
    }
    return r;
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
    result r{contents.cfg,
             to_array(contents.node_ids),
             to_array(contents.times),
             std::move(contents.sync),
             summary,
             path,
             0,
             1,
             true};
    set_report(r, contents);
    return r;
}

// A column of a sweep table as a numpy array (strings as numpy's str type).
py::object column_array(const sweep_column& column) {
    return std::visit(
        [](const auto& values) -> py::object {
            using T = typename std::decay_t<decltype(values)>::value_type;
            if constexpr (std::is_same_v<T, std::string>)
                return py::module_::import("numpy").attr("array")(py::cast(values), "str");
            else
                return to_array(values);
        },
        column.values);
}

// A sweep summary as the dict lifnet.SweepResult is made from.
py::dict sweep_dict(const sweep_contents& s, const std::string& path) {
    py::dict members, points;
    for (const auto& c: s.members) members[c.name.c_str()] = column_array(c);
    for (const auto& c: s.points) points[c.name.c_str()] = column_array(c);
    py::dict d;
    d["config"] = s.base;
    d["varied"] = s.varied;
    d["seeds"] = s.seeds;
    d["members"] = members;
    d["points"] = points;
    d["path"] = path;
    d["command_line"] = s.command_line;
    d["lifnet_version"] = s.lifnet_version;
    return d;
}

// lifnet.open: a sweep summary (root attribute kind = lifnet-sweep) as a
// dict for lifnet.SweepResult, anything else as a run file.
py::object open_file(const std::string& path) {
    if (is_sweep_summary(path)) return sweep_dict(read_sweep_summary(path), path);
    return py::cast(open_run_file(path));
}

// Values of a varied key as `--vary key=v1,v2` would give them.
sweep_axis python_axis(const std::string& key, const py::handle& values) {
    std::string text = key + "=";
    bool first = true;
    if (py::isinstance<py::str>(values) || !py::hasattr(values, "__iter__"))
        throw bad_key("--vary " + key, "expected a list of values");
    for (const auto& v: values) {
        const auto item = key_text(v);
        if (!item || item->find(',') != std::string::npos)
            throw bad_key("--vary " + key, "'" + py::str(v).cast<std::string>() + "' is not a value of this key");
        text += (first ? "" : ",") + *item;
        first = false;
    }
    return parse_axis(text);
}

py::dict sweep_python(const py::object& given, const py::object& vary, const py::object& seeds,
                      const std::string& output, const std::optional<std::string>& member_output, int ranks_per_member,
                      std::size_t max_members, bool save_graph, bool progress, const py::object& comm) {
    ensure_environment();
    const context ctx = run_context(comm);
    sweep_spec spec;
    spec.output = output;
    spec.member_dir = member_output.value_or("");
    spec.max_members = max_members;
    spec.save_graph = save_graph;
    spec.progress = progress;
    spec.command_line = "python: lifnet.sweep";
    std::vector<config_error::problem> problems;
    auto check = [&](const auto& step) {
        try {
            step();
        }
        catch (const config_error& e) {
            problems.insert(problems.end(), e.problems.begin(), e.problems.end());
        }
    };
    // The base configuration: a Config, or a TOML file whose [sweep] table is
    // read as `lifnet sweep FILE` reads it (vary= and seeds= then add to it).
    config base;
    if (py::isinstance<config>(given))
        base = given.cast<config>();
    else if (!given.is_none()) {
        spec.config_file = py::str(given).cast<std::string>();
        check([&] {
            try {
                load_toml(base, spec.config_file);
            }
            catch (const file_error& e) {
                throw bad_key("file", e.what());
            }
            validate(base);
        });
        check([&] {
            try {
                load_sweep_table(spec, spec.config_file);
            }
            catch (const file_error& e) {
                throw bad_key("file", e.what());
            }
        });
    }
    if (!vary.is_none())
        for (const auto& [key, values]: vary.cast<py::dict>())
            check([&] { spec.axes.push_back(python_axis(py::str(key).cast<std::string>(), values)); });
    if (!seeds.is_none()) {
        std::string text;
        if (py::isinstance<py::str>(seeds))
            text = seeds.cast<std::string>();
        else
            for (const auto& s: seeds) {
                const auto item = integer_text(s);
                text += (text.empty() ? "" : ",") + item.value_or("?");
            }
        check([&] { spec.seeds = parse_seeds(text, spec.max_members); });
    }
    // 0: the [sweep] table's, else 1 (as the CLI without --ranks-per-member).
    if (ranks_per_member < 0) problems.push_back({"--ranks-per-member", "must be > 0 (or 0 for the default)"});
    if (ranks_per_member > 0) spec.ranks_per_member = ranks_per_member;
    if (!problems.empty()) throw config_error(std::move(problems));
    sweep_result done;
    std::optional<sweep_contents> table;
    {
        py::gil_scoped_release free_python;
        const scoped_stop_handlers stop_on_signals; // as run(): a signal stops every rank between members
        done = run_sweep(base, spec, ctx);
        agree_on_stop(ctx.get().comm); // one after the last member is not lost
        table = read_sweep_summary(spec.output);
    }
    py::dict d = sweep_dict(*table, spec.output);
    d["run_now"] = done.members - done.skipped;
    d["skipped"] = done.skipped;
    d["failed"] = done.failed;
    return d;
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
value raises ConfigError naming every bad key. Values: int (numpy's too),
float (np.float64 too), str, and for record a list of node ids; a bool is
never a number. Keys read as attributes.)")
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
        .def_readonly("gathered", &result::gathered, "True: every rank's spikes (on rank 0); False: this rank's.")
        .def_readonly("report", &result::report,
                      "The membrane-potential report V [mV] (float64, samples × recorded neurons), read from the run "
                      "file; None when no report was recorded (record = none, or run() without output=). From run(), "
                      "on rank 0 only.")
        .def_readonly("report_ids", &result::report_ids,
                      "The recorded node ids (uint64), one per report column; or None.")
        .def_readonly("report_t", &result::report_t, "The report's sample times [ms], one per report row; or None.");

    m.def("_open", &open_file, py::arg("path"),
          "A run file as a Result, a sweep summary as a dict (lifnet.open wraps it); FileError for anything else.");
    m.def("_sweep", &sweep_python, py::arg("config") = py::none(), py::kw_only(), py::arg("vary") = py::none(),
          py::arg("seeds") = py::none(), py::arg("output"), py::arg("member_output") = py::none(),
          py::arg("ranks_per_member") = 0, py::arg("max_members") = default_max_members, py::arg("save_graph") = false,
          py::arg("progress") = false, py::arg("comm") = py::none(),
          "lifnet.sweep without the wrapping of its table (see lifnet.sweep).");
    m.def("run", &run_python, py::arg("config") = py::none(), py::kw_only(), py::arg("output") = py::none(),
          py::arg("comm") = py::none(), py::arg("progress") = false, py::arg("checkpoint") = py::none(),
          py::arg("checkpoint_every") = 0.0, py::arg("restart") = py::none(), py::arg("save_graph") = false,
          py::arg("gather") = true,
          R"(Simulates `config` (collective over `comm`, an mpi4py communicator; default every rank of the
job) and returns a Result. output: a run file to write (SONATA, HDF5); the report [mV] is read back
from it into the Result (rank 0). progress: rank 0 shows the CLI's progress line on a terminal.
checkpoint / checkpoint_every [ms] / restart: as the CLI's flags (checkpoint_every > 0 without
checkpoint= writes <output>.ckpt). save_graph: the run file also holds the synapses. gather: True puts
every rank's spikes on rank 0 (others get empty arrays), False leaves each rank its own.
The GIL is released while the network runs. Raises ConfigError naming the key, FileError naming an
output that cannot be written, and KeyboardInterrupt on every rank when SIGINT, SIGTERM or SIGUSR1
stopped the run (no output file), or arrived after its last epoch (the complete output stays).)");
}
