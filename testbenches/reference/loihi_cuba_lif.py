#!/usr/bin/python3
"""Independent reference for Loihi's CUBA LIF compartment, bit-accurate.

Written from the equations in shared/reference/hardware.md, with the
arithmetic of Lava's PyLifModelBitAcc (lava/proc/lif/models.py): an int64
product for each decay, trunc0 as sign(x) * right_shift(abs(x), 12), the
where-based 24-bit wrap of u and np.clip of v. Two differences from Lava, both
fixed by the Neuromesh brief: the decay of u is 4096 - du (Lava adds
ds_offset = 1), and the dendritic input already holds w * 2^(6 + exp), so it
is added without Lava's left shift by 6. Lava has no refractory period; the
one here follows the brief: after a spike in step t, steps t+1 .. t+refractory
still update u but hold v (at 0) and cannot spike.

The where-based wrap undoes a single overflow only, as Lava's does, so the
caller keeps |input| < 2^24 (then |decayed u + input| < 3 * 2^23).

Usage: loihi_cuba_lif.py INPUT OUTPUT
INPUT (whitespace-separated integers):
    N T
    N lines: du dv bias_mant bias_exp vth_mant refractory
    T lines: N inputs each
OUTPUT: T * N lines "u v refractory_counter spiked", step-major.
"""
import sys

import numpy as np


def simulate(params, inputs):
    du, dv, bias_mant, bias_exp, vth_mant, refractory = (
        params[:, k].astype(np.int64) for k in range(6))
    steps, n = inputs.shape
    max_uv = np.int64(2 ** 23)
    decay_unity = np.int64(2 ** 12)
    effective_bias = np.left_shift(bias_mant, bias_exp)
    effective_vth = np.left_shift(vth_mant, 6)
    u = np.zeros(n, dtype=np.int64)
    v = np.zeros(n, dtype=np.int64)
    counter = np.zeros(n, dtype=np.int64)
    trace = np.zeros((steps, n, 4), dtype=np.int64)
    for t in range(steps):
        # Current: decay, add the input, wrap into (-2^23, 2^23].
        decayed = np.int64(u) * (decay_unity - du)
        decayed = np.sign(decayed) * np.right_shift(np.abs(decayed), 12)
        decayed = decayed + inputs[t].astype(np.int64)
        wrapped = np.where(decayed > max_uv, decayed - 2 * max_uv, decayed)
        wrapped = np.where(wrapped <= -max_uv, decayed + 2 * max_uv, wrapped)
        u = wrapped
        # Voltage: only outside the refractory period.
        active = counter == 0
        decayed_v = np.int64(v) * (decay_unity - dv)
        decayed_v = np.sign(decayed_v) * np.right_shift(np.abs(decayed_v), 12)
        updated = np.clip(decayed_v + u + effective_bias, -max_uv + 1, max_uv - 1)
        v = np.where(active, updated, v)
        spiked = active & (v > effective_vth)
        v = np.where(spiked, 0, v)
        counter = np.where(active, np.where(spiked, refractory, 0), counter - 1)
        trace[t, :, 0] = u
        trace[t, :, 1] = v
        trace[t, :, 2] = counter
        trace[t, :, 3] = spiked
    return trace


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: loihi_cuba_lif.py INPUT OUTPUT")
    words = np.array(open(sys.argv[1]).read().split(), dtype=np.int64)
    if len(words) < 2:
        sys.exit("loihi_cuba_lif.py: error: input file has no 'N T' header")
    n, steps = int(words[0]), int(words[1])
    if len(words) != 2 + 6 * n + steps * n:
        sys.exit("loihi_cuba_lif.py: error: input file holds %d numbers, expected %d"
                 % (len(words), 2 + 6 * n + steps * n))
    params = words[2:2 + 6 * n].reshape(n, 6)
    inputs = words[2 + 6 * n:].reshape(steps, n)
    if np.any(np.abs(inputs) >= 2 ** 24):
        sys.exit("loihi_cuba_lif.py: error: |input| must be < 2^24 for the single wrap")
    trace = simulate(params, inputs)
    np.savetxt(sys.argv[2], trace.reshape(steps * n, 4), fmt="%d")


if __name__ == "__main__":
    main()
