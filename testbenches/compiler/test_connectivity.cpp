//===- test_connectivity.cpp - connector expansion ------------------------===//
//
// Deterministic connectors against hand-worked synapse lists; conv2d and
// pool2d against a direct formula over every (pre, post) pair (the
// library gathers per post, this test scatters per pair); random connectors,
// weights and delays against a second implementation of the draw keys
// documented in Connectivity.h (written here with std::log), plus their
// statistics and invariants (distinct fan-in, no self-connections).
//
//===----------------------------------------------------------------------===//
#include "neuromesh/compiler/Connectivity.h"

#include "neuromesh/isa/Error.h"
#include "neuromesh/isa/Microcode.h"

#include <catch2/catch.hpp>

#include <cmath>
#include <map>
#include <set>
#include <tuple>
#include <vector>

namespace {

namespace nc = neuromesh::compiler;
namespace isa = neuromesh::isa;

/// (pre, post, weight, delay) of every synapse, in table order.
using Synapse = std::tuple<uint32_t, uint32_t, float, unsigned>;

std::vector<Synapse> synapses(const nc::ExpandedSynapses &E) {
  REQUIRE(E.RowStart.size() == size_t(E.NumPre) + 1);
  REQUIRE(E.RowStart.front() == 0);
  REQUIRE(E.RowStart.back() == E.size());
  REQUIRE(E.Weight.size() == E.size());
  REQUIRE(E.Delay.size() == E.size());
  std::vector<Synapse> Out;
  for (uint32_t I = 0; I < E.NumPre; ++I) {
    REQUIRE(E.RowStart[I] <= E.RowStart[I + 1]);
    for (uint64_t K = E.RowStart[I]; K < E.RowStart[I + 1]; ++K)
      Out.emplace_back(I, E.Post[K], E.Weight[K], E.Delay[K]);
  }
  return Out;
}

nc::NeuronModel ifModel() { return nc::NeuronModel("if", {{"threshold", 1}}); }

/// A network with source "pre" and population "post" of the given sizes.
nc::Network pair(uint32_t Pre, uint32_t Post) {
  nc::Network Net;
  Net.addSource("pre", Pre, nc::SpikeSource::external());
  Net.addPopulation("post", Post, ifModel());
  return Net;
}

nc::ExpandedSynapses expand(nc::Network &Net, const nc::Projection &P) {
  Net.validate();
  return nc::expandProjection(Net, P);
}

constexpr double TwoPow32 = 4294967296.0;

} // namespace

TEST_CASE("all_to_all and one_to_one", "[connectivity]") {
  nc::Network Net = pair(2, 3);
  auto &P = Net.addProjection("pre", "post", nc::Connector::allToAll(),
                              nc::WeightSpec::constant(0.5), nc::DelaySpec::constant(2));
  CHECK(synapses(expand(Net, P)) == std::vector<Synapse>{{0, 0, 0.5f, 2},
                                                         {0, 1, 0.5f, 2},
                                                         {0, 2, 0.5f, 2},
                                                         {1, 0, 0.5f, 2},
                                                         {1, 1, 0.5f, 2},
                                                         {1, 2, 0.5f, 2}});

  nc::Network Rec;
  Rec.addPopulation("p", 3, ifModel());
  auto &R = Rec.addProjection("p", "p", nc::Connector::allToAll(), nc::WeightSpec::constant(-1));
  R.Conn.AllowSelf = false;
  CHECK(synapses(expand(Rec, R)) == std::vector<Synapse>{{0, 1, -1.f, 1},
                                                         {0, 2, -1.f, 1},
                                                         {1, 0, -1.f, 1},
                                                         {1, 2, -1.f, 1},
                                                         {2, 0, -1.f, 1},
                                                         {2, 1, -1.f, 1}});

  nc::Network One = pair(3, 3);
  auto &O =
      One.addProjection("pre", "post", nc::Connector::oneToOne(), nc::WeightSpec::constant(3));
  CHECK(synapses(expand(One, O)) ==
        std::vector<Synapse>{{0, 0, 3.f, 1}, {1, 1, 3.f, 1}, {2, 2, 3.f, 1}});
}

