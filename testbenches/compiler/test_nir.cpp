//===- test_nir.cpp - the NIR reader and lowering --------------------------===//
#include "NirTestUtil.h"

#include "neuromesh/compiler/Compile.h"
#include "neuromesh/compiler/HardwareNetwork.h"
#include "neuromesh/compiler/Nir.h"
#include "neuromesh/compiler/ReferenceSimulator.h"
#include "neuromesh/isa/Architecture.h"
#include "neuromesh/isa/Error.h"
#include "neuromesh/isa/SplitMix64.h"

#include <catch2/catch.hpp>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <map>
#include <set>
#include <unistd.h>

using namespace neuromesh;
using namespace neuromesh::compiler;
using neuromesh::testing::TempNir;
using neuromesh::testing::writeNirWithPython;

namespace {

std::string fixture(const std::string &Name) { return neuromesh::testing::nirFixture(Name); }

nir::LowerOptions options(double Dt = 1e-4, nir::ResetMode R = nir::ResetMode::Zero) {
  nir::LowerOptions O;
  O.Dt = Dt;
  O.Reset = R;
  return O;
}

const Projection *projectionInto(const Network &Net, const std::string &Post) {
  for (const Projection &P : Net.Projections)
    if (P.Post == Post && P.Pre.find(".bias") == std::string::npos)
      return &P;
  return nullptr;
}

/// The error message of F, or "" if it does not throw.
template <typename F> std::string errorOf(F &&Fn) {
  try {
    Fn();
  } catch (const Error &E) {
    return E.what();
  }
  return "";
}

std::string lowerError(const std::string &Body, nir::ResetMode R = nir::ResetMode::Zero) {
  TempNir T;
  writeNirWithPython(T.path(), Body);
  return errorOf([&] { nir::loadNirNetwork(T.path(), options(1e-4, R)); });
}

} // namespace

TEST_CASE("nir: every fixture reads, nested graphs flatten with dotted names") {
  const std::map<std::string, size_t> Nodes = {
      {"lif_norse.nir", 4},
      {"lif_rockpool.nir", 4},
      {"two_lif_neurons.nir", 6},
      {"cnn_sinabs.nir", 15},
      {"braille_noDelay_bias_zero.nir", 7},
      {"braille_noDelay_noBias_subtract.nir", 7},
      {"braille_noDelay_bias_zero_subgraph.nir", 9},
      {"braille_noDelay_noBias_subtract_subgraph.nir", 9}};
  for (const auto &[File, Count] : Nodes) {
    INFO(File);
    nir::Graph G = nir::readNirFile(fixture(File));
    CHECK(G.Nodes.size() == Count);
    bool Sub = File.find("subgraph") != std::string::npos;
    CHECK(G.Warnings.size() == (Sub ? 4u : 0u)); // all four edges name "lif"
    if (Sub) {
      REQUIRE(G.find("lif1.lif1"));
      CHECK(G.find("lif1.lif1")->Type == "CubaLIF");
      CHECK(G.Warnings[0].find("'input' -> 'lif'") != std::string::npos);
      CHECK(G.Warnings[0].find("nested graph 'lif1'") != std::string::npos);
    }
  }
  nir::Graph G = nir::readNirFile(fixture("cnn_sinabs.nir"));
  CHECK(G.Version == "0.2.0");
  const nir::Array *W = G.find("0")->find("weight");
  REQUIRE(W);
  CHECK(W->Shape == std::vector<uint64_t>{16, 2, 5, 5});
  CHECK(G.find("8")->find("start_dim")->K == nir::Array::Kind::Int);
}

TEST_CASE("nir: lif_norse lowers to the forward-Euler weight dt r / tau") {
  Network Net = nir::loadNirNetwork(fixture("lif_norse.nir"), options(1e-4));
  REQUIRE(Net.Sources.size() == 1);
  CHECK(Net.Sources[0].Name == "input");
  REQUIRE(Net.Populations.size() == 1);
  const Population &P = Net.Populations[0];
  CHECK(P.Name == "1");
  CHECK(P.Model.Kind == "lif");
  // Euler keeps 1 - dt/tau = 0.96 per step; lif decays by exp(-dt/tau_m).
  CHECK(std::exp(-1e-4 / P.Model.Params.at("tau_m")) == Approx(0.96).epsilon(1e-7));
  CHECK(P.Model.Params.at("v_th") == Approx(0.1));
  const Projection *Pr = projectionInto(Net, "1");
  REQUIRE(Pr);
  REQUIRE(Pr->Conn.Synapses.size() == 1);
  CHECK(Pr->Conn.Synapses[0].Weight == Approx(1.0 * 1e-4 * 1.0 / 2.5e-3));
  CHECK(Pr->Conn.Synapses[0].Delay == 1);
}

