; if_chain.s - the Neuromesh demo image, written by hand and explained line
; by line (docs/isa.md is the reference for every directive and opcode).
;
; Network: an input port "in" of 2 indices drives a layer of 4 integrate-
; and-fire (IF) neurons, "layer1", on core 0; layer1 projects to a layer of
; 2 IF neurons, "layer2", on core 1. Run it with the spikes in
; if_chain_input.csv:
;
;   nmesh as examples/asm/if_chain.s -o if_chain.nmb
;   nmesh run if_chain.nmb --input examples/asm/if_chain_input.csv --steps 20
;
; The rule that explains every spike below: a spike emitted in step t over
; a synapse with delay d is added to the target's input in step t + d.
;
; Expected spikes (worked out by hand; testbenches/isa/test_examples.cpp
; checks them with an independent step-by-step model):
;   layer1[0], layer1[1]: +6 in steps 2,3,6,7,10      -> fire in 3, 7
;   layer1[2]: +3 in 2,3,6,7,10 and +4 in 4,9,13      -> fire in 4, 9
;   layer1[3]: +10 in 5,10,14                          -> fire in 5, 10, 14
;   layer2[0]: +10 in 4, 8 (from [0] and [1]), +5 in 6, 11 (from [2])
;                                                      -> fire in 4, 8
;   layer2[1]: +2 in 4, 8; +3 in 5, 10; +4 in 7, 12, 16 -> fire in 8, 16

; ---- Chip header ----------------------------------------------------------
; The architecture this image was compiled for. The compiler writes the
; preset's name and the hash of its parameters; a hand-written file uses 0.
.arch "loihi" fingerprint=0x0000000000000000
.chips 1               ; one chip
.mesh 2 1              ; its mesh is 2 tiles wide, 1 tile high
.cores_per_tile 4      ; up to 4 cores share a tile's router (as on Loihi)

; ---- Core 0: layer1 -------------------------------------------------------
; Global core 0 sits on chip 0 at tile (0, 0), router slot 0.
.core 0 chip=0 x=0 y=0 slot=0
  ; 2 input axons (one per port index), 4 neurons, 1 state word per neuron
  ; (the IF potential v), a delay ring of 2 slots (delays 1..2), and the
  ; seed of the core's random draws (IF draws none).
  .config axons=2 neurons=4 state_words=1 delay_slots=2 seed=0x1

  ; Profile 0: the IF neuron of the compiler's library (ifProfile in
  ; compiler/lib/NeuronPrograms.cpp), copied instruction for instruction.
  ;   v = sat(sat(v + input) + bias)
  ;   if v >= threshold: spike, v = reset_mode ? v - threshold : reset_value
  .profile 0
    ; param 0 bias = 0, param 1 threshold = 10, param 2 reset mode = 0
    ; (reset to a value), param 3 reset value = 0
    .params 0, 10, 0, 0
    lds r0, 0              ; r0 = v (state word 0)
    ldin r1                ; r1 = this step's dendritic input
    add r0, r0, r1         ; v += input (saturating)
    ldp r1, 0              ; r1 = bias
    add r0, r0, r1         ; v += bias
    ldp r2, 1              ; r2 = threshold
    slt r1, r0, r2         ; r1 = (v < threshold)
    brnz r1, store         ; below threshold: skip the firing part
    spike                  ; fire (binary spike, payload 1)
    ldp r3, 2              ; r3 = reset mode
    sub r4, r0, r2         ; r4 = v - threshold (reset by subtraction)
    ldp r5, 3              ; r5 = reset value
    sel r0, r4, r5, r3     ; v = r3 != 0 ? r4 : r5
  store:                   ; branches only go forward, to a label like this
    sts r0, 0              ; write v back to state word 0
  .end                     ; falling off the end ends the update

  ; The 4 neurons: all profile 0, v starts at 0. One line for a run.
  .neurons 0 count=4 profile=0 state=0

  ; Axon 0 receives in[0]. A dense segment: one weight per neuron of a
  ; contiguous run starting at neuron 0, all with delay 1 and no shift.
  ; in[0] adds 6 to neurons 0 and 1 and 3 to neuron 2, one step later.
  .axon 0
    .dense first=0 delay=1 shift=0 weights=6,6,3
  ; Axon 1 receives in[1]. A sparse segment: neuron:weight:delay entries.
  ; in[1] adds 4 to neuron 2 after 1 step and 10 to neuron 3 after 2 steps.
  .axon 1
    .sparse shift=0 2:4:1, 3:10:2

  ; Output axon table: neuron n of layer1 sends its spikes to axon n of
  ; core 1 of chip 0 (chip:core:axon; the core is counted within its chip).
  .out 0 -> 0:1:0
  .out 1 -> 0:1:1
  .out 2 -> 0:1:2
  .out 3 -> 0:1:3

; ---- Core 1: layer2 -------------------------------------------------------
; On tile (1, 0): spikes from core 0 travel one hop east.
.core 1 chip=0 x=1 y=0 slot=0
  ; 4 input axons (one per layer1 neuron), 2 neurons.
  .config axons=4 neurons=2 state_words=1 delay_slots=2 seed=0x2

  ; The same IF program and parameters (profiles are per core).
  .profile 0
    .params 0, 10, 0, 0
    lds r0, 0
    ldin r1
    add r0, r0, r1
    ldp r1, 0
    add r0, r0, r1
    ldp r2, 1
    slt r1, r0, r2
    brnz r1, store
    spike
    ldp r3, 2
    sub r4, r0, r2
    ldp r5, 3
    sel r0, r4, r5, r3
  store:
    sts r0, 0
  .end

  .neurons 0 count=2 profile=0 state=0

  ; From layer1[0]: +5 to layer2[0] and +2 to layer2[1], delay 1.
  .axon 0
    .dense first=0 delay=1 shift=0 weights=5,2
  ; From layer1[1]: +5 to layer2[0], delay 1 (a run of one neuron).
  .axon 1
    .dense first=0 delay=1 shift=0 weights=5
  ; From layer1[2]: two segments on one axon. +5 to layer2[0] after 2
  ; steps (sparse), +3 to layer2[1] after 1 step (dense run from neuron 1).
  .axon 2
    .sparse shift=0 0:5:2
    .dense first=1 delay=1 shift=0 weights=3
  ; From layer1[3]: +4 to layer2[1] after 2 steps.
  .axon 3
    .sparse shift=0 1:4:2
  ; layer2 sends its spikes nowhere: no .out lines (the host records them).

; ---- Symbols: how the host names things -----------------------------------
; Input port "in": host spike on index i goes to the listed axons, exactly
; as if a neuron had fired in that step.
.input "in" size=2
  .target 0 -> 0:0:0      ; in[0] -> chip 0, core 0, axon 0
  .target 1 -> 0:0:1      ; in[1] -> chip 0, core 0, axon 1
; Populations: the neurons whose spikes the host records, by name.
.population "layer1" size=4
  .segment core=0 first=0 count=4 offset=0   ; layer1[0..3] = core 0 neurons 0..3
.population "layer2" size=2
  .segment core=1 first=0 count=2 offset=0   ; layer2[0..1] = core 1 neurons 0..1
