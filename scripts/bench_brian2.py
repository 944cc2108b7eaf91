#!/usr/bin/python3
"""Network (a) of the benchmark suite in Brian2's C++ standalone mode.

Runs the very network nm_bench_suite measured (its synapses, weights,
delays and initial potentials, exported with --export-balanced DIR), with
the Loihi CUBA LIF dynamics of loihi_cuba_lif written in Brian2's float
form, and the same Poisson-like host input rate (not the same draws), then
prints Brian2's synaptic events per second next to ours (from the suite's
--json file) and the throughput ratio, and both firing rates, so that the
comparison is of like with like.

Brian2's figure is the wall time of its simulation loop alone
(device._last_run_time of the measured run(), after a warm-up run()): the
C++ code generation and compilation, and building the synapses from the
arrays, are excluded. It runs single-threaded (Brian2's default). On a
shared machine wall time moves with other load, so a CPU-time figure is
printed too: the loop's wall time times the binary's CPU share over its
whole run (an estimate; Brian2 times the loop in wall time only).

The dynamics, per step (our program is fixed-point; this is its float form):
    u = u * (1 - du/4096) + input        (input: sum of w << 6 arriving)
    if refractory > 0: refractory -= 1   (v held, no spike)
    else: v = v * (1 - dv/4096) + u; spike if v > vth * 2^6, then v = 0 and
          refractory = 5
A spike emitted in step t with delay d reaches u in step t + d: Brian2
applies on_pre after the neuron update of step t, so its delay is d - 1.

usage: /usr/bin/python3 scripts/bench_brian2.py --network DIR --ours FILE
           [--steps N] [--warmup N] [--build-dir DIR]
"""
import argparse
import json
import os
import resource
import sys
import tempfile
import time

import numpy as np

# The network's parameters: bench::BalancedNetworkOptions' defaults
# (testbenches/bench/BenchNetworks.h) and the suite's input rate and steps.
DU, DV = 1024, 512
VTH = 150 * 64
REFRACTORY = 5
INPUT_RATE = 0.05  # per input index and step