TEST_CASE("nir: two_lif_neurons turns v_leak into a bias of dt/tau v_leak") {
  Network Net = nir::loadNirNetwork(fixture("two_lif_neurons.nir"), options(1e-4));
  const Population *L1 = Net.findPopulation("lif1");
  REQUIRE(L1);
  CHECK(L1->Model.Params.at("bias") == Approx(1e-4 / 0.01 * 1.2));
  CHECK(Net.findPopulation("lif2")->Model.Params.at("bias") == 0);
}

TEST_CASE("nir: braille CubaLIF folds r, w_in and both Euler factors into the weight") {
  nir::Graph G = nir::readNirFile(fixture("braille_noDelay_bias_zero.nir"));
  Network Net = nir::lowerGraph(G, options(1e-4));
  const nir::Node &L = *G.find("lif1.lif");
  double TauS = L.find("tau_syn")->at(0), TauM = L.find("tau_mem")->at(0);
  double R = L.find("r")->at(0), WIn = L.find("w_in")->at(0);
  const nir::Array &W = *G.find("fc1")->find("weight"); // (38, 12)
  const Projection *Pr = projectionInto(Net, "lif1.lif");
  REQUIRE(Pr);
  CHECK(Pr->Pre == "input");
  double Gain = 1e-4 * R / TauM * 1e-4 * WIn / TauS;
  for (const ExplicitSynapse &S : Pr->Conn.Synapses)
    CHECK(S.Weight == Approx(W.at(S.Post * 12 + S.Pre) * Gain));
  // The recurrent Affine becomes a projection of the population onto itself,
  // and both biases come from one-neuron sources firing every step.
  bool Recurrent = false;
  for (const Projection &P : Net.Projections)
    Recurrent |= P.Pre == "lif1.lif" && P.Post == "lif1.lif";
  CHECK(Recurrent);
  const SpikeSource *B = Net.findSource("lif1.lif.bias");
  REQUIRE(B);
  CHECK(B->K == SpikeSource::Kind::Regular);
  CHECK(B->Period == 1);
}

TEST_CASE("nir: subgraph fixtures with dangling edges fail to lower, naming the edge") {
  std::string E = errorOf([] {
    nir::loadNirNetwork(fixture("braille_noDelay_bias_zero_subgraph.nir"), options());
  });
  CHECK(E.find("dangling edges") != std::string::npos);
  CHECK(E.find("'lif' -> 'lin'") != std::string::npos);
}

TEST_CASE("nir: --reset picks the LIF program's reset, a non-zero v_reset is refused") {
  Network Zero = nir::loadNirNetwork(fixture("braille_noDelay_noBias_subtract.nir"), options());
  Network Sub = nir::loadNirNetwork(fixture("braille_noDelay_noBias_subtract.nir"),
                                    options(1e-4, nir::ResetMode::Subtract));
  CHECK(Zero.findPopulation("lif2")->Model.Params.at("reset") == 0);
  CHECK(Sub.findPopulation("lif2")->Model.Params.at("reset") == 1);
  std::string E = lowerError(R"PY(
n = graph(f, 'node', [['input', 'lif']])
node(n, 'input', 'Input', shape=np.array([2]))
node(n, 'lif', 'LIF', tau=np.full(2, 1e-2), r=np.ones(2), v_leak=np.zeros(2),
     v_threshold=np.ones(2), v_reset=np.full(2, 0.5))
)PY");
  CHECK(E.find("node 'lif' (LIF): v_reset = 0.5") != std::string::npos);
}

TEST_CASE("nir: cnn_sinabs compiles for the Loihi preset") {
  Network Net = nir::loadNirNetwork(fixture("cnn_sinabs.nir"), options(1.0));
  std::map<std::string, uint32_t> Sizes;
  for (const Population &P : Net.Populations)
    Sizes[P.Name] = P.Size;
  CHECK(Sizes == std::map<std::string, uint32_t>{
                     {"1", 4096}, {"3", 4096}, {"6", 512}, {"10", 256}, {"12", 10}});
  isa::Architecture Arch =
      isa::loadArchitecture(std::string(NM_SOURCE_DIR) + "/examples/arch/loihi.yaml", {});
  CompileResult R = compileNetwork(Net, Arch);
  CHECK(R.Mapped.Image.Cores.size() > 1);
}

