#!/usr/bin/python3
"""The house rules of src/ (issue 12, docs/design.md "Layout"), checked on the
source with comments and strings stripped:
- no .cpp/.hpp directly in src/ (one folder per concern);
- raw MPI_* calls only in src/comm, src/exchange and src/io; HDF5 H5* calls
  only in src/io; PETSc only in src/partition; MPI_Abort, H5Eset_auto2 and
  H5Pset_fapl_mpio once each; no <mpi.h>, <hdf5.h> or PETSc header in
  include/lifnet or src/cli;
- no mode compared as a string outside src/config;
- no function longer than 60 lines but those listed (and justified) in
  docs/design.md; run() at most 40.
Exit code 0 when every rule holds; each breach is printed."""
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LONG_ALLOWED = {"run_sweep", "load_sweep_table", "write_sweep_summary"}  # docs/design.md says why
MODES = "ws|ring|er|file|ptscotch|block|random|rk4|exact|step|epoch|allgather|neighbour|none|in_degree|float32|float64"


def sources(*folders):
    for folder in folders:
        for dirpath, _, names in os.walk(os.path.join(ROOT, folder)):
            for name in sorted(names):
                if name.endswith((".cpp", ".hpp")):
                    yield os.path.relpath(os.path.join(dirpath, name), ROOT)


def stripped(path):
    text = open(os.path.join(ROOT, path)).read()
    blank = lambda m: re.sub(r"[^\n]", " ", m.group(0))
    return re.sub(r'//[^\n]*|/\*.*?\*/|"(?:\\.|[^"\\\n])*"|\'(?:\\.|[^\'\\\n])*\'', blank, text, flags=re.S)


def functions(code):
    """(name, first line, lines) of every function body at namespace or class scope."""
    stack, header, line = [], "", 1
    for ch in code:
        line += ch == "\n"
        if ch == "{":
            outer = stack[-1][0] if stack else "namespace"
            h = " ".join(header.split())
            if outer not in ("namespace", "class"):
                kind = "inner"
            elif re.search(r"\bnamespace\b", h) or h.startswith("extern"):
                kind = "namespace"
            elif re.search(r"\b(class|struct|union|enum)\b", h) and "(" not in h:
                kind = "class"
            else:
                kind = "function" if ")" in h else "other"
            names = re.findall(r"([~\w:]+)\s*\(", h)
            stack.append((kind, line, names[0] if names else h[-40:]))
            header = ""
        elif ch == "}":
            kind, start, name = stack.pop()
            if kind == "function":
                yield name, start, line - start + 1
            header = ""
        elif ch == ";":
            header = ""
        else:
            header += ch


def main():
    problems = []
    src = list(sources("src"))
    problems += [f"{p}: directly in src/" for p in src if os.path.dirname(p) == "src"]
    seams = [(r"\bMPI_[A-Za-z_]+\s*\(", ("src/comm/", "src/exchange/", "src/io/"), "an MPI call"),
             (r"\bH5[A-Za-z0-9_]*\s*\(", ("src/io/",), "an HDF5 call"),
             (r"\b(Petsc[A-Za-z]*|Mat[A-Z][A-Za-z]*|IS[A-Z][A-Za-z]*)\s*\(", ("src/partition/",), "a PETSc call")]
    once = {name: [] for name in ("MPI_Abort", "H5Eset_auto2", "H5Pset_fapl_mpio")}
    for path in src + list(sources("include")):
        code = stripped(path)
        lines = code.split("\n")
        for pattern, allowed, what in seams:
            if not path.startswith(allowed):
                problems += [f"{path}:{i + 1}: {what}" for i, l in enumerate(lines) if re.search(pattern, l)]
        for name in once:
            once[name] += [f"{path}:{i + 1}" for i, l in enumerate(lines) if re.search(rf"\b{name}\s*\(", l)]
        text = open(os.path.join(ROOT, path)).read()
        if path.startswith(("include/", "src/cli/")) and re.search(r"#include\s*<(mpi|hdf5|H5\w*|petsc\w*)\.h>", text):
            problems.append(f"{path}: includes a C library's header")
        if not path.startswith("src/config/") and re.search(rf'[=!]=\s*"({MODES})"', text):
            problems.append(f"{path}: a mode compared as a string")
        for name, start, length in functions(code):
            short = name.split("::")[-1]
            if (short == "run" and length > 40) or (length > 60 and short not in LONG_ALLOWED):
                problems.append(f"{path}:{start}: {name} is {length} lines")
    problems += [f"{name} appears {len(at)} times: {', '.join(at)}" for name, at in once.items() if len(at) != 1]
    for p in problems:
        print(p)
    print("layout: ok" if not problems else f"layout: {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
