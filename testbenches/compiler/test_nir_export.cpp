//===- test_nir_export.cpp - network IR -> NIR graph and file -------------===//
//
// The mapping (hand-worked parameters of every model, dense weights, delay
// nodes, outputs), the errors for what NIR cannot express, and the file:
// the independent checker testbenches/reference/nir_check.py (written from
// the NIR spec and the reference reader) must accept every exported file,
// and h5py must read back the values the graph holds.
//
//===----------------------------------------------------------------------===//
#include "NirTestUtil.h"
#include "RandomNetwork.h"

#include "neuromesh/compiler/HardwareNetwork.h"
#include "neuromesh/compiler/NetworkYaml.h"
#include "neuromesh/compiler/Nir.h"
#include "neuromesh/compiler/NirExport.h"
#include "neuromesh/compiler/ReferenceSimulator.h"
#include "neuromesh/isa/Architecture.h"
#include "neuromesh/isa/Error.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <sys/wait.h>
#include <unistd.h>

using namespace neuromesh;
using namespace neuromesh::compiler;

namespace {

namespace fs = std::filesystem;

struct TempDir {
  fs::path Dir;
  TempDir() {
    char Template[] = "/tmp/nm_nir_export_XXXXXX";
    const char *P = ::mkdtemp(Template);
    REQUIRE(P != nullptr);
    Dir = P;
  }
  ~TempDir() { fs::remove_all(Dir); }
  std::string operator/(const std::string &Name) const { return (Dir / Name).string(); }
};

const std::string Checker = std::string(NM_SOURCE_DIR) + "/testbenches/reference/nir_check.py";

bool havePythonH5py() {
  static const bool Have =
      std::system("/usr/bin/python3 -c 'import h5py, numpy' > /dev/null 2>&1") == 0;
  return Have;
}

/// Runs a command; returns its exit code and puts stdout+stderr in Out.
int run(const std::string &Cmd, std::string &Out) {
  std::string Full = Cmd + " 2>&1";
  FILE *P = ::popen(Full.c_str(), "r");
  REQUIRE(P != nullptr);
  char Buf[4096];
  Out.clear();
  while (size_t N = std::fread(Buf, 1, sizeof Buf, P))
    Out.append(Buf, N);
  int Status = ::pclose(P);
  return WIFEXITED(Status) ? WEXITSTATUS(Status) : -1;
}

const nir::Node &node(const nir::Graph &G, const std::string &Name) {
  for (const nir::Node &N : G.Nodes)
    if (N.Name == Name)
      return N;
  FAIL("no node '" << Name << "'");
  throw;
}

std::vector<double> values(const nir::Node &N, const std::string &Key) {
  auto It = N.Data.find(Key);
  REQUIRE(It != N.Data.end());
  REQUIRE(It->second.K == nir::Array::Kind::Float);
  return It->second.Floats;
}

bool hasEdge(const nir::Graph &G, const std::string &A, const std::string &B) {
  for (const nir::Edge &E : G.Edges)
    if (E.Source == A && E.Target == B)
      return true;
  return false;
}

/// Every element equals V within a relative 1e-9 (hand-worked to 10 digits).
void allNear(const std::vector<double> &Got, double V, size_t N) {
  REQUIRE(Got.size() == N);
  for (double X : Got)
    CHECK(X == Approx(V).epsilon(1e-9));
}

/// One network with every exportable model, hand-worked below.
Network tourNetwork() {
  Network Net;
  Net.Name = "tour";
  Net.Dt = 1e-3;
  Net.addSource("in", 2, SpikeSource::external());
  Net.addPopulation(
      "a", 3,
      NeuronModel("lif", {{"tau_m", 20e-3}, {"tau_syn", 5e-3}, {"v_th", 1.0}, {"bias", 0.1}}));
  Net.addPopulation("b", 1, NeuronModel("lif", {{"tau_m", 10e-3}, {"v_th", 2.0}}));
  Net.addPopulation("c", 2, NeuronModel("if", {{"threshold", 3}, {"bias", 1}}));
  Population &D = Net.addPopulation("d", 2, NeuronModel("li", {}));
  D.Record = false;
  D.Probes = {"v"};
  Population &E = Net.addPopulation("e", 1, NeuronModel("li", {{"dv", 512}}));
  E.Record = false; // no probes either: no Output node
  Net.addPopulation(
      "f", 1,
      NeuronModel(
          "loihi_cuba_lif",
          {{"du", 1024}, {"dv", 256}, {"vth_mant", 100}, {"bias_mant", 64}, {"bias_exp", 2}}));
  // Matrix rows are pre neurons: in0 -> a0 (0.5), in1 -> a1 (0.25), a2 (-1).
  Net.addProjection("in", "a", Connector::matrix({0.5, 0, 0, 0, 0.25, -1}));
  Net.addProjection("in", "c", Connector::oneToOne(), WeightSpec::constant(2));
  Net.addProjection("a", "b", Connector::allToAll(), WeightSpec::constant(0.3),
                    DelaySpec::constant(3));
  Net.addProjection("c", "d", Connector::list({{0, 1, 4, 1}, {1, 1, -2, 2}, {1, 0, 5, 2}}));
  Net.addProjection("b", "e", Connector::allToAll(), WeightSpec::constant(7));
  Net.addProjection("b", "f", Connector::allToAll(), WeightSpec::constant(9));
  return Net;
}

} // namespace

