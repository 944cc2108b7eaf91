//===- test_examples.cpp - the assembly examples in examples/asm ----------===//
//
// Every examples/asm/*.s assembles and survives print -> parse unchanged,
// and the demo (if_chain.s fed with if_chain_input.csv) produces the spikes
// worked out by hand in its header comment. The run uses a small step model
// written here from the timestep semantics of docs/isa.md (delivery, delay
// ring, int32 wrap); only the neuron programs run on isa::interpret.
//
//===----------------------------------------------------------------------===//
#include "neuromesh/isa/Assembly.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

using namespace neuromesh::isa;

namespace {

const std::string ExampleDir = NM_SOURCE_DIR "/examples/asm";

std::string readFile(const std::string &Path) {
  std::ifstream In(Path);
  REQUIRE(In.good());
  std::stringstream S;
  S << In.rdbuf();
  return S.str();
}

Image assembleExample(const std::string &Name) {
  return parseAssembly(readFile(ExampleDir + "/" + Name), Name);
}

/// (step, population, index)
using SpikeRecord = std::tuple<uint64_t, std::string, uint32_t>;

/// Runs Img for Steps steps with host spikes Inputs (step, port, index):
/// the semantics of docs/isa.md, sparse and dense segments only.
std::vector<SpikeRecord>
runModel(const Image &Img, uint64_t Steps,
         const std::vector<std::tuple<uint64_t, std::string, uint32_t>> &Inputs) {
  size_t NumCores = Img.Cores.size();
  // Ring[core][neuron][slot], State[core][neuron][word].
  std::vector<std::vector<std::vector<uint32_t>>> Ring(NumCores);
  std::vector<std::vector<std::vector<int32_t>>> State(NumCores);
  for (size_t C = 0; C < NumCores; ++C) {
    const Core &Co = Img.Cores[C];
    Ring[C].assign(Co.Neurons.size(),
                   std::vector<uint32_t>(Co.Config.NumDelaySlots, 0));
    for (const Neuron &N : Co.Neurons)
      State[C].push_back(N.State);
  }
  auto Deliver = [&](AxonAddress A, uint64_t T, int32_t Payload) {
    int64_t G = -1;
    for (size_t I = 0, Seen = 0; I < Img.Header.Cores.size(); ++I)
      if (Img.Header.Cores[I].Chip == A.Chip && Seen++ == A.Core)
        G = int64_t(I);
    REQUIRE(G >= 0);
    const Core &Co = Img.Cores[size_t(G)];
    unsigned D = Co.Config.NumDelaySlots;
    auto Add = [&](size_t Neuron, int16_t W, unsigned Delay, unsigned Shift) {
      int64_t Contribution = (int64_t(W) * Payload) * (int64_t(1) << Shift);
      Ring[size_t(G)][Neuron][(T + Delay) % D] += uint32_t(Contribution);
    };
    for (const SynapseSegment &S : Co.Axons[A.Axon]) {
      REQUIRE(S.Kind != SegmentKind::Crossbar);
      for (const SparseSynapse &Syn : S.Sparse)
        Add(Syn.Neuron, Syn.Weight, Syn.Delay, S.Shift);
      for (size_t K = 0; K < S.Weights.size(); ++K)
        Add(S.FirstNeuron + K, S.Weights[K], S.Delay, S.Shift);
    }
  };
  // Which population index each (core, neuron) is, for recording.
  std::map<std::pair<size_t, size_t>, std::pair<size_t, uint32_t>> Recorded;
  for (size_t S = 0; S < Img.Symbols.size(); ++S)
    for (const PopulationSegment &P : Img.Symbols[S].Segments)
      for (uint32_t K = 0; K < P.Count; ++K)
        Recorded[{P.Core, P.FirstNeuron + K}] = {S, P.Offset + K};

  std::vector<std::tuple<uint64_t, size_t, uint32_t>> Out;
  for (uint64_t T = 0; T < Steps; ++T) {
    std::vector<std::tuple<size_t, size_t, int32_t>> Fired;
    for (size_t C = 0; C < NumCores; ++C) {
      const Core &Co = Img.Cores[C];
      for (size_t N = 0; N < Co.Neurons.size(); ++N) {
        uint32_t &Slot = Ring[C][N][T % Co.Config.NumDelaySlots];
        const NeuronProfile &P = Co.Profiles[Co.Neurons[N].Profile];
        NeuronContext Ctx;
        Ctx.Params = P.Params.data();
        Ctx.State = State[C][N].data();
        Ctx.Input = int32_t(Slot);
        Ctx.Seed = Co.Config.Seed;
        Ctx.Step = T;
        Ctx.Neuron = uint32_t(N);
        Slot = 0;
        UpdateResult R = interpret(P.Program, Ctx);
        if (R.Spiked)
          Fired.emplace_back(C, N, R.Payload);
      }
    }
    for (const auto &[C, N, Payload] : Fired) {
      for (const AxonAddress &A : Img.Cores[C].Outputs[N])
        Deliver(A, T, Payload);
      auto It = Recorded.find({C, N});
      if (It != Recorded.end())
        Out.emplace_back(T, It->second.first, It->second.second);
    }
    for (const auto &[Step, Port, Index] : Inputs) {
      if (Step != T)
        continue;
      auto Sym = std::find_if(Img.Symbols.begin(), Img.Symbols.end(),
                              [&](const Symbol &S) { return S.Name == Port; });
      REQUIRE(Sym != Img.Symbols.end());
      for (const AxonAddress &A : Sym->Targets.at(Index))
        Deliver(A, T, 1);
    }
  }
  std::sort(Out.begin(), Out.end());
  std::vector<SpikeRecord> Records;
  for (const auto &[T, S, I] : Out)
    Records.emplace_back(T, Img.Symbols[S].Name, I);
  return Records;
}

} // namespace

