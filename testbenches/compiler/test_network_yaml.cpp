//===- test_network_yaml.cpp - the network description front end ---------===//
//
// Each construct of docs/network-format.md parses into the IR values worked
// out by hand from the text; each class of bad input gives a message naming
// its exact file:line:col (positions counted by hand in the YAML below);
// every example network parses and validates.
//
// Columns are LLVM's: a scalar starts at its first character; a flow
// collection ({...} or [...]) at the first token inside it, so an error
// about "{from: a, ...}" points at "from".
//
//===----------------------------------------------------------------------===//
#include "neuromesh/compiler/NetworkYaml.h"

#include "NpyTestUtil.h"
#include "neuromesh/compiler/NeuronModels.h"
#include "neuromesh/isa/Error.h"

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <unistd.h>

using namespace neuromesh;
using namespace neuromesh::compiler;
using Catch::Contains;

namespace {

/// A scratch directory removed at the end of the test.
class ScratchDir {
public:
  ScratchDir() {
    char Template[] = "/tmp/nm_netyaml_XXXXXX";
    const char *P = ::mkdtemp(Template);
    REQUIRE(P != nullptr);
    Dir = P;
  }
  ~ScratchDir() { std::system(("rm -rf '" + Dir + "'").c_str()); }
  std::string path(const std::string &Name) const { return Dir + "/" + Name; }
  std::string Dir;
};

/// The diagnostics parsing Text gives ("" when it parses).
std::string errorsOf(const std::string &Text, const std::string &File = "net.yaml") {
  try {
    parseNetworkYaml(Text, File);
  } catch (const Error &E) {
    return E.what();
  }
  return "";
}

/// Occurrences of "error:" in a diagnostic.
size_t countErrors(const std::string &S) {
  size_t N = 0;
  for (size_t P = S.find("error:"); P != std::string::npos; P = S.find("error:", P + 1))
    ++N;
  return N;
}

const Population &pop(const Network &N, const std::string &Name) {
  const Population *P = N.findPopulation(Name);
  REQUIRE(P);
  return *P;
}

const SpikeSource &src(const Network &N, const std::string &Name) {
  const SpikeSource *S = N.findSource(Name);
  REQUIRE(S);
  return *S;
}

void checkLoc(const SourceLoc &L, const std::string &File, unsigned Line, unsigned Col) {
  CHECK(L.File == File);
  CHECK(L.Line == Line);
  CHECK(L.Col == Col);
}

} // namespace

//===----------------------------------------------------------------------===//
// Constructs
//===----------------------------------------------------------------------===//

TEST_CASE("network yaml: populations, models and defaults", "[network-yaml]") {
  // Columns: "  exc:" -> key at col 3; "model: lif" value at col ...
  const std::string Text = R"(name: pops
dt: 5e-4
populations:
  exc: {size: 8, model: lif, params: {tau_m: 20e-3, v_th: 1.0, refractory: 2e-3}, probes: [v]}
  out:
    shape: [2, 4, 4]
    model: loihi_cuba_lif
    params: {du: 410, dv: 205, vth_mant: 100}
    record: false
  tn: {size: 4, model: truenorth, params: {alpha: 5, w2: -3, s2: true}}
)";
  Network N = parseNetworkYaml(Text, "pops.yaml");
  CHECK(N.Name == "pops");
  CHECK(N.Dt == 5e-4);
  REQUIRE(N.Populations.size() == 3);
  CHECK(N.Sources.empty());
  CHECK(N.Projections.empty());

  const Population &Exc = pop(N, "exc");
  CHECK(Exc.Size == 8);
  CHECK(Exc.Shape.empty());
  CHECK(Exc.Model.Kind == "lif");
  CHECK(Exc.Model.Params ==
        std::map<std::string, double>{{"tau_m", 20e-3}, {"v_th", 1.0}, {"refractory", 2e-3}});
  CHECK(Exc.Record); // default
  CHECK(Exc.Probes == std::vector<std::string>{"v"});
  checkLoc(Exc.Loc, "pops.yaml", 4, 3);
  checkLoc(Exc.Model.Loc, "pops.yaml", 4, 25);

  const Population &Out = pop(N, "out");
  CHECK(Out.Size == 32);
  CHECK(Out.Shape == std::vector<uint32_t>{2, 4, 4});
  CHECK(Out.Model.Kind == "loihi_cuba_lif");
  CHECK(Out.Model.Params ==
        std::map<std::string, double>{{"du", 410}, {"dv", 205}, {"vth_mant", 100}});
  CHECK_FALSE(Out.Record);
  CHECK(Out.Probes.empty());
  checkLoc(Out.Loc, "pops.yaml", 5, 3);
  checkLoc(Out.Model.Loc, "pops.yaml", 7, 12);

  const Population &Tn = pop(N, "tn");
  // A 0/1 parameter may be written true/false.
  CHECK(Tn.Model.Params == std::map<std::string, double>{{"alpha", 5}, {"w2", -3}, {"s2", 1}});
}

TEST_CASE("network yaml: the name defaults to the file's stem, dt to 1 ms", "[network-yaml]") {
  Network N = parseNetworkYaml("populations: {a: {size: 1, model: if, params: {threshold: 1}}}",
                               "some/dir/my_net.yaml");
  CHECK(N.Name == "my_net");
  CHECK(N.Dt == 1e-3);
}