TEST_CASE("nir: Conv2d with groups, dilation and same padding matches a direct convolution") {
  TempNir T;
  writeNirWithPython(T.path(), R"PY(
rng = np.random.default_rng(3)
n = graph(f, 'node', [['input', 'conv'], ['conv', 'lif']])
node(n, 'input', 'Input', shape=np.array([4, 6, 7]))
w = rng.normal(size=(6, 2, 3, 3))
node(n, 'conv', 'Conv2d', weight=w, bias=np.zeros(6), stride=np.array([1, 1]),
     padding='same', dilation=np.array([2, 1]), groups=2)
p = np.ones((6, 6, 7))
node(n, 'lif', 'IF', r=p, v_threshold=p)
)PY");
  nir::Graph G = nir::readNirFile(T.path());
  Network Net = nir::lowerGraph(G, options(1.0));
  const nir::Array &W = *G.find("conv")->find("weight");
  // Direct (gather) convolution, PyTorch semantics: out[o][y][x] =
  // sum_{c in group, i, j} w[o][c'][i][j] in[c][y - pad_h + 2 i][x - pad_w + j].
  const int Cin = 4, H = 6, Wd = 7, Cout = 6, Groups = 2, PadH = 2, PadW = 1;
  std::map<std::pair<uint32_t, uint32_t>, double> Want;
  for (int O = 0; O < Cout; ++O)
    for (int Y = 0; Y < H; ++Y)
      for (int X = 0; X < Wd; ++X)
        for (int C = 0; C < Cin / Groups; ++C)
          for (int I = 0; I < 3; ++I)
            for (int J = 0; J < 3; ++J) {
              int InC = (O / (Cout / Groups)) * (Cin / Groups) + C;
              int InY = Y - PadH + 2 * I, InX = X - PadW + J;
              if (InY < 0 || InY >= H || InX < 0 || InX >= Wd)
                continue;
              double Wt = W.at(((O * (Cin / Groups) + C) * 3 + I) * 3 + J);
              uint32_t Pre = uint32_t((InC * H + InY) * Wd + InX);
              uint32_t Post = uint32_t((O * H + Y) * Wd + X);
              Want[{Pre, Post}] += Wt * 1.0 * 65536; // IF gain dt r times the 2^16 scale
            }
  const Projection *Pr = projectionInto(Net, "lif");
  REQUIRE(Pr);
  std::map<std::pair<uint32_t, uint32_t>, double> Got;
  for (const ExplicitSynapse &S : Pr->Conn.Synapses)
    Got[{S.Pre, S.Post}] += S.Weight;
  REQUIRE(Got.size() == Want.size());
  for (const auto &[K, V] : Want)
    CHECK(Got[K] == Approx(V));
}

TEST_CASE("nir: SumPool2d then Conv2d compose into one projection") {
  TempNir T;
  writeNirWithPython(T.path(), R"PY(
n = graph(f, 'node', [['input', 'a'], ['a', 'pool'], ['pool', 'conv'], ['conv', 'b']])
node(n, 'input', 'Input', shape=np.array([1, 4, 4]))
node(n, 'a', 'IF', r=np.ones((1, 4, 4)), v_threshold=np.ones((1, 4, 4)))
node(n, 'pool', 'SumPool2d', kernel_size=np.array([2, 2]), stride=np.array([2, 2]),
     padding=np.array([0, 0]))
node(n, 'conv', 'Conv2d', weight=np.array([[[[2.0]]]]), bias=np.zeros(1), stride=np.array([1, 1]),
     padding=np.array([0, 0]), dilation=np.array([1, 1]), groups=1)
node(n, 'b', 'IF', r=np.ones((1, 2, 2)), v_threshold=np.ones((1, 2, 2)))
)PY");
  Network Net = nir::loadNirNetwork(T.path(), options(1.0));
  const Projection *Pr = projectionInto(Net, "b");
  REQUIRE(Pr);
  CHECK(Pr->Name == "pool+conv");
  REQUIRE(Pr->Conn.Synapses.size() == 16); // every input pixel reaches one pooled output
  for (const ExplicitSynapse &S : Pr->Conn.Synapses) {
    uint32_t Y = S.Pre / 4, X = S.Pre % 4;
    CHECK(S.Post == (Y / 2) * 2 + X / 2);
    CHECK(S.Weight == Approx(2.0 * 65536));
  }
}