TEST_CASE("every example assembles and round-trips", "[examples]") {
  std::vector<std::string> Names;
  for (const auto &E : std::filesystem::directory_iterator(ExampleDir))
    if (E.path().extension() == ".s")
      Names.push_back(E.path().filename().string());
  std::sort(Names.begin(), Names.end());
  for (const char *Required : {"cuba_lif.s", "if_chain.s", "truenorth.s"})
    CHECK(std::count(Names.begin(), Names.end(), Required) == 1);
  for (const std::string &Name : Names) {
    INFO(Name);
    Image Img = assembleExample(Name);
    std::string Text = printAssembly(Img);
    Image Back = parseAssembly(Text, Name + " (reprinted)");
    CHECK(Back == Img);
    CHECK(printAssembly(Back) == Text);
  }
}

TEST_CASE("if_chain.s has the shape its comments describe", "[examples]") {
  Image Img = assembleExample("if_chain.s");
  REQUIRE(Img.Cores.size() == 2);
  CHECK(Img.Cores[0].Neurons.size() == 4);
  CHECK(Img.Cores[1].Neurons.size() == 2);
  // Both segment kinds and both delays reach layer2.
  bool Sparse = false, Dense = false, Delay1 = false, Delay2 = false;
  for (const auto &Axon : Img.Cores[1].Axons)
    for (const SynapseSegment &S : Axon) {
      Sparse |= S.Kind == SegmentKind::Sparse;
      Dense |= S.Kind == SegmentKind::Dense;
      for (const SparseSynapse &Syn : S.Sparse)
        (Syn.Delay == 1 ? Delay1 : Delay2) = true;
      if (S.Kind == SegmentKind::Dense)
        (S.Delay == 1 ? Delay1 : Delay2) = true;
    }
  CHECK((Sparse && Dense && Delay1 && Delay2));
  REQUIRE(Img.Symbols.size() == 3);
  CHECK(Img.Symbols[0].Name == "in");
  CHECK(Img.Symbols[0].Size == 2);
  CHECK(Img.Symbols[1].Name == "layer1");
  CHECK(Img.Symbols[2].Name == "layer2");
}

TEST_CASE("if_chain.s with its input gives the hand-worked spikes",
          "[examples]") {
  Image Img = assembleExample("if_chain.s");
  // The input file: "step,population,neuron".
  std::vector<std::tuple<uint64_t, std::string, uint32_t>> Inputs;
  std::istringstream Csv(readFile(ExampleDir + "/if_chain_input.csv"));
  std::string Line;
  REQUIRE(std::getline(Csv, Line));
  CHECK(Line == "step,population,neuron");
  while (std::getline(Csv, Line)) {
    size_t A = Line.find(','), B = Line.rfind(',');
    REQUIRE(A != B);
    Inputs.emplace_back(std::stoull(Line.substr(0, A)),
                        Line.substr(A + 1, B - A - 1),
                        uint32_t(std::stoul(Line.substr(B + 1))));
  }
  CHECK(Inputs.size() == 8);
  // Worked by hand in the header of if_chain.s.
  std::vector<SpikeRecord> Want = {
      {3, "layer1", 0},  {3, "layer1", 1},  {4, "layer1", 2},
      {4, "layer2", 0},  {5, "layer1", 3},  {7, "layer1", 0},
      {7, "layer1", 1},  {8, "layer2", 0},  {8, "layer2", 1},
      {9, "layer1", 2},  {10, "layer1", 3}, {14, "layer1", 3},
      {16, "layer2", 1},
  };
  CHECK(runModel(Img, 20, Inputs) == Want);
}