TEST_CASE("network yaml: every kind of spike source", "[network-yaml]") {
  ScratchDir T;
  nm_test::writeFile(T.path("stim.csv"), "step,population,neuron\n"
                                         "0,file,3\n"
                                         "2,other,1\n" // another source's row: skipped
                                         "4,file,9\n");
  const std::string Text = R"(populations:
  p: {size: 2, model: if, params: {threshold: 1}}
sources:
  stim: {size: 100, poisson: {rate: 20, seed: 7}}
  cue:  {size: 4, spikes: [[0, 1], [5, 3]]}
  tick: {size: 2, regular: {period: 10, phase: 3}}
  file: {size: 10, spike_file: stim.csv}
  ext:  {shape: [2, 2], external: true}
)";
  Network N = parseNetworkYaml(Text, T.path("net.yaml"));
  REQUIRE(N.Sources.size() == 5);

  const SpikeSource &Stim = src(N, "stim");
  CHECK(Stim.K == SpikeSource::Kind::Poisson);
  CHECK(Stim.Size == 100);
  CHECK(Stim.RateHz == 20);
  CHECK(Stim.Seed == 7);
  checkLoc(Stim.Loc, T.path("net.yaml"), 4, 3);

  const SpikeSource &Cue = src(N, "cue");
  CHECK(Cue.K == SpikeSource::Kind::List);
  CHECK(Cue.Size == 4);
  CHECK(Cue.Spikes == std::vector<std::pair<uint64_t, uint32_t>>{{0, 1}, {5, 3}});

  const SpikeSource &Tick = src(N, "tick");
  CHECK(Tick.K == SpikeSource::Kind::Regular);
  CHECK(Tick.Period == 10);
  CHECK(Tick.Phase == 3);

  const SpikeSource &File = src(N, "file");
  CHECK(File.K == SpikeSource::Kind::List);
  CHECK(File.Spikes == std::vector<std::pair<uint64_t, uint32_t>>{{0, 3}, {4, 9}});

  const SpikeSource &Ext = src(N, "ext");
  CHECK(Ext.K == SpikeSource::Kind::External);
  CHECK(Ext.Size == 4);
  CHECK(Ext.Shape == std::vector<uint32_t>{2, 2});
}

