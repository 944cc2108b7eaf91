//===- test_host_interface.cpp - the host side shared by the engines ------===//
//
// The HostInterface on a small hand-made image, without any engine: input
// port routes across chips whose cores are not contiguous in header order,
// host spikes then generator spikes, recording order, probe sampling and
// bad input spikes, each against values worked out by hand below.
//
//===----------------------------------------------------------------------===//
#include "neuromesh/emulator/HostInterface.h"

#include "neuromesh/isa/Error.h"
#include "neuromesh/isa/Image.h"

#include <catch2/catch.hpp>

#include <tuple>

namespace isa = neuromesh::isa;
namespace em = neuromesh::emulator;

namespace {

/// Three cores; header order puts chip 1's core 0 first, so global core
/// G0 = (chip 1, core 0), G1 = (chip 0, core 0), G2 = (chip 1, core 1).
/// Symbols: 0 "in" (external, 2 indices), 1 "gen" (list generator),
/// 2 "b" and 3 "a" (recorded; laid out against core order, G0 n1 in both),
/// 4 "q" (probed, not recorded). "b" is probed too.
isa::Image makeHostImage() {
  isa::Image Img;
  Img.Header.NumChips = 2;
  Img.Header.Cores = {{1, 0, 0, 0}, {0, 0, 0, 0}, {1, 0, 0, 1}};
  Img.Cores.resize(3);
  Img.Cores[0].Neurons.resize(3);
  Img.Cores[1].Neurons.resize(2);
  Img.Cores[2].Neurons.resize(2);

  isa::Symbol In;
  In.Kind = isa::SymbolKind::InputPort;
  In.Name = "in";
  In.Size = 2;
  In.Targets = {{{1, 1, 3}, {0, 0, 0}}, {}};
  isa::Symbol Gen = In;
  Gen.Name = "gen";
  Gen.Targets = {{{1, 0, 5}}, {{0, 0, 1}, {1, 1, 2}}};
  Gen.Generator.Kind = isa::GeneratorKind::List;
  Gen.Generator.Spikes = {{0, 1}, {2, 0}};

  isa::Symbol B;
  B.Name = "b";
  B.Size = 4;
  B.Segments = {{2, 0, 2, 0}, {0, 1, 2, 2}}; // b0 b1 = G2 n0 n1; b2 b3 = G0 n1 n2
  B.Probes = {{"w", 1}};
  isa::Symbol A;
  A.Name = "a";
  A.Size = 3;
  A.Segments = {{0, 0, 2, 0}, {1, 1, 1, 2}}; // a0 a1 = G0 n0 n1; a2 = G1 n1
  isa::Symbol Q;
  Q.Name = "q";
  Q.Size = 2;
  Q.Segments = {{1, 0, 2, 0}}; // q0 q1 = G1 n0 n1
  Q.Probes = {{"v", 0}, {"u", 2}};
  Q.RecordSpikes = false;
  Img.Symbols = {In, Gen, B, A, Q};
  return Img;
}

/// What sendInputs handed over: per spike, its (core, axon, payload)s.
using Message = std::tuple<uint32_t, uint32_t, int32_t>;
std::vector<std::vector<Message>> send(em::HostInterface &H, uint64_t Step) {
  std::vector<std::vector<Message>> Out;
  H.sendInputs(Step, [&](const em::HostInterface::Route *Begin,
                         const em::HostInterface::Route *End, int32_t Payload) {
    Out.emplace_back();
    for (const em::HostInterface::Route *R = Begin; R != End; ++R)
      Out.back().emplace_back(R->Core, R->Axon, Payload);
  });
  return Out;
}

/// Stands in for a CoreState: neuron n's state word k is 100 G + 10 n + k.
struct FakeCore {
  std::vector<std::vector<int32_t>> State;
  const int32_t *state(uint32_t N) const { return State[N].data(); }
};

} // namespace

