//===- test_functional_engine.cpp - semantics of the functional engine ----===//
//
// Small images built in C++ whose results are worked out by hand from the
// rules of the brief (docs/), plus a comparison against a naive second
// implementation that walks the isa::Image directly, on random images.
//
//===----------------------------------------------------------------------===//
#include "neuromesh/emulator/FunctionalEngine.h"

#include "isa/RandomImage.h"
#include "neuromesh/isa/Error.h"
#include "neuromesh/isa/Image.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <tuple>

namespace isa = neuromesh::isa;
namespace em = neuromesh::emulator;

namespace {

using isa::Opcode;

isa::Instruction ins(Opcode Op, uint8_t Rd = 0, uint8_t Ra = 0, uint8_t Rb = 0,
                     int32_t Imm = 0) {
  isa::Instruction I;
  I.Op = Op;
  I.Rd = Rd;
  I.Ra = Ra;
  I.Rb = Rb;
  I.Imm = Imm;
  return I;
}

/// An IF neuron that also keeps the input it saw in state[1] (a probe):
/// v = state[0] += input; fire when v >= param[0], then v = 0.
isa::NeuronProfile probeIf(int32_t Threshold) {
  isa::NeuronProfile P;
  P.Params = {Threshold};
  P.Program = {
      ins(Opcode::Ldin, 0),                // 0: r0 = input
      ins(Opcode::Sts, 0, 0, 0, 1),        // 1: state[1] = r0
      ins(Opcode::Lds, 1, 0, 0, 0),        // 2: r1 = v
      ins(Opcode::Add, 1, 1, 0),           // 3: r1 = v + input
      ins(Opcode::Ldp, 2, 0, 0, 0),        // 4: r2 = threshold
      ins(Opcode::Slt, 3, 1, 2),           // 5: r3 = v < threshold
      ins(Opcode::Brnz, 0, 3, 0, 9),       // 6: below: keep v
      ins(Opcode::Spike),                  // 7
      ins(Opcode::Movi, 1, 0, 0, 0),       // 8: reset
      ins(Opcode::Sts, 0, 1, 0, 0),        // 9: state[0] = v
  };
  return P;
}

/// Fires a graded spike whose payload is its input, whenever the input is
/// not zero; keeps the input in state[1].
isa::NeuronProfile gradedRelay() {
  isa::NeuronProfile P;
  P.Program = {
      ins(Opcode::Ldin, 0),         // 0
      ins(Opcode::Sts, 0, 0, 0, 1), // 1: state[1] = input
      ins(Opcode::Brz, 0, 0, 0, 4), // 2
      ins(Opcode::Spikeg, 0, 0),    // 3: payload = input
  };
  return P;
}

/// Never fires: threshold unreachable for inputs of these tests.
constexpr int32_t Never = 1 << 30;

isa::Core makeCore(uint32_t Neurons, uint32_t Axons, uint8_t DelaySlots,
                   std::vector<isa::NeuronProfile> Profiles,
                   uint64_t Seed = 0x5eed) {
  isa::Core C;
  C.Config.NumStateWords = 2;
  C.Config.NumDelaySlots = DelaySlots;
  C.Config.Seed = Seed;
  C.Profiles = std::move(Profiles);
  C.Neurons.resize(Neurons);
  for (isa::Neuron &N : C.Neurons)
    N.State = {0, 0};
  C.Axons.resize(Axons);
  C.Outputs.resize(Neurons);
  return C;
}

/// An image of the given cores at the given chips (tile slots in order).
isa::Image makeImage(std::vector<isa::Core> Cores,
                     std::vector<uint16_t> Chips = {}) {
  isa::Image Img;
  Img.Header.ArchName = "test";
  Img.Header.MeshWidth = 2;
  Img.Header.MeshHeight = 2;
  Img.Header.CoresPerTile = 4;
  if (Chips.empty())
    Chips.assign(Cores.size(), 0);
  std::map<uint16_t, uint8_t> Used;
  uint16_t MaxChip = 0;
  for (uint16_t Chip : Chips) {
    uint8_t K = Used[Chip]++;
    Img.Header.Cores.push_back({Chip, uint16_t(K / 4 % 2),
                                uint16_t(K / 8), uint8_t(K % 4)});
    MaxChip = std::max(MaxChip, Chip);
  }
  Img.Header.NumChips = uint16_t(MaxChip + 1);
  Img.Cores = std::move(Cores);
  return Img;
}

uint32_t addInput(isa::Image &Img, const std::string &Name,
                  std::vector<std::vector<isa::AxonAddress>> Targets) {
  isa::Symbol S;
  S.Kind = isa::SymbolKind::InputPort;
  S.Name = Name;
  S.Size = uint32_t(Targets.size());
  S.Targets = std::move(Targets);
  Img.Symbols.push_back(S);
  return uint32_t(Img.Symbols.size() - 1);
}

uint32_t addPopulation(isa::Image &Img, const std::string &Name,
                       std::vector<isa::PopulationSegment> Segments) {
  isa::Symbol S;
  S.Kind = isa::SymbolKind::Population;
  S.Name = Name;
  for (const isa::PopulationSegment &Seg : Segments)
    S.Size += Seg.Count;
  S.Segments = std::move(Segments);
  Img.Symbols.push_back(S);
  return uint32_t(Img.Symbols.size() - 1);
}

isa::SynapseSegment sparse(uint8_t Shift, std::vector<isa::SparseSynapse> E) {
  isa::SynapseSegment S;
  S.Kind = isa::SegmentKind::Sparse;
  S.Shift = Shift;
  S.Sparse = std::move(E);
  return S;
}

isa::SynapseSegment dense(uint16_t First, uint8_t Delay, uint8_t Shift,
                          std::vector<int16_t> W) {
  isa::SynapseSegment S;
  S.Kind = isa::SegmentKind::Dense;
  S.FirstNeuron = First;
  S.Delay = Delay;
  S.Shift = Shift;
  S.Weights = std::move(W);
  return S;
}

isa::SynapseSegment crossbar(uint8_t Type, uint16_t First, uint8_t Delay,
                             uint8_t Shift, std::vector<bool> Bits) {
  isa::SynapseSegment S;
  S.Kind = isa::SegmentKind::Crossbar;
  S.AxonType = Type;
  S.FirstNeuron = First;
  S.Delay = Delay;
  S.Shift = Shift;
  S.Connected = std::move(Bits);
  return S;
}

/// Inputs per step: (port symbol, index).
using Inputs = std::map<uint64_t, std::vector<std::pair<uint32_t, uint32_t>>>;
/// Trace[step][core][neuron] = the input the neuron integrated (state[1]).
using Trace = std::vector<std::vector<std::vector<int32_t>>>;

Trace runProbe(em::FunctionalEngine &E, uint64_t Steps, const Inputs &In) {
  Trace T;
  for (uint64_t S = 0; S < Steps; ++S) {
    auto It = In.find(S);
    if (It != In.end())
      for (auto [Port, Index] : It->second)
        E.injectInput(Port, Index);
    E.step();
    T.emplace_back();
    for (size_t C = 0; C < E.numCores(); ++C) {
      T.back().emplace_back();
      for (uint32_t N = 0; N < E.core(C).numNeurons(); ++N)
        T.back().back().push_back(E.core(C).state(N)[1]);
    }
  }
  return T;
}

/// The int32 wrap of an exact value, written independently of the engine.
int32_t wrap32(int64_t V) {
  uint32_t U = uint32_t(uint64_t(V) & 0xffffffffu);
  return U >= 0x80000000u ? int32_t(int64_t(U) - (int64_t(1) << 32))
                          : int32_t(U);
}

} // namespace

