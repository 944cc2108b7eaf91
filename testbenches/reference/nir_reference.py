#!/usr/bin/python3
"""Independent float64 simulator of a NIR graph (docs/nir.md), written from
the NIR spec alone for checking Neuromesh's NIR import. It shares no code
with the C++ importer: it reads the HDF5 file with h5py, flattens nested
graphs itself and evaluates every primitive with numpy.

Semantics (the ones docs/nir.md states for the chip):
  * discrete time steps of dt; a spike is the value 1 for one step;
  * neuron inputs at step t are the weight layers applied to the outputs of
    their source nodes (Input and neuron nodes) at step t - 1: one step of
    delay per synaptic layer, as on the chip; a Delay node adds
    round(delay / dt) more steps; biases arrive from step 1 on;
  * forward Euler:
      LIF      v += dt/tau (v_leak - v + r x)                 spike v > v_th
      CubaLIF  I += dt/tau_syn (-I + w_in x);
               v += dt/tau_mem (v_leak - v + r I)             spike v > v_th
      IF       v += dt r x                                    spike v > v_th
      LI       v += dt/tau (v_leak - v + r x)   I   v += dt r x
      Threshold  spike x > threshold
    reset zero: v = v_reset; subtract: v -= v_th - v_reset.

usage: nir_reference.py model.nir --dt 1e-4 --steps T [--reset zero|subtract]
                        [--input in.csv] [--quantise loihi] --output spikes.csv

--quantise loihi replaces the weights, biases and decays by the values the
chip holds for examples/arch/loihi.yaml (8-bit weight mantissas with one
shift 0..13 per projection, 12-bit decays; docs/nir.md, "Agreement"),
derived here from docs/network-format.md's scaling rules, and simulates
those in float64: with them the chip agrees spike for spike, which shows
that what separates it from the exact run is the quantisation alone. It
covers LIF / CubaLIF nodes fed directly by Affine / Linear layers (the
braille networks) and refuses anything else. Where v lands exactly on the
threshold (small integer weights) float64 rounding of dt/tau decides the
comparison, so agreement there is luck, not evidence.
The input CSV is `step,population,neuron` (population = Input node name,
neuron = flattened index); the output lists every spike of every spiking
node in the same format.
"""
import argparse
import csv
import sys

import h5py
import numpy as np

NEURONS = {"LIF", "CubaLIF", "IF", "LI", "CubaLI", "I", "Threshold"}


def text(v):
    return v.decode() if isinstance(v, bytes) else str(v)


def flatten(group, prefix, nodes, edges):
    subgraphs = set()
    for name, sub in group["nodes"].items():
        kind = text(sub["type"][()])
        if kind == "NIRGraph":
            subgraphs.add(name)
            flatten(sub, prefix + name + ".", nodes, edges)
            continue
        nodes[prefix + name] = {"type": kind}
        for key, ds in sub.items():
            if key in ("type", "metadata") or not isinstance(ds, h5py.Dataset):
                continue
            v = ds[()]
            nodes[prefix + name][key] = text(v) if isinstance(v, (bytes, str)) else np.asarray(v, dtype=np.float64)
    raw = group["edges"][()]
    for src, dst in (raw if raw.size else []):
        src, dst = text(src), text(dst)
        if src in subgraphs:
            src += ".output"
        if dst in subgraphs:
            dst += ".input"
        edges.append((prefix + src, prefix + dst))


