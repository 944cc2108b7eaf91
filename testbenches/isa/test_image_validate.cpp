//===- test_image_validate.cpp - validateImage and globalCoreIndex --------===//
//
// Each rule of an in-memory image, broken one at a time on a small valid
// image: the error must name where (header, core, symbols), the field and
// the allowed range. Also checks that the random image generator the other
// tests rely on really produces every feature.
//
//===----------------------------------------------------------------------===//
#include "isa/RandomImage.h"
#include "neuromesh/isa/Error.h"
#include "neuromesh/isa/Image.h"
#include "neuromesh/isa/ImageFile.h"

#include <catch2/catch.hpp>

#include <functional>
#include <string>
#include <vector>

using namespace neuromesh;
using namespace neuromesh::isa;

namespace {

/// Two chips; chip 1 holds cores 0 and 2 of the image, chip 0 holds core 1.
/// Core 0 has every segment kind; every output and port crosses chips.
Image smallImage() {
  Image Img;
  Img.Header.NumChips = 2;
  Img.Header.MeshWidth = 2;
  Img.Header.MeshHeight = 2;
  Img.Header.CoresPerTile = 2;
  Img.Header.ArchName = "test";
  Img.Header.Cores = {{1, 0, 0, 0}, {0, 1, 1, 1}, {1, 1, 0, 1}};

  Core C0;
  C0.Config.NumStateWords = 2;
  C0.Config.NumDelaySlots = 3;
  NeuronProfile P0, P1;
  P0.Params = {1, 2};
  P0.Program = {{Opcode::Ldin, 1, 0, 0, 0},
                {Opcode::Brz, 0, 1, 0, 3},
                {Opcode::Spike, 0, 0, 0, 0},
                {Opcode::Sts, 0, 1, 0, 1}};
  P1.Program = {{Opcode::Halt, 0, 0, 0, 0}};
  C0.Profiles = {P0, P1};
  C0.Neurons = {{0, {0, 0}}, {1, {3, 4}}, {0, {0, 0}}};
  SynapseSegment Sparse, Dense, Cross;
  Sparse.Sparse = {{2, -5, 3}, {0, 7, 1}};
  Dense.Kind = SegmentKind::Dense;
  Dense.Delay = 3;
  Dense.FirstNeuron = 1;
  Dense.Weights = {4, 5};
  Cross.Kind = SegmentKind::Crossbar;
  Cross.AxonType = 3;
  Cross.Connected = {true, true, false};
  C0.Axons = {{Sparse, Dense}, {Cross}};
  C0.Crossbar.resize(3);
  C0.Outputs = {{{0, 0, 0}}, {}, {{1, 1, 0}, {1, 0, 1}}};

  Core C1; // chip 0, core 0: one axon, no neurons
  C1.Axons = {{}};
  Core C2; // chip 1, core 1: one axon, one neuron
  C2.Profiles = {NeuronProfile{}};
  C2.Neurons = {{0, {0}}};
  C2.Axons = {{}};
  C2.Outputs = {{}};
  Img.Cores = {C0, C1, C2};

  Symbol In;
  In.Kind = SymbolKind::InputPort;
  In.Name = "in";
  In.Size = 2;
  In.Targets = {{{1, 0, 1}}, {}};
  Symbol Pop;
  Pop.Name = "pop";
  Pop.Size = 4;
  Pop.Segments = {{2, 0, 1, 3}, {0, 0, 3, 0}};
  Img.Symbols = {In, Pop};
  return Img;
}

/// The message validateImage throws for Img ("" if valid).
std::string validationError(const Image &Img) {
  try {
    validateImage(Img);
  } catch (const Error &E) {
    return E.what();
  }
  return "";
}

/// Breaks one rule of smallImage and checks the message.
void expectInvalid(const std::function<void(Image &)> &Break,
                   const std::string &Where, const std::string &Fragment) {
  Image Img = smallImage();
  Break(Img);
  std::string Msg = validationError(Img);
  INFO("message: " << Msg);
  REQUIRE(!Msg.empty());
  CHECK(Msg.rfind("image: " + Where + ": error: ", 0) == 0);
  CHECK(Msg.find(Fragment) != std::string::npos);
  // Encoding applies the same rules.
  CHECK_THROWS_WITH(encodeImage(Img), Msg);
}

} // namespace