TEST_CASE("delay d integrates in step t + d, for d = 1 and d = D (ring wrap)",
          "[emulator]") {
  isa::Core C = makeCore(2, 1, 4, {probeIf(Never)});
  C.Axons[0] = {sparse(0, {{0, 5, 1}, {1, 7, 4}})};
  isa::Image Img = makeImage({C});
  uint32_t In = addInput(Img, "in", {{{0, 0, 0}}});
  isa::validateImage(Img);

  em::FunctionalEngine E(Img);
  // Spikes in steps 2 and 5: the delay-4 synapse of the step-2 spike lands
  // in slot 6 mod 4 = 2, the slot step 2 has just cleared.
  Trace T = runProbe(E, 12, {{2, {{In, 0}}}, {5, {{In, 0}}}});
  for (uint64_t S = 0; S < 12; ++S) {
    INFO("step " << S);
    CHECK(T[S][0][0] == ((S == 3 || S == 6) ? 5 : 0));
    CHECK(T[S][0][1] == ((S == 6 || S == 9) ? 7 : 0));
  }
}

TEST_CASE("one delay slot: delay 1 = D lands in the next step",
          "[emulator]") {
  isa::Core C = makeCore(1, 1, 1, {probeIf(Never)});
  C.Axons[0] = {sparse(0, {{0, -9, 1}})};
  isa::Image Img = makeImage({C});
  uint32_t In = addInput(Img, "in", {{{0, 0, 0}}});
  isa::validateImage(Img);
  em::FunctionalEngine E(Img);
  Trace T = runProbe(E, 5, {{0, {{In, 0}}}, {1, {{In, 0}}}, {3, {{In, 0}}}});
  std::vector<int32_t> Want = {0, -9, -9, 0, -9};
  for (uint64_t S = 0; S < 5; ++S)
    CHECK(T[S][0][0] == Want[S]);
}

TEST_CASE("sparse, dense and crossbar segments with shift", "[emulator]") {
  isa::Core C = makeCore(4, 1, 3, {probeIf(Never)});
  C.Axons[0] = {
      sparse(2, {{0, 3, 1}, {2, -4, 2}}),
      dense(1, 1, 1, {5, -6}),
      crossbar(1, 0, 1, 0, {true, false, true, true}),
  };
  C.Crossbar.resize(4);
  for (int N = 0; N < 4; ++N)
    C.Crossbar[N].Weight = {int16_t(1000), int16_t(10 * (N + 1)), 0, 0};
  isa::Image Img = makeImage({C});
  uint32_t In = addInput(Img, "in", {{{0, 0, 0}}});
  isa::validateImage(Img);

  em::FunctionalEngine E(Img);
  Trace T = runProbe(E, 5, {{1, {{In, 0}}}});
  // Step 2 (delay 1): n0 = 3<<2 + 10; n1 = 5<<1; n2 = -6<<1 + 30; n3 = 40.
  CHECK(T[2][0] == std::vector<int32_t>{22, 10, 18, 40});
  // Step 3 (delay 2): n2 = -4<<2.
  CHECK(T[3][0] == std::vector<int32_t>{0, 0, -16, 0});
  CHECK(T[1][0] == std::vector<int32_t>{0, 0, 0, 0});
  CHECK(T[4][0] == std::vector<int32_t>{0, 0, 0, 0});
}

