//===- test_network.cpp - the network IR and its validation ---------------===//
//
// Every class of bad network is built through the C++ API and must produce
// its own message, at the element's location (net.yaml:L:C) when it has
// one, else naming the element; and all problems come in one Error.
//
//===----------------------------------------------------------------------===//
#include "neuromesh/compiler/Network.h"
#include "neuromesh/compiler/NeuronModels.h"

#include "neuromesh/isa/Error.h"

#include <catch2/catch.hpp>

#include <string>

namespace {

namespace nc = neuromesh::compiler;
using Catch::Matchers::Contains;
using Catch::Matchers::StartsWith;

nc::SourceLoc at(unsigned Line, unsigned Col) { return {"net.yaml", Line, Col}; }

/// The validation message, or "" when the network is valid.
std::string problems(const nc::Network &Net) {
  try {
    Net.validate();
  } catch (const neuromesh::Error &E) {
    return E.what();
  }
  return "";
}

size_t lineCount(const std::string &S) {
  if (S.empty())
    return 0;
  size_t N = 1;
  for (char C : S)
    N += C == '\n';
  return N;
}

nc::NeuronModel ifModel(double Threshold = 4) {
  return nc::NeuronModel("if", {{"threshold", Threshold}});
}

/// A small valid network: a source, two populations, three projections.
nc::Network validNetwork() {
  nc::Network Net;
  Net.Name = "ok";
  Net.addSource("in", 4, nc::SpikeSource::poisson(100, 3));
  Net.addPopulation("a", 4, ifModel());
  Net.addPopulation("b", 6, nc::NeuronModel("lif", {{"tau_m", 0.02}, {"v_th", 1.0}}));
  Net.addProjection("in", "a", nc::Connector::oneToOne(), nc::WeightSpec::constant(2));
  Net.addProjection("a", "b", nc::Connector::fixedFanIn(3, 9), nc::WeightSpec::uniform(0.1, 0.5, 2),
                    nc::DelaySpec::uniform(1, 4, 5));
  auto &Rec = Net.addProjection("a", "a", nc::Connector::allToAll(), nc::WeightSpec::constant(-1));
  Rec.Conn.AllowSelf = false;
  return Net;
}

} // namespace

TEST_CASE("source locations format as file:line:col", "[network]") {
  CHECK(nc::SourceLoc{}.str() == "");
  CHECK(at(12, 5).str() == "net.yaml:12:5");
  CHECK(nc::SourceLoc{"net.yaml", 0, 0}.str() == "net.yaml");
}

TEST_CASE("builders fill in names, kinds and seeds", "[network]") {
  nc::Network Net = validNetwork();
  CHECK(Net.Projections[0].Name == "in->a");
  CHECK(Net.sizeOf("in") == 4);
  CHECK(Net.sizeOf("b") == 6);
  CHECK(Net.sizeOf("nothing") == 0);
  REQUIRE(Net.findPopulation("a") == &Net.Populations[0]);
  CHECK(Net.findPopulation("in") == nullptr);
  REQUIRE(Net.findSource("in") == &Net.Sources[0]);
  CHECK(Net.Sources[0].K == nc::SpikeSource::Kind::Poisson);
  CHECK(Net.Sources[0].Seed == 3);
  CHECK(Net.Projections[1].Conn.K == nc::Connector::Kind::FixedFanIn);
  CHECK(Net.Projections[1].Conn.FanIn == 3);
  CHECK(Net.Projections[1].Weight.K == nc::WeightSpec::Kind::Uniform);
  CHECK(Net.Projections[1].Delay.High == 4);
  auto R = nc::SpikeSource::regular(5, 2);
  CHECK((R.K == nc::SpikeSource::Kind::Regular && R.Period == 5 && R.Phase == 2));
}

TEST_CASE("a valid network passes", "[network]") { CHECK(problems(validNetwork()) == ""); }

TEST_CASE("every registry model has documented parameters", "[network]") {
  for (const char *Name :
       {"loihi_cuba_lif", "lif", "if", "li", "truenorth", "adaptive_lif", "cuba_li"}) {
    const nc::ModelInfo *M = nc::findModel(Name);
    REQUIRE(M != nullptr);
    CHECK(std::string(M->WeightUnit).size() > 5);
    for (const nc::ModelParam &P : M->Params) {
      CHECK(P.Min <= P.Max);
      if (!P.Required)
        CHECK((P.Default >= P.Min && P.Default <= P.Max));
    }
  }
  CHECK(nc::neuronModels().size() == 7);
  CHECK(nc::findModel("alif") == nullptr);
  CHECK_FALSE(nc::findModel("li")->Spiking);
  CHECK_FALSE(nc::findModel("cuba_li")->Spiking);
}