TEST_CASE("the small image is valid and round-trips", "[image-validate]") {
  REQUIRE(validationError(smallImage()) == "");
  CHECK(decodeImage(encodeImage(smallImage())) == smallImage());
}

TEST_CASE("an exact message", "[image-validate]") {
  Image Img = smallImage();
  Img.Cores[0].Neurons[2].Profile = 2;
  CHECK(validationError(Img) ==
        "image: core 0: error: neurons[2].profile = 2 out of range [0, 1]: "
        "the core has 2 profiles");
}

TEST_CASE("header rules", "[image-validate]") {
  expectInvalid([](Image &I) { I.Header.NumChips = 0; }, "header",
                "num_chips = 0");
  expectInvalid([](Image &I) { I.Header.MeshHeight = 0; }, "header",
                "mesh = 2 x 0");
  expectInvalid([](Image &I) { I.Header.CoresPerTile = 0; }, "header",
                "cores_per_tile = 0");
  expectInvalid([](Image &I) { I.Header.ArchName = "a\nb"; }, "header",
                "arch name \"a\\x0ab\" has character 0x0a at position 1");
  expectInvalid([](Image &I) { I.Header.ArchName = std::string(65536, 'a'); },
                "header", "arch name is 65536 bytes long; at most 65535");
  expectInvalid([](Image &I) { I.Header.Cores.pop_back(); }, "header",
                "the header locates 2 cores but the image has 3");
  expectInvalid([](Image &I) { I.Header.Cores[1].Chip = 2; }, "header",
                "cores[1].chip = 2 out of range [0, 1]: the image has 2 chips");
  expectInvalid([](Image &I) { I.Header.Cores[2].X = 2; }, "header",
                "cores[2].x = 2 out of range [0, 1]");
  expectInvalid([](Image &I) { I.Header.Cores[2].Y = 5; }, "header",
                "cores[2].y = 5 out of range [0, 1]");
  expectInvalid([](Image &I) { I.Header.Cores[0].Slot = 2; }, "header",
                "cores[0].slot = 2 out of range [0, 1]: a tile holds 2 cores");
  expectInvalid([](Image &I) { I.Header.Cores[2] = I.Header.Cores[0]; },
                "header",
                "cores[2] at chip 1 x 0 y 0 slot 0 is the same place as "
                "cores[0]");
}

TEST_CASE("core configuration and profile rules", "[image-validate]") {
  expectInvalid([](Image &I) { I.Cores[1].Config.NumStateWords = 0; },
                "core 1", "config.state_words = 0 out of range [1, 8]");
  expectInvalid([](Image &I) { I.Cores[1].Config.NumStateWords = 9; },
                "core 1", "config.state_words = 9 out of range [1, 8]");
  expectInvalid([](Image &I) { I.Cores[1].Config.NumDelaySlots = 0; },
                "core 1", "config.delay_slots = 0 out of range [1, 64]");
  expectInvalid([](Image &I) { I.Cores[1].Config.NumDelaySlots = 65; },
                "core 1", "config.delay_slots = 65 out of range [1, 64]");
  expectInvalid([](Image &I) { I.Cores[0].Profiles[1].Params.resize(17); },
                "core 0", "profiles[1].params count 17 out of range [0, 16]");
  expectInvalid(
      [](Image &I) { I.Cores[0].Profiles[1].Program.resize(256); }, "core 0",
      "profiles[1].program count 256 out of range [0, 255]");
  expectInvalid([](Image &I) { I.Cores[0].Profiles[0].Program[0].Rd = 16; },
                "core 0",
                "profiles[0].program: instruction 0 (ldin): register rd = 16 "
                "out of range [0, 15]");
  expectInvalid([](Image &I) { I.Cores[0].Profiles[0].Program[1].Imm = 1; },
                "core 0",
                "profiles[0].program: instruction 1 (brz): target 1 is not "
                "after the branch at 1");
  expectInvalid([](Image &I) { I.Cores[0].Profiles[0].Program[1].Imm = 5; },
                "core 0", "target 5 out of range [2, 4]");
  // sts state index 1 is valid with 2 state words, not with 1.
  expectInvalid([](Image &I) { I.Cores[0].Config.NumStateWords = 1; },
                "core 0", "instruction 3 (sts): state index 1 out of range");
  expectInvalid(
      [](Image &I) {
        I.Cores[0].Profiles[0].Program[0].Op = static_cast<Opcode>(0xee);
      },
      "core 0", "instruction 0: unknown opcode 0xee");
}