def load(d, name):
    return np.fromfile(os.path.join(d, name), dtype='<i4')


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--network', required=True, help='directory of nm_bench_suite --export-balanced')
    ap.add_argument('--ours', required=True, help="nm_bench_suite --json output")
    ap.add_argument('--steps', type=int, default=100)
    ap.add_argument('--warmup', type=int, default=20)
    ap.add_argument('--build-dir', default=None)
    a = ap.parse_args()

    import warnings
    warnings.filterwarnings('ignore', category=FutureWarning)  # pythran's numpy warnings
    import brian2 as b2
    b2.prefs.logging.console_log_level = 'WARNING'
    build_dir = a.build_dir or tempfile.mkdtemp(prefix='nm_brian2_')
    b2.set_device('cpp_standalone', directory=build_dir, build_on_run=False)
    b2.defaultclock.dt = 1 * b2.ms

    rec = [load(a.network, 'rec_%s.i32' % k) for k in ('pre', 'post', 'weight', 'delay')]
    inp = [load(a.network, 'in_%s.i32' % k) for k in ('pre', 'post', 'weight', 'delay')]
    v0 = load(a.network, 'v0.i32')
    n = len(v0)
    n_in = int(inp[0].max()) + 1

    g = b2.NeuronGroup(n, '''u : 1
                             v : 1
                             I_syn : 1
                             ref_left : 1
                             active : 1''',
                       threshold='active > 0.5 and v > vth', reset="v = 0\nref_left = ref_steps",
                       namespace={'vth': float(VTH), 'ref_steps': float(REFRACTORY),
                                  'decay_u': 1 - DU / 4096.0, 'decay_v': 1 - DV / 4096.0})
    g.v = v0.astype(float)
    g.run_regularly('''u = u * decay_u + I_syn
                       I_syn = 0
                       active = int(ref_left <= 0)
                       ref_left = clip(ref_left - 1, 0, ref_steps)
                       v = active * (v * decay_v + u) + (1 - active) * v''',
                    when='groups')
    s = b2.Synapses(g, g, 'w : 1', on_pre='I_syn_post += w')
    s.connect(i=rec[0], j=rec[1])
    s.w = rec[2].astype(float)
    s.delay = (rec[3] - 1) * b2.ms
    p = b2.PoissonGroup(n_in, rates=INPUT_RATE / b2.defaultclock.dt)
    si = b2.Synapses(p, g, 'w : 1', on_pre='I_syn_post += w')
    si.connect(i=inp[0], j=inp[1])
    si.w = inp[2].astype(float)
    si.delay = (inp[3] - 1) * b2.ms
    mon = b2.SpikeMonitor(g)
    mon_in = b2.SpikeMonitor(p)

    b2.run(a.warmup * b2.ms)
    b2.run(a.steps * b2.ms)
    t0 = time.time()
    b2.device.build(directory=build_dir, compile=True, run=False)
    t1 = time.time()
    cpu0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    b2.device.run(build_dir, with_output=False, run_args=[])
    cpu1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t2 = time.time()
    loop = b2.device._last_run_time
    # On a shared machine wall time moves with other load; the binary's CPU
    # share over its whole run (synapse building and both runs) estimates
    # the measured loop's CPU time.
    share = ((cpu1.ru_utime + cpu1.ru_stime) - (cpu0.ru_utime + cpu0.ru_stime)) / (t2 - t1)
    loop_cpu = loop * min(1.0, share)

    # Synaptic events as our engine counts them: a spike reaches every
    # synapse of its source.
    out_rec = np.bincount(rec[0], minlength=n)
    out_in = np.bincount(inp[0], minlength=n_in)
    i_rec = np.asarray(mon.i)[np.asarray(mon.t / b2.ms) >= a.warmup - 0.5]
    i_in = np.asarray(mon_in.i)[np.asarray(mon_in.t / b2.ms) >= a.warmup - 0.5]
    events = int(out_rec[i_rec].sum() + out_in[i_in].sum())
    firing = len(i_rec) / (n * a.steps)

    with open(a.ours) as f:
        ours = json.load(f)
    # Every functional configuration of network (a) the suite measured
    # (interpreter and JIT, 1 and 2 threads), in the suite's order.
    mine = [(k[2:], v) for k, v in ours.items() if k.startswith('a/functional')]
    one = mine[0][1] if mine else {}
    print('== Brian2 %s C++ standalone, network (a): %d neurons, %d synapses (+%d input)'
          % (b2.__version__, n, len(rec[0]), len(inp[0])))
    print('  %-36s %.1f s (code generation and compilation, excluded)' % ('build', t1 - t0))
    print('  %-36s %.1f s (synapses built from the arrays, warm-up and measured runs)'
          % ('binary run, total', t2 - t1))
    print('  %-36s %.3f s wall, ~%.3f s cpu, for %d steps (after %d warm-up steps)'
          % ('simulation loop', loop, loop_cpu, a.steps, a.warmup))
    print('  %-36s %.2f%% (ours: %.2f%%)' % ('firing rate, neurons per step', 100 * firing,
                                               100 * one.get('firing', float('nan'))))
    print('  %-36s %.3g per wall s, ~%.3g per cpu s' % ('Brian2 synaptic events/s', events / loop,
                                                        events / loop_cpu))
    for label, r in mine:
        if r:
            print('  %-36s %.3g per wall s, %.3g per cpu s: ratio to Brian2 %.2fx (wall), %.2fx (cpu)'
                  % ('ours, ' + label, r['events_per_s'], r['events_per_cpu_s'],
                     r['events_per_s'] / (events / loop), r['events_per_cpu_s'] / (events / loop_cpu)))
    return 0


if __name__ == '__main__':
    sys.exit(main())