TEST_CASE("NIR export: every model maps to its NIR node with hand-worked parameters",
          "[nir-export]") {
  NirExportResult R;
  nir::Graph G = exportNirGraph(tourNetwork(), {}, R);
  CHECK(R.Dt == 1e-3);
  CHECK(R.ResetMode == "zero");

  // a: lif with tau_syn. a = 1 - exp(-1/20) = 0.04877057549928599,
  // b = 1 - exp(-1/5) = 0.18126924692201818.
  const nir::Node &A = node(G, "a");
  CHECK(A.Type == "CubaLIF");
  allNear(values(A, "tau_mem"), 0.020504166493, 3);  // 1e-3 / a
  allNear(values(A, "r"), 20.504166493, 3);          // 1 / a
  allNear(values(A, "v_leak"), 2.0504166493, 3);     // bias / a
  allNear(values(A, "tau_syn"), 0.0055166555661, 3); // 1e-3 / b
  allNear(values(A, "w_in"), 5.5166555661, 3);       // 1 / b
  allNear(values(A, "v_threshold"), 1.0, 3);
  allNear(values(A, "v_reset"), 0.0, 3);

  // b: lif without tau_syn: LIF, a = 1 - exp(-1/10) = 0.09516258196404048.
  const nir::Node &B = node(G, "b");
  CHECK(B.Type == "LIF");
  allNear(values(B, "tau"), 0.010508331945, 1);
  allNear(values(B, "r"), 10.508331945, 1);
  allNear(values(B, "v_leak"), 0.0, 1);
  allNear(values(B, "v_threshold"), 2.0, 1);

  // c: if, threshold 3 (v >= 3 on integers is v > 2.5), r = 1/dt; its bias
  // rides on the Affine from in.
  const nir::Node &C = node(G, "c");
  CHECK(C.Type == "IF");
  allNear(values(C, "r"), 1000.0, 2);
  allNear(values(C, "v_threshold"), 2.5, 2);
  const nir::Node &InC = node(G, "in_to_c");
  CHECK(InC.Type == "Affine");
  CHECK(values(InC, "weight") == std::vector<double>{2, 0, 0, 2});
  allNear(values(InC, "bias"), 1.0, 2);

  // d: li without leak: an integrator. e: li with dv = 512: a = 1/8.
  CHECK(node(G, "d").Type == "I");
  allNear(values(node(G, "d"), "r"), 1000.0, 2);
  const nir::Node &E = node(G, "e");
  CHECK(E.Type == "LI");
  allNear(values(E, "tau"), 8e-3, 1);
  allNear(values(E, "r"), 8.0, 1);

  // f: loihi_cuba_lif in units of 2^6: a = 256/4096, b = 1024/4096, bias
  // 64 * 2^2 / 64 = 4 per step = v_leak * a.
  const nir::Node &F = node(G, "f");
  CHECK(F.Type == "CubaLIF");
  allNear(values(F, "tau_mem"), 0.016, 1);
  allNear(values(F, "tau_syn"), 0.004, 1);
  allNear(values(F, "r"), 16.0, 1);
  allNear(values(F, "w_in"), 4.0, 1);
  allNear(values(F, "v_leak"), 64.0, 1);
  allNear(values(F, "v_threshold"), 100.0, 1);

  // Weights (post, pre): the matrix transposed.
  const nir::Node &InA = node(G, "in_to_a");
  CHECK(InA.Type == "Linear");
  CHECK(InA.Data.at("weight").Shape == std::vector<uint64_t>{3, 2});
  CHECK(values(InA, "weight") == std::vector<double>{0.5, 0, 0, 0.25, 0, -1});
  CHECK(hasEdge(G, "in", "in_to_a"));
  CHECK(hasEdge(G, "in_to_a", "a"));

  // Delay 3: the synaptic layer's one step plus a Delay node of 2 steps.
  CHECK(node(G, "a_to_b").Type == "Linear");
  allNear(values(node(G, "a_to_b_delay"), "delay"), 2e-3, 1);
  CHECK(hasEdge(G, "a", "a_to_b"));
  CHECK(hasEdge(G, "a_to_b", "a_to_b_delay"));
  CHECK(hasEdge(G, "a_to_b_delay", "d") == false);
  CHECK(hasEdge(G, "a_to_b_delay", "b"));

  // Mixed delays: one Linear per delay; only delay 2 gets a Delay node.
  CHECK(values(node(G, "c_to_d_d1"), "weight") == std::vector<double>{0, 0, 4, 0});
  CHECK(values(node(G, "c_to_d_d2"), "weight") == std::vector<double>{0, 5, 0, -2});
  CHECK(hasEdge(G, "c_to_d_d1", "d"));
  CHECK(hasEdge(G, "c_to_d_d2", "c_to_d_d2_delay"));
  allNear(values(node(G, "c_to_d_d2_delay"), "delay"), 1e-3, 2);

  // Outputs: recorded populations and the probed readout d; not e.
  for (const char *P : {"a", "b", "c", "d", "f"})
    CHECK(hasEdge(G, P, std::string(P) + "_output"));
  for (const nir::Node &N : G.Nodes)
    CHECK(N.Name != "e_output");
  CHECK(node(G, "in").Type == "Input");
  CHECK(node(G, "in").Data.at("shape").Ints == std::vector<int64_t>{2});
}

