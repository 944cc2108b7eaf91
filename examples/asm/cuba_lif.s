; cuba_lif.s - one core of Loihi CUBA LIF neurons, written by hand.
;
; The neuron program is the compiler library's loihiCubaLifProfile
; (compiler/lib/NeuronPrograms.cpp), copied instruction for instruction; a
; test (testbenches/compiler/test_example_programs.cpp) checks that it still
; is. It computes Loihi's bit-accurate compartment model
; (/work/shared/reference/hardware.md, Davies et al. 2018):
;
;   (1) u[t] = trunc0(u[t-1] * (4096 - du) / 4096) + sum(w * s) * 2^6
;   (2) v[t] = trunc0(v[t-1] * (4096 - dv) / 4096) + u[t]
;              + bias_mant * 2^bias_exp
;   (3) spike when v[t] > vth_mant * 2^6; then v = 0 and the neuron is
;       refractory for a configured number of steps
;   u wraps as a 24-bit value, v saturates at +-(2^23 - 1).
;
; Network: input port "in" (1 index) drives neurons 0 and 1; neuron 2 has a
; bias and fires on its own.

.arch "loihi" fingerprint=0x0000000000000000  ; hand-written: no preset hash
.chips 1
.mesh 1 1
.cores_per_tile 4

.core 0 chip=0 x=0 y=0 slot=0
  ; 3 state words per neuron: word 0 = u, word 1 = v, word 2 = refractory
  ; steps left. Delays up to 4 steps.
  .config axons=1 neurons=3 state_words=3 delay_slots=4 seed=0x1

  ; Profile 0: du = 1024 (tau_u = 4), dv = 256 (tau_v = 16), no bias,
  ; vth_mant = 100, refractory 2 steps. The compiler stores what the
  ; program needs, precomputed:
  ;   param 0 = 4096 - du = 3072        param 1 = 4096 - dv = 3840
  ;   param 2 = bias_mant * 2^bias_exp = 0
  ;   param 3 = vth_mant * 2^6 = 6400    param 4 = refractory = 2
  .profile 0
    .params 3072, 3840, 0, 6400, 2
    ; Registers: r0 u, r1 scratch, r2 input, r3 refractory counter, r4 v.
    lds r0, 0              ; r0 = u[t-1]
    ldp r1, 0              ; r1 = 4096 - du
    mulsh r0, r0, r1, 12   ; (1) r0 = trunc0(u[t-1] * (4096 - du) / 2^12)
    ldin r2                ; r2 = sum(w * s) * 2^6: the synapses' shift=6
                           ;      already scaled each weight at delivery
    wrap r2, r2, 24        ; the input modulo 2^24: u is exact modulo 2^24
                           ; and the add below cannot saturate
    add r0, r0, r2         ; (1) u[t] = decayed u + input
    wrap r0, r0, 24        ; u wraps into (-2^23, 2^23]
    sts r0, 0              ; store u[t]: it decays and integrates even
                           ; while refractory
    lds r3, 2              ; r3 = refractory steps left
    brnz r3, refractory    ; (3) refractory: hold v, no spike
    lds r4, 1              ; r4 = v[t-1]
    ldp r1, 1              ; r1 = 4096 - dv
    mulsh r4, r4, r1, 12   ; (2) trunc0(v[t-1] * (4096 - dv) / 2^12)
    add r4, r4, r0         ; (2) + u[t]
    ldp r1, 2              ; r1 = bias_mant * 2^bias_exp
    add r4, r4, r1         ; (2) + bias
    sat r4, r4, 24         ; v saturates at +-(2^23 - 1)
    ldp r1, 3              ; r1 = vth_mant * 2^6
    slt r1, r1, r4         ; (3) r1 = (threshold < v)
    brz r1, store_v        ; not above threshold: keep v
    spike                  ; (3) fire
    movi r4, 0             ; (3) v = 0
    ldp r3, 4              ; r3 = refractory period
    sts r3, 2              ; start counting it down
  store_v:
    sts r4, 1              ; store v[t]
    halt                   ; done
  refractory:
    addi r3, r3, -1        ; one refractory step used
    sts r3, 2
  .end

  ; Profile 1: the same program with other parameters (profiles share
  ; parameters, so neurons with another bias need another profile):
  ; du = 1024, dv = 128 (tau_v = 32), bias_mant = 100, bias_exp = 2
  ; (bias 400 per step), vth_mant = 100, refractory 2. Without input v
  ; rises towards 400 * 4096 / 128 = 12800 > 6400, so the neuron fires
  ; periodically: in steps 21, 45, 69, ... (22 steps to climb from 0 past
  ; the threshold, then 2 refractory steps).
  .profile 1
    .params 3072, 3968, 400, 6400, 2
    lds r0, 0
    ldp r1, 0
    mulsh r0, r0, r1, 12
    ldin r2
    wrap r2, r2, 24
    add r0, r0, r2
    wrap r0, r0, 24
    sts r0, 0
    lds r3, 2
    brnz r3, refractory
    lds r4, 1
    ldp r1, 1
    mulsh r4, r4, r1, 12
    add r4, r4, r0
    ldp r1, 2
    add r4, r4, r1
    sat r4, r4, 24
    ldp r1, 3
    slt r1, r1, r4
    brz r1, store_v
    spike
    movi r4, 0
    ldp r3, 4
    sts r3, 2
  store_v:
    sts r4, 1
    halt
  refractory:
    addi r3, r3, -1
    sts r3, 2
  .end

  ; Neurons 0 and 1 use profile 0, neuron 2 profile 1; u = v = 0, not
  ; refractory.
  .neurons 0 count=2 profile=0 state=0,0,0
  .neuron 2 profile=1 state=0,0,0

  ; Axon 0 receives in[0]. Loihi's effective weight is
  ; w_mant * 2^(6 + weight_exp): the mantissas go in weights=, and
  ; shift = 6 + weight_exp (here weight_exp = 0). One input spike adds
  ; 100 * 2^6 = 6400 to neuron 0's u and 50 * 2^6 = 3200 to neuron 1's,
  ; in the next step (delay 1).
  .axon 0
    .dense first=0 delay=1 shift=6 weights=100,50

.input "in" size=1
  .target 0 -> 0:0:0       ; in[0] -> chip 0, core 0, axon 0
.population "lif" size=3
  .segment core=0 first=0 count=3 offset=0