TEST_CASE("wide crossbar rows: every connected column, any type, shift and payload",
          "[emulator]") {
  // Rows of 70 columns with most bits set are stored as bit rows, a row
  // with two bits as indexed columns; the expectation is worked out per
  // column from the segment's bits and the column's weight.
  constexpr uint32_t Cols = 70;
  isa::Core C = makeCore(Cols + 1, 3, 2, {probeIf(Never), gradedRelay()});
  C.Neurons[Cols].Profile = 1; // relays its input as a graded spike
  std::vector<bool> Dense(Cols), Sparse(Cols, false);
  for (uint32_t I = 0; I < Cols; ++I)
    Dense[I] = I % 7 != 3; // crosses word boundaries 31|32 and 63|64
  Sparse[1] = Sparse[66] = true;
  C.Axons[0] = {crossbar(2, 0, 1, 3, Dense), crossbar(0, 0, 1, 0, Sparse)};
  C.Axons[1] = {crossbar(1, 0, 1, 1, Dense)};
  C.Axons[2] = {sparse(0, {{uint16_t(Cols), 1, 1}})};
  C.Crossbar.resize(Cols + 1); // the relay's column is never connected
  for (uint32_t I = 0; I < Cols; ++I)
    C.Crossbar[I].Weight = {int16_t(100 + I), int16_t(-int32_t(I)),
                            int16_t(int32_t(I % 5) - 2), 7};
  C.Outputs.resize(Cols + 1);
  C.Outputs[Cols] = {{0, 0, 1}}; // the relay drives axon 1 with its payload
  isa::Image Img = makeImage({C});
  uint32_t In = addInput(Img, "in", {{{0, 0, 0}}, {{0, 0, 2}}});
  isa::validateImage(Img);

  em::FunctionalEngine E(Img);
  // Step 0: a binary spike on axon 0, and five on axon 2, so the relay
  // sees 5 in step 1 and sends a spike of payload 5 onto axon 1.
  Trace T = runProbe(E, 4, {{0, {{In, 0}, {In, 1}, {In, 1}, {In, 1}, {In, 1}, {In, 1}}}});
  for (uint32_t I = 0; I < Cols; ++I) {
    INFO("column " << I);
    const int32_t Want1 =
        (Dense[I] ? (int32_t(I % 5) - 2) * 8 : 0) + (Sparse[I] ? int32_t(100 + I) : 0);
    CHECK(T[1][0][I] == Want1);
    // Step 1: the relay fires with payload 5 onto axon 1 (type 1, shift 1).
    const int32_t Want2 = Dense[I] ? -int32_t(I) * 2 * 5 : 0;
    CHECK(T[2][0][I] == Want2);
    CHECK(T[3][0][I] == 0);
  }
  CHECK(T[1][0][Cols] == 5);
  const em::CoreCounters &K = E.counters().Cores;
  const uint32_t DenseBits = uint32_t(std::count(Dense.begin(), Dense.end(), true));
  CHECK(K.CrossbarSynapticEvents == 2 * DenseBits + 2);
}

TEST_CASE("graded payloads multiply weights, with int32 wrap", "[emulator]") {
  // Core 0 neuron 0 relays its input as a graded spike to core 1, where a
  // sparse, a dense and a crossbar segment scale it.
  isa::Core Src = makeCore(1, 1, 2, {gradedRelay()});
  Src.Axons[0] = {sparse(15, {{0, 32767, 1}})};
  Src.Outputs[0] = {{0, 1, 0}};
  isa::Core Dst = makeCore(3, 1, 2, {probeIf(Never)});
  Dst.Axons[0] = {sparse(15, {{0, 32767, 1}}), dense(1, 1, 3, {-7}),
                  crossbar(0, 2, 2, 1, {true})};
  Dst.Crossbar.resize(3);
  Dst.Crossbar[2].Weight = {-3, 0, 0, 0};
  isa::Image Img = makeImage({Src, Dst});
  uint32_t In = addInput(Img, "in", {{{0, 0, 0}}});
  isa::validateImage(Img);

  em::FunctionalEngine E(Img);
  Trace T = runProbe(E, 5, {{0, {{In, 0}}}});
  // Step 1: the relay sees 32767 << 15 and fires with that payload.
  const int64_t P = int64_t(32767) << 15;
  CHECK(T[1][0][0] == P);
  // Step 2 (delay 1 at the destination): exact products, wrapped.
  CHECK(T[2][1][0] == wrap32(int64_t(32767) * P * 32768));
  CHECK(T[2][1][1] == wrap32(int64_t(-7) * P * 8));
  CHECK(T[2][1][2] == 0);
  // Step 3 (delay 2): the crossbar column, weight -3 shift 1.
  CHECK(T[3][1][2] == wrap32(int64_t(-3) * P * 2));
  CHECK(T[3][1][0] == 0);
}

TEST_CASE("small graded payload scales every segment kind", "[emulator]") {
  isa::Core Src = makeCore(1, 1, 2, {gradedRelay()});
  Src.Axons[0] = {sparse(0, {{0, -3, 1}})};
  Src.Outputs[0] = {{0, 1, 0}};
  isa::Core Dst = makeCore(3, 1, 2, {probeIf(Never)});
  Dst.Axons[0] = {sparse(1, {{0, 4, 1}}), dense(1, 1, 0, {5}),
                  crossbar(3, 2, 1, 2, {true})};
  Dst.Crossbar.resize(3);
  Dst.Crossbar[2].Weight = {0, 0, 0, 6};
  isa::Image Img = makeImage({Src, Dst});
  uint32_t In = addInput(Img, "in", {{{0, 0, 0}}});
  isa::validateImage(Img);
  em::FunctionalEngine E(Img);
  Trace T = runProbe(E, 4, {{0, {{In, 0}}}});
  CHECK(T[1][0][0] == -3);
  CHECK(T[2][1] == std::vector<int32_t>{-3 * 4 * 2, -3 * 5, -3 * 6 * 4});
}