TEST_CASE("list synapses are sorted by pre then post, ties in written order", "[connectivity]") {
  nc::Network Net = pair(3, 4);
  auto &P = Net.addProjection(
      "pre", "post",
      nc::Connector::list(
          {{2, 1, 1.5, 3}, {0, 3, -2.0, 1}, {0, 1, 4.0, 2}, {2, 1, 0.25, 5}, {0, 0, 1.0, 1}}));
  CHECK(synapses(expand(Net, P)) ==
        std::vector<Synapse>{
            {0, 0, 1.f, 1}, {0, 1, 4.f, 2}, {0, 3, -2.f, 1}, {2, 1, 1.5f, 3}, {2, 1, 0.25f, 5}});
}

TEST_CASE("matrix entries of 0 make no synapse", "[connectivity]") {
  nc::Network Net = pair(2, 3);
  auto &P = Net.addProjection("pre", "post", nc::Connector::matrix({0, 1.5, 0, -2, 0, 3}),
                              nc::WeightSpec::constant(99), nc::DelaySpec::constant(4));
  CHECK(synapses(expand(Net, P)) ==
        std::vector<Synapse>{{0, 1, 1.5f, 4}, {1, 0, -2.f, 4}, {1, 2, 3.f, 4}});
}

TEST_CASE("conv2d with stride and padding matches the direct formula", "[connectivity]") {
  struct Case {
    uint32_t IC, H, W, OC, KH, KW, SH, SW, PH, PW;
  };
  for (Case C : {Case{2, 5, 6, 3, 3, 2, 2, 1, 1, 0}, Case{1, 7, 7, 2, 3, 3, 2, 2, 1, 1},
                 Case{3, 4, 4, 1, 1, 1, 1, 1, 0, 0}, Case{1, 3, 3, 1, 3, 3, 1, 1, 2, 2}}) {
    uint32_t OH = (C.H + 2 * C.PH - C.KH) / C.SH + 1, OW = (C.W + 2 * C.PW - C.KW) / C.SW + 1;
    nc::Network Net;
    Net.addSource("img", C.IC * C.H * C.W, nc::SpikeSource::external()).Shape = {C.IC, C.H, C.W};
    Net.addPopulation("out", C.OC * OH * OW, ifModel()).Shape = {C.OC, OH, OW};
    nc::Connector Conv;
    Conv.K = nc::Connector::Kind::Conv2d;
    Conv.KernelH = C.KH;
    Conv.KernelW = C.KW;
    Conv.StrideH = C.SH;
    Conv.StrideW = C.SW;
    Conv.PadH = C.PH;
    Conv.PadW = C.PW;
    for (uint32_t I = 0; I < C.OC * C.IC * C.KH * C.KW; ++I)
      Conv.Kernel.push_back(I % 5 == 3 ? 0.0 : double(I) - 7.5); // some zeros: no synapse
    auto &P = Net.addProjection("img", "out", Conv, nc::WeightSpec::constant(1),
                                nc::DelaySpec::constant(2));

    // Every pair: pre (ic, iy, ix) feeds post (oc, oy, ox) iff the kernel
    // offset ky = iy - oy*SH + PH, kx = ix - ox*SW + PW lies in the kernel.
    std::vector<Synapse> Want;
    for (uint32_t Ic = 0; Ic < C.IC; ++Ic)
      for (uint32_t Iy = 0; Iy < C.H; ++Iy)
        for (uint32_t Ix = 0; Ix < C.W; ++Ix) {
          uint32_t Pre = (Ic * C.H + Iy) * C.W + Ix;
          for (uint32_t Oc = 0; Oc < C.OC; ++Oc)
            for (uint32_t Oy = 0; Oy < OH; ++Oy)
              for (uint32_t Ox = 0; Ox < OW; ++Ox) {
                int Ky = int(Iy) - int(Oy * C.SH) + int(C.PH);
                int Kx = int(Ix) - int(Ox * C.SW) + int(C.PW);
                if (Ky < 0 || Ky >= int(C.KH) || Kx < 0 || Kx >= int(C.KW))
                  continue;
                double K = Conv.Kernel[((Oc * C.IC + Ic) * C.KH + Ky) * C.KW + Kx];
                if (K != 0)
                  Want.emplace_back(Pre, (Oc * OH + Oy) * OW + Ox, float(K), 2);
              }
        }
    INFO("conv " << C.IC << "x" << C.H << "x" << C.W << " -> " << C.OC << "x" << OH << "x" << OW);
    CHECK(synapses(expand(Net, P)) == Want);
  }
}

