//===- test_emit.cpp - segments, routing tables, symbols, report ---------===//
//
// What the emitter writes for small hand-built networks on the tiny
// architecture (sparse synapse 15 bits, dense 8 bits): the encoding of each
// axon's synapses, output and input port addresses, crossbar columns, the
// header, seeds, symbols, determinism, and the JSON report.
//
//===----------------------------------------------------------------------===//
#include "MappingTestUtil.h"

#include "neuromesh/compiler/Mapping.h"
#include "neuromesh/isa/ImageFile.h"

#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <llvm/Support/JSON.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <unistd.h>

using namespace neuromesh;
using namespace neuromesh::compiler;
using namespace nmtest;

namespace {

MappingOptions inOrder() {
  MappingOptions O;
  O.Placement = PlacementStrategy::InOrder;
  return O;
}

int64_t intOf(const llvm::json::Object *O, const char *K) {
  return O->getInteger(K).getValueOr(-1);
}
double numOf(const llvm::json::Object *O, const char *K) {
  return O->getNumber(K).getValueOr(-1);
}
std::string strOf(const llvm::json::Object *O, const char *K) {
  return O->getString(K).getValueOr("").str();
}

isa::AxonAddress addr(uint16_t Chip, uint16_t Core, uint16_t Axon) {
  return isa::AxonAddress{Chip, Core, Axon};
}

} // namespace

TEST_CASE("each axon's synapses get the smaller encoding", "[emit]") {
  // in[0] -> p[0..5], weights 1..6, delay 2, shift 3: a full run, dense
  //   (6 * 8 = 48 bits < 6 * 15), 6 bytes.
  // in[1] -> p[0] (7) and p[5] (-8): dense would be 6 * 8 = 48 bits,
  //   sparse 2 * 15 = 30: sparse, 4 bytes.
  // in[2] -> p[3] twice (2, then 3): a repeated target cannot be dense:
  //   sparse, 4 bytes.
  HardwareNetwork Net;
  Net.Name = "enc";
  uint32_t In = addSource(Net, "in", 3);
  uint32_t P = addPopulation(Net, ifPopulation("p", 6));
  std::vector<Syn> S;
  for (uint32_t J = 0; J < 6; ++J)
    S.push_back(Syn{0, J, int16_t(J + 1), 2});
  S.push_back(Syn{1, 0, 7, 1});
  S.push_back(Syn{1, 5, -8, 1});
  S.push_back(Syn{2, 3, 2, 1});
  S.push_back(Syn{2, 3, 3, 1});
  connect(Net, true, In, P, S, 3);
  MappedNetwork M = mapNetwork(Net, preset("tiny"));
  REQUIRE_NOTHROW(isa::validateImage(M.Image));
  REQUIRE(M.Image.Cores.size() == 1);
  const isa::Core &C = M.Image.Cores[0];
  CHECK(C.Config.NumDelaySlots == 2);
  CHECK(C.Config.NumStateWords == 1);
  REQUIRE(C.Axons.size() == 3);

  REQUIRE(C.Axons[0].size() == 1);
  const isa::SynapseSegment &D = C.Axons[0][0];
  CHECK(D.Kind == isa::SegmentKind::Dense);
  CHECK(D.FirstNeuron == 0);
  CHECK(D.Delay == 2);
  CHECK(D.Shift == 3);
  CHECK(D.Weights == std::vector<int16_t>{1, 2, 3, 4, 5, 6});

  REQUIRE(C.Axons[1].size() == 1);
  const isa::SynapseSegment &Sp = C.Axons[1][0];
  CHECK(Sp.Kind == isa::SegmentKind::Sparse);
  CHECK(Sp.Shift == 3);
  CHECK(Sp.Delay == 1); // unused by sparse: the default
  CHECK(Sp.Sparse == std::vector<isa::SparseSynapse>{{0, 7, 1}, {5, -8, 1}});

  REQUIRE(C.Axons[2].size() == 1);
  CHECK(C.Axons[2][0].Kind == isa::SegmentKind::Sparse);
  CHECK(C.Axons[2][0].Sparse == std::vector<isa::SparseSynapse>{{3, 2, 1}, {3, 3, 1}});

  CHECK(M.Report.Cores[0].SynapseBytes == 6 + 4 + 4);
  CHECK(C.Crossbar.empty());

  // Symbols: the source as an input port, then the population.
  REQUIRE(M.Image.Symbols.size() == 2);
  const isa::Symbol &Port = M.Image.Symbols[0];
  CHECK(Port.Kind == isa::SymbolKind::InputPort);
  CHECK(Port.Name == "in");
  CHECK(Port.Targets == std::vector<std::vector<isa::AxonAddress>>{
                           {addr(0, 0, 0)}, {addr(0, 0, 1)}, {addr(0, 0, 2)}});
  const isa::Symbol &Pop = M.Image.Symbols[1];
  CHECK(Pop.Kind == isa::SymbolKind::Population);
  CHECK(Pop.Name == "p");
  CHECK(Pop.Segments == std::vector<isa::PopulationSegment>{{0, 0, 6, 0}});
}