TEST_CASE("stochastic crossbar synapses follow the rho rule", "[emulator]") {
  const uint64_t Seed = 0xabcdef12345ULL;
  const std::vector<int16_t> W = {-200, 100, 255, 0, 1, 128, -1, 300};
  isa::Core C = makeCore(uint32_t(W.size()), 2, 2, {probeIf(Never)}, Seed);
  // Axon 1, type 2: every column connected. Type 0 is deterministic.
  C.Axons[1] = {crossbar(2, 0, 1, 3, std::vector<bool>(W.size(), true))};
  C.Crossbar.resize(W.size());
  for (size_t N = 0; N < W.size(); ++N) {
    C.Crossbar[N].Weight = {int16_t(N), 0, W[N], 0};
    C.Crossbar[N].Stochastic = {false, false, true, false};
  }
  isa::Image Img = makeImage({C});
  uint32_t In = addInput(Img, "in", {{{0, 0, 1}}});
  isa::validateImage(Img);

  em::FunctionalEngine E(Img);
  const uint64_t Steps = 60;
  Inputs I;
  for (uint64_t S = 0; S + 1 < Steps; ++S)
    I[S] = {{In, 0}};
  Trace T = runProbe(E, Steps, I);
  size_t Ones = 0, Zeros = 0;
  for (uint64_t S = 1; S < Steps; ++S) {
    const uint64_t Emit = S - 1;
    for (uint32_t N = 0; N < W.size(); ++N) {
      // The brief: rho = randomDraw(seed, t, (1<<63) | (axon<<20) | c, 0) & 0xff.
      uint64_t Stream = (uint64_t(1) << 63) | (uint64_t(1) << 20) | N;
      int32_t Rho = int32_t(isa::randomDraw(Seed, Emit, Stream, 0) & 0xff);
      int32_t Abs = W[N] < 0 ? -W[N] : W[N];
      int32_t Sgn = W[N] > 0 ? 1 : (W[N] < 0 ? -1 : 0);
      int32_t Want = (Abs >= Rho ? Sgn : 0) * 8;
      INFO("step " << S << " column " << N);
      CHECK(T[S][0][N] == Want);
      (Want != 0 ? Ones : Zeros)++;
    }
  }
  // Both outcomes happen, so the test tells rho-gating from a constant.
  CHECK(Ones > 50);
  CHECK(Zeros > 50);
  CHECK(E.counters().Cores.StochasticDraws == (Steps - 1) * W.size());
}

TEST_CASE("routing across cores and chips, input ports fan out",
          "[emulator]") {
  // Header order: core 0 (chip 0), core 1 (chip 1), core 2 (chip 0). So
  // chip 0's second core (0:1) is header core 2.
  isa::Core A = makeCore(2, 1, 2, {probeIf(1)});
  A.Axons[0] = {sparse(0, {{0, 1, 1}, {1, 1, 2}})};
  A.Outputs[0] = {{1, 0, 1}, {0, 1, 0}}; // to chip 1 core 0 axon 1; header core 2
  A.Outputs[1] = {{0, 0, 1}};            // back to itself, axon 1
  A.Axons.resize(2);
  A.Axons[1] = {sparse(0, {{1, 100, 1}})};
  isa::Core B = makeCore(2, 2, 2, {probeIf(Never)});
  B.Axons[0] = {sparse(0, {{0, 11, 1}})};
  B.Axons[1] = {sparse(0, {{1, 13, 1}})};
  isa::Core Cc = makeCore(1, 1, 2, {probeIf(Never)});
  Cc.Axons[0] = {sparse(0, {{0, 17, 2}})};
  isa::Image Img = makeImage({A, B, Cc}, {0, 1, 0});
  // Port index 0 fans out to header cores 0 and 1; index 1 to header core 2.
  uint32_t In = addInput(Img, "in", {{{0, 0, 0}, {1, 0, 0}}, {{0, 1, 0}}});
  isa::validateImage(Img);

  em::FunctionalEngine E(Img);
  Trace T = runProbe(E, 8, {{0, {{In, 0}}}, {4, {{In, 1}}}});
  // Step 1: A.n0 gets 1 and fires; B.n0 gets 11 from the port.
  CHECK(T[1][0] == std::vector<int32_t>{1, 0});
  CHECK(T[1][1] == std::vector<int32_t>{11, 0});
  // A.n1 gets the port spike's delay-2 synapse in step 2 and fires.
  CHECK(T[2][0] == std::vector<int32_t>{0, 1});
  // A.n0's spike (step 1) reaches chip 1 core 0 axon 1 -> B.n1 in step 2,
  // and chip 0 core 1 (header core 2) axon 0 with delay 2 -> step 3.
  CHECK(T[2][1] == std::vector<int32_t>{0, 13});
  CHECK(T[3][2] == std::vector<int32_t>{17});
  // A.n1's spike (step 2) comes back to A axon 1 -> A.n1 in step 3.
  CHECK(T[3][0] == std::vector<int32_t>{0, 100});
  // Port index 1 in step 4 -> header core 2, delay 2 -> step 6.
  CHECK(T[6][2] == std::vector<int32_t>{17});
  for (uint64_t S : {0, 4, 5, 7})
    CHECK(T[S][2] == std::vector<int32_t>{0});
}