TEST_CASE("pool2d sums a window per channel", "[connectivity]") {
  nc::Network Net;
  Net.addSource("img", 2 * 4 * 4, nc::SpikeSource::external()).Shape = {2, 4, 4};
  Net.addPopulation("pool", 2 * 2 * 2, ifModel()).Shape = {2, 2, 2};
  nc::Connector Pool;
  Pool.K = nc::Connector::Kind::Pool2d;
  Pool.KernelH = Pool.KernelW = 2;
  Pool.StrideH = Pool.StrideW = 2;
  auto &P = Net.addProjection("img", "pool", Pool, nc::WeightSpec::constant(0.5));
  // Channel 0 (pre 0..15, 4x4): post 0 <- 0,1,4,5; post 1 <- 2,3,6,7;
  // post 2 <- 8,9,12,13; post 3 <- 10,11,14,15. Channel 1 the same + 16 / + 4.
  std::map<uint32_t, uint32_t> PostOf;
  const uint32_t Windows[4][4] = {{0, 1, 4, 5}, {2, 3, 6, 7}, {8, 9, 12, 13}, {10, 11, 14, 15}};
  for (uint32_t C = 0; C < 2; ++C)
    for (uint32_t Post = 0; Post < 4; ++Post)
      for (uint32_t Pre : Windows[Post])
        PostOf[C * 16 + Pre] = C * 4 + Post;
  std::vector<Synapse> Want;
  for (auto [Pre, Post] : PostOf)
    Want.emplace_back(Pre, Post, 0.5f, 1);
  CHECK(synapses(expand(Net, P)) == Want);

  // Overlapping windows (stride 1): pre 5 (row 1, col 1) of a 1x3x3 input is
  // in all four 2x2 windows of the 2x2 output.
  nc::Network Net2;
  Net2.addSource("img", 9, nc::SpikeSource::external()).Shape = {1, 3, 3};
  Net2.addPopulation("pool", 4, ifModel()).Shape = {1, 2, 2};
  Pool.StrideH = Pool.StrideW = 1;
  auto &P2 = Net2.addProjection("img", "pool", Pool);
  nc::ExpandedSynapses E = expand(Net2, P2);
  CHECK(E.size() == 16);
  CHECK(std::vector<uint32_t>(E.Post.begin() + E.RowStart[4], E.Post.begin() + E.RowStart[5]) ==
        std::vector<uint32_t>{0, 1, 2, 3});
  CHECK(std::vector<uint32_t>(E.Post.begin() + E.RowStart[8], E.Post.begin() + E.RowStart[9]) ==
        std::vector<uint32_t>{3});
}

TEST_CASE("portableLog agrees with std::log", "[connectivity]") {
  for (double X :
       {1.0, 0.5, 2.0, 1e-300, 0.999999, 1.000001, 3.0, 123456.789, 2.3283064365386963e-10}) {
    INFO(X);
    CHECK(std::fabs(nc::portableLog(X) - std::log(X)) <=
          4e-16 * std::max(1.0, std::fabs(std::log(X))));
  }
  CHECK(nc::portableLog(1.0) == 0.0);
  for (uint32_t I = 1; I < 200000; I += 7) {
    double X = (isa::randomDraw(5, I, 0, 0) + 1.0) / TwoPow32;
    REQUIRE(std::fabs(nc::portableLog(X) - std::log(X)) <= 4e-16 * std::fabs(std::log(X)) + 1e-300);
  }
}