TEST_CASE("NIR export: --dt rescales time constants, not per-step behaviour", "[nir-export]") {
  NirExportOptions O;
  O.Dt = 1e-4;
  NirExportResult R;
  nir::Graph G = exportNirGraph(tourNetwork(), O, R);
  CHECK(R.Dt == 1e-4);
  // The same per-step factor a, written for a step of 1e-4 s.
  allNear(values(node(G, "a"), "tau_mem"), 0.0020504166493, 3);
  allNear(values(node(G, "a"), "r"), 20.504166493, 3);
  allNear(values(node(G, "c"), "r"), 1e4, 2);
  allNear(values(node(G, "a_to_b_delay"), "delay"), 2e-4, 1);
}

TEST_CASE("NIR export: what NIR cannot express is one error naming each element", "[nir-export]") {
  Network Net;
  Net.Dt = 1e-3;
  Net.addSource("in", 2, SpikeSource::external());
  Net.addPopulation("tn", 2, NeuronModel("truenorth", {{"alpha", 2}, {"w0", 1}}));
  Net.addPopulation(
      "adapt", 2,
      NeuronModel("adaptive_lif",
                  {{"du", 100}, {"dv", 100}, {"vth_mant", 10}, {"dth", 10}, {"th_step", 64}}));
  Net.addPopulation("refr", 2,
                    NeuronModel("lif", {{"tau_m", 0.02}, {"v_th", 1}, {"refractory", 2e-3}}));
  Net.addPopulation("frozen", 2,
                    NeuronModel("loihi_cuba_lif", {{"du", 0}, {"dv", 10}, {"vth_mant", 5}}));
  Net.addPopulation("sub", 2, NeuronModel("if", {{"threshold", 2}, {"reset", 1}}));
  Net.addPopulation("biased", 2, NeuronModel("if", {{"threshold", 2}, {"bias", 1}}));
  Net.addProjection("in", "tn", Connector::oneToOne(), WeightSpec::constant(1)).AxonType = 0;
  Net.addProjection("in", "biased", Connector::oneToOne(), WeightSpec::constant(1),
                    DelaySpec::constant(2));
  try {
    NirExportResult R;
    exportNirGraph(Net, {}, R);
    FAIL("expected an error");
  } catch (const Error &E) {
    std::string M = E.what();
    INFO(M);
    CHECK(M.find("population 'tn' (model truenorth): error: TrueNorth neurons") !=
          std::string::npos);
    CHECK(M.find("projection 'in->tn': error: TrueNorth axon types") != std::string::npos);
    CHECK(M.find("population 'adapt' (model adaptive_lif): error: NIR has no adaptive-threshold") !=
          std::string::npos);
    CHECK(M.find("population 'refr' (model lif): error: has a refractory period of 2 steps") !=
          std::string::npos);
    CHECK(M.find("population 'frozen' (model loihi_cuba_lif): error: du = 0") != std::string::npos);
    // lif resets to zero first, so the subtracting if is the odd one out.
    CHECK(
        M.find("population 'sub': error: resets by subtracting the threshold but population 'refr' "
               "resets by setting v") != std::string::npos);
    CHECK(
        M.find("population 'biased' (model if): error: has bias 1 but no incoming projection with "
               "delay 1") != std::string::npos);
  }
}