TEST_CASE("recording order: step, then symbol order, then index",
          "[emulator]") {
  // Every neuron fires on a port spike. Populations are laid out against
  // core order, and one neuron belongs to two populations.
  isa::Core C0 = makeCore(4, 1, 1, {probeIf(1)});
  C0.Axons[0] = {dense(0, 1, 0, {1, 1, 1, 1})};
  isa::Core C1 = makeCore(2, 1, 1, {probeIf(1)});
  C1.Axons[0] = {dense(0, 1, 0, {1, 0})}; // neuron 1 never fires
  isa::Image Img = makeImage({C0, C1});
  uint32_t In = addInput(Img, "in", {{{0, 0, 0}, {0, 1, 0}}});
  uint32_t Pb = addPopulation(Img, "b", {{1, 0, 2, 0}, {0, 0, 2, 2}});
  uint32_t Pa = addPopulation(Img, "a", {{0, 2, 2, 1}, {0, 1, 1, 0}});
  isa::validateImage(Img);

  em::FunctionalEngine E(Img);
  E.injectInput(In, 0);
  E.step(); // step 0: nothing fires yet
  E.injectInput(In, 0);
  E.step(); // step 1: the step-0 spike fires C0 n0..n3 and C1 n0
  E.step(); // step 2: the step-1 spike again
  // Step 1 and 2 records: b: C1.n0 -> 0, C0.n0 -> 2, C0.n1 -> 3;
  // a: C0.n1 -> 0, C0.n2 -> 1, C0.n3 -> 2.
  std::vector<em::SpikeRecord> Want;
  for (uint64_t S : {1, 2})
    for (auto [Sym, Idx] : std::vector<std::pair<uint32_t, uint32_t>>{
             {Pb, 0}, {Pb, 2}, {Pb, 3}, {Pa, 0}, {Pa, 1}, {Pa, 2}})
      Want.push_back({S, Sym, Idx});
  CHECK(E.recorded() == Want);
  CHECK(E.counters().RecordedSpikes == Want.size());
  CHECK(E.takeRecorded() == Want);
  CHECK(E.recorded().empty());
}

TEST_CASE("probes trace an IF neuron's v after each update; unrecorded "
          "populations record no spikes",
          "[emulator]") {
  // probeIf(5): v += input; v >= 5 fires and resets v to 0; state[1] keeps
  // the input. Port index 0 reaches neuron 0 (weight 2, delay 1) and
  // neuron 1 (weight 3, delay 2); it is given a spike in steps 0..3.
  isa::Core C = makeCore(2, 1, 2, {probeIf(5)});
  C.Axons[0] = {sparse(0, {{0, 2, 1}, {1, 3, 2}})};
  isa::Image Img = makeImage({C});
  uint32_t In = addInput(Img, "in", {{{0, 0, 0}}});
  uint32_t P = addPopulation(Img, "p", {{0, 0, 2, 0}});
  Img.Symbols[P].RecordSpikes = false;
  Img.Symbols[P].Probes = {{"v", 0}, {"in", 1}};
  uint32_t Q = addPopulation(Img, "q", {{0, 1, 1, 0}}); // neuron 1, spikes
  isa::validateImage(Img);

  em::FunctionalEngine E(Img);
  for (uint64_t T = 0; T < 6; ++T) {
    if (T < 4)
      E.injectInput(In, 0);
    E.step();
  }
  // Worked by hand. Neuron 0 sees 2 in steps 1..4: v = 0, 2, 4, 6 -> fires
  // and resets to 0, 2, then 2 (no input in step 5). Neuron 1 sees 3 in
  // steps 2..5: v = 0, 0, 3, 6 -> 0, 3, 6 -> 0.
  const int32_t V0[] = {0, 2, 4, 0, 2, 2}, In0[] = {0, 2, 2, 2, 2, 0};
  const int32_t V1[] = {0, 0, 3, 0, 3, 0}, In1[] = {0, 0, 3, 3, 3, 3};
  std::vector<em::ProbeRecord> Want;
  for (uint64_t T = 0; T < 6; ++T) {
    Want.push_back({T, P, 0, 0, V0[T]});
    Want.push_back({T, P, 0, 1, In0[T]});
    Want.push_back({T, P, 1, 0, V1[T]});
    Want.push_back({T, P, 1, 1, In1[T]});
  }
  CHECK(E.probed() == Want);
  // Only "q" records spikes: neuron 1 fired in steps 3 and 5 (neuron 0's
  // spike in step 3 belongs to "p" only).
  CHECK(E.recorded() == std::vector<em::SpikeRecord>{{3, Q, 0}, {5, Q, 0}});
  CHECK(E.counters().RecordedSpikes == 2);
  CHECK(E.takeProbed() == Want);
  CHECK(E.probed().empty());
}