TEST_CASE("network yaml: connectors", "[network-yaml]") {
  ScratchDir T;
  nm_test::writeFile(T.path("syn.csv"), "pre,post,weight,delay\n"
                                        "0,1,0.5,2\n"
                                        "# a comment\n"
                                        "\n"
                                        "3,0,-1.25\n");
  nm_test::writeFile(T.path("w.npy"), nm_test::npyF8({2, 3}, {1, 0, 2, 0, -3, 0.5}));
  nm_test::writeFile(T.path("w.csv"), "1, 0, 2\n0,-3,0.5\n");
  nm_test::writeFile(T.path("k.npy"),
                     nm_test::npyF8({2, 1, 3, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9, -1, -2, -3, -4, -5,
                                                   -6, -7, -8, -9}));
  // Shapes worked by hand: conv 3x3 stride 2 on 5x5 -> 2x2; conv 2x2,
  // padding (1, 0) on 5x5 -> (5+2-2)+1 = 6 by (5-2)+1 = 4; pool 2x2 (stride
  // 2) on 6x4 -> 3x2; pool 3x2 stride (1, 2) on 6x4 -> 4x2.
  const std::string Text = R"(populations:
  a: {size: 4, model: if, params: {threshold: 1}}
  b: {size: 3, model: if, params: {threshold: 1}}
  c: {size: 2, model: if, params: {threshold: 1}}
  img: {shape: [1, 5, 5], model: if, params: {threshold: 1}}
  fm: {shape: [2, 2, 2], model: if, params: {threshold: 1}}
  fm2: {shape: [2, 6, 4], model: if, params: {threshold: 1}}
  pooled: {shape: [2, 3, 2], model: if, params: {threshold: 1}}
  pooled2: {shape: [2, 4, 2], model: if, params: {threshold: 1}}
projections:
  - {from: a, to: b, connector: all_to_all, weight: 2}
  - {from: a, to: a, connector: {all_to_all: {allow_self: false}}, weight: 1}
  - {from: b, to: b, connector: one_to_one, weight: 1}
  - {from: a, to: b, connector: {fixed_probability: {p: 0.25, seed: 3}}, weight: 1}
  - {from: a, to: a, connector: {fixed_fan_in: {n: 2, seed: 4, allow_self: false}}, weight: 1}
  - {from: a, to: b, connector: {list: [[0, 1, 0.5, 2], [3, 2, -0.25]]}}
  - {from: a, to: b, connector: {list_file: syn.csv}}
  - {from: c, to: b, connector: {matrix: [[1, 0, 2], [0, -3, 0.5]]}}
  - {from: c, to: b, connector: {matrix_file: w.npy}}
  - {from: c, to: b, connector: {matrix_file: w.csv}}
  - {from: img, to: fm, connector: {conv2d: {kernel_file: k.npy, stride: 2}}}
  - from: img
    to: fm2
    connector:
      conv2d:
        kernel: [[[[1, 0], [0, 1]]], [[[0, 1], [1, 0]]]]
        stride: [1, 1]
        padding: [1, 0]
  - {from: fm2, to: pooled, connector: {pool2d: {size: 2}}, weight: 1}
  - {from: fm2, to: pooled2, connector: {pool2d: {size: [3, 2], stride: [1, 2], padding: 0}}, weight: 1, name: p2}
)";
  Network N = parseNetworkYaml(Text, T.path("net.yaml"));
  REQUIRE(N.Projections.size() == 14);
  const auto &P = N.Projections;

  CHECK(P[0].Name == "a->b");
  CHECK(P[0].Pre == "a");
  CHECK(P[0].Post == "b");
  CHECK(P[0].Conn.K == Connector::Kind::AllToAll);
  CHECK(P[0].Conn.AllowSelf);
  CHECK(P[0].Weight.K == WeightSpec::Kind::Constant);
  CHECK(P[0].Weight.Value == 2);
  CHECK(P[0].Delay.K == DelaySpec::Kind::Constant);
  CHECK(P[0].Delay.Value == 1); // default
  CHECK(P[0].AxonType == -1);
  checkLoc(P[0].Loc, T.path("net.yaml"), 11, 6); // a flow mapping starts at its first key
  checkLoc(P[0].Conn.Loc, T.path("net.yaml"), 11, 33);
  checkLoc(P[0].Weight.Loc, T.path("net.yaml"), 11, 53);

  CHECK(P[1].Name == "a->a");
  CHECK(P[1].Conn.K == Connector::Kind::AllToAll);
  CHECK_FALSE(P[1].Conn.AllowSelf);

  CHECK(P[2].Conn.K == Connector::Kind::OneToOne);

  CHECK(P[3].Name == "a->b#2"); // repeated default names are numbered
  CHECK(P[3].Conn.K == Connector::Kind::FixedProbability);
  CHECK(P[3].Conn.Probability == 0.25);
  CHECK(P[3].Conn.Seed == 3);

  CHECK(P[4].Conn.K == Connector::Kind::FixedFanIn);
  CHECK(P[4].Conn.FanIn == 2);
  CHECK(P[4].Conn.Seed == 4);
  CHECK_FALSE(P[4].Conn.AllowSelf);

  auto SameSynapses = [](const std::vector<ExplicitSynapse> &S,
                         const std::vector<ExplicitSynapse> &Want) {
    REQUIRE(S.size() == Want.size());
    for (size_t I = 0; I < S.size(); ++I) {
      CHECK(S[I].Pre == Want[I].Pre);
      CHECK(S[I].Post == Want[I].Post);
      CHECK(S[I].Weight == Want[I].Weight);
      CHECK(S[I].Delay == Want[I].Delay);
    }
  };
  CHECK(P[5].Conn.K == Connector::Kind::List);
  SameSynapses(P[5].Conn.Synapses, {{0, 1, 0.5, 2}, {3, 2, -0.25, 1}});
  CHECK(P[6].Conn.K == Connector::Kind::List);
  SameSynapses(P[6].Conn.Synapses, {{0, 1, 0.5, 2}, {3, 0, -1.25, 1}});

  const std::vector<double> M = {1, 0, 2, 0, -3, 0.5};
  for (size_t I : {7, 8, 9}) {
    INFO("projection " << I);
    CHECK(P[I].Conn.K == Connector::Kind::Matrix);
    CHECK(P[I].Conn.Matrix == M);
  }

  CHECK(P[10].Conn.K == Connector::Kind::Conv2d);
  CHECK(P[10].Conn.KernelH == 3);
  CHECK(P[10].Conn.KernelW == 3);
  CHECK(P[10].Conn.StrideH == 2);
  CHECK(P[10].Conn.StrideW == 2);
  CHECK(P[10].Conn.PadH == 0);
  CHECK(P[10].Conn.PadW == 0);
  CHECK(P[10].Conn.Kernel ==
        std::vector<double>{1, 2, 3, 4, 5, 6, 7, 8, 9, -1, -2, -3, -4, -5, -6, -7, -8, -9});

  CHECK(P[11].Conn.K == Connector::Kind::Conv2d);
  CHECK(P[11].Conn.Kernel == std::vector<double>{1, 0, 0, 1, 0, 1, 1, 0});
  CHECK(P[11].Conn.KernelH == 2);
  CHECK(P[11].Conn.KernelW == 2);
  CHECK(P[11].Conn.PadH == 1);
  CHECK(P[11].Conn.PadW == 0);
  CHECK(P[11].Conn.StrideH == 1);
  checkLoc(P[11].Loc, T.path("net.yaml"), 22, 5);

  CHECK(P[12].Conn.K == Connector::Kind::Pool2d);
  CHECK(P[12].Conn.KernelH == 2);
  CHECK(P[12].Conn.KernelW == 2);
  CHECK(P[12].Conn.StrideH == 2); // the stride defaults to the window
  CHECK(P[12].Conn.StrideW == 2);
  CHECK(P[12].Weight.Value == 1);

  CHECK(P[13].Name == "p2");
  CHECK(P[13].Conn.KernelH == 3);
  CHECK(P[13].Conn.KernelW == 2);
  CHECK(P[13].Conn.StrideH == 1);
  CHECK(P[13].Conn.StrideW == 2);
}