TEST_CASE("output tables address the target core by chip and rank", "[emit]") {
  // a (16, core 0) -> b (16, core 1) one-to-one, plus a second projection
  // a[0] -> b[5] with shift 2. b's axon k is a[k] (axons in pre order);
  // axon 0 holds one segment per projection.
  HardwareNetwork Net;
  uint32_t A = addPopulation(Net, ifPopulation("a", 16));
  uint32_t B = addPopulation(Net, ifPopulation("b", 16));
  connect(Net, false, A, B, oneToOne(16, 5));
  connect(Net, false, A, B, {Syn{0, 5, -3}}, 2).Name = "extra";
  MappedNetwork M = mapNetwork(Net, preset("tiny"), inOrder());
  REQUIRE(M.Image.Cores.size() == 2);
  const isa::Core &C0 = M.Image.Cores[0], &C1 = M.Image.Cores[1];
  CHECK(C0.Axons.empty());
  REQUIRE(C1.Axons.size() == 16);
  for (uint16_t K = 0; K < 16; ++K)
    CHECK(C0.Outputs[K] == std::vector<isa::AxonAddress>{addr(0, 1, K)});
  CHECK(C1.Outputs[0].empty());
  REQUIRE(C1.Axons[0].size() == 2);
  CHECK(C1.Axons[0][0].Kind == isa::SegmentKind::Dense);
  CHECK(C1.Axons[0][0].FirstNeuron == 0);
  CHECK(C1.Axons[0][0].Weights == std::vector<int16_t>{5});
  CHECK(C1.Axons[0][1].FirstNeuron == 5);
  CHECK(C1.Axons[0][1].Shift == 2);
  CHECK(C1.Axons[0][1].Weights == std::vector<int16_t>{-3});
  CHECK(C1.Axons[7][0].FirstNeuron == 7);
  CHECK(M.Report.Cores[0].OutputAxons == 16);
}

TEST_CASE("addresses on a second chip use that chip's core ranks", "[emit]") {
  // Nine one-core populations in a chain, in order: core 8 is the first
  // (rank 0) core of chip 1.
  HardwareNetwork Net;
  for (unsigned I = 0; I < 9; ++I)
    addPopulation(Net, ifPopulation("p" + std::to_string(I), 16));
  for (uint32_t I = 0; I + 1 < 9; ++I)
    connect(Net, false, I, I + 1, oneToOne(16));
  auto Arch = preset("tiny");
  MappedNetwork M = mapNetwork(Net, Arch, inOrder());
  REQUIRE_NOTHROW(isa::validateImage(M.Image));
  const isa::ChipHeader &H = M.Image.Header;
  CHECK(H.ArchFingerprint == Arch.fingerprint());
  CHECK(H.ArchName == "tiny");
  CHECK(H.NumChips == 2);
  CHECK(H.MeshWidth == 2);
  CHECK(H.MeshHeight == 2);
  CHECK(H.CoresPerTile == 2);
  REQUIRE(H.Cores.size() == 9);
  CHECK(H.Cores[8] == isa::CoreLocation{1, 0, 0, 0});
  CHECK(H.Cores[3] == isa::CoreLocation{0, 1, 0, 1});
  CHECK(M.Image.Cores[7].Outputs[4] == std::vector<isa::AxonAddress>{addr(1, 0, 4)});
  CHECK(M.Image.Cores[2].Outputs[4] == std::vector<isa::AxonAddress>{addr(0, 3, 4)});
  // Population segments: one per core, covering each population.
  CHECK(M.Image.Symbols[8].Name == "p8");
  CHECK(M.Image.Symbols[8].Segments == std::vector<isa::PopulationSegment>{{8, 0, 16, 0}});
}

