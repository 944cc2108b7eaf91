//===- Connectivity.cpp - connector expansion -----------------------------===//
//
// Each connector writes a CSR table directly: pre-major connectors append
// rows in order; post-major ones (fixed_fan_in, conv2d, pool2d) run their
// generator twice, once to count the synapses of every pre neuron and once
// to fill them in place, so memory is the table plus one counter per pre
// neuron, and no synapse is ever allocated on its own. Random weights and
// delays are keyed by the (pre, post) pair, so they do not depend on which
// other synapses exist. The draw keys are documented in Connectivity.h.
//
//===----------------------------------------------------------------------===//
#include "neuromesh/compiler/Connectivity.h"

#include "NetworkDiagnostics.h"
#include "neuromesh/isa/Error.h"
#include "neuromesh/isa/Image.h"
#include "neuromesh/isa/Microcode.h"

#include <fmt/format.h>

#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstring>
#include <numeric>

namespace neuromesh::compiler {

double portableLog(double X) {
  assert(X > 0 && "portableLog of a non-positive number");
  int E = 0;
  double M = std::frexp(X, &E); // X = M * 2^E, M in [0.5, 1): exact
  if (M < 0.70710678118654752440) {
    M *= 2; // exact
    --E;
  }
  // ln M = 2 atanh(S), S = (M - 1) / (M + 1), |S| <= 0.1716: the odd series
  // S + S^3/3 + ... converges by S^2 <= 0.0295 per term; 14 terms are far
  // below double precision. Horner from the highest term keeps it accurate.
  double S = (M - 1) / (M + 1);
  double S2 = S * S;
  double Sum = 0;
  for (int K = 27; K >= 1; K -= 2)
    Sum = Sum * S2 + 1.0 / K;
  constexpr double Ln2Hi = 0.693147180369123816490; // exact in 32 bits of mantissa
  constexpr double Ln2Lo = 1.90821492927058770002e-10;
  return E * Ln2Hi + (2 * S * Sum + E * Ln2Lo);
}

namespace {

constexpr double TwoPow32 = 4294967296.0;

/// Uniform in [0, 1) from one 32-bit draw.
double unit(uint32_t Draw) { return Draw / TwoPow32; }

/// Uniform integer in [0, N) from one 32-bit draw (multiply-shift; the bias
/// is below 2^-32 * N and the result is the same everywhere).
uint64_t below(uint32_t Draw, uint64_t N) { return (uint64_t(Draw) * N) >> 32; }

// Counter values of the draw keys (Connectivity.h).
constexpr uint64_t KeyProbability = 0, KeyFanIn = 1, KeyUniformWeight = 2, KeyUniformDelay = 3,
                   KeyNormalBase = 16;
constexpr unsigned NormalAttempts = 64;

double normalWeight(const WeightSpec &W, uint32_t Pre, uint32_t Post) {
  for (unsigned A = 0; A < NormalAttempts; ++A) {
    double X = 2 * (isa::randomDraw(W.Seed, Pre, Post, KeyNormalBase + 2 * A) + 0.5) / TwoPow32 - 1;
    double Y =
        2 * (isa::randomDraw(W.Seed, Pre, Post, KeyNormalBase + 2 * A + 1) + 0.5) / TwoPow32 - 1;
    double S = X * X + Y * Y;
    if (S > 0 && S < 1)
      return W.Mean + W.Std * X * std::sqrt(-2 * portableLog(S) / S);
  }
  return W.Mean;
}

class Expander {
public:
  Expander(const Network &Net, const Projection &P) : P(P), C(P.Conn) {
    const Population *PrePop = Net.findPopulation(P.Pre);
    const SpikeSource *PreSrc = Net.findSource(P.Pre);
    const Population *PostPop = Net.findPopulation(P.Post);
    assert((PrePop || PreSrc) && PostPop && "expandProjection needs a validated network");
    E.NumPre = PrePop ? PrePop->Size : PreSrc->Size;
    E.NumPost = PostPop->Size;
    PreShape = PrePop ? PrePop->Shape : PreSrc->Shape;
    PostShape = PostPop->Shape;
    NoSelf = PrePop == PostPop && !C.AllowSelf;
  }

  ExpandedSynapses run() {
    bool OwnWeights = false;
    switch (C.K) {
    case Connector::Kind::AllToAll:
      allToAll();
      break;
    case Connector::Kind::OneToOne:
      oneToOne();
      break;
    case Connector::Kind::FixedProbability:
      fixedProbability();
      break;
    case Connector::Kind::FixedFanIn:
      fixedFanIn();
      break;
    case Connector::Kind::List:
      list();
      return std::move(E); // weights and delays came with the synapses
    case Connector::Kind::Matrix:
      matrix();
      OwnWeights = true;
      break;
    case Connector::Kind::Conv2d:
      convolution(/*IsConv=*/true);
      OwnWeights = true;
      break;
    case Connector::Kind::Pool2d:
      convolution(/*IsConv=*/false);
      break;
    }
    if (!OwnWeights)
      fillWeights();
    fillDelays();
    return std::move(E);
  }

private:
  const Projection &P;
  const Connector &C;
  ExpandedSynapses E;
  std::vector<uint32_t> PreShape, PostShape;
  bool NoSelf = false;

