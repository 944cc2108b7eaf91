#!/usr/bin/env python3
"""Checks that the reference NIR reader (the `nir` package's nir.read) would
accept a file, without the package: written from the NIR spec
(../shared/reference/nir.md) and the reference implementation's
serialization.py / ir/*.py, with h5py and numpy only.

nir.read turns /node into a dict (hdf2dict) and builds each node's dataclass
from it: unknown keys are rejected, required ones must be there, a neuron's
parameters share one shape, and NIRGraph.check_types() requires that every
edge names existing nodes and that the source's output type equals the
target's input type. Beyond that, the layout must be the one nir.write
produces: strings variable-length UTF-8, numbers float32/float64 (int64 for
shapes and integer fields), scalar fields scalar.

usage: nir_check.py FILE [FILE ...]   exit 0 if every file passes; else the
problems, one per line, and exit 1.
"""
import sys

import h5py
import numpy as np

OPTIONAL_GROUPS = {"metadata", "input_type", "output_type"}  # dataclass fields

# type -> (required datasets, optional datasets)
NODE_KEYS = {
    "Input": ({"shape"}, set()),
    "Output": ({"shape"}, set()),
    "Affine": ({"weight", "bias"}, set()),
    "Linear": ({"weight"}, set()),
    "Scale": ({"scale"}, set()),
    "Conv1d": ({"weight", "bias", "stride", "padding", "dilation", "groups"}, {"input_shape"}),
    "Conv2d": ({"weight", "bias", "stride", "padding", "dilation", "groups"}, {"input_shape"}),
    "SumPool2d": ({"kernel_size", "stride", "padding"}, set()),
    "AvgPool2d": ({"kernel_size", "stride", "padding"}, set()),
    "Flatten": ({"start_dim", "end_dim"}, {"input_type"}),
    "Delay": ({"delay"}, set()),
    "Threshold": ({"threshold"}, set()),
    "I": ({"r"}, set()),
    "IF": ({"r", "v_threshold"}, {"v_reset"}),
    "LI": ({"tau", "r", "v_leak"}, set()),
    "LIF": ({"tau", "r", "v_leak", "v_threshold"}, {"v_reset"}),
    "CubaLI": ({"tau_syn", "tau_mem", "r", "v_leak"}, {"w_in"}),
    "CubaLIF": ({"tau_syn", "tau_mem", "r", "v_leak", "v_threshold"}, {"v_reset", "w_in"}),
}
NEURONS = {"I", "IF", "LI", "LIF", "CubaLI", "CubaLIF"}
INT_KEYS = {"shape", "stride", "padding", "dilation", "groups", "kernel_size",
            "start_dim", "end_dim", "input_shape", "input_type"}
SCALAR_KEYS = {"groups", "start_dim", "end_dim"}
SCALAR_BROADCAST = {"w_in"}  # a scalar w_in broadcasts


class Problems(list):
    def add(self, where, msg):
        self.append(f"{where}: {msg}")


def is_vlen_utf8_string(ds):
    t = ds.id.get_type()
    return isinstance(t, h5py.h5t.TypeStringID) and t.is_variable_str() and t.get_cset() == h5py.h5t.CSET_UTF8


def read_string(ds, where, probs):
    if not isinstance(ds, h5py.Dataset):
        probs.add(where, "must be a dataset")
        return None
    if not h5py.check_string_dtype(ds.dtype):
        probs.add(where, f"must be a string, is {ds.dtype}")
        return None
    if not is_vlen_utf8_string(ds):
        probs.add(where, "must be a variable-length UTF-8 string (as h5py.string_dtype() writes)")
    if ds.shape != ():
        probs.add(where, f"must be a scalar string, has shape {ds.shape}")
        return None
    v = ds[()]
    return v.decode("utf8") if isinstance(v, bytes) else v


def check_numeric(ds, key, where, probs):
    """Returns the array, or None after adding a problem."""
    if not isinstance(ds, h5py.Dataset):
        probs.add(where, "must be a dataset")
        return None
    if key == "padding" and h5py.check_string_dtype(ds.dtype):
        v = read_string(ds, where, probs)
        if v not in ("same", "valid"):
            probs.add(where, f"string padding must be 'same' or 'valid', got {v!r}")
        return v
    dt = ds.dtype
    if key in INT_KEYS:
        if dt != np.dtype("<i8"):
            probs.add(where, f"must be int64, is {dt}")
    elif dt not in (np.dtype("<f4"), np.dtype("<f8"), np.dtype("<i8")):
        probs.add(where, f"must be float32 or float64, is {dt}")
        return None
    if key in SCALAR_KEYS and ds.shape != ():
        probs.add(where, f"must be a scalar, has shape {ds.shape}")
    v = ds[()]
    if np.issubdtype(np.asarray(v).dtype, np.floating) and not np.all(np.isfinite(v)):
        probs.add(where, "holds NaN or infinity")
    return np.asarray(v)