TEST_CASE("names must be unique across populations and sources", "[network]") {
  nc::Network Net = validNetwork();
  Net.addSource("a", 2, nc::SpikeSource::external()).Loc = at(9, 3);
  std::string M = problems(Net);
  CHECK_THAT(M, StartsWith("net.yaml:9:3: error: source 'a': the name is already used by "
                           "population 'a'"));
  CHECK(lineCount(M) == 1);
}

TEST_CASE("sizes and shapes", "[network]") {
  nc::Network Net = validNetwork();
  Net.Populations[0].Size = 0;
  Net.Populations[1].Shape = {2, 2, 2};
  Net.Populations[1].Loc = at(4, 7);
  std::string M = problems(Net);
  CHECK_THAT(M, Contains("population 'a': error: size is 0; give at least one neuron"));
  CHECK_THAT(M, Contains("net.yaml:4:7: error: population 'b': shape (2, 2, 2) holds 8 neurons "
                         "but the size is 6"));
}

TEST_CASE("models and parameters are checked against the registry", "[network]") {
  nc::Network Net;
  Net.addPopulation("typo", 1, nc::NeuronModel("lifx", {})).Loc = at(3, 5);
  Net.addPopulation("param", 1, nc::NeuronModel("lif", {{"tau", 0.02}, {"v_th", 1}, {"tau_m", 1}}))
      .Model.Loc = at(8, 12);
  Net.addPopulation("missing", 1, nc::NeuronModel("if", {}));
  Net.addPopulation(
      "range", 1, nc::NeuronModel("loihi_cuba_lif", {{"du", 5000}, {"dv", 2.5}, {"vth_mant", 10}}));
  Net.addPopulation("both", 1, nc::NeuronModel("li", {{"tau", 0.01}, {"dv", 30}}));
  std::string M = problems(Net);
  CHECK_THAT(M, Contains("net.yaml:3:5: error: population 'typo': unknown neuron model 'lifx' "
                         "(did you mean 'lif'?); known models: loihi_cuba_lif, lif, if, li, "
                         "truenorth"));
  CHECK_THAT(M, Contains("net.yaml:8:12: error: population 'param': model 'lif' has no "
                         "parameter 'tau' (did you mean 'tau_m'?); its parameters are tau_m, "
                         "tau_syn, v_th, bias, refractory"));
  CHECK_THAT(M, Contains("population 'missing': error: model 'if' needs parameter 'threshold'"));
  CHECK_THAT(M, Contains("population 'range': error: parameter 'du' of model 'loihi_cuba_lif' "
                         "is 5000, out of range [0, 4095]"));
  CHECK_THAT(M, Contains("population 'range': error: parameter 'dv' of model 'loihi_cuba_lif' "
                         "must be an integer, got 2.5"));
  CHECK_THAT(M, Contains("population 'both': error: model 'li' takes tau or dv, not both"));
  CHECK(lineCount(M) == 6); // every problem, in one error
}

TEST_CASE("probes name the model's state variables", "[network]") {
  nc::Network Net;
  Net.addPopulation("cuba", 2,
                    nc::NeuronModel("loihi_cuba_lif", {{"du", 1}, {"dv", 1}, {"vth_mant", 1}}))
      .Probes = {"u", "v"};
  Net.addPopulation("alif", 1,
                    nc::NeuronModel("adaptive_lif", {{"du", 1},
                                                     {"dv", 1},
                                                     {"vth_mant", 1},
                                                     {"dth", 1},
                                                     {"th_step", 1}}))
      .Probes = {"theta"};
  Net.addPopulation("ro", 1, nc::NeuronModel("li", {})).Probes = {"v"};
  CHECK(problems(Net) == "");

  auto &Typo = Net.addPopulation("typo", 1, ifModel());
  Typo.Probes = {"vv", "theta"};
  Typo.Loc = at(7, 3);
  Net.addPopulation("twice", 1, nc::NeuronModel("li", {})).Probes = {"v", "v"};
  std::string M = problems(Net);
  CHECK_THAT(M, Contains("net.yaml:7:3: error: population 'typo': cannot probe 'vv': model 'if' "
                         "has no state variable of that name (did you mean 'v'?); its variables "
                         "are v"));
  CHECK_THAT(M, Contains("net.yaml:7:3: error: population 'typo': cannot probe 'theta': model "
                         "'if' has no state variable of that name; its variables are v"));
  CHECK_THAT(M, Contains("population 'twice': error: 'v' appears twice in probes; probe each "
                         "variable once"));
  CHECK(lineCount(M) == 3);
}