TEST_CASE("nir: Delay adds whole steps to the synaptic delay") {
  TempNir T;
  writeNirWithPython(T.path(), R"PY(
n = graph(f, 'node', [['input', 'd'], ['d', 'lif']])
node(n, 'input', 'Input', shape=np.array([2]))
node(n, 'd', 'Delay', delay=np.array([0.0, 3e-4]))
node(n, 'lif', 'LIF', tau=np.full(2, 1e-2), r=np.ones(2), v_leak=np.zeros(2), v_threshold=np.ones(2))
)PY");
  Network Net = nir::loadNirNetwork(T.path(), options(1e-4));
  const Projection *Pr = projectionInto(Net, "lif");
  REQUIRE(Pr);
  REQUIRE(Pr->Conn.Synapses.size() == 2);
  CHECK(Pr->Conn.Synapses[0].Delay == 1);
  CHECK(Pr->Conn.Synapses[1].Delay == 4);
}

TEST_CASE("nir bad input: not an HDF5 file") {
  TempNir T;
  { std::ofstream(T.path()) << "input,0\n"; }
  std::string E = errorOf([&] { nir::readNirFile(T.path()); });
  CHECK(E.find(T.path()) != std::string::npos);
  CHECK(E.find("not an HDF5 file") != std::string::npos);
}

TEST_CASE("nir bad input: missing /node") {
  TempNir T;
  writeNirWithPython(T.path(), "f.create_group('graph')");
  std::string E = errorOf([&] { nir::readNirFile(T.path()); });
  CHECK(E.find("no /node group") != std::string::npos);
}

TEST_CASE("nir bad input: unknown node type") {
  std::string E = lowerError(R"PY(
n = graph(f, 'node', [['input', 'x']])
node(n, 'input', 'Input', shape=np.array([2]))
node(n, 'x', 'Spiky', weight=np.ones(2))
)PY");
  CHECK(E.find("node 'x' has unknown type 'Spiky'") != std::string::npos);
}

TEST_CASE("nir bad input: missing dataset") {
  std::string E = lowerError(R"PY(
n = graph(f, 'node', [['input', 'lif']])
node(n, 'input', 'Input', shape=np.array([2]))
node(n, 'lif', 'LIF', tau=np.full(2, 1e-2), r=np.ones(2), v_leak=np.zeros(2))
)PY");
  CHECK(E.find("node 'lif' (LIF): missing dataset 'v_threshold'") != std::string::npos);
}

TEST_CASE("nir bad input: mis-shaped dataset") {
  std::string E = lowerError(R"PY(
n = graph(f, 'node', [['input', 'fc'], ['fc', 'lif']])
node(n, 'input', 'Input', shape=np.array([3]))
node(n, 'fc', 'Linear', weight=np.ones(6))
node(n, 'lif', 'LIF', tau=np.full(2, 1e-2), r=np.ones(2), v_leak=np.zeros(2), v_threshold=np.ones(2))
)PY");
  CHECK(E.find("node 'fc' (Linear): dataset 'weight' has shape (6,); expected (out, in)") !=
        std::string::npos);
  std::string E2 = lowerError(R"PY(
n = graph(f, 'node', [['input', 'lif']])
node(n, 'input', 'Input', shape=np.array([2]))
node(n, 'lif', 'LIF', tau=np.full(3, 1e-2), r=np.ones(2), v_leak=np.zeros(2), v_threshold=np.ones(2))
)PY");
  CHECK(E2.find("node 'lif' (LIF): dataset 'r' has shape (2,) but others have (3,)") !=
        std::string::npos);
}

TEST_CASE("nir bad input: edge to a node that does not exist") {
  TempNir T;
  writeNirWithPython(T.path(), R"PY(
n = graph(f, 'node', [['input', 'lif'], ['lif', 'outptu']])
node(n, 'input', 'Input', shape=np.array([1]))
node(n, 'lif', 'LIF', tau=np.full(1, 1e-2), r=np.ones(1), v_leak=np.zeros(1), v_threshold=np.ones(1))
)PY");
  std::string E = errorOf([&] { nir::readNirFile(T.path()); });
  CHECK(E.find("edge 'lif' -> 'outptu' names node 'outptu', which does not exist") !=
        std::string::npos);
}