TEST_CASE("neuron rules", "[image-validate]") {
  expectInvalid([](Image &I) { I.Cores[0].Neurons[1].Profile = 7; }, "core 0",
                "neurons[1].profile = 7 out of range [0, 1]");
  expectInvalid(
      [](Image &I) { I.Cores[1].Neurons = {{0, {0}}}; }, "core 1",
      "neurons[0].profile = 0 but the core has no profiles");
  expectInvalid([](Image &I) { I.Cores[0].Neurons[2].State = {1}; }, "core 0",
                "neurons[2].state has 1 words but the core has state_words "
                "= 2");
}

TEST_CASE("synapse segment rules", "[image-validate]") {
  auto Seg = [](Image &I, size_t A, size_t S) -> SynapseSegment & {
    return I.Cores[0].Axons[A][S];
  };
  expectInvalid([&](Image &I) { Seg(I, 0, 0).Shift = 16; }, "core 0",
                "axons[0][0].shift = 16 out of range [0, 15]");
  expectInvalid([&](Image &I) { Seg(I, 0, 0).Sparse[1].Neuron = 3; },
                "core 0",
                "axons[0][0].sparse[1].neuron = 3 out of range [0, 2]: the "
                "core has 3 neurons");
  expectInvalid([&](Image &I) { Seg(I, 0, 0).Sparse[0].Delay = 0; }, "core 0",
                "axons[0][0].sparse[0].delay = 0 out of range [1, 3]: the "
                "core has delay_slots = 3");
  expectInvalid([&](Image &I) { Seg(I, 0, 0).Sparse[0].Delay = 4; }, "core 0",
                "axons[0][0].sparse[0].delay = 4 out of range [1, 3]");
  expectInvalid([&](Image &I) { Seg(I, 0, 1).Delay = 0; }, "core 0",
                "axons[0][1].delay = 0 out of range [1, 3]");
  expectInvalid([&](Image &I) { Seg(I, 1, 0).Delay = 4; }, "core 0",
                "axons[1][0].delay = 4 out of range [1, 3]");
  expectInvalid([&](Image &I) { Seg(I, 0, 1).FirstNeuron = 2; }, "core 0",
                "axons[0][1] run of 2 neurons from first = 2 ends at 4, past "
                "the core's 3 neurons");
  expectInvalid([&](Image &I) { Seg(I, 1, 0).Connected.push_back(true); },
                "core 0", "axons[1][0] run of 4 neurons from first = 0");
  expectInvalid([&](Image &I) { Seg(I, 1, 0).AxonType = 4; }, "core 0",
                "axons[1][0].axon_type = 4 out of range [0, 3]");
  expectInvalid(
      [&](Image &I) { Seg(I, 1, 0).Kind = static_cast<SegmentKind>(3); },
      "core 0", "axons[1][0].kind = 3 out of range [0, 2]");
  // Fields a kind does not use keep their defaults (one encoding each).
  expectInvalid([&](Image &I) { Seg(I, 0, 0).Delay = 2; }, "core 0",
                "axons[0][0].delay is set but a sparse segment does not use "
                "it");
  expectInvalid([&](Image &I) { Seg(I, 0, 0).FirstNeuron = 1; }, "core 0",
                "axons[0][0].first is set but a sparse segment");
  expectInvalid([&](Image &I) { Seg(I, 0, 1).AxonType = 1; }, "core 0",
                "axons[0][1].axon_type is set but a dense segment");
  expectInvalid([&](Image &I) { Seg(I, 0, 1).Connected = {true}; }, "core 0",
                "axons[0][1].bits is set but a dense segment");
  expectInvalid([&](Image &I) { Seg(I, 1, 0).Weights = {1}; }, "core 0",
                "axons[1][0].weights is set but a crossbar segment");
  expectInvalid([&](Image &I) { Seg(I, 1, 0).Sparse = {{0, 1, 1}}; },
                "core 0", "axons[1][0].sparse is set but a crossbar segment");
}