TEST_CASE("NIR export: a failed export leaves the previous file untouched", "[nir-export]") {
  TempDir T;
  const std::string Path = T / "net.nir";
  { std::ofstream(Path) << "previous"; }
  Network Net = tourNetwork();
  Net.Populations[1].Model.Params["refractory"] = 5e-3;
  CHECK_THROWS_AS(exportNir(Net, Path), Error);
  std::ifstream In(Path);
  std::string Text((std::istreambuf_iterator<char>(In)), std::istreambuf_iterator<char>());
  CHECK(Text == "previous");
  CHECK(std::distance(fs::directory_iterator(T.Dir), fs::directory_iterator()) == 1);
}

TEST_CASE("NIR export: the reference reader's checks accept the file and h5py reads back "
          "the graph",
          "[nir-export][python]") {
  if (!havePythonH5py()) {
    WARN("skipped: /usr/bin/python3 with h5py is not available, so exported files were NOT "
         "checked against the NIR reader's rules");
    return;
  }
  TempDir T;
  const std::string Path = T / "tour.nir";
  NirExportResult R = exportNir(tourNetwork(), Path);
  std::string Out;
  int Exit = run("/usr/bin/python3 '" + Checker + "' '" + Path + "'", Out);
  INFO("nir_check.py says: " << Out);
  REQUIRE(Exit == 0);

  // Every dataset as h5py reads it: "node key dtype shape v0 v1 ...".
  std::string Dump;
  REQUIRE(run("/usr/bin/python3 -c \"\nimport h5py, sys\n"
              "f = h5py.File(sys.argv[1], 'r')\n"
              "print('version', f['version'][()].decode())\n"
              "print('edges', len(f['node/edges']))\n"
              "for n, g in f['node/nodes'].items():\n"
              "  for k, d in g.items():\n"
              "    if k == 'type': print(n, k, d[()].decode()); continue\n"
              "    print(n, k, d.dtype, list(d.shape), ' '.join(repr(float(x)) for x in "
              "d[()].ravel()))\n"
              "\" '" +
                  Path + "'",
              Dump) == 0);
  NirExportResult R2;
  nir::Graph G = exportNirGraph(tourNetwork(), {}, R2);
  std::istringstream In(Dump);
  std::string Line;
  std::getline(In, Line);
  CHECK(Line == "version 1.0.0");
  std::getline(In, Line);
  CHECK(Line == "edges " + std::to_string(G.Edges.size()));
  size_t Datasets = 0, Types = 0;
  while (std::getline(In, Line)) {
    std::istringstream L(Line);
    std::string Name, Key;
    L >> Name >> Key;
    const nir::Node &N = node(G, Name);
    if (Key == "type") {
      std::string Type;
      L >> Type;
      CHECK(Type == N.Type);
      ++Types;
      continue;
    }
    const nir::Array &A = N.Data.at(Key);
    std::string DType, ShapeText;
    L >> DType;
    std::getline(L, ShapeText, ']');
    CHECK(DType == (A.K == nir::Array::Kind::Int ? "int64" : "float64"));
    std::vector<double> Got;
    double X;
    while (L >> X)
      Got.push_back(X);
    if (A.K == nir::Array::Kind::Int)
      CHECK(Got == std::vector<double>(A.Ints.begin(), A.Ints.end()));
    else
      CHECK(Got == A.Floats); // repr round-trips doubles exactly
    ++Datasets;
  }
  size_t Expected = 0;
  for (const nir::Node &N : G.Nodes)
    Expected += N.Data.size();
  CHECK(Types == G.Nodes.size());
  CHECK(Datasets == Expected);
}