TEST_CASE("nir bad input: a cycle of weight layers with no state") {
  std::string E = lowerError(R"PY(
n = graph(f, 'node', [['input', 'a'], ['a', 'b'], ['b', 'a'], ['b', 'lif']])
node(n, 'input', 'Input', shape=np.array([2]))
node(n, 'a', 'Linear', weight=np.eye(2))
node(n, 'b', 'Linear', weight=np.eye(2))
node(n, 'lif', 'LIF', tau=np.full(2, 1e-2), r=np.ones(2), v_leak=np.zeros(2), v_threshold=np.ones(2))
)PY");
  CHECK(E.find("cycle of weight layers with no neuron") != std::string::npos);
  CHECK(E.find("node 'a' (Linear)") != std::string::npos);
}

TEST_CASE("nir bad input: shapes that do not chain") {
  std::string E = lowerError(R"PY(
n = graph(f, 'node', [['input', 'fc'], ['fc', 'lif']])
node(n, 'input', 'Input', shape=np.array([3]))
node(n, 'fc', 'Affine', weight=np.ones((4, 5)), bias=np.zeros(4))
node(n, 'lif', 'LIF', tau=np.full(4, 1e-2), r=np.ones(4), v_leak=np.zeros(4), v_threshold=np.ones(4))
)PY");
  CHECK(E.find("node 'fc' (Affine): its weight takes 5 inputs but its input gives shape (3,)") !=
        std::string::npos);
  std::string E2 = lowerError(R"PY(
n = graph(f, 'node', [['input', 'fc'], ['fc', 'lif']])
node(n, 'input', 'Input', shape=np.array([3]))
node(n, 'fc', 'Linear', weight=np.ones((4, 3)))
node(n, 'lif', 'LIF', tau=np.full(5, 1e-2), r=np.ones(5), v_leak=np.zeros(5), v_threshold=np.ones(5))
)PY");
  CHECK(E2.find("node 'lif' (LIF): it has 5 neurons (5,) but its input 'fc' gives shape (4,)") !=
        std::string::npos);
}

TEST_CASE("nir: LI and CubaLI readouts follow forward Euler through their membrane probes") {
  TempNir T;
  writeNirWithPython(T.path(), R"PY(
n = graph(f, 'node', [['input', 'fc'], ['fc', 'li'], ['fc', 'cli']])
node(n, 'input', 'Input', shape=np.array([1]))
node(n, 'fc', 'Linear', weight=np.array([[0.5], [-0.25]]))
node(n, 'li', 'LI', tau=np.full(2, 2e-3), r=np.full(2, 20.0), v_leak=np.zeros(2))
node(n, 'cli', 'CubaLI', tau_syn=np.full(2, 5e-4), tau_mem=np.full(2, 1e-3), r=np.full(2, 10.0),
     v_leak=np.zeros(2), w_in=np.full(2, 5.0))
)PY");
  nir::LowerNotes Notes;
  Network Net = nir::loadNirNetwork(T.path(), options(1e-4), &Notes);
  isa::Architecture Arch =
      isa::loadArchitecture(std::string(NM_SOURCE_DIR) + "/examples/arch/loihi.yaml", {});
  HardwareNetwork Hw = lowerNetwork(Net, Arch);
  std::vector<InputSpike> In;
  for (uint64_t S : {0, 1, 2, 10, 11, 30})
    In.push_back({S, "input", 0});
  std::vector<PopulationProbe> Probes;
  CHECK(simulateReference(Hw, 60, In, Probes).empty()); // readouts never spike
  std::map<std::pair<std::string, uint64_t>, std::vector<double>> Chip;
  for (const PopulationProbe &P : Probes)
    if (P.Variable == "v") {
      auto &V = Chip[{P.Population, P.Step}];
      V.resize(2);
      V[P.Index] = P.Value / Notes.VScale.at(P.Population);
    }
  // Hand-written Euler: the spike of step s reaches the layer at s + 1.
  const double Dt = 1e-4, W[2] = {0.5, -0.25};
  double VLi[2] = {0, 0}, I[2] = {0, 0}, VC[2] = {0, 0};
  double Largest = 0, WorstLi = 0, WorstC = 0;
  for (uint64_t Step = 0; Step < 60; ++Step) {
    double X = 0;
    for (const InputSpike &S : In)
      X += S.Step + 1 == Step;
    for (int J = 0; J < 2; ++J) {
      VLi[J] += Dt / 2e-3 * (-VLi[J] + 20.0 * W[J] * X);
      I[J] += Dt / 5e-4 * (-I[J] + 5.0 * W[J] * X);
      VC[J] += Dt / 1e-3 * (-VC[J] + 10.0 * I[J]);
      Largest = std::max({Largest, std::fabs(VLi[J]), std::fabs(VC[J])});
      WorstLi = std::max(WorstLi, std::fabs(Chip[{"li", Step}].at(J) - VLi[J]));
      WorstC = std::max(WorstC, std::fabs(Chip[{"cli", Step}].at(J) - VC[J]));
    }
  }
  INFO("largest |v| " << Largest << ", worst error LI " << WorstLi << ", CubaLI " << WorstC);
  std::printf("nir readouts: largest |v| %.4f, worst error LI %.2e, CubaLI %.2e\n", Largest,
              WorstLi, WorstC);
  CHECK(Largest > 0.5);
  // 12 bits of the largest weight, plus trunc-toward-zero decays.
  CHECK(WorstLi < 2e-3 * Largest);
  CHECK(WorstC < 2e-3 * Largest);
}