TEST_CASE("the registry's variables are the programs' state words", "[network]") {
  // Independent of the table: the layouts NeuronPrograms.h fixes.
  auto Word = [](const char *Model, const char *Var) -> int {
    const nc::ModelVariable *V = nc::findVariable(*nc::findModel(Model), Var);
    return V ? int(V->StateWord) : -1;
  };
  CHECK(Word("loihi_cuba_lif", "u") == 0);
  CHECK(Word("loihi_cuba_lif", "v") == 1);
  CHECK(Word("lif", "u") == 0);
  CHECK(Word("lif", "v") == 1);
  CHECK(Word("adaptive_lif", "u") == 0);
  CHECK(Word("adaptive_lif", "v") == 1);
  CHECK(Word("adaptive_lif", "theta") == 3);
  CHECK(Word("if", "v") == 0);
  CHECK(Word("li", "v") == 0);
  CHECK(Word("truenorth", "v") == 0);
  CHECK(Word("if", "u") == -1);
  for (const nc::ModelInfo &M : nc::neuronModels())
    CHECK(M.Variables.size() >= 1);
}

TEST_CASE("projections must name existing elements", "[network]") {
  nc::Network Net = validNetwork();
  Net.addProjection("inn", "a", nc::Connector::oneToOne()).Loc = at(20, 3);
  Net.addProjection("a", "in", nc::Connector::allToAll()).Loc = at(21, 3);
  Net.addProjection("a", "zzz", nc::Connector::allToAll());
  std::string M = problems(Net);
  CHECK_THAT(M, Contains("net.yaml:20:3: error: projection 'inn->a': pre 'inn' names no "
                         "population or source (did you mean 'in'?)"));
  CHECK_THAT(M, Contains("net.yaml:21:3: error: projection 'a->in': post 'in' is a spike "
                         "source; a projection must end at a population"));
  CHECK_THAT(M, Contains("projection 'a->zzz': error: post 'zzz' names no population"));
  CHECK(lineCount(M) == 3);
}

TEST_CASE("readouts cannot drive projections", "[network]") {
  nc::Network Net = validNetwork();
  Net.addPopulation("out", 4, nc::NeuronModel("li", {{"dv", 100}}));
  Net.addProjection("a", "out", nc::Connector::oneToOne());
  Net.addProjection("out", "a", nc::Connector::oneToOne());
  CHECK_THAT(problems(Net), Contains("projection 'out->a': error: pre 'out' uses the "
                                     "non-spiking model 'li' (a readout) and never fires"));
}

TEST_CASE("connector parameters", "[network]") {
  nc::Network Net = validNetwork();
  auto Add = [&](const char *Pre, const char *Post, nc::Connector C,
                 unsigned Line) -> nc::Projection & {
    C.Loc = at(Line, 9);
    return Net.addProjection(Pre, Post, C);
  };
  Add("a", "b", nc::Connector::oneToOne(), 30);
  Add("a", "b", nc::Connector::fixedProbability(1.5, 1), 31);
  Add("a", "b", nc::Connector::fixedFanIn(5, 1), 32);
  auto &Self = Add("a", "a", nc::Connector::fixedFanIn(4, 1), 33);
  Self.Conn.AllowSelf = false;
  Add("a", "b",
      nc::Connector::list({{0, 1, 1.0, 1}, {4, 0, 1.0, 1}, {0, 6, 1.0, 1}, {1, 1, 1.0, 0}}), 34);
  Add("a", "b", nc::Connector::matrix(std::vector<double>(23, 1.0)), 35);
  std::string M = problems(Net);
  CHECK_THAT(M, Contains("net.yaml:30:9: error: projection 'a->b': one_to_one needs pre and "
                         "post of the same size, but pre 'a' has 4 neurons and post 'b' has 6"));
  CHECK_THAT(M, Contains("net.yaml:31:9: error: projection 'a->b': probability 1.5 is out of "
                         "range [0, 1]"));
  CHECK_THAT(M, Contains("net.yaml:32:9: error: projection 'a->b': fan_in 5 exceeds the 4 "
                         "distinct pre neurons available from 'a'; use at most 4"));
  CHECK_THAT(M, Contains("net.yaml:33:9: error: projection 'a->a': fan_in 4 exceeds the 3 "
                         "distinct pre neurons available (no self-connections)"));
  CHECK_THAT(M, Contains("net.yaml:34:9: error: projection 'a->b': synapse 1 (pre 4, post 0): "
                         "pre index 4 is out of range: 'a' has 4 neurons"));
  CHECK_THAT(M, Contains("synapse 2 (pre 0, post 6): post index 6 is out of range: 'b' has 6 "
                         "neurons"));
  CHECK_THAT(M, Contains("synapse 3 (pre 1, post 1): delay 0 is out of range [1, 64] steps"));
  CHECK_THAT(M, Contains("net.yaml:35:9: error: projection 'a->b': matrix has 23 entries but "
                         "pre 'a' x post 'b' is 4 x 6 = 24"));
  CHECK(lineCount(M) == 8);
}