  void beginRows(uint64_t Expected) {
    E.RowStart.assign(1, 0);
    E.RowStart.reserve(uint64_t(E.NumPre) + 1);
    E.Post.reserve(Expected);
  }
  void endRow() { E.RowStart.push_back(E.Post.size()); }

  void allToAll() {
    uint64_t PerRow = E.NumPost - (NoSelf ? 1 : 0);
    beginRows(PerRow * E.NumPre);
    for (uint32_t I = 0; I < E.NumPre; ++I) {
      for (uint32_t J = 0; J < E.NumPost; ++J)
        if (!(NoSelf && I == J))
          E.Post.push_back(J);
      endRow();
    }
  }

  void oneToOne() {
    beginRows(NoSelf ? 0 : E.NumPre);
    for (uint32_t I = 0; I < E.NumPre; ++I) {
      if (!NoSelf)
        E.Post.push_back(I);
      endRow();
    }
  }

  void fixedProbability() {
    double Prob = C.Probability;
    double Expected = Prob * double(E.NumPre) * double(E.NumPost);
    // Reserve a little above the mean (the count's spread is about its root).
    beginRows(uint64_t(Expected + 4 * std::sqrt(Expected) + 16));
    double LogKeep = Prob < 1 ? portableLog(1 - Prob) : 0;
    if (Prob < 1 && LogKeep == 0)
      Prob = 0; // below 2^-53, 1 - p rounds to 1: no pair is drawn
    for (uint32_t I = 0; I < E.NumPre; ++I) {
      if (Prob >= 1) {
        for (uint32_t J = 0; J < E.NumPost; ++J)
          if (!(NoSelf && I == J))
            E.Post.push_back(J);
      } else if (Prob > 0) {
        uint64_t Next = 0; // first post the next gap counts from
        for (uint64_t K = 0;; ++K) {
          double U = (isa::randomDraw(C.Seed, I, K, KeyProbability) + 1.0) / TwoPow32;
          double Gap = std::floor(portableLog(U) / LogKeep);
          if (Gap >= double(E.NumPost - Next))
            break;
          uint64_t J = Next + uint64_t(Gap);
          if (!(NoSelf && J == I))
            E.Post.push_back(uint32_t(J));
          Next = J + 1;
          if (Next >= E.NumPost)
            break;
        }
      }
      endRow();
    }
  }

  /// Runs a post-major generator twice: counting synapses per pre neuron,
  /// then filling them. Gen(Emit) calls Emit(Pre, Post, Weight) with Post
  /// non-decreasing and each (Pre, Post) pair at most once, so every row
  /// comes out in ascending post order.
  ///
  /// Without weights, the fill goes in two cache-friendly steps, because
  /// writing each synapse straight to its row is a random access into the
  /// whole table when pre neurons are drawn at random (fixed_fan_in): first
  /// each synapse is appended to the region of its block of PreBlock pre
  /// neurons (a few hundred sequential streams), with its pre index parked
  /// in the Weight array (filled in later anyway); then each block's region
  /// is sorted into rows within cache. Both steps are stable.
  template <typename Generator> void buildPostMajor(Generator &&Gen, bool WithWeights) {
    std::vector<uint64_t> Cursor(uint64_t(E.NumPre) + 1, 0);
    {
      // A pre neuron has at most one synapse per post (Gen's contract), so
      // its count fits 32 bits; the narrower array halves the cache misses
      // of this random-access pass.
      std::vector<uint32_t> Count(E.NumPre, 0);
      Gen([&](uint32_t Pre, uint32_t, float) { ++Count[Pre]; });
      for (uint32_t I = 0; I < E.NumPre; ++I)
        Cursor[I + 1] = Cursor[I] + Count[I];
    }
    E.RowStart = Cursor;
    uint64_t Total = Cursor.back();
    E.Post.resize(Total);
    E.Weight.resize(Total);
    if (WithWeights) {
      Gen([&](uint32_t Pre, uint32_t Post, float W) {
        uint64_t K = Cursor[Pre]++;
        E.Post[K] = Post;
        E.Weight[K] = W;
      });
      return;
    }
    constexpr unsigned BlockBits = 12;
    const uint64_t NumBlocks = (uint64_t(E.NumPre) + (1u << BlockBits) - 1) >> BlockBits;
    auto blockStart = [&](uint64_t B) {
      return E.RowStart[std::min<uint64_t>(B << BlockBits, E.NumPre)];
    };
    std::vector<uint64_t> BlockCursor(NumBlocks);
    for (uint64_t B = 0; B < NumBlocks; ++B)
      BlockCursor[B] = blockStart(B);
    Gen([&](uint32_t Pre, uint32_t Post, float) {
      uint64_t K = BlockCursor[Pre >> BlockBits]++;
      E.Post[K] = Post;
      std::memcpy(&E.Weight[K], &Pre, sizeof Pre);
    });
    std::vector<uint32_t> BufPost, BufPre;
    for (uint64_t B = 0; B < NumBlocks; ++B) {
      uint64_t Begin = blockStart(B), End = blockStart(B + 1);
      BufPost.assign(E.Post.begin() + Begin, E.Post.begin() + End);
      BufPre.resize(End - Begin);
      std::memcpy(BufPre.data(), E.Weight.data() + Begin, (End - Begin) * sizeof(uint32_t));
      for (uint64_t K = 0; K < BufPost.size(); ++K)
        E.Post[Cursor[BufPre[K]]++] = BufPost[K];
    }
  }