TEST_CASE("nir: a nested graph with its edges repaired runs exactly as the flat export") {
  // braille_*_subgraph.nir holds the same weights as the flat file, with the
  // recurrent layer as nested graph 'lif1' whose edges name 'lif' instead of
  // its node 'lif1'. Repaired, its ports pass values through unchanged.
  TempNir Fixed;
  std::string Cmd = "/usr/bin/python3 -c \"import h5py, shutil, sys; "
                    "shutil.copy(sys.argv[1], sys.argv[2]); f = h5py.File(sys.argv[2], 'r+'); "
                    "e = f['node/nodes/lif1/edges']; "
                    "e[...] = [[b'lif1' if x == b'lif' else x for x in r] for r in e[()]]\" '" +
                    fixture("braille_noDelay_bias_zero_subgraph.nir") + "' '" + Fixed.path() + "'";
  REQUIRE(std::system(Cmd.c_str()) == 0);
  nir::Graph G = nir::readNirFile(Fixed.path());
  CHECK(G.Warnings.empty());
  isa::Architecture Arch =
      isa::loadArchitecture(std::string(NM_SOURCE_DIR) + "/examples/arch/loihi.yaml", {});
  HardwareNetwork Nested = lowerNetwork(nir::lowerGraph(G, options()), Arch);
  HardwareNetwork Flat = lowerNetwork(
      nir::loadNirNetwork(fixture("braille_noDelay_bias_zero.nir"), options()), Arch);
  std::vector<InputSpike> In;
  for (uint64_t T = 0; T < 200; ++T)
    In.push_back({T, "input", uint32_t((T * 7) % 12)});
  std::multiset<std::string> A, B;
  for (const PopulationSpike &S : simulateReference(Nested, 200, In))
    A.insert(std::to_string(S.Step) + (S.Population == "lif1.lif1" ? " lif1.lif " : " lif2 ") +
             std::to_string(S.Index));
  for (const PopulationSpike &S : simulateReference(Flat, 200, In))
    B.insert(std::to_string(S.Step) + " " + S.Population + " " + std::to_string(S.Index));
  CHECK(A.size() > 50);
  CHECK(A == B);
}

TEST_CASE("nir: IF weights far above threshold lower the v scale so they still fit") {
  TempNir T;
  writeNirWithPython(T.path(), R"PY(
n = graph(f, 'node', [['input', 'fc'], ['fc', 'if']])
node(n, 'input', 'Input', shape=np.array([2]))
node(n, 'fc', 'Linear', weight=np.array([[20.0, 0.5]]))
node(n, 'if', 'IF', r=np.ones(1), v_threshold=np.ones(1))
)PY");
  nir::LowerNotes Notes;
  Network Net = nir::loadNirNetwork(T.path(), options(1.0), &Notes);
  double S = Notes.VScale.at("if");
  // Not 2^16: 20 x 2^16 would not fit 2^19; the largest power of two that
  // keeps 20 S <= 2^19 is 2^14.
  CHECK(S == std::ldexp(1.0, 14));
  CHECK(Net.findPopulation("if")->Model.Params.at("threshold") == std::floor(S) + 1);
  const Projection *Pr = projectionInto(Net, "if");
  REQUIRE(Pr);
  CHECK(Pr->Conn.Synapses[1].Weight == Approx(0.5 * S));
  isa::Architecture Arch =
      isa::loadArchitecture(std::string(NM_SOURCE_DIR) + "/examples/arch/loihi.yaml", {});
  CHECK_NOTHROW(compileNetwork(Net, Arch));
}

