#!/usr/bin/python3
"""Writes a random small NIR graph (HDF5, the layout of nir.write) for the
agreement test between Neuromesh's NIR import and nir_reference.py.

usage: nir_random.py SEED out.nir
Input(n) -> [Affine|Linear|Scale chain] -> neuron layer (LIF, CubaLIF or IF)
-> ... (1-3 layers), sometimes a recurrent Linear on a layer, sometimes a
Delay on a feed-forward edge, ending in an Output. Parameters are drawn so
that neurons fire at moderate rates at dt = 1e-3 s.
"""
import sys

import h5py
import numpy as np

DT = 1e-3


def main():
    seed, path = int(sys.argv[1]), sys.argv[2]
    rng = np.random.default_rng(seed)
    nodes, edges = {}, []
    n_in = int(rng.integers(3, 12))
    nodes["input"] = {"type": "Input", "shape": np.array([n_in])}
    prev, prev_n = "input", n_in
    for layer in range(int(rng.integers(1, 4))):
        n = int(rng.integers(2, 16))
        kind = rng.choice(["LIF", "CubaLIF", "IF"])
        w = rng.normal(0.0, 1.0, size=(n, prev_n)) * (2.5 / np.sqrt(prev_n))
        fc = f"fc{layer}"
        if rng.random() < 0.5:
            nodes[fc] = {"type": "Affine", "weight": w, "bias": rng.normal(0.0, 0.05, size=n)}
        else:
            nodes[fc] = {"type": "Linear", "weight": w}
        edges.append([prev, fc])
        head = fc
        if rng.random() < 0.3:
            sc = f"scale{layer}"
            nodes[sc] = {"type": "Scale", "scale": rng.uniform(0.5, 1.5, size=n)}
            edges.append([head, sc])
            head = sc
        if rng.random() < 0.25:
            d = f"delay{layer}"
            nodes[d] = {"type": "Delay", "delay": rng.integers(0, 4, size=n) * DT}
            edges.append([head, d])
            head = d
        name = f"lif{layer}"
        tau = np.full(n, rng.uniform(5e-3, 30e-3))
        if kind == "LIF":
            nodes[name] = {"type": "LIF", "tau": tau, "r": tau / DT * rng.uniform(0.5, 1.0, size=n),
                           "v_leak": np.full(n, rng.uniform(-0.05, 0.2)), "v_threshold": np.ones(n)}
        elif kind == "CubaLIF":
            tau_syn = np.full(n, rng.uniform(2e-3, 10e-3))
            nodes[name] = {"type": "CubaLIF", "tau_syn": tau_syn, "tau_mem": tau,
                           "r": tau / DT * rng.uniform(0.5, 1.0, size=n), "v_leak": np.zeros(n),
                           "w_in": tau_syn / DT, "v_threshold": np.ones(n)}
        else:
            nodes[name] = {"type": "IF", "r": np.full(n, 1.0 / DT) * rng.uniform(0.3, 1.0, size=n),
                           "v_threshold": np.ones(n)}
        edges.append([head, name])
        if rng.random() < 0.3:
            rec = f"rec{layer}"
            nodes[rec] = {"type": "Linear", "weight": rng.normal(0.0, 0.3, size=(n, n))}
            edges += [[name, rec], [rec, name]]
        prev, prev_n = name, n
    nodes["output"] = {"type": "Output", "shape": np.array([prev_n])}
    edges.append([prev, "output"])
    with h5py.File(path, "w") as f:
        f["version"] = "0.2.0"
        g = f.create_group("node")
        g["type"] = "NIRGraph"
        g.create_dataset("edges", data=np.array(edges, dtype=object), dtype=h5py.string_dtype())
        ns = g.create_group("nodes")
        for name, data in nodes.items():
            ng = ns.create_group(name)
            for k, v in data.items():
                ng[k] = v


if __name__ == "__main__":
    main()