namespace {

/// Removes what NIR cannot express: refractory periods, subtractive resets,
/// biases of if populations (they need an incoming projection of delay 1).
void makeExpressible(Network &Net) {
  for (Population &P : Net.Populations) {
    P.Model.Params.erase("refractory");
    if (P.Model.Kind == "if") {
      P.Model.Params["reset"] = 0;
      P.Model.Params["bias"] = 0;
    }
  }
}

} // namespace

TEST_CASE("NIR export: example and generated networks pass the reference reader's checks",
          "[nir-export][python]") {
  TempDir T;
  std::vector<std::string> Files;
  // The examples as written: each has something NIR cannot express.
  const std::map<std::string, std::string> Why = {
      {"feedforward", "population 'out' (model lif): has a refractory period of 2 steps"},
      {"ei_balanced", "population 'exc' (model lif): has a refractory period of 2 steps"},
      {"conv", "population 'classes': resets by subtracting the threshold but population "
               "'features' resets by setting v"}};
  for (const auto &[Name, Expected] : Why) {
    Network Net =
        loadNetworkYaml(std::string(NM_SOURCE_DIR) + "/examples/networks/" + Name + ".yaml");
    try {
      exportNir(Net, T / (Name + ".nir"));
      FAIL(Name << " exported although it should not");
    } catch (const Error &E) {
      INFO(E.what());
      CHECK(std::string(E.what()).find(Expected) != std::string::npos);
    }
    makeExpressible(Net);
    Files.push_back(T / (Name + ".nir"));
    NirExportResult R = exportNir(Net, Files.back());
    CHECK(R.Nodes > Net.Populations.size());
  }
  testing::RandomNetworkOptions O;
  O.Models = {"if", "lif", "loihi_cuba_lif"};
  for (uint64_t Seed = 1; Seed <= 30; ++Seed) {
    Network Net = testing::makeRandomNetwork(Seed, O);
    makeExpressible(Net);
    for (Population &P : Net.Populations) // du = dv = 0 never drawn, but be sure
      if (P.Model.Kind == "loihi_cuba_lif")
        REQUIRE(P.Model.Params.at("du") > 0);
    Files.push_back(T / ("random" + std::to_string(Seed) + ".nir"));
    exportNir(Net, Files.back());
  }
  if (!havePythonH5py()) {
    WARN("skipped: /usr/bin/python3 with h5py is not available, so exported files were NOT "
         "checked against the NIR reader's rules");
    return;
  }
  std::string Cmd = "/usr/bin/python3 '" + Checker + "'";
  for (const std::string &F : Files)
    Cmd += " '" + F + "'";
  std::string Out;
  int Exit = run(Cmd, Out);
  INFO(Out);
  CHECK(Exit == 0);
  CHECK(std::count(Out.begin(), Out.end(), '\n') == long(Files.size()));
}