TEST_CASE("convolution and pooling shapes chain", "[network]") {
  nc::Network Net;
  Net.addSource("img", 2 * 8 * 8, nc::SpikeSource::external()).Shape = {2, 8, 8};
  Net.addPopulation("c1", 4 * 3 * 3, ifModel()).Shape = {4, 3, 3};
  Net.addPopulation("flat", 10, ifModel());
  Net.addPopulation("p1", 2 * 4 * 4, ifModel()).Shape = {2, 4, 4};
  Net.addPopulation("p2", 3 * 4 * 4, ifModel()).Shape = {3, 4, 4};

  nc::Connector Conv;
  Conv.K = nc::Connector::Kind::Conv2d;
  Conv.KernelH = Conv.KernelW = 3;
  Conv.StrideH = Conv.StrideW = 2;
  Conv.PadH = Conv.PadW = 1;
  Conv.Kernel.assign(4 * 2 * 3 * 3, 1.0);
  Conv.Loc = at(40, 5);
  // (8 + 2 - 3) / 2 + 1 = 4, so c1 should be (4, 4, 4), not (4, 3, 3).
  Net.addProjection("img", "c1", Conv);
  nc::Connector BadKernel = Conv;
  BadKernel.Kernel.resize(10);
  BadKernel.Loc = at(41, 5);
  BadKernel.StrideH = BadKernel.StrideW = 3; // (10 - 3) / 3 + 1 = 3: shape right
  Net.addProjection("img", "c1", BadKernel);
  nc::Connector NoShape = Conv;
  NoShape.Loc = at(42, 5);
  Net.addProjection("img", "flat", NoShape);
  nc::Connector Pool;
  Pool.K = nc::Connector::Kind::Pool2d;
  Pool.KernelH = Pool.KernelW = 2;
  Pool.StrideH = Pool.StrideW = 2;
  Pool.Loc = at(43, 5);
  Net.addProjection("img", "p1", Pool); // right
  Pool.Loc = at(44, 5);
  Net.addProjection("img", "p2", Pool); // pooling keeps the 2 channels
  nc::Connector Huge = Pool;
  Huge.KernelH = 11;
  Huge.Loc = at(45, 5);
  Net.addProjection("img", "p1", Huge);

  std::string M = problems(Net);
  CHECK_THAT(M, Contains("net.yaml:40:5: error: projection 'img->c1': conv2d of pre 'img' "
                         "(shape (2, 8, 8)) with kernel 3x3, stride 2x2, padding 1x1 gives "
                         "shape (4, 4, 4), but post 'c1' has shape (4, 3, 3); expected (4, 4, 4)"));
  CHECK_THAT(M, Contains("net.yaml:41:5: error: projection 'img->c1': conv2d kernel has 10 "
                         "values but [out_channels 4][in_channels 2][3][3] needs 72"));
  CHECK_THAT(M, Contains("net.yaml:42:5: error: projection 'img->flat': conv2d needs post "
                         "'flat' to have a 3-dimensional shape (channels, height, width); it "
                         "has none"));
  CHECK_THAT(M, Contains("net.yaml:44:5: error: projection 'img->p2': pool2d of pre 'img' "
                         "(shape (2, 8, 8)) with kernel 2x2, stride 2x2, padding 0x0 gives "
                         "shape (2, 4, 4), but post 'p2' has shape (3, 4, 4)"));
  CHECK_THAT(M, Contains("net.yaml:45:5: error: projection 'img->p1': pool2d kernel 11x2 is "
                         "larger than the padded input 8x8"));
  CHECK_THAT(M, !Contains("net.yaml:43:5"));
  CHECK(lineCount(M) == 5);
}