TEST_CASE("crossbar column and output rules", "[image-validate]") {
  expectInvalid([](Image &I) { I.Cores[0].Crossbar.pop_back(); }, "core 0",
                "crossbar has 2 columns but the core has 3 neurons and "
                "crossbar segments");
  expectInvalid([](Image &I) { I.Cores[2].Crossbar.resize(1); }, "core 2",
                "crossbar has 1 columns but no axon has a crossbar segment");
  expectInvalid([](Image &I) { I.Cores[0].Outputs.pop_back(); }, "core 0",
                "outputs has 2 lists but the core has 3 neurons");
  // Chip 0 has one core (image core 1, one axon); chip 1 has two.
  expectInvalid([](Image &I) { I.Cores[0].Outputs[0][0] = {2, 0, 0}; },
                "core 0",
                "outputs[0][0] = 2:0:0 (chip:core:axon): chip out of range "
                "[0, 1]");
  expectInvalid([](Image &I) { I.Cores[0].Outputs[0][0] = {0, 1, 0}; },
                "core 0",
                "outputs[0][0] = 0:1:0 (chip:core:axon): core out of range "
                "[0, 0]: chip 0 has 1 cores");
  expectInvalid([](Image &I) { I.Cores[0].Outputs[2][1] = {1, 0, 2}; },
                "core 0",
                "outputs[2][1] = 1:0:2 (chip:core:axon): axon out of range "
                "[0, 1]: that core (cores[0]) has 2 axons");
  expectInvalid([](Image &I) { I.Cores[2].Outputs[0] = {{0, 0, 1}}; },
                "core 2",
                "outputs[0][0] = 0:0:1 (chip:core:axon): axon out of range "
                "[0, 0]: that core (cores[1]) has 1 axons");
  expectInvalid([](Image &I) { I.Cores[1].Axons.clear(); }, "core 0",
                "outputs[0][0] = 0:0:0 (chip:core:axon): that core "
                "(cores[1]) has no input axons");
  expectInvalid(
      [](Image &I) {
        I.Header.Cores[1].Chip = 1;
        I.Header.Cores[1].X = 0; // chip 0 is now empty
      },
      "core 0", "outputs[0][0] = 0:0:0 (chip:core:axon): chip 0 has no cores");
}

TEST_CASE("symbol rules", "[image-validate]") {
  auto Pop = [](Image &I) -> Symbol & { return I.Symbols[1]; };
  expectInvalid([](Image &I) { I.Symbols[0].Name = ""; }, "symbols",
                "symbols[0].name is empty");
  expectInvalid([](Image &I) { I.Symbols[0].Name = "a\"b"; }, "symbols",
                "symbols[0].name \"a\\\"b\" has character 0x22");
  expectInvalid([](Image &I) { I.Symbols[0].Name = "a\\b"; }, "symbols",
                "has character 0x5c");
  expectInvalid([&](Image &I) { Pop(I).Name = "in"; }, "symbols",
                "symbols[1] \"in\": the name is already used by symbols[0]");
  expectInvalid(
      [](Image &I) { I.Symbols[0].Kind = static_cast<SymbolKind>(2); },
      "symbols", "symbols[0].kind = 2 out of range [0, 1]");
  expectInvalid([](Image &I) { I.Symbols[0].Size = 3; }, "symbols",
                "symbols[0] \"in\": input port of size 3 has 2 target lists");
  expectInvalid([](Image &I) { I.Symbols[0].Segments = {{0, 0, 1, 0}}; },
                "symbols", "an input port has no population segments");
  expectInvalid([&](Image &I) { Pop(I).Targets = {{}}; }, "symbols",
                "symbols[1] \"pop\": a population has no target lists");
  expectInvalid([](Image &I) { I.Symbols[0].Targets[1] = {{1, 2, 0}}; },
                "symbols",
                "symbols[0] \"in\".targets[1][0] = 1:2:0 (chip:core:axon): "
                "core out of range [0, 1]: chip 1 has 2 cores");
  expectInvalid([&](Image &I) { Pop(I).Segments[0].Core = 3; }, "symbols",
                "symbols[1] \"pop\".segments[0].core = 3 out of range [0, 2]");
  expectInvalid([&](Image &I) { Pop(I).Segments[1].FirstNeuron = 1; },
                "symbols",
                "symbols[1] \"pop\".segments[1]: neurons 1..3 of cores[0] do "
                "not exist: that core has 3 neurons");
  expectInvalid([&](Image &I) { Pop(I).Segments[0].Count = 0; }, "symbols",
                "segments[0].count = 0");
  expectInvalid([&](Image &I) { Pop(I).Size = 3; }, "symbols",
                "segments[0]: population indices 3..3 are past the "
                "population's size 3");
  expectInvalid([&](Image &I) { Pop(I).Size = 5; }, "symbols",
                "symbols[1] \"pop\": population indices 4..4 are not covered");
  expectInvalid(
      [&](Image &I) {
        Pop(I).Segments[1].Count = 2;
        Pop(I).Segments[1].FirstNeuron = 1;
      },
      "symbols", "population indices 2..2 are not covered by any segment");
  expectInvalid(
      [&](Image &I) {
        Pop(I).Segments[0].Offset = 2; // overlaps 0..2 of segments[1]
        Pop(I).Size = 3;
      },
      "symbols",
      "population index 2 is covered twice (segments[1] and segments[0])");
}