TEST_CASE("nir bad input: sizes no chip could hold are refused before allocating") {
  std::string E = lowerError(R"PY(
n = graph(f, 'node', [['input', 'lif']])
node(n, 'input', 'Input', shape=np.array([4294967303]))
node(n, 'lif', 'IF', r=np.ones(1), v_threshold=np.ones(1))
)PY");
  CHECK(E.find("node 'input' (Input): its shape (4294967303,) holds 4294967303 values") !=
        std::string::npos);
  TempNir T;
  writeNirWithPython(T.path(), R"PY(
n = graph(f, 'node', [['input', 'fc']])
node(n, 'input', 'Input', shape=np.array([2]))
g = node(n, 'fc', 'Linear')
g.create_dataset('weight', shape=(1 << 20, 1 << 10), dtype='f8', chunks=(1024, 64))
)PY");
  std::string E2 = errorOf([&] { nir::readNirFile(T.path()); });
  CHECK(E2.find("/node/nodes/fc/weight has an unreadable or huge shape") != std::string::npos);
}

TEST_CASE("nir: one-neuron nodes on a recurrent loop lower (a (1,) dataset is one neuron)") {
  // Before the fix a (1,) dataset was taken for a scalar, whose size comes
  // from the input, and the recurrent input led back to the node: a false
  // "cycle of weight layers" error.
  TempNir T;
  writeNirWithPython(T.path(), R"PY(
n = graph(f, 'node', [['input', 'fc'], ['fc', 'lif'], ['lif', 'rec'], ['rec', 'lif'],
                      ['lif', 'output']])
node(n, 'input', 'Input', shape=np.array([1]))
node(n, 'fc', 'Linear', weight=np.array([[2.0]]))
node(n, 'lif', 'LIF', tau=np.full(1, 1e-2), r=np.ones(1), v_leak=np.zeros(1), v_threshold=np.ones(1))
node(n, 'rec', 'Linear', weight=np.array([[-0.5]]))
node(n, 'output', 'Output', shape=np.array([1]))
)PY");
  Network Net = nir::loadNirNetwork(T.path(), options(1e-3));
  REQUIRE(Net.findPopulation("lif"));
  CHECK(Net.findPopulation("lif")->Size == 1);
  const Projection *Rec = nullptr;
  for (const Projection &P : Net.Projections)
    if (P.Pre == "lif" && P.Post == "lif")
      Rec = &P;
  REQUIRE(Rec);
  REQUIRE(Rec->Conn.Synapses.size() == 1);
  CHECK(Rec->Conn.Synapses[0].Weight == Approx(-0.5 * 1e-3 / 1e-2)); // w dt r / tau
}

TEST_CASE("nir: scalar-parameter neurons on a loop take their size from the other input") {
  TempNir T;
  writeNirWithPython(T.path(), R"PY(
n = graph(f, 'node', [['lif', 'rec'], ['rec', 'lif'], ['input', 'fc'], ['fc', 'lif']])
node(n, 'input', 'Input', shape=np.array([3]))
node(n, 'fc', 'Linear', weight=np.eye(3))
node(n, 'lif', 'LIF', tau=np.float64(1e-2), r=np.float64(1), v_leak=np.float64(0),
     v_threshold=np.float64(1))
node(n, 'rec', 'Linear', weight=-np.eye(3))
)PY");
  Network Net = nir::loadNirNetwork(T.path(), options(1e-3));
  REQUIRE(Net.findPopulation("lif"));
  CHECK(Net.findPopulation("lif")->Size == 3);
  // With no input but its own loop nothing tells the size: a clear error.
  std::string E = lowerError(R"PY(
n = graph(f, 'node', [['input', 'a'], ['lif', 'rec'], ['rec', 'lif']])
node(n, 'input', 'Input', shape=np.array([3]))
node(n, 'a', 'IF', r=np.ones(3), v_threshold=np.ones(3))
node(n, 'lif', 'LIF', tau=np.float64(1e-2), r=np.float64(1), v_leak=np.float64(0),
     v_threshold=np.float64(1))
node(n, 'rec', 'Linear', weight=-np.eye(3))
)PY");
  CHECK(E.find("node 'lif' (LIF): its parameters are all scalars, so its size comes from its "
               "input, but every input comes back around a loop through it") != std::string::npos);
}