TEST_CASE("counters count every event exactly", "[emulator]") {
  // Axon 0: 2 sparse + 3 dense + 3 connected crossbar bits (one of weight
  // 0) = 8 synapses. Neuron 0 fires on every spike and sends to 2 axons.
  isa::Core C = makeCore(4, 2, 2, {probeIf(1), probeIf(Never)});
  C.Neurons[1].Profile = C.Neurons[2].Profile = C.Neurons[3].Profile = 1;
  C.Axons[0] = {sparse(0, {{0, 1, 1}, {1, 2, 2}}), dense(1, 1, 0, {1, 2, 3}),
                crossbar(0, 0, 1, 0, {false, true, true, true})};
  C.Axons[1] = {sparse(0, {{3, 1, 1}})};
  C.Crossbar.resize(4);
  C.Crossbar[1].Weight = {5, 0, 0, 0};
  C.Crossbar[2].Weight = {0, 0, 0, 0};
  C.Crossbar[3].Weight = {-5, 0, 0, 0};
  C.Outputs[0] = {{0, 0, 1}, {0, 0, 1}};
  isa::Image Img = makeImage({C});
  uint32_t In = addInput(Img, "in", {{{0, 0, 0}}, {}});
  isa::validateImage(Img);

  em::FunctionalEngine E(Img);
  // Three host spikes on index 0 (steps 0, 3, 6), one on the empty index 1.
  for (uint64_t S = 0; S < 10; ++S) {
    if (S % 3 == 0 && S < 9)
      E.injectInput(In, 0);
    if (S == 4)
      E.injectInput(In, 1);
    E.step();
  }
  em::EngineCounters K = E.counters();
  CHECK(K.HostSpikes == 4);
  CHECK(K.HostMessages == 3);
  CHECK(K.Cores.NeuronUpdates == 40);
  CHECK(K.Cores.SpikesOut == 3); // neuron 0 in steps 1, 4, 7
  CHECK(K.Cores.MessagesOut == 6);
  CHECK(K.Cores.SpikesIn == 3 + 6);
  CHECK(K.Cores.SynapticEvents == 3 * 8 + 6 * 1);
  CHECK(K.Cores.StochasticDraws == 0);
  CHECK(E.core(0).axonFanIn(0) == 8);
}

TEST_CASE("input port generators fire like host spikes, in addition",
          "[emulator]") {
  // Three probes; port "gen" index i reaches neuron i with delay 1.
  isa::Core C = makeCore(3, 3, 2, {probeIf(Never)});
  for (uint16_t A = 0; A < 3; ++A)
    C.Axons[A] = {sparse(0, {{A, 1, 1}})};
  isa::Image Img = makeImage({C});
  uint32_t Gen = addInput(Img, "gen", {{{0, 0, 0}}, {{0, 0, 1}}, {{0, 0, 2}}});
  uint32_t Reg = addInput(Img, "reg", {{{0, 0, 2}}});
  Img.Symbols[Gen].Generator.Kind = isa::GeneratorKind::List;
  Img.Symbols[Gen].Generator.Spikes = {{0, 1}, {2, 0}, {2, 2}, {3, 1}};
  Img.Symbols[Reg].Generator.Kind = isa::GeneratorKind::Regular;
  Img.Symbols[Reg].Generator.Period = 3;
  Img.Symbols[Reg].Generator.Phase = 1;
  isa::validateImage(Img);

  em::FunctionalEngine E(Img);
  // A host spike on a generated (step, index) is delivered as well.
  Trace T = runProbe(E, 6, {{3, {{Gen, 1}}}});
  std::vector<std::vector<int32_t>> Want = {
      {0, 0, 0}, // step 0
      {0, 1, 0}, // list (0, 1)
      {0, 0, 1}, // regular fires in step 1 -> neuron 2
      {1, 0, 1}, // list (2, 0), (2, 2)
      {0, 2, 0}, // list (3, 1) and the host spike
      {0, 0, 1}, // regular in step 4
  };
  for (uint64_t S = 0; S < 6; ++S) {
    INFO("step " << S);
    CHECK(T[S][0] == Want[S]);
  }
  em::EngineCounters K = E.counters();
  CHECK(K.GeneratedSpikes == 4 + 2);
  CHECK(K.GeneratedMessages == 6);
  CHECK(K.HostSpikes == 1);
}

TEST_CASE("bad input spikes are errors", "[emulator]") {
  isa::Core C = makeCore(1, 1, 1, {probeIf(1)});
  isa::Image Img = makeImage({C});
  uint32_t In = addInput(Img, "in", {{{0, 0, 0}}});
  uint32_t Pop = addPopulation(Img, "p", {{0, 0, 1, 0}});
  isa::validateImage(Img);
  em::FunctionalEngine E(Img);
  CHECK_THROWS_AS(E.injectInput(In, 1), neuromesh::Error);
  CHECK_THROWS_AS(E.injectInput(Pop, 0), neuromesh::Error);
  CHECK_THROWS_AS(E.injectInput(7, 0), neuromesh::Error);
}

//===----------------------------------------------------------------------===//
// A second implementation, written from the rules and walking the image's
// own structures (no flattening, 64-bit sums wrapped at the end), compared
// step by step against the engine on random images.
//===----------------------------------------------------------------------===//

namespace {

struct NaiveEngine {
  const isa::Image &Img;
  std::vector<std::vector<std::vector<int32_t>>> State; // [core][neuron]
  std::vector<std::vector<std::vector<uint64_t>>> Ring; // [core][slot][neuron], mod 2^64
  std::vector<em::SpikeRecord> Recorded;
  std::vector<em::ProbeRecord> Probed;
  uint64_t Step = 0;

  explicit NaiveEngine(const isa::Image &I) : Img(I) {
    for (const isa::Core &C : Img.Cores) {
      State.emplace_back();
      for (const isa::Neuron &N : C.Neurons)
        State.back().push_back(N.State);
      Ring.emplace_back(C.Config.NumDelaySlots,
                        std::vector<uint64_t>(C.Neurons.size(), 0));
    }
  }