  void fixedFanIn() {
    uint32_t N = E.NumPre - (NoSelf ? 1 : 0); // candidates per post
    uint32_t F = C.FanIn;
    assert(F <= N && "fan-in larger than the candidates; validate() checks it");
    // The candidates drawn for the current post, in a small open-addressing
    // set that stays in cache (a flag per candidate would be a cache miss
    // per draw on large populations). Slots stamped with an older post are
    // empty, so the set is cleared by bumping the stamp.
    unsigned Bits = 4;
    while ((1u << Bits) < 2 * uint64_t(F))
      ++Bits;
    const uint64_t Mask = (uint64_t(1) << Bits) - 1;
    std::vector<uint32_t> Keys(Mask + 1);
    std::vector<uint64_t> SlotStamp(Mask + 1, 0);
    uint64_t Stamp = 0;
    auto slotOf = [&](uint32_t X) {
      uint64_t H = (uint64_t(X) * 0x9e3779b97f4a7c15ULL) >> (64 - Bits);
      while (SlotStamp[H] == Stamp && Keys[H] != X)
        H = (H + 1) & Mask;
      return H;
    };
    bool Skip = NoSelf;
    uint64_t Seed = C.Seed;
    buildPostMajor(
        [&](auto &&Emit) {
          for (uint32_t J = 0; J < E.NumPost; ++J) {
            ++Stamp;
            for (uint32_t M = 0; M < F; ++M) {
              uint32_t K = N - F + M;
              uint32_t T = uint32_t(below(isa::randomDraw(Seed, J, M, KeyFanIn), uint64_t(K) + 1));
              uint64_t Slot = slotOf(T);
              uint32_t X = T;
              if (SlotStamp[Slot] == Stamp) { // T was taken: Floyd takes K, never taken yet
                X = K;
                Slot = slotOf(K);
              }
              SlotStamp[Slot] = Stamp;
              Keys[Slot] = X;
              uint32_t Pre = Skip && X >= J ? X + 1 : X;
              Emit(Pre, J, 0.0f);
            }
          }
        },
        /*WithWeights=*/false);
  }

  void list() {
    const std::vector<ExplicitSynapse> &S = C.Synapses;
    std::vector<uint64_t> Order(S.size());
    std::iota(Order.begin(), Order.end(), 0);
    std::stable_sort(Order.begin(), Order.end(), [&](uint64_t A, uint64_t B) {
      if (S[A].Pre != S[B].Pre)
        return S[A].Pre < S[B].Pre;
      return S[A].Post < S[B].Post;
    });
    beginRows(S.size());
    E.Weight.reserve(S.size());
    E.Delay.reserve(S.size());
    uint64_t K = 0;
    for (uint32_t I = 0; I < E.NumPre; ++I) {
      for (; K < Order.size() && S[Order[K]].Pre == I; ++K) {
        const ExplicitSynapse &Syn = S[Order[K]];
        E.Post.push_back(Syn.Post);
        E.Weight.push_back(float(Syn.Weight));
        E.Delay.push_back(uint8_t(Syn.Delay));
      }
      endRow();
    }
  }

  void matrix() {
    uint64_t NonZero = 0;
    for (double V : C.Matrix)
      NonZero += V != 0;
    beginRows(NonZero);
    E.Weight.reserve(NonZero);
    for (uint32_t I = 0; I < E.NumPre; ++I) {
      const double *Row = C.Matrix.data() + uint64_t(I) * E.NumPost;
      for (uint32_t J = 0; J < E.NumPost; ++J)
        if (Row[J] != 0) {
          E.Post.push_back(J);
          E.Weight.push_back(float(Row[J]));
        }
      endRow();
    }
  }