TEST_CASE("crossbar populations get crossbar rows and one column per neuron", "[emit]") {
  // t (4, crossbar) and u (2) share core 0. in[0] -> t[0], t[2], t[3] with
  // delay 1 and -> t[1] with delay 3, axon type 2: two crossbar segments
  // on the (in[0], type 2) axon. in[0] -> u[0]: an ordinary axon, which
  // sorts first (type code 0 < 3).
  HardwareNetwork Net;
  uint32_t In = addSource(Net, "in", 1);
  HwPopulation T = ifPopulation("t", 4);
  T.UsesCrossbar = true;
  T.Column.Weight = {1, 2, -5, 4};
  T.Column.Stochastic = {false, false, true, false};
  uint32_t Tp = addPopulation(Net, T);
  uint32_t Up = addPopulation(Net, ifPopulation("u", 2));
  connect(Net, true, In, Tp, {Syn{0, 0}, Syn{0, 2}, Syn{0, 3}, Syn{0, 1, 1, 3}}, 1, 2);
  connect(Net, true, In, Up, {Syn{0, 0, 9}});
  MappedNetwork M = mapNetwork(Net, preset("tiny"));
  REQUIRE_NOTHROW(isa::validateImage(M.Image));
  REQUIRE(M.Image.Cores.size() == 1);
  const isa::Core &C = M.Image.Cores[0];
  REQUIRE(C.Axons.size() == 2);
  CHECK(C.Axons[0].size() == 1);
  CHECK(C.Axons[0][0].Weights == std::vector<int16_t>{9});
  CHECK(C.Axons[0][0].FirstNeuron == 4);
  REQUIRE(C.Axons[1].size() == 2);
  const isa::SynapseSegment &X1 = C.Axons[1][0], &X3 = C.Axons[1][1];
  CHECK(X1.Kind == isa::SegmentKind::Crossbar);
  CHECK(X1.AxonType == 2);
  CHECK(X1.Delay == 1);
  CHECK(X1.Shift == 1);
  CHECK(X1.FirstNeuron == 0);
  CHECK(X1.Connected == std::vector<bool>{true, false, true, true});
  CHECK(X3.Delay == 3);
  CHECK(X3.FirstNeuron == 1);
  CHECK(X3.Connected == std::vector<bool>{true});
  REQUIRE(C.Crossbar.size() == 6);
  CHECK(C.Crossbar[3] == T.Column);
  CHECK(C.Crossbar[4] == isa::CrossbarColumn{});
  CHECK(M.Image.Symbols[0].Targets[0] ==
        std::vector<isa::AxonAddress>{addr(0, 0, 0), addr(0, 0, 1)});
  // 4 + 1 crossbar bits = 1 byte, plus the 1-byte dense run.
  CHECK(M.Report.Cores[0].SynapseBytes == 2);
}