TEST_CASE("NIR export: the checker rejects what the reference reader rejects",
          "[nir-export][python]") {
  if (!havePythonH5py()) {
    WARN("skipped: /usr/bin/python3 with h5py is not available");
    return;
  }
  // The fixtures: nir.read type-checks every edge, so the Rockpool file
  // (Output [1,1,1] after a LIF [1]) and the subgraph files (dangling edges)
  // fail; the other five load (../shared/reference/nir.md).
  const std::string Dir = testing::nirFixture("");
  REQUIRE(fs::exists(Dir));
  // One checker run over all files (a Python start costs about a second
  // on a loaded machine); each problem line starts with its file's path.
  std::string Out, Cmd = "/usr/bin/python3 '" + Checker + "'";
  for (const char *F :
       {"lif_norse", "two_lif_neurons", "cnn_sinabs", "braille_noDelay_bias_zero",
        "braille_noDelay_noBias_subtract", "lif_rockpool", "braille_noDelay_bias_zero_subgraph"})
    Cmd += " '" + Dir + F + ".nir'";
  int Exit = run(Cmd, Out);
  INFO(Out);
  CHECK(Exit == 1);
  for (const char *Good : {"lif_norse", "two_lif_neurons", "cnn_sinabs",
                           "braille_noDelay_bias_zero", "braille_noDelay_noBias_subtract"})
    CHECK(Out.find(Dir + Good + ".nir: ok\n") != std::string::npos);
  CHECK(Out.find(Dir + "lif_rockpool.nir:/node/edges: type mismatch: 1_LIFNeuronTorch.output [1] "
                       "-> output.input [1, 1, 1]") != std::string::npos);
  CHECK(Out.find(Dir + "braille_noDelay_bias_zero_subgraph.nir:/node/nodes/lif1/edges: edge "
                       "('input', 'lif') names node 'lif', which does not exist") !=
        std::string::npos);

  // Copies of a file of ours, each broken in one way nir.read notices.
  TempDir T;
  const std::string Path = T / "tour.nir";
  exportNir(tourNetwork(), Path);
  const char *Breakages[][2] = {
      {"del f['node/nodes/a/r']", "/node/nodes/a: CubaLIF needs 'r'"},
      {"f['node/nodes/a/bogus'] = 1.0", "/node/nodes/a/bogus: unknown key for CubaLIF"},
      {"del f['node/nodes/b/tau']; f['node/nodes/b/tau'] = [1.0, 2.0]",
       "/node/nodes/b: parameters must share one shape"},
      {"del f['node/nodes/in/shape']; f['node/nodes/in/shape'] = [2.0]",
       "/node/nodes/in/shape: must be int64, is float64"},
      {"del f['node/nodes/in/type']; f['node/nodes/in/type'] = numpy.bytes_(b'Input')",
       "/node/nodes/in/type: must be a variable-length UTF-8 string"},
      {"del f['node/nodes/in_to_a/weight']; f['node/nodes/in_to_a/weight'] = numpy.ones((3, 5))",
       "/node/edges: type mismatch: in.output [2] -> in_to_a.input [5]"},
  };
  std::string Script = "import h5py, numpy\n", Check = "/usr/bin/python3 '" + Checker + "'";
  for (size_t K = 0; K < std::size(Breakages); ++K) {
    std::string Copy = T / ("broken" + std::to_string(K) + ".nir");
    fs::copy_file(Path, Copy);
    Script += "f = h5py.File('" + Copy + "', 'r+')\n" + Breakages[K][0] + "\nf.close()\n";
    Check += " '" + Copy + "'";
  }
  { std::ofstream(T / "break.py") << Script; }
  REQUIRE(run("/usr/bin/python3 '" + (T / "break.py") + "'", Out) == 0);
  Exit = run(Check, Out);
  INFO(Out);
  CHECK(Exit == 1);
  for (size_t K = 0; K < std::size(Breakages); ++K) {
    std::string Copy = T / ("broken" + std::to_string(K) + ".nir");
    CHECK(Out.find(Copy + ":" + Breakages[K][1]) != std::string::npos);
    CHECK(Out.find(Copy + ": ok") == std::string::npos);
  }
}