TEST_CASE("network yaml: weights, delays and axon types", "[network-yaml]") {
  ScratchDir T;
  nm_test::writeFile(T.path("wa.npy"), nm_test::npyF8({2}, {0.25, -4}));
  nm_test::writeFile(T.path("wa.csv"), "1,2\n3,4\n");
  const std::string Text = R"(populations:
  a: {size: 2, model: if, params: {threshold: 1}}
  b: {size: 2, model: if, params: {threshold: 1}}
  tn: {size: 2, model: truenorth, params: {alpha: 3}}
projections:
  - {from: a, to: b, connector: all_to_all, weight: {uniform: {low: -1, high: 1, seed: 2}}}
  - {from: a, to: b, connector: all_to_all, weight: {normal: {mean: 0.1, std: 0.02, seed: 5}}, delay: {uniform: {low: 1, high: 4, seed: 6}}}
  - {from: a, to: b, connector: all_to_all, weight: {array: [1, 2, 3, 4]}, delay: 7}
  - {from: a, to: b, connector: one_to_one, weight: {array_file: wa.npy}}
  - {from: a, to: b, connector: all_to_all, weight: {array_file: wa.csv}}
  - {from: a, to: tn, connector: all_to_all, weight: 1, axon_type: 2}
)";
  Network N = parseNetworkYaml(Text, T.path("net.yaml"));
  const auto &P = N.Projections;
  REQUIRE(P.size() == 6);
  CHECK(P[0].Weight.K == WeightSpec::Kind::Uniform);
  CHECK(P[0].Weight.Low == -1);
  CHECK(P[0].Weight.High == 1);
  CHECK(P[0].Weight.Seed == 2);
  CHECK(P[1].Weight.K == WeightSpec::Kind::Normal);
  CHECK(P[1].Weight.Mean == 0.1);
  CHECK(P[1].Weight.Std == 0.02);
  CHECK(P[1].Weight.Seed == 5);
  CHECK(P[1].Delay.K == DelaySpec::Kind::Uniform);
  CHECK(P[1].Delay.Low == 1);
  CHECK(P[1].Delay.High == 4);
  CHECK(P[1].Delay.Seed == 6);
  checkLoc(P[1].Delay.Loc, T.path("net.yaml"), 7, 104);
  CHECK(P[2].Weight.K == WeightSpec::Kind::Array);
  CHECK(P[2].Weight.Values == std::vector<double>{1, 2, 3, 4});
  CHECK(P[2].Delay.K == DelaySpec::Kind::Constant);
  CHECK(P[2].Delay.Value == 7);
  CHECK(P[3].Weight.Values == std::vector<double>{0.25, -4});
  CHECK(P[4].Weight.Values == std::vector<double>{1, 2, 3, 4});
  CHECK(P[5].AxonType == 2);
}

TEST_CASE("network yaml: every example network parses and validates", "[network-yaml]") {
  for (const char *Name : {"feedforward", "ei_balanced", "conv"}) {
    INFO(Name);
    std::string Path = std::string(NM_SOURCE_DIR "/examples/networks/") + Name + ".yaml";
    Network N;
    try {
      N = loadNetworkYaml(Path);
    } catch (const Error &E) {
      FAIL(E.what());
    }
    CHECK(N.Name == Name);
    CHECK_FALSE(N.Populations.empty());
    CHECK_FALSE(N.Projections.empty());
  }
  Network Ei = loadNetworkYaml(NM_SOURCE_DIR "/examples/networks/ei_balanced.yaml");
  CHECK(Ei.sizeOf("exc") + Ei.sizeOf("inh") == 1000);
  Network Conv = loadNetworkYaml(NM_SOURCE_DIR "/examples/networks/conv.yaml");
  CHECK(src(Conv, "image").Shape == std::vector<uint32_t>{1, 16, 16});
  CHECK(pop(Conv, "features").Shape == std::vector<uint32_t>{4, 16, 16});
  CHECK(pop(Conv, "pooled").Shape == std::vector<uint32_t>{4, 8, 8});
}

//===----------------------------------------------------------------------===//
// Errors
//===----------------------------------------------------------------------===//

TEST_CASE("network yaml: malformed yaml", "[network-yaml][errors]") {
  // An unclosed flow mapping: the parser stops at the first token it
  // cannot take (the ':' after b), and nothing else is reported.
  std::string E = errorsOf("populations:\n  a: {size: 3, model: if\n  b: 2\n");
  INFO(E);
  CHECK_THAT(E, Contains("net.yaml:3:4: error: Unexpected token"));
  CHECK(countErrors(E) == 1);
  // Bad indentation.
  CHECK_THAT(errorsOf("populations:\n  a: 1\n b: 2\n"),
             Contains("net.yaml:3:3: error: Unexpected token"));
  CHECK_THAT(errorsOf("name: \"unterminated\n"),
             Contains("net.yaml:1:20: error: Expected quote at end of scalar"));
  CHECK_THAT(errorsOf(""), Contains("net.yaml: error: the file is empty"));
  CHECK_THAT(errorsOf("- a\n- b\n"),
             Contains("net.yaml:1:1: error: expected a mapping (key: value lines) for the "
                      "network file"));
  CHECK_THAT(errorsOf("populations:\n  a: {size: 2, model: if, params: {threshold: 1}}\n"
                      "  a: {size: 3, model: if, params: {threshold: 1}}\n"),
             Contains("net.yaml:3:3: error: the name 'a' is already used at net.yaml:2:3"));
}