TEST_CASE("record flag and probe rules", "[image-validate]") {
  auto Pop = [](Image &I) -> Symbol & { return I.Symbols[1]; };
  // "pop" lies on core 2 (1 state word) and core 0 (2 state words).
  {
    Image Img = smallImage();
    Pop(Img).RecordSpikes = false;
    Pop(Img).Probes = {{"v", 0}, {"u", 0}};
    CHECK(validationError(Img) == "");
    CHECK(decodeImage(encodeImage(Img)) == Img);
  }
  expectInvalid([&](Image &I) { Pop(I).Probes = {{"v", 1}}; }, "symbols",
                "symbols[1] \"pop\".probes[0].state_word = 1 out of range "
                "[0, 0]: segments[0] lies on core 2, which has 1 state words");
  expectInvalid([&](Image &I) { Pop(I).Probes = {{"v", 0}, {"v", 0}}; },
                "symbols",
                "symbols[1] \"pop\".probes[1] \"v\": the variable is already "
                "probed by probes[0]; probe each variable once");
  expectInvalid([&](Image &I) { Pop(I).Probes = {{"", 0}}; }, "symbols",
                "symbols[1] \"pop\".probes[0].variable is empty");
  expectInvalid([&](Image &I) { Pop(I).Probes = {{"a\x01", 0}}; },
                "symbols", "probes[0].variable \"a\\x01\" has character 0x01");
  expectInvalid([](Image &I) { I.Symbols[0].Probes = {{"v", 0}}; },
                "symbols",
                "symbols[0] \"in\": an input port has no state to probe");
  expectInvalid([](Image &I) { I.Symbols[0].RecordSpikes = false; },
                "symbols",
                "symbols[0] \"in\": an input port has no spikes to record; "
                "leave record_spikes at its default (true)");
}