def node_types(kind, d, where, probs):
    """(input_type, output_type) as nir's __post_init__ derives them."""
    if kind in ("Input", "Output"):
        s = d["shape"]
        if s.ndim != 1 or np.any(s < 1):
            probs.add(where + "/shape", f"must be a 1-D array of sizes >= 1, got {s.tolist()}")
        return s, s
    if kind in ("Affine", "Linear"):
        w = d["weight"]
        if w.ndim < 2:
            probs.add(where + "/weight", f"must be at least 2-D, has shape {w.shape}")
            return None, None
        if kind == "Affine" and d["bias"].shape != (w.shape[-2],):
            probs.add(where + "/bias", f"shape {d['bias'].shape} does not match weight rows ({w.shape[-2]},)")
        return np.array(w.shape[:-2] + (w.shape[-1],)), np.array(w.shape[:-1])
    if kind in ("Scale", "Delay", "Threshold"):
        s = np.array(d[{"Scale": "scale", "Delay": "delay", "Threshold": "threshold"}[kind]].shape)
        if kind == "Delay" and np.any(d["delay"] < 0):
            probs.add(where + "/delay", "must be >= 0")
        return s, s
    if kind in NEURONS:
        shapes = {k: v.shape for k, v in d.items() if not (k in SCALAR_BROADCAST and v.shape == ())}
        if len(set(shapes.values())) != 1:
            probs.add(where, f"parameters must share one shape, got {shapes}")
            return None, None
        s = np.array(next(iter(shapes.values())))
        for k in ("tau", "tau_mem", "tau_syn"):
            if k in d and np.any(d[k] <= 0):
                probs.add(where + "/" + k, "time constants must be > 0")
        return s, s
    return None, None  # conv, pool and flatten types are inferred by the importer


def check_graph(g, where, probs):
    t = read_string(g["type"], where + "/type", probs) if "type" in g else None
    if t != "NIRGraph":
        probs.add(where, f"type must be 'NIRGraph', got {t!r}")
        return None, None
    for k in ("nodes", "edges"):
        if k not in g:
            probs.add(where, f"missing '{k}'")
            return None, None
    for k in g.keys():
        if k not in ("type", "nodes", "edges") and k not in OPTIONAL_GROUPS:
            probs.add(where + "/" + k, "unknown key (nir.read rejects it)")
    e = g["edges"]
    if h5py.check_string_dtype(e.dtype):
        if not is_vlen_utf8_string(e):
            probs.add(where + "/edges", "must hold variable-length UTF-8 strings")
        if e.ndim != 2 or e.shape[1] != 2:
            probs.add(where + "/edges", f"must have shape (E, 2), has {e.shape}")
            return None, None
        edges = [(a.decode("utf8"), b.decode("utf8")) for a, b in e[()]]
    elif e.shape == (0,) and e.dtype == np.dtype("<f8"):
        edges = []
    else:
        probs.add(where + "/edges", f"must be an (E, 2) string array, is {e.dtype} {e.shape}")
        return None, None
    types = {}
    for name, n in g["nodes"].items():
        nw = f"{where}/nodes/{name}"
        if not isinstance(n, h5py.Group):
            probs.add(nw, "a node must be a group")
            continue
        if "type" not in n:
            probs.add(nw, "missing 'type'")
            continue
        kind = read_string(n["type"], nw + "/type", probs)
        if kind == "NIRGraph":
            types[name] = check_graph(n, nw, probs)
            continue
        if kind not in NODE_KEYS:
            probs.add(nw + "/type", f"unknown type {kind!r}")
            continue
        req, opt = NODE_KEYS[kind]
        keys = set(n.keys()) - {"type"}
        for k in sorted(req - keys):
            probs.add(nw, f"{kind} needs '{k}'")
        for k in sorted(keys - req - opt - OPTIONAL_GROUPS):
            probs.add(nw + "/" + k, f"unknown key for {kind} (nir.read rejects it)")
        if req - keys:
            continue
        d = {}
        for k in sorted((req | opt) & keys):
            v = check_numeric(n[k], k, nw + "/" + k, probs)
            if v is not None and not isinstance(v, str):
                d[k] = v
        if set(d) >= req:
            types[name] = node_types(kind, d, nw, probs)
    for a, b in edges:
        for x in (a, b):
            if x not in g["nodes"]:
                probs.add(where + "/edges", f"edge ({a!r}, {b!r}) names node {x!r}, which does not exist")
        if a in types and b in types and types[a] and types[b]:
            out_t, in_t = types[a][1], types[b][0]
            if out_t is not None and in_t is not None and not np.array_equal(out_t, in_t):
                probs.add(where + "/edges", f"type mismatch: {a}.output {np.asarray(out_t).tolist()} -> {b}.input {np.asarray(in_t).tolist()}")
    ins = [types[n][0] for n in g["nodes"] if n in types and types[n] and g["nodes"][n]["type"][()] == b"Input"]
    outs = [types[n][1] for n in g["nodes"] if n in types and types[n] and g["nodes"][n]["type"][()] == b"Output"]
    return (ins[0] if len(ins) == 1 else None), (outs[0] if len(outs) == 1 else None)


def check_file(path):
    probs = Problems()
    try:
        f = h5py.File(path, "r")
    except OSError as e:
        probs.add(path, f"not an HDF5 file ({e})")
        return probs
    with f:
        if "version" in f:
            read_string(f["version"], path + ":/version", probs)
        if "node" not in f:
            probs.add(path, "missing /node")
        else:
            check_graph(f["node"], path + ":/node", probs)
    return probs


def main(argv):
    if len(argv) < 2:
        print(__doc__.strip().splitlines()[-3], file=sys.stderr)
        return 2
    bad = 0
    for path in argv[1:]:
        probs = check_file(path)
        if probs:
            bad += 1
            for p in probs:
                print(p)
        else:
            print(f"{path}: ok")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