TEST_CASE("network yaml: unknown model and parameter, with suggestions", "[network-yaml][errors]") {
  std::string E = errorsOf(R"(populations:
  a: {size: 3, model: lfi, params: {tau_m: 1}}
  b: {size: 3, model: lif, params: {tau_n: 20e-3, v_th: 1}}
)");
  INFO(E);
  CHECK_THAT(E, Contains("net.yaml:2:23: error: unknown neuron model 'lfi'; did you mean 'lif'? "
                         "(models: loihi_cuba_lif, lif, if, li, truenorth"));
  CHECK_THAT(E, Contains("net.yaml:3:37: error: unknown parameter 'tau_n' for model 'lif'; did "
                         "you mean 'tau_m'? (its parameters: tau_m, tau_syn, v_th, bias, "
                         "refractory, reset)"));
  // b also lacks tau_m, reported at its params mapping.
  CHECK_THAT(E, Contains("net.yaml:3:37: error: model 'lif' of populations.b needs parameter "
                         "tau_m"));
  CHECK(countErrors(E) == 3);
}

TEST_CASE("network yaml: wrong types", "[network-yaml][errors]") {
  std::string E = errorsOf(R"(populations:
  a: {size: many, model: if, params: {threshold: high}}
  b: {size: 3, model: if, params: {threshold: 1}, record: maybe, probes: v}
)");
  INFO(E);
  CHECK_THAT(E, Contains("net.yaml:2:13: error: expected an integer for populations.a.size, "
                         "got 'many'"));
  CHECK_THAT(E, Contains("net.yaml:2:50: error: expected a number for "
                         "populations.a.params.threshold, got 'high'"));
  CHECK_THAT(E, Contains("net.yaml:3:59: error: expected true or false for "
                         "populations.b.record, got 'maybe'"));
  CHECK_THAT(E, Contains("net.yaml:3:74: error: expected a list for populations.b.probes"));
}

TEST_CASE("network yaml: names that refer to nothing", "[network-yaml][errors]") {
  std::string E = errorsOf(R"(populations:
  exc: {size: 3, model: if, params: {threshold: 1}}
  inh: {size: 3, model: if, params: {threshold: 1}}
sources:
  stim: {size: 3, poisson: {rate: 10}}
projections:
  - {from: stm, to: exd, connector: all_to_all, weight: 1}
  - {from: exc, to: stim, connector: all_to_all, weight: 1}
)");
  INFO(E);
  CHECK_THAT(E, Contains("net.yaml:7:12: error: projections[0].from: no population or source "
                         "named 'stm'; did you mean 'stim'? (populations: exc, inh; sources: "
                         "stim)"));
  CHECK_THAT(E, Contains("net.yaml:7:21: error: projections[0].to: no population named 'exd'; "
                         "did you mean 'exc'? (populations: exc, inh)"));
  CHECK_THAT(E, Contains("net.yaml:8:21: error: projections[1].to: 'stim' is a spike source; a "
                         "projection ends at a population (populations: exc, inh)"));
  CHECK(countErrors(E) == 3);
}

TEST_CASE("network yaml: conv2d and pool2d shape mismatches", "[network-yaml][errors]") {
  std::string E = errorsOf(R"(populations:
  img: {shape: [1, 8, 8], model: if, params: {threshold: 1}}
  c1: {shape: [2, 8, 8], model: if, params: {threshold: 1}}
  c2: {shape: [2, 8, 8], model: if, params: {threshold: 1}}
  flat: {size: 16, model: if, params: {threshold: 1}}
projections:
  - {from: img, to: c1, connector: {conv2d: {kernel: [[[[1, 1, 1]]], [[[1, 1, 1]]]]}}}
  - {from: img, to: c2, connector: {conv2d: {kernel: [[[[1]], [[1]]]]}}}
  - {from: c1, to: flat, connector: {pool2d: {size: 2}}, weight: 1}
)");
  INFO(E);
  // 1x3 kernel, no padding, on 8x8: 8 x 6.
  CHECK_THAT(E, Contains("net.yaml:7:37: error: shape mismatch: conv2d output is [2, 8, 6] "
                         "(from 'img' [1, 8, 8], kernel 1x3, stride 1x1, padding 0x0) but 'c1' "
                         "has shape [2, 8, 8]; give 'c1' shape: [2, 8, 6] or change the kernel"));
  CHECK_THAT(E, Contains("net.yaml:8:37: error: conv2d kernel has 2 input channels but 'img' "
                         "has 1 (shape [1, 8, 8])"));
  CHECK_THAT(E, Contains("net.yaml:9:38: error: pool2d needs 'flat' to have a shape; the output "
                         "is [2, 4, 4] (from 'c1' [2, 8, 8], window 2x2, stride 2x2, padding "
                         "0x0): give 'flat' shape: [2, 4, 4]"));
  CHECK(countErrors(E) == 3);
}