TEST_CASE("spike generator rules", "[image-validate]") {
  auto Gen = [](Image &I) -> SpikeGenerator & {
    return I.Symbols[0].Generator; // port "in", size 2
  };
  auto Kind = [&](Image &I, GeneratorKind K) -> SpikeGenerator & {
    Gen(I).Kind = K;
    return Gen(I);
  };
  // The kind is known.
  expectInvalid([&](Image &I) { Kind(I, static_cast<GeneratorKind>(4)); },
                "symbols",
                "symbols[0] \"in\".generator.kind = 4 out of range [0, 3]: 0 "
                "external, 1 list, 2 poisson, 3 regular");
  // List: indices inside the port, sorted by step then index, each once.
  expectInvalid(
      [&](Image &I) { Kind(I, GeneratorKind::List).Spikes = {{0, 1}, {3, 2}}; },
      "symbols",
      "symbols[0] \"in\".generator.spikes[1].index = 2 out of range [0, 1]: "
      "the port has size 2");
  expectInvalid(
      [&](Image &I) {
        I.Symbols[0].Size = 0;
        I.Symbols[0].Targets.clear();
        Kind(I, GeneratorKind::List).Spikes = {{4, 0}};
      },
      "symbols",
      "symbols[0] \"in\".generator.spikes[0].index = 0 but the port has "
      "size 0");
  expectInvalid(
      [&](Image &I) { Kind(I, GeneratorKind::List).Spikes = {{3, 0}, {2, 1}}; },
      "symbols",
      "symbols[0] \"in\".generator.spikes[1] = 2:1 (step:index) is not "
      "after spikes[0] = 3:0; sort the spikes by step, then index");
  expectInvalid(
      [&](Image &I) {
        Kind(I, GeneratorKind::List).Spikes = {{0, 0}, {3, 1}, {3, 0}};
      },
      "symbols",
      "generator.spikes[2] = 3:0 (step:index) is not after spikes[1] = 3:1");
  expectInvalid(
      [&](Image &I) { Kind(I, GeneratorKind::List).Spikes = {{3, 1}, {3, 1}}; },
      "symbols",
      "symbols[0] \"in\".generator.spikes[1] = 3:1 (step:index) repeats "
      "spikes[0]; list each spike once");
  // Poisson: a probability, at most 2^32.
  expectInvalid(
      [&](Image &I) {
        Kind(I, GeneratorKind::Poisson).ProbabilityQ32 = ProbabilityOne + 1;
      },
      "symbols",
      "symbols[0] \"in\".generator.probability_q32 = 4294967297 out of "
      "range [0, 4294967296]");
  // Regular: period >= 1.
  expectInvalid(
      [&](Image &I) { Kind(I, GeneratorKind::Regular).Period = 0; }, "symbols",
      "symbols[0] \"in\".generator.period = 0 out of range [1, "
      "18446744073709551615]");
  // Fields a kind does not use keep their defaults (one encoding each).
  expectInvalid([&](Image &I) { Gen(I).Spikes = {{0, 0}}; }, "symbols",
                "symbols[0] \"in\".generator.spikes is set but an external "
                "generator does not use it; leave it at its default");
  expectInvalid([&](Image &I) { Kind(I, GeneratorKind::List).Seed = 1; },
                "symbols",
                "generator.seed is set but a list generator does not use it");
  expectInvalid(
      [&](Image &I) { Kind(I, GeneratorKind::Regular).ProbabilityQ32 = 5; },
      "symbols", "generator.probability_q32 is set but a regular generator");
  expectInvalid([&](Image &I) { Kind(I, GeneratorKind::Poisson).Period = 2; },
                "symbols", "generator.period is set but a poisson generator");
  expectInvalid([&](Image &I) { Kind(I, GeneratorKind::Poisson).Phase = 1; },
                "symbols", "generator.phase is set but a poisson generator");
  expectInvalid(
      [&](Image &I) {
        Kind(I, GeneratorKind::Regular).Spikes = {{0, 0}};
      },
      "symbols", "generator.spikes is set but a regular generator");
  expectInvalid([&](Image &I) { Kind(I, GeneratorKind::Regular).Seed = 9; },
                "symbols", "generator.seed is set but a regular generator");
  // A population has no generator, not even an external one with fields.
  expectInvalid(
      [](Image &I) { I.Symbols[1].Generator.Kind = GeneratorKind::Poisson; },
      "symbols",
      "symbols[1] \"pop\".generator is poisson but a population has no "
      "spike generator; leave it external");
  expectInvalid([](Image &I) { I.Symbols[1].Generator.Phase = 3; }, "symbols",
                "symbols[1] \"pop\".generator.phase is set but an external "
                "generator does not use it");
}

TEST_CASE("valid generator corner cases", "[image-validate]") {
  constexpr uint64_t Max = ~uint64_t(0);
  std::vector<SpikeGenerator> Valid;
  SpikeGenerator G;
  G.Kind = GeneratorKind::List; // an empty list never fires
  Valid.push_back(G);
  G.Spikes = {{0, 0}, {0, 1}, {1, 0}, {Max, 1}};
  Valid.push_back(G);
  G = {};
  G.Kind = GeneratorKind::Poisson; // probability 0, seed 0
  Valid.push_back(G);
  G.ProbabilityQ32 = ProbabilityOne;
  G.Seed = Max;
  Valid.push_back(G);
  G = {};
  G.Kind = GeneratorKind::Regular;
  G.Period = Max;
  G.Phase = Max;
  Valid.push_back(G);
  for (const SpikeGenerator &V : Valid) {
    Image Img = smallImage();
    Img.Symbols[0].Generator = V;
    INFO("generator kind " << int(V.Kind));
    CHECK(validationError(Img) == "");
    CHECK(decodeImage(encodeImage(Img)) == Img);
  }
}

