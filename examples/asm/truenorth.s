; truenorth.s - one TrueNorth-style core, written by hand.
;
; A TrueNorth core (Merolla et al. 2014; Cassidy et al. 2013) has a binary
; crossbar: input axon j connects to neuron i or not, and every axon has one
; of 4 types G_j. The weight of a connection comes from the NEURON: neuron i
; has one signed weight s_i^G per axon type. Neuromesh stores this as
;   - one .crossbar segment per axon: the axon's type and one bit per
;     neuron column, and
;   - one .column per neuron: its 4 weights and, per type, whether
;     integration is stochastic: V += sgn(s) * [|s| >= rho], rho a fresh
;     8-bit random draw per (step, axon, column).
;
; The neuron program is the compiler library's trueNorthProfile
; (compiler/lib/NeuronPrograms.cpp), copied instruction for instruction and
; checked by testbenches/compiler/test_example_programs.cpp. Per step:
;   V = sat20(V + input)                         integration (crossbar sum)
;   Omega = (1 - eps) + eps * sgn(V)             leak reversal
;   V = sat20(V + Omega * ((1 - c) * lambda + c * sgn(lambda) * [|lambda| >= rho1]))
;   eta = rho2 & M                               threshold noise
;   if V >= alpha + eta: spike; reset by gamma (0: V = R, 1: V -= alpha + eta,
;                                               2: no reset)
;   else if kappa == 1 and V < -beta: V = -beta
;   else if kappa == 0 and V < -(beta + eta): reset by gamma (0: V = -R,
;                                               1: V += beta + eta, 2: none)

.arch "truenorth" fingerprint=0x0000000000000000  ; hand-written: no preset hash
.chips 1
.mesh 1 1
.cores_per_tile 1

.core 0 chip=0 x=0 y=0 slot=0
  ; 4 axons (one of each type), 4 neurons, 1 state word (V), delays up to
  ; 4 ticks (TrueNorth allows 1..15), and the key of the random draws.
  .config axons=4 neurons=4 state_words=1 delay_slots=4 seed=0x2a

  ; Parameters: lambda = -1 (V loses 1 per tick), eps = 0, c = 0
  ; (deterministic leak), alpha = 8, beta = 0, kappa = 1 (V never goes
  ; below -beta = 0), gamma = 0 (reset to R), R = 0, M = 3 (the threshold
  ; is 8 + (rho2 & 3): 8..11).
  .profile 0
    .params -1, 0, 0, 8, 0, 1, 0, 0, 3
    ; Both draws come first and unconditionally, so each draw's key
    ; (seed, step, neuron, counter) never depends on a branch.
    rand r8, 8             ; rho1 = 8-bit draw, counter 0 (stochastic leak)
    rand r9, 8             ; rho2 = 8-bit draw, counter 1 (threshold noise)
    lds r0, 0              ; r0 = V
    ldin r1                ; r1 = the crossbar sum of this tick
    add r0, r0, r1         ; V += input
    sat r0, r0, 20         ; V is 20-bit: saturate at +-(2^19 - 1)
    ldp r2, 0              ; r2 = lambda
    ldp r3, 2              ; r3 = c
    brz r3, omega          ; c = 0: the leak is lambda itself
    abs r4, r2             ; c = 1: leak = sgn(lambda) * [|lambda| >= rho1]
    sle r5, r8, r4         ;   r5 = rho1 <= |lambda|
    sgn r2, r2
    mul r2, r2, r5
  omega:
    ldp r3, 1              ; r3 = eps
    brz r3, apply          ; eps = 0: Omega = 1
    sgn r4, r0             ; eps = 1: Omega = sgn(V), the leak pulls
    mul r2, r2, r4         ;   towards 0 from either side
  apply:
    add r0, r0, r2         ; V += Omega * leak
    sat r0, r0, 20
    ldp r3, 8              ; r3 = M
    and r9, r9, r3         ; eta = rho2 & M
    ldp r3, 3              ; r3 = alpha
    add r3, r3, r9         ; r3 = alpha + eta
    slt r5, r0, r3         ; V < alpha + eta?
    brnz r5, negative      ; yes: no spike, check the negative threshold
    spike                  ; V >= alpha + eta: fire
    ldp r6, 6              ; r6 = gamma
    brz r6, reset_r        ; gamma 0: V = R
    addi r6, r6, -1        ; r6 == 0 exactly when gamma == 1
    sub r7, r0, r3         ; r7 = V - (alpha + eta)
    sel r0, r0, r7, r6     ; gamma 2 keeps V, gamma 1 takes r7
    jmp store
  reset_r:
    ldp r0, 7              ; V = R
    jmp store
  negative:
    ldp r4, 4              ; r4 = beta
    ldp r5, 5              ; r5 = kappa
    brz r5, kappa_zero
    neg r4, r4             ; kappa = 1: V = max(V, -beta)
    max r0, r0, r4
    jmp store
  kappa_zero:
    add r4, r4, r9         ; r4 = beta + eta
    neg r7, r4
    slt r5, r0, r7         ; V < -(beta + eta)?
    brz r5, store          ; no: keep V
    ldp r6, 6              ; r6 = gamma
    brnz r6, neg_linear
    ldp r0, 7              ; gamma 0: V = -R
    neg r0, r0
    jmp store
  neg_linear:
    addi r6, r6, -1        ; r6 == 0 exactly when gamma == 1
    add r7, r0, r4         ; r7 = V + beta + eta
    sel r0, r0, r7, r6     ; gamma 2 keeps V, gamma 1 takes r7
  store:
    sts r0, 0              ; store V
  .end

  .neurons 0 count=4 profile=0 state=0

  ; The crossbar, one row per axon. bits= has one character per neuron
  ; column starting at first=: '1' connected.
  .axon 0
    .crossbar type=0 first=0 delay=1 shift=0 bits=1111   ; type 0: all 4 neurons
  .axon 1
    .crossbar type=1 first=0 delay=1 shift=0 bits=1100   ; type 1: neurons 0, 1
  .axon 2
    .crossbar type=2 first=0 delay=1 shift=0 bits=0111   ; type 2: neurons 1..3
  .axon 3
    .crossbar type=3 first=0 delay=2 shift=0 bits=1010   ; type 3: neurons 0, 2, 2 ticks late

  ; The columns: per neuron, the weight for axon types 0, 1, 2, 3 and the
  ; stochastic flags. Type 0 excites, type 1 excites more strongly where
  ; connected, type 2 inhibits, type 3 is stochastic: +1 with probability
  ; about |s| / 256 (|s| >= rho, rho uniform in 0..255).
  .column 0 weights=2,3,-1,128 stochastic=0,0,0,1
  .column 1 weights=2,3,-1,128 stochastic=0,0,0,1
  .column 2 weights=4,0,-2,64 stochastic=0,0,0,1
  .column 3 weights=4,0,-2,64 stochastic=0,0,0,1

  ; Neuron 3 inhibits neurons 1..3 through axon 2 (type 2) of its own core.
  .out 3 -> 0:0:2

.input "in" size=4
  .target 0 -> 0:0:0
  .target 1 -> 0:0:1
  .target 2 -> 0:0:2
  .target 3 -> 0:0:3
.population "tn" size=4
  .segment core=0 first=0 count=4 offset=0