TEST_CASE("weights and delays", "[network]") {
  nc::Network Net = validNetwork();
  auto &P1 =
      Net.addProjection("a", "b", nc::Connector::allToAll(), nc::WeightSpec::uniform(2, 1, 0));
  P1.Weight.Loc = at(50, 11);
  auto &P2 = Net.addProjection("a", "b", nc::Connector::allToAll(),
                               nc::WeightSpec::normal(0, -1, 0), nc::DelaySpec::constant(0));
  P2.Loc = at(51, 3);
  auto &P3 = Net.addProjection("a", "b", nc::Connector::allToAll(), nc::WeightSpec::constant(1),
                               nc::DelaySpec::uniform(3, 2, 0));
  P3.Delay.Loc = at(52, 11);
  Net.addProjection("a", "b", nc::Connector::allToAll(), nc::WeightSpec::constant(1),
                    nc::DelaySpec::constant(65));
  std::string M = problems(Net);
  CHECK_THAT(M, Contains("net.yaml:50:11: error: projection 'a->b': uniform weights need finite "
                         "low <= high, got [2, 1]"));
  CHECK_THAT(M, Contains("net.yaml:51:3: error: projection 'a->b': normal weights need a finite "
                         "mean and std >= 0, got mean 0, std -1"));
  CHECK_THAT(M,
             Contains("net.yaml:51:3: error: projection 'a->b': delays must be at least 1 step"));
  CHECK_THAT(M, Contains("net.yaml:52:11: error: projection 'a->b': uniform delays need low <= "
                         "high, got [3, 2]"));
  CHECK_THAT(M, Contains("projection 'a->b': error: delay 65 exceeds 64 steps, the longest any "
                         "architecture holds"));
  CHECK(lineCount(M) == 5);
}

TEST_CASE("spike sources", "[network]") {
  nc::Network Net = validNetwork();
  Net.addSource("fast", 2, nc::SpikeSource::poisson(2000, 1)).Loc = at(60, 3);
  Net.addSource("never", 2, nc::SpikeSource::regular(0));
  Net.addSource("listed", 3, nc::SpikeSource::list({{0, 1}, {2, 3}, {0, 1}}));
  std::string M = problems(Net);
  CHECK_THAT(M, Contains("net.yaml:60:3: error: source 'fast': rate 2000 Hz with dt 0.001 s is a "
                         "probability of 2 per step; the rate can be at most 1/dt = 1000 Hz"));
  CHECK_THAT(M, Contains("source 'never': error: period must be at least 1 step"));
  CHECK_THAT(M, Contains("source 'listed': error: spike at step 2 has index 3, but the source "
                         "has 3 neurons (indices 0..2)"));
  CHECK_THAT(M, Contains("source 'listed': error: spike (step 0, index 1) is listed twice"));
  CHECK(lineCount(M) == 4);

  nc::Network Bad = validNetwork();
  Bad.Dt = 0;
  CHECK_THAT(problems(Bad), Contains("network 'ok': error: dt must be a positive number of "
                                     "seconds, got 0"));
}

TEST_CASE("truenorth projections need an axon type, others none", "[network]") {
  nc::Network Net = validNetwork();
  Net.addPopulation("tn", 4, nc::NeuronModel("truenorth", {{"alpha", 3}, {"w0", 1}}));
  Net.addProjection("a", "tn", nc::Connector::oneToOne()).Loc = at(70, 3);
  auto &Wrong = Net.addProjection("a", "tn", nc::Connector::oneToOne());
  Wrong.AxonType = 4;
  auto &Ok = Net.addProjection("a", "tn", nc::Connector::oneToOne());
  Ok.AxonType = 2;
  Net.addProjection("a", "b", nc::Connector::allToAll()).AxonType = 1;
  std::string M = problems(Net);
  CHECK_THAT(M, Contains("net.yaml:70:3: error: projection 'a->tn': projections onto truenorth "
                         "population 'tn' need an axon type 0..3 (it selects the post neuron's "
                         "weight w0..w3)"));
  CHECK_THAT(M, Contains("need an axon type 0..3 (it selects the post neuron's weight w0..w3), "
                         "got 4"));
  CHECK_THAT(M, Contains("projection 'a->b': error: axon type applies only to projections onto "
                         "truenorth populations; 'b' uses model 'lif'"));
  CHECK(lineCount(M) == 3);
}