TEST_CASE("network yaml: values out of range", "[network-yaml][errors]") {
  std::string E = errorsOf(R"(populations:
  a: {size: -5, model: if, params: {threshold: 1}}
  b: {size: 4, model: loihi_cuba_lif, params: {du: 5000, dv: 1, vth_mant: 10}}
  c: {size: 4, model: if, params: {threshold: 1}}
sources:
  s: {size: 4, poisson: {rate: 2000}}
projections:
  - {from: c, to: c, connector: {fixed_probability: {p: 1.5}}, weight: 1, delay: 0}
  - {from: c, to: c, connector: all_to_all, weight: 1, delay: 65}
  - {from: s, to: c, connector: all_to_all, weight: 1, axon_type: 4}
)");
  INFO(E);
  CHECK_THAT(E, Contains("net.yaml:2:13: error: populations.a.size is -5, out of range [1, "
                         "4294967295]: a population has at least one neuron"));
  CHECK_THAT(E, Contains("net.yaml:3:52: error: populations.b.params.du is 5000, out of range "
                         "[0, 4095] for model 'loihi_cuba_lif'"));
  CHECK_THAT(E, Contains("net.yaml:8:57: error: projections[0].connector.fixed_probability.p is "
                         "1.5, out of range [0, 1]: a probability, from 0 to 1"));
  CHECK_THAT(E, Contains("net.yaml:8:82: error: projections[0].delay is 0, out of range [1, 64]"));
  CHECK_THAT(E, Contains("net.yaml:9:63: error: projections[1].delay is 65, out of range [1, 64]"));
  CHECK_THAT(E, Contains("net.yaml:10:67: error: projections[2].axon_type is 4, out of range "
                         "[0, 3]"));
  // dt defaults to 1 ms: 2000 Hz is a probability of 2 per step.
  CHECK_THAT(E, Contains("net.yaml:6:32: error: sources.s.poisson.rate 2000 Hz with dt 0.001 s "
                         "is a spike probability of 2 per step; at most 1/dt = 1000 Hz"));
  CHECK(countErrors(E) == 7);
}

TEST_CASE("network yaml: missing required keys", "[network-yaml][errors]") {
  std::string E = errorsOf(R"(populations:
  a: {model: if, params: {threshold: 1}}
  b: {size: 2, model: if}
  c: {size: 2}
sources:
  s: {size: 2}
projections:
  - {from: a, to: b}
  - {from: b, to: b, connector: all_to_all}
)");
  INFO(E);
  CHECK_THAT(E, Contains("net.yaml:2:7: error: missing required key populations.a.size (or "
                         "populations.a.shape)"));
  CHECK_THAT(E, Contains("net.yaml:3:7: error: model 'if' of populations.b needs parameter "
                         "threshold"));
  CHECK_THAT(E, Contains("net.yaml:4:7: error: missing required key populations.c.model"));
  CHECK_THAT(E, Contains("net.yaml:6:7: error: sources.s needs one of external: true, poisson"));
  CHECK_THAT(E, Contains("net.yaml:8:6: error: missing required key projections[0].connector"));
  CHECK_THAT(E, Contains("net.yaml:9:6: error: missing required key projections[1].weight"));
  CHECK(countErrors(E) == 6);

  CHECK_THAT(errorsOf("dt: 1e-3\n"),
             Contains("net.yaml:1:1: error: missing required key populations"));
}

TEST_CASE("network yaml: unknown keys and connectors suggest the nearest",
          "[network-yaml][errors]") {
  std::string E = errorsOf(R"(populations:
  a: {size: 2, modle: if}
projections:
  - {from: a, to: a, connector: {fixed_probabilty: {p: 0.1}}, weight: 1}
  - {from: a, to: a, connector: all2all, weight: 1}
)");
  INFO(E);
  CHECK_THAT(E, Contains("net.yaml:2:16: error: unknown key populations.a.modle; did you mean "
                         "'model'?"));
  CHECK_THAT(E, Contains("net.yaml:4:34: error: unknown connector 'fixed_probabilty'; did you "
                         "mean 'fixed_probability'?"));
  CHECK_THAT(E, Contains("net.yaml:5:33: error: unknown connector 'all2all'"));
}