namespace {

/// The spikes of Net's recorded populations over Steps steps on the
/// reference simulator, sorted by (step, population name, index) so that
/// two networks whose populations are listed in different orders compare.
std::vector<PopulationSpike> spikesOf(const Network &Net, const isa::Architecture &Arch,
                                      uint64_t Steps, const std::vector<InputSpike> &Inputs) {
  std::vector<PopulationSpike> S = simulateReference(lowerNetwork(Net, Arch), Steps, Inputs);
  std::sort(S.begin(), S.end(), [](const PopulationSpike &A, const PopulationSpike &B) {
    return std::tie(A.Step, A.Population, A.Index) < std::tie(B.Step, B.Population, B.Index);
  });
  return S;
}

/// The inputs of the exported network: the original's host inputs plus
/// what its generated sources (Poisson, regular, list) made, since NIR
/// Input nodes are fed from outside.
std::vector<InputSpike> asExternal(const Network &Net, uint64_t Steps,
                                   std::vector<InputSpike> Inputs) {
  for (const SpikeSource &S : Net.Sources)
    for (const auto &[Step, Index] : sourceSpikes(S, Net.Dt, Steps))
      Inputs.push_back({Step, S.Name, Index});
  return Inputs;
}

/// Exports Net, imports the file with the dt and reset mode the export
/// names, and runs both on the reference simulator for Arch; Want holds the
/// original's spikes, Got the imported network's for the populations the
/// original records (NIR has no "record" flag: every spiking node records).
void roundTrip(const Network &Net, const isa::Architecture &Arch, uint64_t Steps, uint64_t Seed,
               const std::string &Path, std::vector<PopulationSpike> &Want,
               std::vector<PopulationSpike> &Got, const NirExportOptions &Options = {}) {
  NirExportResult R = exportNir(Net, Path, Options);
  nir::LowerOptions LO;
  LO.Dt = R.Dt;
  LO.Reset = R.ResetMode == "subtract" ? nir::ResetMode::Subtract : nir::ResetMode::Zero;
  Network Back = nir::loadNirNetwork(Path, LO);
  std::vector<InputSpike> Inputs = testing::randomInputs(Net, Seed, Steps);
  Want = spikesOf(Net, Arch, Steps, Inputs);
  Got = spikesOf(Back, Arch, Steps, asExternal(Net, Steps, Inputs));
  Got.erase(std::remove_if(Got.begin(), Got.end(),
                           [&](const PopulationSpike &S) {
                             const Population *P = Net.findPopulation(S.Population);
                             return !P || !P->Record;
                           }),
            Got.end());
}

} // namespace

TEST_CASE("NIR round trip: export, import and compile give the YAML network's spikes exactly",
          "[nir-export][round-trip]") {
  // lif populations with one delay per projection are exact: the export
  // writes the chip's per-step factors as forward-Euler time constants and
  // delays as Delay nodes, and the importer turns them back into the same
  // decays, threshold, bias, weights and delays, so lowering quantises them
  // identically. (The other cases are the next test's.)
  isa::Architecture Arch =
      isa::loadArchitecture(std::string(NM_SOURCE_DIR) + "/examples/arch/loihi.yaml");
  testing::RandomNetworkOptions O;
  O.Models = {"lif"};
  O.MinPopulationSize = 1; // one-neuron nodes, recurrent ones too, import as one neuron
  const uint64_t Steps = 200;
  TempDir T;
  size_t Spikes = 0, DelayNodes = 0, Subtracting = 0;
  for (uint64_t Seed = 1; Seed <= 40; ++Seed) {
    Network Net = testing::makeRandomNetwork(Seed, O);
    makeExpressible(Net);
    for (Projection &P : Net.Projections) {
      // One delay per projection, 1 .. MaxDelay, as drawn.
      if (P.Delay.K == DelaySpec::Kind::Uniform)
        P.Delay = DelaySpec::constant(P.Delay.High);
      for (ExplicitSynapse &S : P.Conn.Synapses)
        S.Delay = P.Delay.Value;
      DelayNodes += P.Delay.Value > 1;
    }
    // Every other network is written for a step of 0.1 ms (and imported
    // so): time constants and delays scale, each step stays the same. Every
    // third one resets by subtracting the threshold (imported with --reset
    // subtract).
    NirExportOptions EO;
    EO.Dt = Seed % 2 ? 1e-4 : 0;
    if (Seed % 3 == 0) {
      for (Population &P : Net.Populations)
        P.Model.Params["reset"] = 1;
      ++Subtracting;
    }
    std::vector<PopulationSpike> Want, Got;
    roundTrip(Net, Arch, Steps, Seed, T / "net.nir", Want, Got, EO);
    INFO("seed " << Seed << ": " << Want.size() << " spikes before, " << Got.size() << " after");
    CHECK(Got == Want);
    Spikes += Want.size();
  }
  WARN("NIR round trip, exact corpus: 40 generated lif networks, half of them exported at "
       "--dt 1e-4, "
       << Subtracting << " resetting by subtraction (" << DelayNodes
       << " projections through Delay nodes), " << Spikes << " spikes, all identical");
  CHECK(Spikes > 10000); // the corpus is not silent
  CHECK(DelayNodes > 10);
}