TEST_CASE("host interface: host spikes then generator spikes, routed across chips",
          "[emulator]") {
  em::HostInterface H(makeHostImage());
  H.injectInput(0, 0, 7);
  H.injectInput(0, 1);
  H.injectInput(0, 0);
  // Step 0: the host spikes in the order given, then gen's list (0, 1).
  std::vector<std::vector<Message>> Want0 = {
      {{2, 3, 7}, {1, 0, 7}}, {}, {{2, 3, 1}, {1, 0, 1}}, {{1, 1, 1}, {2, 2, 1}}};
  CHECK(send(H, 0) == Want0);
  // Step 1: the queue was emptied and the list has nothing.
  CHECK(send(H, 1).empty());
  // Step 2: gen's list (2, 0).
  CHECK(send(H, 2) == std::vector<std::vector<Message>>{{{0, 5, 1}}});

  em::EngineCounters K = H.counters(em::CoreCounters{});
  CHECK(K.HostSpikes == 3);
  CHECK(K.HostMessages == 4);
  CHECK(K.GeneratedSpikes == 2);
  CHECK(K.GeneratedMessages == 3);
  CHECK(K.RecordedSpikes == 0);
}

TEST_CASE("host interface: recording order is step, symbol order, index",
          "[emulator]") {
  em::HostInterface H(makeHostImage());
  using Fired = std::vector<em::FiredNeuron>;
  // Step 5: G0 n2, n1; G1 n1, n0; G2 n1. b: G0 n2 -> 3, G0 n1 -> 2,
  // G2 n1 -> 1; a: G0 n1 -> 1, G1 n1 -> 2; q (G1 n0, n1) is not recorded.
  std::vector<Fired> Step5 = {{{2, 1}, {1, 1}}, {{1, 1}, {0, 1}}, {{1, 4}}};
  H.record(5, [&](size_t G) -> const Fired & { return Step5[G]; });
  // Step 6: G2 n0 -> b0 only.
  std::vector<Fired> Step6 = {{}, {}, {{0, 1}}};
  H.record(6, [&](size_t G) -> const Fired & { return Step6[G]; });

  std::vector<em::SpikeRecord> Want = {{5, 2, 1}, {5, 2, 2}, {5, 2, 3},
                                       {5, 3, 1}, {5, 3, 2}, {6, 2, 0}};
  CHECK(H.recorded() == Want);
  CHECK(H.counters(em::CoreCounters{}).RecordedSpikes == 6);
  CHECK(H.takeRecorded() == Want);
  CHECK(H.recorded().empty());
  CHECK(H.counters(em::CoreCounters{}).RecordedSpikes == 6);
}

TEST_CASE("host interface: probes sample every index in symbol, index, probe order",
          "[emulator]") {
  em::HostInterface H(makeHostImage());
  std::vector<FakeCore> Cores(3);
  const uint32_t Neurons[] = {3, 2, 2};
  for (int32_t G = 0; G < 3; ++G)
    for (int32_t N = 0; N < int32_t(Neurons[G]); ++N)
      Cores[G].State.push_back({100 * G + 10 * N, 100 * G + 10 * N + 1, 100 * G + 10 * N + 2});
  H.probe(7, [&](size_t G) -> const FakeCore & { return Cores[G]; });
  // b (word 1): b0 = G2 n0, b1 = G2 n1, b2 = G0 n1, b3 = G0 n2;
  // q (words 0 and 2): q0 = G1 n0, q1 = G1 n1.
  std::vector<em::ProbeRecord> Want = {
      {7, 2, 0, 0, 201}, {7, 2, 1, 0, 211}, {7, 2, 2, 0, 11},  {7, 2, 3, 0, 21},
      {7, 4, 0, 0, 100}, {7, 4, 0, 1, 102}, {7, 4, 1, 0, 110}, {7, 4, 1, 1, 112}};
  CHECK(H.probed() == Want);
  CHECK(H.takeProbed() == Want);
  CHECK(H.probed().empty());
}

TEST_CASE("host interface: bad input spikes are errors and queue nothing",
          "[emulator]") {
  em::HostInterface H(makeHostImage());
  CHECK_THROWS_WITH(H.injectInput(0, 2),
                    Catch::Contains("index 2 out of range [0, 2) for input port 'in'"));
  CHECK_THROWS_WITH(H.injectInput(2, 0), Catch::Contains("symbol 2 is not an input port"));
  CHECK_THROWS_WITH(H.injectInput(5, 0), Catch::Contains("symbol 5 is not an input port"));
  CHECK_THROWS_AS(H.injectInput(1, 2), neuromesh::Error);
  // Only the generator's spike of step 0 is sent.
  CHECK(send(H, 0) == std::vector<std::vector<Message>>{{{1, 1, 1}, {2, 2, 1}}});
  CHECK(H.counters(em::CoreCounters{}).HostSpikes == 0);
}