TEST_CASE("network yaml: data file errors name the file and line", "[network-yaml][errors]") {
  ScratchDir T;
  nm_test::writeFile(T.path("syn.csv"), "pre,post,weight\n0,1,0.5\n1,x,2\n0,1\n9,0,1\n");
  nm_test::writeFile(T.path("bad_magic.npy"), "PK\x03\x04 this is a zip file");
  std::string Truncated = nm_test::npyF8({2, 3}, {1, 2, 3, 4, 5, 6});
  Truncated.resize(Truncated.size() - 8);
  nm_test::writeFile(T.path("short.npy"), Truncated);
  nm_test::writeFile(T.path("fortran.npy"), nm_test::npyF8({2, 3}, {1, 2, 3, 4, 5, 6}, true));
  nm_test::writeFile(T.path("w.npy"), nm_test::npyF8({3, 2}, {1, 2, 3, 4, 5, 6}));
  const std::string Text = R"(populations:
  a: {size: 2, model: if, params: {threshold: 1}}
  b: {size: 3, model: if, params: {threshold: 1}}
projections:
  - {from: a, to: b, connector: {list_file: syn.csv}}
  - {from: a, to: b, connector: {matrix_file: bad_magic.npy}}
  - {from: a, to: b, connector: {matrix_file: short.npy}}
  - {from: a, to: b, connector: {matrix_file: fortran.npy}}
  - {from: a, to: b, connector: {matrix_file: w.npy}}
  - {from: a, to: b, connector: {matrix_file: missing.csv}}
)";
  std::string Y = T.path("net.yaml");
  std::string E = errorsOf(Text, Y);
  INFO(E);
  std::string Csv = T.path("syn.csv");
  CHECK_THAT(E, Contains(Y + ":5:45: error: " + Csv + ":3: post 'x' is not an index >= 0"));
  CHECK_THAT(E, Contains(Y + ":5:45: error: " + Csv +
                         ":4: expected 3 or 4 fields 'pre,post,weight[,delay]', got 2"));
  CHECK_THAT(E, Contains(Y + ":6:47: error: " + T.path("bad_magic.npy") +
                         ": not a .npy file (it does not start with the magic"));
  CHECK_THAT(E, Contains(Y + ":7:47: error: " + T.path("short.npy") +
                         ": truncated: shape (2, 3) of '<f8' needs 48 bytes of data, the file "
                         "holds 40"));
  CHECK_THAT(E, Contains(Y + ":8:47: error: " + T.path("fortran.npy") +
                         ": the array is stored in Fortran (column-major) order"));
  CHECK_THAT(E, Contains(Y + ":9:34: error: shape mismatch: the matrix in " + T.path("w.npy") +
                         " is 3 x 2 but it must be 2 x 3 (rows are the 2 neurons of 'a', "
                         "columns the 3 neurons of 'b'); it looks transposed"));
  CHECK_THAT(E, Contains(Y + ":10:47: error: " + T.path("missing.csv") + ": cannot open the file"));
  // The syn.csv line 5 (pre 9) is out of range too, but the file had
  // parse errors, so the projection is not checked further.
  CHECK(countErrors(E) == 7);
}

TEST_CASE("network yaml: list indices out of range name their entry", "[network-yaml][errors]") {
  ScratchDir T;
  nm_test::writeFile(T.path("syn.csv"), "0,1,0.5\n9,0,1,3\n");
  std::string Y = T.path("net.yaml");
  std::string E = errorsOf(R"(populations:
  a: {size: 2, model: if, params: {threshold: 1}}
  b: {size: 3, model: if, params: {threshold: 1}}
projections:
  - {from: a, to: b, connector: {list: [[0, 1, 0.5], [1, 3, 1.0, 2]]}}
  - {from: a, to: b, connector: {list_file: syn.csv}}
)",
                           Y);
  INFO(E);
  CHECK_THAT(E, Contains(Y + ":5:55: error: projections[0].list[1]: post 3 out of range [0, 3) "
                             "for 'b'"));
  CHECK_THAT(E, Contains(Y + ":6:34: error: " + T.path("syn.csv") +
                         ":2: pre 9 out of range [0, 2) for 'a'"));
  CHECK(countErrors(E) == 2);
}

TEST_CASE("network yaml: validate()'s errors carry yaml locations", "[network-yaml][errors]") {
  // The front end leaves these to Network::validate(): a readout as a
  // projection's pre, and an axon type on a non-TrueNorth target.
  std::string E = errorsOf(R"(populations:
  r: {size: 2, model: li}
  a: {size: 2, model: if, params: {threshold: 1}}
projections:
  - {from: r, to: a, connector: all_to_all, weight: 1}
  - {from: a, to: a, connector: all_to_all, weight: 1, axon_type: 1}
)");
  INFO(E);
  CHECK_THAT(E, Contains("net.yaml:5:6: error: projection 'r->a': pre 'r' uses the non-spiking "
                         "model 'li'"));
  CHECK_THAT(E, Contains("net.yaml:6:6: error: projection 'a->a': axon type applies only to "
                         "projections onto truenorth populations"));
  // With the source line and a caret, like the front end's own errors.
  CHECK_THAT(E, Contains("  - {from: a, to: a, connector: all_to_all, weight: 1, axon_type: 1}\n"
                         "     ^"));
  CHECK(countErrors(E) == 2);
}

TEST_CASE("network yaml: many errors are reported in one pass", "[network-yaml][errors]") {
  std::string E = errorsOf(R"(dt: -1
populations:
  a: {size: 0, model: if, params: {threshold: 1}}
  a2: {size: 2, model: if, params: {threshold: x}}
  b: {size: 2, model: if, params: {threshold: 1}}
sources:
  b: {size: 2, external: true}
projections:
  - {from: b, to: b, connector: {fixed_fan_in: {n: 3}}, weight: 1}
  - {from: b, to: nowhere, connector: one_to_one, weight: 1}
)");
  INFO(E);
  CHECK_THAT(E, Contains("net.yaml:1:5: error: dt is -1, out of range (0, 1]"));
  CHECK_THAT(E, Contains("net.yaml:3:13: error: populations.a.size is 0"));
  CHECK_THAT(E, Contains("net.yaml:4:48: error: expected a number for "
                         "populations.a2.params.threshold, got 'x'"));
  CHECK_THAT(E, Contains("net.yaml:7:3: error: the name 'b' is already used at net.yaml:5:3"));
  CHECK_THAT(E, Contains("net.yaml:9:52: error: fixed_fan_in n is 3 but 'b' has only 2 neurons"));
  CHECK_THAT(E, Contains("net.yaml:10:19: error: projections[1].to: no population named "
                         "'nowhere'"));
  CHECK(countErrors(E) == 6);
}