TEST_CASE("nir bad input: a corrupt string heap is refused before libhdf5 follows it") {
  // libhdf5 1.10 follows a variable-length string's heap reference without
  // checks: a corrupt object index crashed H5Dread of /version, and a
  // corrupt collection size made it loop. h5py finds /version's reference
  // (length 4, collection address 8, object index 4 bytes) in a copy of
  // cnn_sinabs.nir, and each case damages one field of it.
  struct Case {
    const char *Patch, *Expect;
  };
  for (Case C :
       {Case{"raw[ref + 12:ref + 16] = b'\\xff\\xff\\xff\\x7f'",
             "/version is corrupt: string 0 names object 2147483647 of the global heap"},
        Case{"raw[gcol + 8] = 0xff", "/version is corrupt: the free space of the global "
                                     "heap at byte"},
        Case{"raw[gcol:gcol + 4] = b'XXXX'", "which is no global heap"},
        Case{"raw[ref:ref + 4] = b'\\xff\\xff\\x00\\x00'",
             "/version is corrupt: string 0 (65535 bytes) does not fit its heap object"}}) {
    TempNir T;
    std::string Script = T.path() + ".py";
    {
      std::ofstream Out(Script);
      Out << "import h5py, struct, sys\n"
          << "src, dst = sys.argv[1], sys.argv[2]\n"
          << "with h5py.File(src, 'r') as f:\n    ref = f['version'].id.get_offset()\n"
          << "raw = bytearray(open(src, 'rb').read())\n"
          << "gcol = struct.unpack('<Q', raw[ref + 4:ref + 12])[0]\n"
          << "assert raw[gcol:gcol + 4] == b'GCOL'\n"
          << C.Patch << "\nopen(dst, 'wb').write(raw)\n";
    }
    std::string Cmd =
        "/usr/bin/python3 '" + Script + "' '" + fixture("cnn_sinabs.nir") + "' '" + T.path() + "'";
    REQUIRE(std::system(Cmd.c_str()) == 0);
    ::unlink(Script.c_str());
    std::string E = errorOf([&] { nir::readNirFile(T.path()); });
    INFO(C.Patch);
    CHECK(E.find(T.path() + ": error: ") == 0);
    CHECK(E.find(C.Expect) != std::string::npos);
    CHECK(E.find("export it again") != std::string::npos);
  }
}

TEST_CASE("nir bad input: damaged HDF5 metadata gives an error in bounded time and memory") {
  // Damage that libhdf5 itself trusts, beyond what the reader can check:
  // one byte of lif_norse.nir (at 855, in a variable-length string's
  // datatype) set to 0xde made libhdf5 allocate and clear 18 GB over 16 s
  // and then "read" the file. The read runs in a child process with a
  // memory and CPU budget, so that is an error naming the file at once.
  const std::string Src = fixture("lif_norse.nir");
  std::string Raw;
  {
    std::ifstream In(Src, std::ios::binary);
    Raw.assign(std::istreambuf_iterator<char>(In), std::istreambuf_iterator<char>());
  }
  REQUIRE(Raw.size() > 855);
  REQUIRE(Raw[855] == '\0'); // the byte the damage changes
  auto Write = [](const std::string &Path, const std::string &Bytes) {
    std::ofstream(Path, std::ios::binary).write(Bytes.data(), std::streamsize(Bytes.size()));
  };
  {
    TempNir T;
    std::string Damaged = Raw;
    Damaged[855] = char(0xde);
    Write(T.path(), Damaged);
    std::string E = errorOf([&] { nir::readNirFile(T.path()); });
    CHECK(E.find(T.path() + ": error: ") == 0);
    CHECK(E.find("corrupt") != std::string::npos);
  }
  // And random damage anywhere in the file: every copy reads or gives an
  // error naming the file; none crashes the caller, hangs or runs it out
  // of memory. (1,000 such copies found three of the 16-25 s, 18-22 GB
  // kind and no crash; a crash would come back as an error too.)
  isa::SplitMix64 Rng(7);
  size_t Errors = 0, Read = 0;
  for (int Copy = 0; Copy < 60; ++Copy) {
    TempNir T;
    std::string Damaged = Raw;
    for (int K = 1 + int(Rng.next() % 8); K > 0; --K)
      Damaged[size_t(Rng.next() % Damaged.size())] = char(Rng.next());
    Write(T.path(), Damaged);
    try {
      nir::readNirFile(T.path());
      ++Read;
    } catch (const Error &E) {
      ++Errors;
      CHECK(std::string(E.what()).find(T.path() + ": error: ") == 0);
    }
  }
  INFO(Read << " damaged copies read, " << Errors << " refused");
  CHECK(Errors > 0);
}