TEST_CASE("core seeds are FNV-1a of the network name and the core index", "[emit]") {
  auto Fnv = [](const std::string &Name, uint32_t Core) {
    uint64_t H = 14695981039346656037ULL;
    std::string Bytes = Name + std::string(1, '\0');
    for (int I = 0; I < 4; ++I)
      Bytes += char((Core >> (8 * I)) & 0xff);
    for (unsigned char B : Bytes) {
      H ^= B;
      H *= 1099511628211ULL;
    }
    return H;
  };
  HardwareNetwork Net;
  Net.Name = "seeded";
  addPopulation(Net, ifPopulation("a", 40));
  MappedNetwork M = mapNetwork(Net, preset("tiny"));
  REQUIRE(M.Image.Cores.size() == 3);
  for (uint32_t C = 0; C < 3; ++C)
    CHECK(M.Image.Cores[C].Config.Seed == Fnv("seeded", C));
  CHECK(M.Image.Cores[0].Config.Seed != M.Image.Cores[1].Config.Seed);
}

TEST_CASE("the same network gives the same image bytes", "[emit]") {
  HardwareNetwork Net;
  Net.Name = "det";
  uint32_t In = addSource(Net, "in", 20);
  uint32_t E = addPopulation(Net, ifPopulation("e", 40, 3));
  uint32_t I = addPopulation(Net, ifPopulation("i", 10, 2));
  std::vector<Syn> S;
  for (uint32_t A = 0; A < 20; ++A)
    for (uint32_t B = 0; B < 40; B += 1 + (A * 7 + B) % 5)
      S.push_back(Syn{A, B, int16_t(A % 9 - 4), uint8_t(1 + (A + B) % 3)});
  connect(Net, true, In, E, S, 2);
  std::vector<Syn> EI;
  for (uint32_t B = 0; B < 40; ++B)
    EI.push_back(Syn{B, B % 10, 2, 1});
  connect(Net, false, E, I, EI);
  connect(Net, false, I, E, allToAll(10, 40, -3, 2));
  auto Arch = preset("tiny");
  MappedNetwork M1 = mapNetwork(Net, Arch), M2 = mapNetwork(Net, Arch);
  CHECK(isa::encodeImage(M1.Image) == isa::encodeImage(M2.Image));
  REQUIRE_NOTHROW(isa::validateImage(M1.Image));
}

TEST_CASE("the mapping report is written as JSON with the documented keys", "[emit]") {
  HardwareNetwork Net;
  uint32_t A = addPopulation(Net, ifPopulation("a", 20));
  uint32_t B = addPopulation(Net, ifPopulation("b", 4));
  connect(Net, false, A, B, allToAll(20, 4));
  MappedNetwork M = mapNetwork(Net, preset("tiny"), inOrder());
  std::string Path = fmt::format("/tmp/nm_mapping_report_{}.json", ::getpid());
  M.Report.writeJson(Path);
  std::ifstream F(Path);
  std::stringstream SS;
  SS << F.rdbuf();
  std::remove(Path.c_str());
  llvm::Expected<llvm::json::Value> V = llvm::json::parse(SS.str());
  REQUIRE(bool(V));
  const llvm::json::Object *O = V->getAsObject();
  REQUIRE(O);
  CHECK(strOf(O, "architecture") == "tiny");
  CHECK(strOf(O, "placement_strategy") == "in_order");
  CHECK(intOf(O, "cores_used") == 2);
  CHECK(intOf(O, "chips_used") == 1);
  const llvm::json::Object *U = O->getObject("utilisation");
  REQUIRE(U);
  CHECK(numOf(U->getObject("neurons"), "max") == Approx(1.0));
  CHECK(numOf(U->getObject("neurons"), "mean") == Approx(0.75));
  CHECK(U->getObject("input_axons"));
  CHECK(U->getObject("synapse_memory"));
  CHECK(U->getObject("output_axons"));
  const llvm::json::Object *T = O->getObject("traffic");
  REQUIRE(T);
  // Core 0 = a[0..15], core 1 = a[16..19] + b[0..3], one tile: every a
  // neuron sends one message to core 1, 0 hops.
  CHECK(intOf(T, "messages_per_step") == 20);
  CHECK(intOf(T, "hop_weighted_traffic") == 0);
  CHECK(intOf(T, "chip_crossings") == 0);
  const llvm::json::Array *Cores = O->getArray("cores");
  REQUIRE(Cores);
  REQUIRE(Cores->size() == 2);
  const llvm::json::Object *C1 = (*Cores)[1].getAsObject();
  CHECK(intOf(C1, "core") == 1);
  CHECK(intOf(C1, "slot") == 1);
  CHECK(intOf(C1, "neurons") == 8);
  CHECK(intOf(C1, "input_axons") == 20);
  CHECK(intOf(C1, "output_axons") == 4);
  CHECK(intOf(C1, "profiles") == 1);
  CHECK(intOf(C1, "synapse_bytes") == 80);
  const llvm::json::Array *Pops = C1->getArray("populations");
  REQUIRE(Pops);
  REQUIRE(Pops->size() == 2);
  CHECK((*Pops)[1].getAsString().getValueOr("") == "b[0..3]");
}