  void arrive(isa::AxonAddress A, int32_t Payload) {
    size_t G = size_t(isa::globalCoreIndex(Img, A));
    const isa::Core &C = Img.Cores[G];
    const uint64_t D = C.Config.NumDelaySlots;
    auto Add = [&](uint32_t N, int64_t W, unsigned Shift, uint64_t Delay) {
      Ring[G][(Step + Delay) % D][N] +=
          uint64_t(W) * uint64_t(int64_t(Payload)) * (uint64_t(1) << Shift);
    };
    for (const isa::SynapseSegment &S : C.Axons[A.Axon]) {
      if (S.Kind == isa::SegmentKind::Sparse)
        for (const isa::SparseSynapse &E : S.Sparse)
          Add(E.Neuron, E.Weight, S.Shift, E.Delay);
      if (S.Kind == isa::SegmentKind::Dense)
        for (size_t I = 0; I < S.Weights.size(); ++I)
          Add(uint32_t(S.FirstNeuron + I), S.Weights[I], S.Shift, S.Delay);
      if (S.Kind == isa::SegmentKind::Crossbar)
        for (size_t I = 0; I < S.Connected.size(); ++I) {
          if (!S.Connected[I])
            continue;
          uint32_t Col = uint32_t(S.FirstNeuron + I);
          int64_t W = C.Crossbar[Col].Weight[S.AxonType];
          if (C.Crossbar[Col].Stochastic[S.AxonType]) {
            uint64_t Stream =
                (uint64_t(1) << 63) | (uint64_t(A.Axon) << 20) | Col;
            int64_t Rho =
                isa::randomDraw(C.Config.Seed, Step, Stream, 0) & 0xff;
            W = (W > 0 ? 1 : W < 0 ? -1 : 0) * ((W < 0 ? -W : W) >= Rho);
          }
          Add(Col, W, S.Shift, S.Delay);
        }
    }
  }

  void step(const std::vector<std::pair<uint32_t, uint32_t>> &In) {
    std::vector<std::vector<std::pair<uint32_t, int32_t>>> Fired(
        Img.Cores.size());
    for (size_t G = 0; G < Img.Cores.size(); ++G) {
      const isa::Core &C = Img.Cores[G];
      size_t Slot = Step % C.Config.NumDelaySlots;
      for (uint32_t N = 0; N < C.Neurons.size(); ++N) {
        const isa::NeuronProfile &P = C.Profiles[C.Neurons[N].Profile];
        isa::NeuronContext Ctx;
        Ctx.Params = P.Params.data();
        Ctx.State = State[G][N].data();
        Ctx.Input = wrap32(int64_t(Ring[G][Slot][N] & 0xffffffffu));
        Ctx.Seed = C.Config.Seed;
        Ctx.Step = Step;
        Ctx.Neuron = N;
        Ring[G][Slot][N] = 0;
        isa::UpdateResult R = isa::interpret(P.Program, Ctx);
        if (R.Spiked)
          Fired[G].push_back({N, R.Payload});
      }
    }
    for (size_t G = 0; G < Img.Cores.size(); ++G)
      for (auto [N, Payload] : Fired[G])
        for (const isa::AxonAddress &A : Img.Cores[G].Outputs[N])
          arrive(A, Payload);
    for (auto [Port, Index] : In)
      for (const isa::AxonAddress &A : Img.Symbols[Port].Targets[Index])
        arrive(A, 1);
    // On-chip generators, asked index by index (generatorFires).
    for (const isa::Symbol &Sym : Img.Symbols)
      if (Sym.Kind == isa::SymbolKind::InputPort)
        for (uint32_t I = 0; I < Sym.Size; ++I)
          if (isa::generatorFires(Sym.Generator, Step, I))
            for (const isa::AxonAddress &A : Sym.Targets[I])
              arrive(A, 1);
    for (uint32_t S = 0; S < Img.Symbols.size(); ++S) {
      const isa::Symbol &Sym = Img.Symbols[S];
      if (Sym.Kind != isa::SymbolKind::Population || !Sym.RecordSpikes)
        continue;
      std::vector<uint32_t> Idx;
      for (const isa::PopulationSegment &Seg : Sym.Segments)
        for (auto [N, Payload] : Fired[Seg.Core])
          if (N >= Seg.FirstNeuron && N < uint32_t(Seg.FirstNeuron + Seg.Count))
            Idx.push_back(Seg.Offset + (N - Seg.FirstNeuron));
      std::sort(Idx.begin(), Idx.end());
      for (uint32_t I : Idx)
        Recorded.push_back({Step, S, I});
    }
    // Probes: every index of the population, looked up in its segments.
    for (uint32_t S = 0; S < Img.Symbols.size(); ++S) {
      const isa::Symbol &Sym = Img.Symbols[S];
      for (uint32_t I = 0; I < Sym.Size && !Sym.Probes.empty(); ++I)
        for (const isa::PopulationSegment &Seg : Sym.Segments) {
          if (I < Seg.Offset || I >= Seg.Offset + Seg.Count)
            continue;
          const std::vector<int32_t> &St =
              State[Seg.Core][Seg.FirstNeuron + (I - Seg.Offset)];
          for (uint32_t K = 0; K < Sym.Probes.size(); ++K)
            Probed.push_back({Step, S, I, K, St[Sym.Probes[K].StateWord]});
        }
    }
    ++Step;
  }
};

} // namespace