TEST_CASE("valid corner cases", "[image-validate]") {
  // An image with one empty core and no symbols is valid.
  Image Empty;
  Empty.Header.Cores = {{}};
  Empty.Cores.resize(1);
  CHECK(validationError(Empty) == "");
  CHECK(decodeImage(encodeImage(Empty)) == Empty);
  // Empty runs, a zero-size population, a zero-size port, duplicate
  // addresses in one list, and neurons shared by two populations.
  Image Img = smallImage();
  SynapseSegment Run;
  Run.Kind = SegmentKind::Dense;
  Run.FirstNeuron = 3; // an empty run may start at the end
  Img.Cores[0].Axons[1].push_back(Run);
  Img.Cores[0].Outputs[1] = {{0, 0, 0}, {0, 0, 0}};
  Symbol Z;
  Z.Name = "zero";
  Img.Symbols.push_back(Z);
  Symbol Again = Img.Symbols[1];
  Again.Name = "pop again";
  Img.Symbols.push_back(Again);
  CHECK(validationError(Img) == "");
  CHECK(decodeImage(encodeImage(Img)) == Img);
}

TEST_CASE("globalCoreIndex maps chip and core-in-chip", "[image-validate]") {
  Image Img;
  Img.Header.NumChips = 3;
  Img.Header.Cores = {{1, 0, 0, 0}, {0, 0, 0, 0}, {1, 0, 0, 0}, {0, 0, 0, 0}};
  Img.Cores.resize(4);
  CHECK(globalCoreIndex(Img, {0, 0, 0}) == 1);
  CHECK(globalCoreIndex(Img, {0, 1, 7}) == 3);
  CHECK(globalCoreIndex(Img, {1, 0, 0}) == 0);
  CHECK(globalCoreIndex(Img, {1, 1, 0}) == 2);
  CHECK(globalCoreIndex(Img, {1, 2, 0}) == -1);
  CHECK(globalCoreIndex(Img, {2, 0, 0}) == -1);
  CHECK(globalCoreIndex(Img, {9, 0, 0}) == -1);
}

TEST_CASE("random images are valid and cover every feature",
          "[image-validate]") {
  bool Kinds[3] = {}, Ports = false, Pops = false, Columns = false,
       MultiChip = false, MultiCore = false, Stochastic = false,
       Branches = false, EmptyCore = false;
  bool Generators[4] = {}, ListSpikes = false, Probes = false,
       Unrecorded = false;
  for (uint64_t Seed = 0; Seed < 200; ++Seed) {
    Image Img = testing::makeRandomImage(Seed);
    INFO("seed " << Seed);
    REQUIRE(validationError(Img) == "");
    CHECK(testing::makeRandomImage(Seed) == Img); // deterministic
    MultiChip |= Img.Header.NumChips > 1;
    MultiCore |= Img.Cores.size() > 1;
    for (const Core &C : Img.Cores) {
      EmptyCore |= C.Neurons.empty();
      Columns |= !C.Crossbar.empty();
      for (const CrossbarColumn &Col : C.Crossbar)
        for (bool S : Col.Stochastic)
          Stochastic |= S;
      for (const auto &Segs : C.Axons)
        for (const SynapseSegment &S : Segs)
          Kinds[static_cast<int>(S.Kind)] = true;
      for (const NeuronProfile &P : C.Profiles)
        for (const Instruction &I : P.Program)
          Branches |= I.Op == Opcode::Brz || I.Op == Opcode::Jmp;
    }
    for (const Symbol &S : Img.Symbols) {
      Generators[static_cast<int>(S.Generator.Kind)] = true;
      ListSpikes |= S.Generator.Spikes.size() > 1;
      Ports |= S.Kind == SymbolKind::InputPort;
      Pops |= S.Kind == SymbolKind::Population && S.Segments.size() > 1;
      Probes |= S.Probes.size() > 1;
      Unrecorded |= !S.RecordSpikes;
    }
  }
  CHECK(Kinds[0]);
  CHECK(Kinds[1]);
  CHECK(Kinds[2]);
  CHECK(Ports);
  CHECK(Pops);
  CHECK(Columns);
  CHECK(Stochastic);
  CHECK(MultiChip);
  CHECK(MultiCore);
  CHECK(Branches);
  CHECK(EmptyCore);
  for (bool G : Generators)
    CHECK(G);
  CHECK(ListSpikes);
  CHECK(Probes);
  CHECK(Unrecorded);
  CHECK_FALSE(testing::makeRandomImage(1) == testing::makeRandomImage(2));
}