TEST_CASE("NIR round trip: per-synapse delays and if populations agree within the "
          "quantisation error",
          "[nir-export][round-trip]") {
  // These are approximate because of how the importer quantises: a
  // projection with several delays becomes one Linear per delay, hence one
  // projection per delay after import, each with its own weight shift (the
  // original had one shift for all). Each weight moves by at most half a
  // mantissa step (1/256 of the projection's largest weight with 8-bit
  // weights); the threshold T - 1/2 leaves half a unit of margin either
  // side of an integer sum, so most neurons keep their exact spike train.
  // (An if population's v is imported at a power-of-two scale, so its
  // integer weights stay whole mantissa steps.)
  isa::Architecture Arch =
      isa::loadArchitecture(std::string(NM_SOURCE_DIR) + "/examples/arch/loihi.yaml");
  testing::RandomNetworkOptions O;
  O.Models = {"if", "lif"};
  O.MinPopulationSize = 1;
  const uint64_t Steps = 200;
  TempDir T;
  size_t Neurons = 0, SameTrain = 0, WantSpikes = 0, CountDiff = 0;
  for (uint64_t Seed = 1; Seed <= 40; ++Seed) {
    Network Net = testing::makeRandomNetwork(Seed, O);
    makeExpressible(Net);
    std::vector<PopulationSpike> Want, Got;
    roundTrip(Net, Arch, Steps, Seed, T / "net.nir", Want, Got);
    std::map<std::pair<std::string, uint32_t>, std::vector<uint64_t>> A, B;
    for (const PopulationSpike &S : Want)
      A[{S.Population, S.Index}].push_back(S.Step);
    for (const PopulationSpike &S : Got)
      B[{S.Population, S.Index}].push_back(S.Step);
    for (const Population &P : Net.Populations)
      if (P.Record)
        for (uint32_t I = 0; I < P.Size; ++I) {
          const std::vector<uint64_t> &X = A[{P.Name, I}], &Y = B[{P.Name, I}];
          ++Neurons;
          SameTrain += X == Y;
          CountDiff += X.size() > Y.size() ? X.size() - Y.size() : Y.size() - X.size();
        }
    WantSpikes += Want.size();
  }
  double Same = double(SameTrain) / double(Neurons);
  double CountError = double(CountDiff) / double(WantSpikes);
  WARN("NIR round trip, approximate corpus: 40 generated if/lif networks, "
       << Neurons << " neurons, " << WantSpikes << " spikes; " << 100 * Same
       << "% of neurons keep their exact spike train; per-neuron spike counts differ by "
       << 100 * CountError << "% of all spikes in total");
  CHECK(WantSpikes > 10000);
  CHECK(Same >= 0.90);
  CHECK(CountError <= 0.05);
}

TEST_CASE("NIR export: large weight matrices are compressed and import back exactly",
          "[nir-export][round-trip]") {
  Network Net;
  Net.Name = "wide";
  Net.addSource("in", 70, SpikeSource::external());
  Net.addPopulation("a", 80,
                    NeuronModel("lif", {{"tau_m", 20e-3}, {"tau_syn", 4e-3}, {"v_th", 1.0}}));
  Net.addProjection("in", "a", Connector::fixedProbability(0.3, 5),
                    WeightSpec::uniform(-0.2, 0.6, 6), DelaySpec::constant(2));
  TempDir T;
  std::vector<PopulationSpike> Want, Got;
  isa::Architecture Arch =
      isa::loadArchitecture(std::string(NM_SOURCE_DIR) + "/examples/arch/loihi.yaml");
  roundTrip(Net, Arch, 100, 9, T / "wide.nir", Want, Got);
  CHECK(Want.size() > 100);
  CHECK(Got == Want);
  if (!havePythonH5py()) {
    WARN("skipped: /usr/bin/python3 with h5py is not available: compression NOT checked");
    return;
  }
  std::string Out;
  CHECK(run("/usr/bin/python3 -c \"import h5py, sys; "
            "print(h5py.File(sys.argv[1], 'r')['node/nodes/in_to_a/weight'].compression)\" '" +
                (T / "wide.nir") + "'",
            Out) == 0);
  CHECK(Out == "gzip\n");
}