TEST_CASE("network yaml: a missing file is a clear error", "[network-yaml][errors]") {
  try {
    loadNetworkYaml("/nonexistent/net.yaml");
    FAIL("no error");
  } catch (const Error &E) {
    CHECK_THAT(std::string(E.what()), Contains("/nonexistent/net.yaml: error: cannot open"));
  }
}

//===----------------------------------------------------------------------===//
// The documentation
//===----------------------------------------------------------------------===//

namespace {

std::string readDoc() {
  std::ifstream In(NM_SOURCE_DIR "/docs/network-format.md");
  REQUIRE(In.good());
  std::stringstream S;
  S << In.rdbuf();
  return S.str();
}

/// A number as docs/network-format.md prints the registry's bounds.
std::string docNum(double V) {
  double A = std::fabs(V);
  if (A >= 1e9) {
    int E = int(std::lround(std::log10(A)));
    if (std::pow(10.0, E) == A)
      return fmt::format("{}1e{}", V < 0 ? "-" : "", E);
  }
  return fmt::format("{}", V);
}

} // namespace

TEST_CASE("network yaml: the docs' complete example parses", "[network-yaml][docs]") {
  std::string Doc = readDoc();
  auto Begin = Doc.find("```yaml\n");
  REQUIRE(Begin != std::string::npos);
  Begin += 8;
  auto End = Doc.find("```", Begin);
  REQUIRE(End != std::string::npos);
  Network N;
  try {
    N = parseNetworkYaml(Doc.substr(Begin, End - Begin), "network-format.md");
  } catch (const Error &E) {
    FAIL(E.what());
  }
  CHECK(N.Name == "tour");
  CHECK(N.Populations.size() == 7);
  CHECK(N.Sources.size() == 4);
  CHECK(N.Projections.size() == 11);
  // Every connector kind that needs no file appears.
  std::set<Connector::Kind> Kinds;
  for (const Projection &P : N.Projections)
    Kinds.insert(P.Conn.K);
  CHECK(Kinds.size() == 8);
}

TEST_CASE("network yaml: the docs list every model and parameter of the registry",
          "[network-yaml][docs]") {
  std::string Doc = readDoc();
  for (const ModelInfo &M : neuronModels()) {
    INFO("model " << M.Name);
    CHECK_THAT(Doc, Contains(fmt::format("### `{}`\n\n{}.\n", M.Name, M.Doc)));
    CHECK_THAT(Doc, Contains(fmt::format("- Weight unit: {}.", M.WeightUnit)));
    for (const ModelParam &P : M.Params)
      CHECK_THAT(
          Doc, Contains(fmt::format("| `{}` | {} | {} | {} | [{}, {}] | {} |", P.Name, P.Unit,
                                    P.Required ? "yes" : "no", P.Required ? "-" : docNum(P.Default),
                                    docNum(P.Min), docNum(P.Max), P.Doc)));
    for (const ModelVariable &V : M.Variables)
      CHECK_THAT(Doc, Contains(fmt::format("| `{}` | {} | {} |", V.Name, V.StateWord, V.Doc)));
  }
}

TEST_CASE("network yaml: connector sizes must agree with the populations",
          "[network-yaml][errors]") {
  std::string E = errorsOf(R"(populations:
  a: {size: 3, model: if, params: {threshold: 1}}
  b: {size: 2, model: if, params: {threshold: 1}}
projections:
  - {from: a, to: b, connector: one_to_one, weight: 1}
  - {from: a, to: b, connector: all_to_all, weight: {array: [1, 2, 3, 4, 5]}}
  - {from: a, to: a, connector: {all_to_all: {allow_self: false}}, weight: {array: [1, 2, 3, 4, 5, 6]}}
  - {from: a, to: b, connector: {matrix: [[1, 2], [3, 4]]}}
  - {from: a, to: a, connector: {fixed_fan_in: {n: 3, allow_self: false}}, weight: 1}
)");
  INFO(E);
  CHECK_THAT(E, Contains("net.yaml:5:33: error: one_to_one needs equal sizes, but it connects "
                         "'a' (3 neurons) to 'b' (2 neurons)"));
  // 3 x 2 = 6 synapses.
  CHECK_THAT(E, Contains("net.yaml:6:54: error: projections[1].weight has 5 values but the "
                         "all_to_all connector from 'a' (3 neurons) to 'b' (2 neurons) makes 6 "
                         "synapses"));
  // 3 x 3 - 3 = 6 synapses without self-connections: correct, no error.
  CHECK_THAT(E, Contains("net.yaml:8:34: error: shape mismatch: the matrix is 2 x 2 but it must "
                         "be 3 x 2"));
  CHECK_THAT(E, Contains("net.yaml:9:52: error: fixed_fan_in n is 3 but 'a' has only 2 neurons "
                         "to draw from besides itself"));
  CHECK(countErrors(E) == 4);
}