def conv(x, node):
    """PyTorch Conv1d/Conv2d (cross-correlation) by gathering shifted slices."""
    w = node["weight"]
    spatial = w.ndim - 2
    if x.ndim == spatial:  # no channel axis given
        x = x[None]
    groups = int(node.get("groups", 1))
    stride = np.broadcast_to(node.get("stride", np.ones(spatial)), (spatial,)).astype(int)
    dil = np.broadcast_to(node.get("dilation", np.ones(spatial)), (spatial,)).astype(int)
    kernel = w.shape[2:]
    pad = node.get("padding", np.zeros(spatial))
    if isinstance(pad, str):
        lo = [0] * spatial if pad == "valid" else [d * (k - 1) // 2 for d, k in zip(dil, kernel)]
        hi = [0] * spatial if pad == "valid" else [d * (k - 1) - l for d, k, l in zip(dil, kernel, lo)]
    else:
        lo = hi = list(np.broadcast_to(pad, (spatial,)).astype(int))
    x = np.pad(x, [(0, 0)] + list(zip(lo, hi)))
    out_size = [(x.shape[1 + i] - dil[i] * (kernel[i] - 1) - 1) // stride[i] + 1 for i in range(spatial)]
    cout, cin_g = w.shape[0], w.shape[1]
    y = np.zeros([cout] + out_size)
    for o in range(cout):
        g = o // (cout // groups)
        for c in range(cin_g):
            for offs in np.ndindex(*kernel):
                sl = tuple(slice(offs[i] * dil[i], offs[i] * dil[i] + stride[i] * (out_size[i] - 1) + 1, stride[i])
                           for i in range(spatial))
                y[o] += w[(o, c) + offs] * x[(g * cin_g + c,) + sl]
    if "bias" in node:
        y += np.broadcast_to(node["bias"], (cout,)).reshape([cout] + [1] * spatial)
    return y


def pool(x, node, average):
    k = np.broadcast_to(node["kernel_size"], (2,)).astype(int)
    s = np.broadcast_to(node["stride"], (2,)).astype(int)
    p = np.broadcast_to(node.get("padding", np.zeros(2)), (2,)).astype(int)
    x = np.pad(x, [(0, 0), (p[0], p[0]), (p[1], p[1])])
    oh = (x.shape[1] - k[0]) // s[0] + 1
    ow = (x.shape[2] - k[1]) // s[1] + 1
    y = np.zeros((x.shape[0], oh, ow))
    for i in range(k[0]):
        for j in range(k[1]):
            y += x[:, i:i + s[0] * (oh - 1) + 1:s[0], j:j + s[1] * (ow - 1) + 1:s[1]]
    return y / (k[0] * k[1]) if average else y


class Simulator:
    def __init__(self, path, dt, reset):
        with h5py.File(path, "r") as f:
            self.nodes, self.edges = {}, []
            flatten(f["node"], "", self.nodes, self.edges)
        self.dt, self.reset = dt, reset
        self.preds = {n: [s for s, d in self.edges if d == n] for n in self.nodes}
        self.state = {}
        self.out = {}  # node -> output of the previous step (Input and neurons)
        self.delay_lines = {}

    def shape(self, name):
        n = self.nodes[name]
        if n["type"] == "Input":
            return tuple(int(v) for v in n["shape"])
        for key in ("v_threshold", "threshold", "r", "tau"):
            if key in n and np.ndim(n[key]) > 0:
                return n[key].shape
        raise ValueError(f"cannot tell the shape of {name}")

    def value(self, name, memo):
        """Output of node `name` this step: sources give last step's output."""
        if name in memo:
            return memo[name]
        n = self.nodes[name]
        kind = n["type"]
        if kind == "Input" or kind in NEURONS:
            return self.out[name]
        ins = [self.value(p, memo) for p in self.preds[name]]
        x = ins[0]
        for extra in ins[1:]:
            x = x + extra.reshape(x.shape)
        if kind in ("Affine", "Linear"):
            y = n["weight"] @ x.reshape(-1)
            if kind == "Affine":
                y = y + n["bias"]
        elif kind == "Scale":
            y = n["scale"] * x.reshape(np.shape(n["scale"])) if np.ndim(n["scale"]) else n["scale"] * x
        elif kind == "Flatten":
            y = x.reshape(-1) if x.ndim <= 1 else x.reshape(x.shape[:int(n.get("start_dim", 0)) % x.ndim] + (-1,))
        elif kind in ("Conv1d", "Conv2d"):
            if "input_shape" in n:
                x = x.reshape((n["weight"].shape[1] * int(n.get("groups", 1)),) + tuple(int(v) for v in np.atleast_1d(n["input_shape"])))
            y = conv(x, n)
        elif kind in ("SumPool2d", "AvgPool2d"):
            y = pool(x, n, kind == "AvgPool2d")
        elif kind == "Delay":
            steps = np.rint(np.broadcast_to(n["delay"], x.shape) / self.dt).astype(int)
            line = self.delay_lines.setdefault(name, [])
            line.insert(0, x.copy())
            y = np.zeros_like(x)
            for idx in np.ndindex(*x.shape):
                d = steps[idx]
                y[idx] = line[d][idx] if d < len(line) else 0.0
            del line[int(steps.max()) + 1:]
        else:
            raise ValueError(f"unsupported node type {kind}")
        memo[name] = y
        return y

    def run(self, steps, inputs):
        spikes = []
        for name, n in self.nodes.items():
            if n["type"] == "Input" or n["type"] in NEURONS:
                self.out[name] = np.zeros(self.shape(name))
        for t in range(steps):
            memo = {}
            drive = {}
            for name, n in self.nodes.items():
                if n["type"] in NEURONS:
                    if t == 0 or not self.preds[name]:
                        drive[name] = np.zeros(self.shape(name))
                    else:
                        x = sum(self.value(p, memo).reshape(self.shape(name)) for p in self.preds[name])
                        drive[name] = x
            new_out = {}
            for name, n in self.nodes.items():
                if n["type"] == "Input":
                    z = np.zeros(self.shape(name))
                    for idx in inputs.get((t, name), []):
                        z.reshape(-1)[idx] += 1
                    new_out[name] = z
                elif n["type"] in NEURONS:
                    z = self.step_neuron(name, n, drive[name])
                    new_out[name] = z
                    if n["type"] not in ("LI", "CubaLI", "I"):
                        for idx in np.flatnonzero(z.reshape(-1)):
                            spikes.append((t, name, int(idx)))
            self.out = new_out
        return spikes

    def step_neuron(self, name, n, x):
        dt, kind = self.dt, n["type"]
        s = self.state.setdefault(name, {"v": np.zeros(x.shape), "i": np.zeros(x.shape)})
        if kind == "Threshold":
            return (x > n["threshold"]).astype(float)
        r = n["r"]
        if kind == "CubaLIF" or kind == "CubaLI":
            s["i"] = s["i"] + dt / n["tau_syn"] * (-s["i"] + n.get("w_in", 1.0) * x)
            s["v"] = s["v"] + dt / n["tau_mem"] * (n["v_leak"] - s["v"] + r * s["i"])
        elif kind in ("LIF", "LI"):
            s["v"] = s["v"] + dt / n["tau"] * (n["v_leak"] - s["v"] + r * x)
        elif kind in ("IF", "I"):
            s["v"] = s["v"] + dt * r * x
        if kind in ("LI", "CubaLI", "I"):
            return s["v"].copy()
        vth = n["v_threshold"]
        vreset = n.get("v_reset", 0.0)
        z = s["v"] > vth
        if self.reset == "zero":
            s["v"] = np.where(z, vreset, s["v"])
        else:
            s["v"] = np.where(z, s["v"] - (vth - vreset), s["v"])
        return z.astype(float)


def rounded(x):
    """llround: halves away from zero."""
    return np.sign(x) * np.floor(np.abs(x) + 0.5)


def quantise_loihi(sim):
    """The chip's parameters for examples/arch/loihi.yaml (weight_bits 8,
    weight_exponent 0..13), in NIR units, written into sim's nodes."""
    mant_max, mant_min, shift_max = 127, -128, 13
    nodes, dt = sim.nodes, sim.dt
    for post, n in nodes.items():
        if n["type"] not in ("LIF", "CubaLIF"):
            continue
        if n["type"] == "LIF":
            a = dt / n["tau"]
            gain = a * n["r"]
        else:
            a, b = dt / n["tau_mem"], dt / n["tau_syn"]
            gain = a * n["r"] * b * n.get("w_in", 1.0)
        if np.any(n["v_leak"] != 0):
            raise ValueError(f"--quantise: {post} has a v_leak")
        layers = sim.preds[post]
        for layer in layers:
            if nodes[layer]["type"] not in ("Affine", "Linear"):
                raise ValueError(f"--quantise: {layer} -> {post} is not an Affine / Linear layer")
        # Per projection the weights as written (NIR weight x input gain);
        # the Affine biases of one post node form one projection.
        tables = {l: nodes[l]["weight"] * np.reshape(gain, (-1, 1)) for l in layers}
        bias = sum((nodes[l]["bias"] for l in layers if nodes[l]["type"] == "Affine"),
                   np.zeros(np.size(n["v_threshold"]))) * gain
        vth = float(np.ravel(n["v_threshold"])[0])
        max_w = max([np.abs(t).max() for t in tables.values()] + [np.abs(bias).max()])
        # The lif scale S (docs/network-format.md): threshold at 2^16, raised
        # toward 2^19 for weight precision, then the threshold made exact.
        scale = 2.0 ** 16 / vth
        if max_w > 0:
            scale = max(scale, min(mant_max / max_w, 2.0 ** 19 / vth))
            scale = min(scale, mant_max * 2.0 ** shift_max / max_w)
        scale = np.floor(vth * scale / 64) * 64 / vth

        def quantised(w):
            hw = w * scale
            shift = 0
            while hw.max() / 2 ** shift >= mant_max + 0.5 or hw.min() / 2 ** shift <= mant_min - 0.5:
                shift += 1
            return rounded(hw / 2 ** shift) * 2 ** shift / scale

        for l, t in tables.items():
            nodes[l]["weight"] = quantised(t) / np.reshape(gain, (-1, 1))
            if nodes[l]["type"] == "Affine":
                nodes[l]["bias"] = np.zeros_like(nodes[l]["bias"])
        if np.any(bias != 0):
            first = next(l for l in layers if nodes[l]["type"] == "Affine")
            nodes[first]["bias"] = quantised(bias) / gain
        # 12-bit decays d = round(4096 dt/tau); the chip's weights keep the
        # exact a r (b w_in), so r and w_in absorb the change of a and b.
        if n["type"] == "LIF":
            aq = rounded(4096 * a) / 4096
            n["tau"], n["r"] = dt / aq, n["r"] * a / aq
        else:
            aq, bq = rounded(4096 * a) / 4096, rounded(4096 * b) / 4096
            n["tau_mem"], n["r"] = dt / aq, n["r"] * a / aq
            n["tau_syn"], n["w_in"] = dt / bq, n.get("w_in", 1.0) * b / bq


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("model")
    ap.add_argument("--dt", type=float, default=1e-4)
    ap.add_argument("--steps", type=int, required=True)
    ap.add_argument("--reset", choices=["zero", "subtract"], default="zero")
    ap.add_argument("--input")
    ap.add_argument("--output", required=True)
    ap.add_argument("--quantise", choices=["loihi"])
    a = ap.parse_args()
    inputs = {}
    if a.input:
        with open(a.input) as f:
            for row in csv.DictReader(f):
                inputs.setdefault((int(row["step"]), row["population"]), []).append(int(row["neuron"]))
    sim = Simulator(a.model, a.dt, a.reset)
    if a.quantise:
        quantise_loihi(sim)
    spikes = sim.run(a.steps, inputs)
    with open(a.output, "w") as f:
        f.write("step,population,neuron\n")
        for t, name, idx in spikes:
            f.write(f"{t},{name},{idx}\n")


if __name__ == "__main__":
    sys.exit(main())