TEST_CASE("fixed_probability follows its documented draw keys", "[connectivity]") {
  const uint32_t NPre = 300, NPost = 400;
  for (double Prob : {0.0, 0.02, 0.3, 0.97, 1.0}) {
    nc::Network Net = pair(NPre, NPost);
    auto &P = Net.addProjection("pre", "post", nc::Connector::fixedProbability(Prob, 77));
    nc::ExpandedSynapses E = expand(Net, P);

    // Second implementation, from the keys in Connectivity.h (std::log).
    std::vector<std::pair<uint32_t, uint32_t>> Want;
    for (uint32_t I = 0; I < NPre; ++I) {
      if (Prob >= 1) {
        for (uint32_t J = 0; J < NPost; ++J)
          Want.emplace_back(I, J);
        continue;
      }
      if (Prob <= 0)
        continue;
      int64_t J = -1;
      for (uint64_t K = 0;; ++K) {
        double U = (isa::randomDraw(77, I, K, 0) + 1.0) / TwoPow32;
        double Gap = std::floor(std::log(U) / std::log(1 - Prob));
        if (double(J) + 1 + Gap >= NPost)
          break;
        J = J + 1 + int64_t(Gap);
        Want.emplace_back(I, uint32_t(J));
      }
    }
    std::vector<std::pair<uint32_t, uint32_t>> Got;
    for (const Synapse &S : synapses(E))
      Got.emplace_back(std::get<0>(S), std::get<1>(S));
    INFO("p = " << Prob);
    CHECK(Got == Want);
    // And the count is binomial(NPre * NPost, p): within 5 standard deviations.
    double N = double(NPre) * NPost, Mean = N * Prob, Sd = std::sqrt(N * Prob * (1 - Prob));
    CHECK(std::fabs(double(E.size()) - Mean) <= 5 * Sd + 1e-9);
  }
}

TEST_CASE("fixed_probability is deterministic by seed and drops self-connections",
          "[connectivity]") {
  nc::Network Net;
  Net.addPopulation("p", 200, ifModel());
  Net.addProjection("p", "p", nc::Connector::fixedProbability(0.2, 1)).Conn.AllowSelf = false;
  Net.addProjection("p", "p", nc::Connector::fixedProbability(0.2, 1));
  Net.addProjection("p", "p", nc::Connector::fixedProbability(0.2, 2));
  const nc::Projection &A = Net.Projections[0], &B = Net.Projections[1], &C = Net.Projections[2];
  nc::ExpandedSynapses EA = expand(Net, A), EB = expand(Net, B), EC = expand(Net, C);
  CHECK(synapses(expand(Net, B)) == synapses(EB)); // same seed, same synapses
  CHECK(synapses(EB) != synapses(EC));
  // Without self-connections: B's synapses minus the diagonal, exactly.
  std::vector<Synapse> NoDiagonal;
  for (const Synapse &S : synapses(EB))
    if (std::get<0>(S) != std::get<1>(S))
      NoDiagonal.push_back(S);
  CHECK(synapses(EA) == NoDiagonal);
  CHECK(NoDiagonal.size() < EB.size()); // p = 0.2 over 200 diagonal pairs: some were there
}

TEST_CASE("fixed_fan_in draws distinct pre neurons by Floyd's algorithm", "[connectivity]") {
  for (bool Self : {true, false}) {
    const uint32_t N = 50, F = 20;
    nc::Network Net;
    Net.addPopulation("p", N, ifModel());
    auto &P = Net.addProjection("p", "p", nc::Connector::fixedFanIn(F, 4242));
    P.Conn.AllowSelf = Self;
    nc::ExpandedSynapses E = expand(Net, P);
    CHECK(E.size() == uint64_t(N) * F);

    std::set<std::pair<uint32_t, uint32_t>> Want;
    uint32_t Candidates = N - (Self ? 0 : 1);
    for (uint32_t J = 0; J < N; ++J) {
      std::set<uint64_t> Taken;
      for (uint32_t M = 0; M < F; ++M) {
        uint64_t K = Candidates - F + M;
        uint64_t T = (uint64_t(isa::randomDraw(4242, J, M, 1)) * (K + 1)) >> 32;
        Taken.insert(Taken.count(T) ? K : T);
      }
      REQUIRE(Taken.size() == F);
      for (uint64_t X : Taken)
        Want.emplace(uint32_t(!Self && X >= J ? X + 1 : X), J);
    }
    std::set<std::pair<uint32_t, uint32_t>> Got;
    std::map<uint32_t, unsigned> FanIn;
    for (const Synapse &S : synapses(E)) {
      Got.emplace(std::get<0>(S), std::get<1>(S));
      ++FanIn[std::get<1>(S)];
      if (!Self)
        CHECK(std::get<0>(S) != std::get<1>(S));
    }
    CHECK(Got.size() == E.size()); // no repeated pair: distinct pre per post
    CHECK(Got == Want);
    for (auto [Post, Count] : FanIn)
      CHECK(Count == F);
  }
  // fan_in equal to the pre size takes every pre neuron once.
  nc::Network Net = pair(7, 3);
  auto &All = Net.addProjection("pre", "post", nc::Connector::fixedFanIn(7, 1));
  CHECK(expand(Net, All).size() == 21);
}