  void convolution(bool IsConv) {
    assert(PreShape.size() == 3 && PostShape.size() == 3 && "validate() checks the shapes");
    const int64_t IC = PreShape[0], H = PreShape[1], W = PreShape[2];
    const int64_t OC = PostShape[0], OH = PostShape[1], OW = PostShape[2];
    const int64_t KH = C.KernelH, KW = C.KernelW, SH = C.StrideH, SW = C.StrideW, PH = C.PadH,
                  PW = C.PadW;
    const double *Kernel = C.Kernel.data();
    buildPostMajor(
        [&](auto &&Emit) {
          for (int64_t Oc = 0; Oc < OC; ++Oc)
            for (int64_t Oy = 0; Oy < OH; ++Oy)
              for (int64_t Ox = 0; Ox < OW; ++Ox) {
                uint32_t Post = uint32_t((Oc * OH + Oy) * OW + Ox);
                // Pooling reads its own channel only; convolution all of them.
                int64_t IcBegin = IsConv ? 0 : Oc, IcEnd = IsConv ? IC : Oc + 1;
                for (int64_t Ic = IcBegin; Ic < IcEnd; ++Ic)
                  for (int64_t Ky = 0; Ky < KH; ++Ky) {
                    int64_t Iy = Oy * SH - PH + Ky;
                    if (Iy < 0 || Iy >= H)
                      continue;
                    for (int64_t Kx = 0; Kx < KW; ++Kx) {
                      int64_t Ix = Ox * SW - PW + Kx;
                      if (Ix < 0 || Ix >= W)
                        continue;
                      uint32_t Pre = uint32_t((Ic * H + Iy) * W + Ix);
                      if (!IsConv) {
                        Emit(Pre, Post, 0.0f);
                        continue;
                      }
                      double K = Kernel[((Oc * IC + Ic) * KH + Ky) * KW + Kx];
                      if (K != 0)
                        Emit(Pre, Post, float(K));
                    }
                  }
              }
        },
        /*WithWeights=*/IsConv);
  }

  /// Weights from the WeightSpec, for connectors that carry none.
  void fillWeights() {
    const WeightSpec &W = P.Weight;
    uint64_t N = E.size();
    if (W.K == WeightSpec::Kind::Array) {
      if (W.Values.size() != N) {
        detail::ProblemList Problems;
        Problems.add(detail::firstKnown(W.Loc, P.Loc),
                     fmt::format("projection '{}'", detail::projectionName(P)),
                     fmt::format("the weight array has {} values but the connector made {} "
                                 "synapses; give one weight per synapse, in order of pre then "
                                 "post",
                                 W.Values.size(), N));
        Problems.throwIfAny();
      }
      E.Weight.assign(W.Values.begin(), W.Values.end());
      return;
    }
    if (W.K == WeightSpec::Kind::Constant) {
      E.Weight.assign(N, float(W.Value));
      return;
    }
    E.Weight.resize(N);
    for (uint32_t I = 0; I < E.NumPre; ++I)
      for (uint64_t K = E.RowStart[I]; K < E.RowStart[I + 1]; ++K) {
        uint32_t J = E.Post[K];
        double V =
            W.K == WeightSpec::Kind::Uniform
                ? W.Low + (W.High - W.Low) * unit(isa::randomDraw(W.Seed, I, J, KeyUniformWeight))
                : normalWeight(W, I, J);
        E.Weight[K] = float(V);
      }
  }

  void fillDelays() {
    const DelaySpec &D = P.Delay;
    uint64_t N = E.size();
    if (D.K == DelaySpec::Kind::Constant) {
      assert(D.Value >= 1 && D.Value <= isa::MaxDelaySlots && "validate() checks delays");
      E.Delay.assign(N, uint8_t(D.Value));
      return;
    }
    assert(D.Low >= 1 && D.Low <= D.High && D.High <= isa::MaxDelaySlots &&
           "validate() checks delays");
    E.Delay.resize(N);
    uint64_t Span = uint64_t(D.High) - D.Low + 1;
    for (uint32_t I = 0; I < E.NumPre; ++I)
      for (uint64_t K = E.RowStart[I]; K < E.RowStart[I + 1]; ++K)
        E.Delay[K] =
            uint8_t(D.Low + below(isa::randomDraw(D.Seed, I, E.Post[K], KeyUniformDelay), Span));
  }
};

} // namespace

ExpandedSynapses expandProjection(const Network &Net, const Projection &P) {
  return Expander(Net, P).run();
}

} // namespace neuromesh::compiler