namespace {

/// What runNaiveComparison saw, for the corpus checks of its callers.
struct NaiveTotals {
  size_t Spikes = 0, Events = 0, Probed = 0;
  size_t SpreadCores = 0, PerDelayCores = 0; ///< with synaptic events
  size_t TableCores = 0; ///< recorded through a per-neuron membership table
  size_t Recorded = 0;
};

/// Runs random images of Seeds 1..NumSeeds (options Opt) on the engine and
/// on NaiveEngine for Steps steps with the same host spikes, requiring
/// equal neuron states after every step, equal records and probes.
NaiveTotals runNaiveComparison(const neuromesh::testing::RandomImageOptions &Opt, uint64_t NumSeeds,
                               uint64_t Steps) {
  NaiveTotals T;
  for (uint64_t Seed = 1; Seed <= NumSeeds; ++Seed) {
    isa::Image Img = neuromesh::testing::makeRandomImage(Seed, Opt);
    isa::validateImage(Img);
    std::vector<uint32_t> Ports;
    for (uint32_t S = 0; S < Img.Symbols.size(); ++S)
      if (Img.Symbols[S].Kind == isa::SymbolKind::InputPort)
        Ports.push_back(S);
    em::FunctionalEngine E(Img);
    NaiveEngine N(Img);
    neuromesh::testing::detail::Rng R(Seed);
    for (uint64_t Step = 0; Step < Steps; ++Step) {
      std::vector<std::pair<uint32_t, uint32_t>> In;
      for (uint32_t P : Ports)
        for (uint32_t I = 0; I < Img.Symbols[P].Size; ++I)
          if (R.next() % 3 == 0)
            In.push_back({P, I});
      for (auto [P, I] : In)
        E.injectInput(P, I);
      E.step();
      N.step(In);
      for (size_t G = 0; G < Img.Cores.size(); ++G)
        for (uint32_t Nr = 0; Nr < E.core(G).numNeurons(); ++Nr) {
          const int32_t *S = E.core(G).state(Nr);
          std::vector<int32_t> Got(S, S + Img.Cores[G].Config.NumStateWords);
          INFO("seed " << Seed << " step " << Step << " core " << G
                       << " neuron " << Nr);
          REQUIRE(Got == N.State[G][Nr]);
        }
    }
    INFO("seed " << Seed);
    REQUIRE(E.recorded() == N.Recorded);
    REQUIRE(E.probed() == N.Probed);
    T.Probed += N.Probed.size();
    T.Recorded += N.Recorded.size();
    T.TableCores += em::HostInterface(Img).coresRecordedByTable();
    T.Spikes += E.counters().Cores.SpikesOut;
    T.Events += E.counters().Cores.SynapticEvents;
    for (size_t G = 0; G < E.numCores(); ++G)
      if (E.core(G).counters().SynapticEvents > 0)
        ++(E.core(G).spreadsDelays() ? T.SpreadCores : T.PerDelayCores);
  }
  return T;
}

} // namespace

TEST_CASE("engine matches a naive implementation on random images", "[emulator]") {
  const NaiveTotals T = runNaiveComparison({}, 150, 20);
  // The random images do exercise firing and delivery.
  CHECK(T.Spikes > 100);
  CHECK(T.Events > 1000);
  CHECK(T.Probed > 1000);
  CHECK(T.SpreadCores > 100);
}

TEST_CASE("cores in many small populations record in the naive order", "[emulator]") {
  // Up to 16 populations of up to 6 neurons over up to 3 cores: some cores
  // hold more recorded segments than HostInterface scans, so they record
  // through their per-neuron membership table.
  neuromesh::testing::RandomImageOptions Opt;
  Opt.MaxCores = 3;
  Opt.MaxPopulations = 16;
  Opt.MaxPopulationSize = 6;
  const NaiveTotals T = runNaiveComparison(Opt, 60, 20);
  CHECK(T.TableCores >= 10);
  CHECK(T.Recorded > 500);
}

TEST_CASE("large cores with many delay slots match a naive implementation", "[emulator]") {
  // Cores of up to 2,500 neurons, a fifth with 64 delay slots: some have
  // more ring entries than a 16-bit offset reaches, so their sparse
  // synapses stay in one group per delay (CoreState::spreadsDelays()).
  neuromesh::testing::RandomImageOptions Opt;
  Opt.MaxNeurons = 2500;
  Opt.MaxAxons = 12;
  Opt.MaxSparse = 60;
  const NaiveTotals T = runNaiveComparison(Opt, 40, 12);
  CHECK(T.PerDelayCores >= 3);
  CHECK(T.SpreadCores >= 10);
  CHECK(T.Events > 10000);
}

TEST_CASE("two runs of the same image and inputs are identical",
          "[emulator]") {
  neuromesh::testing::RandomImageOptions Opt;
  Opt.MaxCores = 6;
  Opt.MaxNeurons = 40;
  Opt.MaxAxons = 12;
  for (uint64_t Seed : {3, 17, 99}) {
    isa::Image Img = neuromesh::testing::makeRandomImage(Seed, Opt);
    auto Run = [&]() {
      em::FunctionalEngine E(Img);
      neuromesh::testing::detail::Rng R(Seed);
      for (uint64_t Step = 0; Step < 30; ++Step) {
        for (uint32_t S = 0; S < Img.Symbols.size(); ++S)
          if (Img.Symbols[S].Kind == isa::SymbolKind::InputPort)
            for (uint32_t I = 0; I < Img.Symbols[S].Size; ++I)
              if (R.next() % 2)
                E.injectInput(S, I);
        E.step();
      }
      std::vector<int32_t> States;
      for (size_t G = 0; G < E.numCores(); ++G)
        for (uint32_t N = 0; N < E.core(G).numNeurons(); ++N)
          States.insert(States.end(), E.core(G).state(N),
                        E.core(G).state(N) + Img.Cores[G].Config.NumStateWords);
      return std::make_tuple(E.recorded(), E.counters().Cores, States);
    };
    CHECK(Run() == Run());
  }
}