TEST_CASE("a report that cannot be written is an error naming the path", "[emit]") {
  MappingReport R;
  CHECK_THROWS_WITH(R.writeJson("/nonexistent-dir/report.json"),
                    Catch::StartsWith("/nonexistent-dir/report.json: error: cannot create"));
}

TEST_CASE("spike sources become input ports with their generators", "[emit]") {
  HardwareNetwork Net;
  Net.Dt = 1e-3;
  SpikeSource L = SpikeSource::list({{5, 1}, {2, 0}, {5, 1}, {2, 1}});
  L.Name = "list";
  L.Size = 2;
  SpikeSource P = SpikeSource::poisson(20.0, 99);
  P.Name = "poisson";
  P.Size = 3;
  SpikeSource R = SpikeSource::regular(3, 1);
  R.Name = "regular";
  R.Size = 1;
  SpikeSource X;
  X.Name = "host";
  X.Size = 1;
  for (const SpikeSource &S : {L, P, R, X})
    Net.Sources.push_back(S);
  uint32_t Pop = addPopulation(Net, ifPopulation("p", 1));
  connect(Net, true, 0, Pop, {Syn{1, 0}});
  MappedNetwork M = mapNetwork(Net, preset("tiny"));
  REQUIRE(M.Image.Symbols.size() == 5);
  const isa::SpikeGenerator &GL = M.Image.Symbols[0].Generator;
  CHECK(GL.Kind == isa::GeneratorKind::List);
  // Sorted by step then index, the repeated (5, 1) once.
  CHECK(GL.Spikes == std::vector<std::pair<uint64_t, uint32_t>>{{2, 0}, {2, 1}, {5, 1}});
  CHECK(M.Image.Symbols[0].Targets ==
        std::vector<std::vector<isa::AxonAddress>>{{}, {addr(0, 0, 0)}});
  const isa::SpikeGenerator &GP = M.Image.Symbols[1].Generator;
  CHECK(GP.Kind == isa::GeneratorKind::Poisson);
  CHECK(GP.Seed == 99);
  CHECK(GP.ProbabilityQ32 == 85899345); // floor(0.02 * 2^32)
  const isa::SpikeGenerator &GR = M.Image.Symbols[2].Generator;
  CHECK(GR.Kind == isa::GeneratorKind::Regular);
  CHECK(GR.Period == 3);
  CHECK(GR.Phase == 1);
  CHECK(M.Image.Symbols[3].Generator == isa::SpikeGenerator{});
  CHECK(M.Image.Symbols[3].Targets == std::vector<std::vector<isa::AxonAddress>>{{}});
}

TEST_CASE("a network without neurons maps to an image without cores", "[emit]") {
  HardwareNetwork Net;
  addSource(Net, "in", 3);
  addPopulation(Net, ifPopulation("none", 0));
  MappedNetwork M = mapNetwork(Net, preset("tiny"));
  REQUIRE_NOTHROW(isa::validateImage(M.Image));
  CHECK(M.Image.Cores.empty());
  CHECK(M.Report.CoresUsed == 0);
  CHECK(M.Report.ChipsUsed == 0);
  CHECK(M.Report.MaxNeuronUse == 0);
  REQUIRE(M.Image.Symbols.size() == 2);
  CHECK(M.Image.Symbols[0].Targets.size() == 3);
  CHECK(M.Image.Symbols[1].Segments.empty());
}
