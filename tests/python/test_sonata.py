#!/usr/bin/env python3
"""The run file and its configs against the SONATA specification's wording,
read with h5py and json only (libsonata is not a dependency):

- every string attribute and string dataset is fixed-length, null-terminated
  and stored with room for its terminator (size = length + 1), which is
  what libsonata's reader needs to read the whole string;
- the node population and the edge population hold every required dataset
  with its dtype and length, and values that follow from the model
  (weights, delays, degrees, the inhibitory set);
- both edge indices reach every edge exactly once, from its own node;
- the circuit, simulation and node-set configs parse, every path they name
  exists, and they point at the populations, spikes and report in the file;
- a 3-rank file equals a 1-rank file in spikes, report, nodes, edges (as a
  set of edges with their attributes), indices (as the edges they reach)
  and sync;
- outputs over a non-regular file are refused before any work; a float64
  report is not listed as SONATA; `lifnet sweep --save-graph`.

Run: LIFNET_BIN=build/lifnet /usr/bin/python3 tests/python/test_sonata.py
"""
import json
import os
import shlex
import subprocess
import tempfile
import unittest

import h5py
import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LIFNET = os.path.join(ROOT, os.environ.get("LIFNET_BIN", "build/lifnet"))
MPIEXEC = shlex.split(os.environ.get("MPIEXEC", "mpirun"))
ENV = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
           OMPI_MCA_mpi_yield_when_idle="1")
POP = "lifnet"
# Coupled, inhibitory, in-degree-normalised weights (so c_i varies), a WS graph.
NET = dict(N=300, k=6, p=0.3, t_stop=300, f_inh=0.2, J_norm="in_degree", sigma=1)


def setUpModule():
    if not (os.path.isfile(LIFNET) and os.access(LIFNET, os.X_OK)):
        raise unittest.SkipTest(f"lifnet binary not found at {LIFNET} (set LIFNET_BIN)")


def sets(**kv):
    return [a for k, v in kv.items() for a in ("--set", f"{k}={v}")]


def lifnet(args, ranks=1, command="run"):
    cmd = [LIFNET, command, *args]
    if ranks > 1:
        cmd = [*MPIEXEC, "--oversubscribe", "-np", str(ranks), *cmd]
    return subprocess.run(cmd, env=ENV, capture_output=True, text=True, timeout=600)


def run_ok(test, args, ranks=1, command="run"):
    r = lifnet(args, ranks, command)
    test.assertEqual(r.returncode, 0, r.stderr)
    return r


def string_attributes(f):
    """(object path, attribute name, HDF5 type, stored bytes) of every string
    attribute in the file, the root's included."""
    out = []

    def visit(name, obj):
        for attr in obj.attrs:
            a = h5py.h5a.open(obj.id, attr.encode())
            t = a.get_type()
            if t.get_class() != h5py.h5t.STRING:
                continue
            if t.is_variable_str():
                out.append((name, attr, t, None))
                continue
            buf = np.zeros((), dtype=f"S{t.get_size()}")
            a.read(buf, mtype=t)
            out.append((name, attr, t, buf.tobytes()))

    visit("/", f)
    f.visititems(visit)
    return out


def string_datasets(f):
    out = []
    f.visititems(lambda n, o: out.append((n, o)) if isinstance(o, h5py.Dataset) and o.dtype.kind == "S" else None)
    return out


def check_index(test, group, keys, N):
    """Every edge is reached exactly once from the index of `keys` (its
    source or target ids), and from the node it belongs to."""
    ranges = group["node_id_to_ranges"]
    edge_ids = group["range_to_edge_id"]
    test.assertEqual(ranges.dtype, np.uint64)
    test.assertEqual(edge_ids.dtype, np.uint64)
    test.assertEqual(ranges.shape, (N, 2))
    test.assertEqual(edge_ids.shape[1], 2)
    ranges, edge_ids = ranges[()], edge_ids[()]
    reached = np.zeros(len(keys), dtype=np.int64)
    for node in range(N):
        lo, hi = ranges[node]
        test.assertLessEqual(lo, hi)
        test.assertLessEqual(hi, len(edge_ids))
        for first, end in edge_ids[lo:hi]:
            test.assertLess(first, end)
            reached[first:end] += 1
            np.testing.assert_array_equal(keys[first:end], node)
    np.testing.assert_array_equal(reached, 1)
    # Every range row belongs to exactly one node, and no node's ranges
    # could be merged: each is a maximal run of consecutive edge ids.
    used = np.zeros(len(edge_ids), dtype=np.int64)
    for lo, hi in ranges:
        used[lo:hi] += 1
    np.testing.assert_array_equal(used, 1)