TEST_CASE("uniform and normal weights, uniform delays follow their keys", "[connectivity]") {
  nc::Network Net = pair(60, 70);
  Net.addProjection("pre", "post", nc::Connector::allToAll(), nc::WeightSpec::uniform(-1, 3, 11),
                    nc::DelaySpec::uniform(2, 6, 13));
  Net.addProjection("pre", "post", nc::Connector::allToAll(), nc::WeightSpec::normal(0.5, 2, 17));
  const nc::Projection &U = Net.Projections[0], &G = Net.Projections[1];
  nc::ExpandedSynapses EU = expand(Net, U), EG = expand(Net, G);
  std::set<unsigned> Delays;
  double Sum = 0, SumSq = 0;
  for (const Synapse &S : synapses(EU)) {
    auto [I, J, W, D] = S;
    float Want = float(-1 + 4 * (isa::randomDraw(11, I, J, 2) / TwoPow32));
    REQUIRE(W == Want);
    unsigned WantD = 2 + unsigned((uint64_t(isa::randomDraw(13, I, J, 3)) * 5) >> 32);
    REQUIRE(D == WantD);
    Delays.insert(D);
  }
  CHECK(Delays == std::set<unsigned>{2, 3, 4, 5, 6});
  for (const Synapse &S : synapses(EG)) {
    auto [I, J, W, D] = S;
    double Want = 0.5;
    for (unsigned A = 0; A < 64; ++A) {
      double X = 2 * (isa::randomDraw(17, I, J, 16 + 2 * A) + 0.5) / TwoPow32 - 1;
      double Y = 2 * (isa::randomDraw(17, I, J, 17 + 2 * A) + 0.5) / TwoPow32 - 1;
      double R = X * X + Y * Y;
      if (R > 0 && R < 1) {
        Want = 0.5 + 2 * X * std::sqrt(-2 * std::log(R) / R);
        break;
      }
    }
    REQUIRE(W == Approx(Want).epsilon(1e-6).margin(1e-6));
    Sum += W;
    SumSq += double(W) * W;
  }
  double N = double(EG.size()), Mean = Sum / N, Sd = std::sqrt(SumSq / N - Mean * Mean);
  CHECK(Mean == Approx(0.5).margin(5 * 2 / std::sqrt(N)));
  CHECK(Sd == Approx(2).epsilon(0.05));
}

TEST_CASE("array weights are taken in table order and must match the count", "[connectivity]") {
  nc::Network Net = pair(2, 2);
  nc::WeightSpec W;
  W.K = nc::WeightSpec::Kind::Array;
  W.Values = {1, 2, 3, 4};
  auto &P = Net.addProjection("pre", "post", nc::Connector::allToAll(), W);
  CHECK(synapses(expand(Net, P)) ==
        std::vector<Synapse>{{0, 0, 1.f, 1}, {0, 1, 2.f, 1}, {1, 0, 3.f, 1}, {1, 1, 4.f, 1}});
  P.Weight.Values.pop_back();
  P.Weight.Loc = {"net.yaml", 14, 7};
  CHECK_THROWS_WITH(nc::expandProjection(Net, P),
                    "net.yaml:14:7: error: projection 'pre->post': the weight array has 3 values "
                    "but the connector made 4 synapses; give one weight per synapse, in order of "
                    "pre then post");
}

TEST_CASE("fixed_probability below double resolution makes no synapse", "[connectivity]") {
  nc::Network Net = pair(50, 50);
  Net.addProjection("pre", "post", nc::Connector::fixedProbability(1e-20, 3));
  CHECK(expand(Net, Net.Projections[0]).size() == 0);
}