def reached_edges(f, direction):
    """{node: sorted edge ids} that the index `direction` reaches."""
    g = f[f"edges/{POP}/indices/{direction}"]
    ranges, edge_ids = g["node_id_to_ranges"][()], g["range_to_edge_id"][()]
    return {node: [e for first, end in edge_ids[lo:hi] for e in range(first, end)]
            for node, (lo, hi) in enumerate(ranges)}


def edge_rows(f):
    """The edges as a sorted list of (source, target, syn_weight, delay)."""
    g = f[f"edges/{POP}"]
    rows = zip(g["source_node_id"][()], g["target_node_id"][()], g["0/syn_weight"][()], g["0/delay"][()])
    return sorted((int(s), int(t), float(w), float(d)) for s, t, w, d in rows)


def resolve(config_path, value, manifest):
    """A path from a SONATA config: manifest variables substituted, relative
    to the config's folder (SONATA's rule)."""
    for name, sub in manifest.items():
        value = value.replace(name, sub)
    return os.path.normpath(os.path.join(os.path.dirname(config_path), value))


class TempDir(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.dir = cls.tmp.name

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def path(self, name):
        return os.path.join(self.dir, name)


class CircuitTest(TempDir):
    """One run with --save-graph, read as SONATA."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.out = os.path.join(cls.dir, "run.h5")
        run_ok(unittest.TestCase(), [*sets(**NET), "--save-graph", "-o", cls.out])
        cls.f = h5py.File(cls.out, "r")

    @classmethod
    def tearDownClass(cls):
        cls.f.close()
        super().tearDownClass()

    def dataset(self, name, dtype, shape):
        self.assertIn(name, self.f)
        d = self.f[name]
        self.assertEqual(d.dtype, np.dtype(dtype), name)
        self.assertEqual(d.shape, shape, name)
        return d[()]

    def test_string_attributes_have_room_for_the_terminator(self):
        found = string_attributes(self.f)
        names = {(path, attr) for path, attr, _, _ in found}
        for expected in [("/", "config"), ("/", "lifnet_version"), (f"spikes/{POP}/timestamps", "units"),
                         (f"report/{POP}/data", "units"), (f"report/{POP}/mapping/time", "units"),
                         (f"edges/{POP}/source_node_id", "node_population"),
                         (f"edges/{POP}/target_node_id", "node_population"), (f"edges/{POP}/0/syn_weight", "units"),
                         (f"edges/{POP}/0/delay", "units"), (f"nodes/{POP}/0/initial_v", "units"),
                         ("sync", "notes")]:
            self.assertIn(expected, names)
        for path, attr, t, stored in found:
            where = f"{path} @{attr}"
            self.assertFalse(t.is_variable_str(), where)
            self.assertEqual(t.get_strpad(), h5py.h5t.STR_NULLTERM, where)
            value = stored.split(b"\0")[0]
            self.assertEqual(t.get_size(), len(value) + 1, where)  # the text, then one NUL
            self.assertEqual(stored[-1:], b"\0", where)
        units = {(p, a): s[:-1] for p, a, _, s in found if a in ("units", "node_population")}
        self.assertEqual(units[(f"spikes/{POP}/timestamps", "units")], b"ms")
        self.assertEqual(units[(f"report/{POP}/data", "units")], b"mV")
        self.assertEqual(units[(f"edges/{POP}/source_node_id", "node_population")], POP.encode())

    def test_node_population(self):
        N = NET["N"]
        self.assertEqual(set(self.f[f"nodes/{POP}"].keys()), {"node_type_id", "node_group_id", "node_group_index", "0"})
        np.testing.assert_array_equal(self.dataset(f"nodes/{POP}/node_type_id", "i8", (N,)), 0)
        np.testing.assert_array_equal(self.dataset(f"nodes/{POP}/node_group_id", "u4", (N,)), 0)
        np.testing.assert_array_equal(self.dataset(f"nodes/{POP}/node_group_index", "u8", (N,)), np.arange(N))
        inh = self.dataset(f"nodes/{POP}/0/inhibitory", "u1", (N,))
        self.assertEqual(set(np.unique(inh)), {0, 1})
        self.assertEqual(int(inh.sum()), round(NET["f_inh"] * N))
        v0 = self.dataset(f"nodes/{POP}/0/initial_v", "f8", (N,))
        self.assertEqual(v0[0], -51.64611240674276)  # MODEL.md §3 known answer (seed 1)
        src = self.f[f"edges/{POP}/source_node_id"][()].astype(np.int64)
        tgt = self.f[f"edges/{POP}/target_node_id"][()].astype(np.int64)
        k_in = self.dataset(f"nodes/{POP}/0/in_degree", "u8", (N,))
        k_out = self.dataset(f"nodes/{POP}/0/out_degree", "u8", (N,))
        np.testing.assert_array_equal(k_in, np.bincount(tgt, minlength=N))
        np.testing.assert_array_equal(k_out, np.bincount(src, minlength=N))
        self.assertGreater(k_in.max(), k_in.min())  # p = 0.3: the degrees vary

    def test_edge_population(self):
        E = NET["N"] * NET["k"]  # N·k/2 undirected edges, two synapses each
        g = f"edges/{POP}"
        self.assertEqual(set(self.f[g].keys()), {"source_node_id", "target_node_id", "edge_type_id", "edge_group_id",
                                                 "edge_group_index", "0", "indices"})
        src = self.dataset(f"{g}/source_node_id", "u8", (E,)).astype(np.int64)
        tgt = self.dataset(f"{g}/target_node_id", "u8", (E,)).astype(np.int64)
        np.testing.assert_array_equal(self.dataset(f"{g}/edge_type_id", "i8", (E,)), 0)
        np.testing.assert_array_equal(self.dataset(f"{g}/edge_group_id", "u4", (E,)), 0)
        np.testing.assert_array_equal(self.dataset(f"{g}/edge_group_index", "u8", (E,)), np.arange(E))
        self.assertEqual(set(self.f[f"{g}/0"].keys()), {"syn_weight", "delay"})
        # Rows ordered by (target, source), every synapse once, both directions.
        self.assertTrue(np.all(np.lexsort((src, tgt)) == np.arange(E)))
        self.assertEqual(len(set(zip(src, tgt))), E)
        self.assertEqual(set(zip(src, tgt)), set(zip(tgt, src)))
        # MODEL.md §2: w = c_i·J from an excitatory source, −c_i·g·J from an
        # inhibitory one, c_i = k / k_in(i) with J_norm = in_degree (J = 2, g = 4).
        inh = self.f[f"nodes/{POP}/0/inhibitory"][()].astype(bool)
        k_in = np.bincount(tgt, minlength=NET["N"])
        c = NET["k"] / k_in[tgt]
        expected = np.where(inh[src], -(c * 2.0 * 4.0), c * 2.0)
        np.testing.assert_allclose(self.dataset(f"{g}/0/syn_weight", "f8", (E,)), expected, rtol=1e-15, atol=0)
        self.assertLess(self.f[f"{g}/0/syn_weight"][()].min(), 0)
        np.testing.assert_array_equal(self.dataset(f"{g}/0/delay", "f8", (E,)), 1.0)

    def test_indices_reach_every_edge_once(self):
        g = self.f[f"edges/{POP}"]
        check_index(self, g["indices/source_to_target"], g["source_node_id"][()], NET["N"])
        check_index(self, g["indices/target_to_source"], g["target_node_id"][()], NET["N"])
        # Rows are sorted by target: one range per node with inputs.
        self.assertEqual(g["indices/target_to_source/range_to_edge_id"].shape[0],
                         np.count_nonzero(np.bincount(g["target_node_id"][()].astype(np.int64))))

    def test_report_mapping_has_n_plus_one_pointers(self):
        # A deliberate deviation from the spec's wording (N pointers): N + 1,
        # as libsonata reads them.
        ptr = self.dataset(f"report/{POP}/mapping/index_pointers", "u8", (NET["N"] + 1,))
        np.testing.assert_array_equal(ptr, np.arange(NET["N"] + 1))
        self.assertEqual(self.f[f"report/{POP}/data"].dtype, np.float32)

    def test_configs_name_existing_files_and_the_populations(self):
        circuit_path, sim_path = self.path("run.circuit_config.json"), self.path("run.simulation_config.json")
        with open(circuit_path) as fh:
            circuit = json.load(fh)
        with open(sim_path) as fh:
            sim = json.load(fh)
        manifest = circuit.get("manifest", {})
        [nodes] = circuit["networks"]["nodes"]
        [edges] = circuit["networks"]["edges"]
        for path in (nodes["nodes_file"], nodes["node_types_file"], edges["edges_file"], edges["edge_types_file"],
                     circuit["node_sets_file"]):
            self.assertTrue(os.path.isfile(resolve(circuit_path, path, manifest)), path)
        self.assertEqual(resolve(circuit_path, nodes["nodes_file"], manifest), self.out)
        self.assertEqual(nodes["populations"], {POP: {"type": "point_neuron"}})
        self.assertEqual(edges["populations"], {POP: {"type": "chemical"}})
        self.assertNotIn("metadata", circuit)  # no note about missing edges
        # The node-types table: space-separated, the LIF parameters.
        with open(resolve(circuit_path, nodes["node_types_file"], manifest)) as fh:
            header, row, *rest = [line.split() for line in fh]
        self.assertEqual(rest, [])
        types = dict(zip(header, row))
        self.assertEqual(types["node_type_id"], "0")
        self.assertEqual(types["model_type"], "point_process")
        self.assertEqual({k: float(types[k]) for k in ("tau_m", "tau_syn", "V_th", "V_reset", "t_ref", "I_bias")},
                         dict(tau_m=10, tau_syn=2, V_th=-50, V_reset=-65, t_ref=2, I_bias=16))
        # The edge-types table: one type, the id every edge has.
        with open(resolve(circuit_path, edges["edge_types_file"], manifest)) as fh:
            self.assertEqual([line.split() for line in fh], [["edge_type_id", "model_template"],
                                                            ["0", "lifnet:psc_exp"]])
        # The simulation config: network, spikes, report, node sets.
        self.assertEqual(resolve(sim_path, sim["network"], {}), circuit_path)
        self.assertEqual(sim["run"], {"tstop": NET["t_stop"], "dt": 0.1, "random_seed": 1})
        out_dir = resolve(sim_path, sim["output"]["output_dir"], {})
        self.assertEqual(os.path.join(out_dir, sim["output"]["spikes_file"]), self.out)
        self.assertEqual(sim["output"]["spikes_sort_order"], "by_time")
        [(name, report)] = sim["reports"].items()
        self.assertEqual(os.path.join(out_dir, report["file_name"]), self.out)
        self.assertEqual([report["start_time"], report["end_time"], report["dt"]],
                         list(self.f[f"report/{POP}/mapping/time"][()]))
        self.assertEqual(report["cells"], "All")
        with open(resolve(sim_path, sim["node_sets_file"], {})) as fh:
            node_sets = json.load(fh)
        self.assertEqual(node_sets["All"], {"population": POP})
        self.assertEqual(node_sets["inhibitory"], {"population": POP, "inhibitory": 1})
        self.assertEqual(node_sets["excitatory"], {"population": POP, "inhibitory": 0})
        # No temporary file is left.
        self.assertEqual(sorted(os.listdir(self.dir)),
                         ["run.circuit_config.json", "run.edge_types.csv", "run.h5", "run.node_sets.json",
                          "run.node_types.csv", "run.simulation_config.json"])


class RankInvarianceTest(TempDir):
    def test_three_ranks_equal_one(self):
        args = [*sets(**NET), "--save-graph"]
        one, three = self.path("one.h5"), self.path("three.h5")
        run_ok(self, [*args, "-o", one])
        run_ok(self, [*args, *sets(partition="random"), "-o", three], ranks=3)
        with h5py.File(one, "r") as a, h5py.File(three, "r") as b:
            self.assertEqual(int(b.attrs["ranks"]), 3)
            for group in ("spikes", "report", "nodes", "sync"):
                names = []
                a[group].visititems(lambda n, o: names.append(n) if isinstance(o, h5py.Dataset) else None)
                self.assertGreater(len(names), 0)
                for n in names:
                    np.testing.assert_array_equal(a[group][n][()], b[group][n][()], err_msg=f"{group}/{n}")
            self.assertEqual(edge_rows(a), edge_rows(b))
            # Indices as the edges they reach, compared as (source, target) pairs.
            for direction in ("source_to_target", "target_to_source"):
                pairs = []
                for f in (a, b):
                    src, tgt = f[f"edges/{POP}/source_node_id"][()], f[f"edges/{POP}/target_node_id"][()]
                    pairs.append({node: sorted(zip(src[ids], tgt[ids]))
                                  for node, ids in reached_edges(f, direction).items()})
                self.assertEqual(pairs[0], pairs[1], direction)
        for suffix in ("circuit_config.json", "simulation_config.json", "node_sets.json", "node_types.csv",
                       "edge_types.csv"):
            with open(self.path("one." + suffix)) as x, open(self.path("three." + suffix)) as y:
                self.assertEqual(x.read().replace("one.", "three."), y.read(), suffix)


class ConfigVariantsTest(TempDir):
    def test_without_edges_the_circuit_says_so(self):
        out = self.path("plain.h5")
        run_ok(self, [*sets(N=50, t_stop=50, t_transient=0), "-o", out])
        with open(self.path("plain.circuit_config.json")) as fh:
            circuit = json.load(fh)
        self.assertEqual(circuit["networks"]["edges"], [])
        self.assertIn("--save-graph", circuit["metadata"]["edges"])
        self.assertFalse(os.path.exists(self.path("plain.edge_types.csv")))
        with h5py.File(out, "r") as f:
            self.assertNotIn("edges", f)
            self.assertIn(f"nodes/{POP}", f)

    def test_float64_report_is_not_listed_as_sonata(self):
        out = self.path("f64.h5")
        r = run_ok(self, [*sets(N=50, t_stop=150, report_dtype="float64"), "-o", out])
        self.assertIn("report_dtype = float64 writes a report that is not SONATA", r.stderr)
        with open(self.path("f64.simulation_config.json")) as fh:
            self.assertNotIn("reports", json.load(fh))
        with h5py.File(out, "r") as f:
            self.assertEqual(f[f"report/{POP}/data"].dtype, np.float64)
        r = run_ok(self, [*sets(N=50, t_stop=150), "-o", self.path("f32.h5")])
        self.assertNotIn("warning", r.stderr)

    def test_recorded_subset_is_a_node_set(self):
        run_ok(self, [*sets(N=60, t_stop=150, record_every=7), "-o", self.path("sub.h5")])
        with open(self.path("sub.simulation_config.json")) as fh:
            report = json.load(fh)["reports"]["v"]
        self.assertEqual(report["cells"], "recorded")
        with open(self.path("sub.node_sets.json")) as fh:
            recorded = json.load(fh)["recorded"]
        with h5py.File(self.path("sub.h5"), "r") as f:
            self.assertEqual(recorded, {"population": POP,
                                        "node_id": [int(i) for i in f[f"report/{POP}/mapping/node_ids"][()]]})
        self.assertEqual(recorded["node_id"], list(range(0, 60, 7)))

    def test_non_regular_targets_are_refused_before_the_run(self):
        for name, make in (("dir", os.mkdir), ("fifo", os.mkfifo)):
            out = self.path(f"{name}.h5")
            target = self.path(f"{name}.simulation_config.json")
            make(target)
            for ranks in (1, 2):
                r = lifnet([*sets(N=50, t_stop=50, t_transient=0), "-o", out], ranks)
                self.assertEqual(r.returncode, 2, r.stderr)
                self.assertIn(f"'{target}' exists and is not a regular file", r.stderr)
                self.assertFalse(os.path.exists(out))
                self.assertEqual([f for f in os.listdir(self.dir) if f.endswith(".tmp")], [])
                self.assertFalse(os.path.exists(self.path(f"{name}.circuit_config.json")))

    def test_sweep_saves_each_members_graph(self):
        members = self.path("members")
        r = lifnet([*sets(N=40, t_stop=50, t_transient=0), "--vary", "p=0,0.5", "--save-graph",
                    "-o", self.path("s.h5")], command="sweep")
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn("--member-output", r.stderr)
        run_ok(self, [*sets(N=40, t_stop=50, t_transient=0), "--vary", "p=0,0.5", "--save-graph",
                      "--member-output", members, "-o", self.path("s.h5")], command="sweep")
        cross = []
        for m in (0, 1):
            path = os.path.join(members, f"member-{m}.h5")
            with h5py.File(path, "r") as f:
                g = f[f"edges/{POP}"]
                self.assertEqual(g["source_node_id"].shape, (160,))
                check_index(self, g["indices/source_to_target"], g["source_node_id"][()], 40)
                cross.append(int(np.sum(np.abs(g["source_node_id"][()].astype(np.int64) -
                                               g["target_node_id"][()].astype(np.int64)) > 2)))
            self.assertTrue(os.path.isfile(os.path.join(members, f"member-{m}.circuit_config.json")))
        # p = 0: the ring lattice, where only the wrap-around synapses (0, 38),
        # (0, 39), (1, 39) and their reverses join nodes more than 2 apart.
        self.assertEqual(cross[0], 6)
        self.assertGreater(cross[1], 6)  # p = 0.5: rewired
        # The summary's string datasets have room for their terminators too.
        with h5py.File(self.path("s.h5"), "r") as f:
            found = string_datasets(f)
            self.assertIn("members/status", [n for n, _ in found])
            for name, d in found:
                t = d.id.get_type()
                self.assertEqual(t.get_strpad(), h5py.h5t.STR_NULLTERM, name)
                longest = max((len(v) for v in d[()]), default=0)
                self.assertEqual(t.get_size(), longest + 1, name)
            for path, attr, t, stored in string_attributes(f):
                self.assertEqual(t.get_size(), len(stored.split(b"\0")[0]) + 1, f"{path} @{attr}")


class ReadBackTest(TempDir):
    def test_new_and_old_edge_layouts_are_read_as_graph_file(self):
        common = sets(N=120, k=4, t_stop=200, f_inh=0.2)
        new = self.path("new.h5")
        run_ok(self, [*common, *sets(p=0.3), "--save-graph", "-o", new])
        # The older layout: only source_node_id, target_node_id and edge_type_id.
        old = self.path("old.h5")
        with h5py.File(new, "r") as f, h5py.File(old, "w") as g:
            for name in ("source_node_id", "target_node_id", "edge_type_id"):
                f.copy(f[f"edges/{POP}/{name}"], g.require_group(f"edges/{POP}"), name)
        with h5py.File(new, "r") as f:
            reference = f[f"spikes/{POP}/node_ids"][()], f[f"spikes/{POP}/timestamps"][()]
        for path in (new, old):
            out = self.path("again.h5")
            run_ok(self, [*common, *sets(graph="file", graph_file=path), "--save-graph", "-o", out], ranks=2)
            with h5py.File(out, "r") as f, h5py.File(new, "r") as g:
                np.testing.assert_array_equal(f[f"spikes/{POP}/node_ids"][()], reference[0])
                np.testing.assert_array_equal(f[f"spikes/{POP}/timestamps"][()], reference[1])
                self.assertEqual(edge_rows(f), edge_rows(g))

    def test_directed_graph_degrees_and_indices(self):
        # A directed file with multapses: out-degree is not in-degree, and a
        # node's repeated synapses sit in one run of its index.
        rng = np.random.default_rng(3)
        n = 80
        src = rng.integers(0, n, 600)
        tgt = (src + rng.integers(1, n, 600)) % n
        src[:5], tgt[:5] = 3, 4  # the synapse 3 -> 4 five times
        path = self.path("directed.h5")
        with h5py.File(path, "w") as f:
            f["edges/net/source_node_id"] = src.astype(np.uint64)
            f["edges/net/target_node_id"] = tgt.astype(np.uint64)
        out = self.path("directed-out.h5")
        run_ok(self, [*sets(N=n, t_stop=100, graph="file", graph_file=path), "--save-graph", "-o", out], ranks=3)
        with h5py.File(out, "r") as f:
            g = f[f"edges/{POP}"]
            s, t = g["source_node_id"][()].astype(np.int64), g["target_node_id"][()].astype(np.int64)
            self.assertEqual(sorted(zip(s, t)), sorted(zip(src, tgt)))
            np.testing.assert_array_equal(f[f"nodes/{POP}/0/out_degree"][()], np.bincount(src, minlength=n))
            np.testing.assert_array_equal(f[f"nodes/{POP}/0/in_degree"][()], np.bincount(tgt, minlength=n))
            check_index(self, g["indices/source_to_target"], s, n)
            check_index(self, g["indices/target_to_source"], t, n)

    def test_info_reads_the_old_layout(self):
        out = self.path("old-layout.h5")
        run_ok(self, [*sets(N=50, t_stop=150), "-o", out])
        with h5py.File(out, "a") as f:
            del f["nodes"]
        r = run_ok(self, [out], command="info")
        self.assertIn("circuit: none (a file of the older layout, without a SONATA node population)", r.stdout)

    def test_info_reads_the_new_layout(self):
        out = self.path("info.h5")
        run_ok(self, [*sets(N=50, t_stop=150, f_inh=0.2), "--save-graph", "-o", out])
        r = run_ok(self, [out], command="info")
        self.assertRegex(r.stdout, r"population lifnet: \d+ spikes, report of 50 neurons x 51 samples")
        self.assertIn("circuit: 50 nodes (10 inhibitory), 200 edges", r.stdout)


if __name__ == "__main__":
    unittest.main()
