//===- neuromesh/compiler/Connectivity.h - connector expansion --*- C++ -*-===//
//
// Expands one projection's connector, weights and delays into its synapses,
// as written (float weights, before quantisation), compressed by pre neuron.
// Within a pre neuron's row, synapses are in ascending post order (List:
// ties keep the order written). Every random choice is a counter-based draw
// isa::randomDraw(Seed, A, B, C), so the synapses depend only on the
// network, never on the platform, the standard library or the order of
// work. The keys (docs/network-format.md repeats them):
//
//   fixed_probability  row i (pre): gaps between successive posts are
//       geometric: U_k = (randomDraw(Seed, i, k, 0) + 1) / 2^32 for
//       k = 0, 1, ...; gap_k = floor(ln U_k / ln(1 - p)); the first post is
//       gap_0, each next one is the previous + 1 + gap_k. (So each pair is
//       present independently with probability p, in O(synapses) time.) ln
//       is computed with IEEE basic operations only (Connectivity.cpp), so
//       it is the same everywhere. With AllowSelf false on a recurrent
//       projection, the pair (i, i) is dropped.
//   fixed_fan_in       post j: Robert Floyd's sampling of FanIn distinct
//       indices from the N candidates (N = pre size, or pre size - 1 with
//       the post's own index skipped when AllowSelf is false on a recurrent
//       projection): for m = 0 .. FanIn-1, with k = N - FanIn + m, draw
//       t = (randomDraw(Seed, j, m, 1) * (k + 1)) >> 32 in [0, k]; take t
//       unless already taken, else take k.
//   uniform weight     of pair (i, j): Low + (High - Low) * randomDraw(Seed, i, j, 2) / 2^32
//   normal weight      of pair (i, j): Marsaglia's polar method; attempt
//       a = 0, 1, ... draws x = 2 * (randomDraw(Seed, i, j, 16 + 2a) + 0.5) / 2^32 - 1
//       and y likewise with counter 17 + 2a; accepts when 0 < s = x^2 + y^2 < 1;
//       weight = Mean + Std * x * sqrt(-2 ln s / s) (64 attempts, then Mean).
//   uniform delay      of pair (i, j): Low + (randomDraw(Seed, i, j, 3) * (High - Low + 1)) >> 32
//   array weights      one value per synapse in the order of this table
//       (pre, then post).
//
// Connectors: all_to_all, one_to_one, fixed_probability and fixed_fan_in
// honour AllowSelf on recurrent projections (AllowSelf false drops i == j).
// matrix: an entry of 0 is no synapse. conv2d: pre shape (IC, H, W), post
// shape (OC, OH, OW), row-major (C, H, W) flattening, zero padding; post
// (oc, oy, ox) receives from pre (ic, oy*SH - PH + ky, ox*SW - PW + kx) for
// every in-bounds (ic, ky, kx) with weight Kernel[oc][ic][ky][kx]; kernel
// entries of 0 make no synapse. pool2d: the same window per channel (post
// channel c from pre channel c), weights from the projection's WeightSpec.
// List, Matrix and Conv2d carry their own weights; List its own delays.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "neuromesh/compiler/Network.h"

#include <cstdint>
#include <vector>

namespace neuromesh::compiler {

/// One projection's synapses as written, compressed by pre neuron (CSR):
/// the synapses of pre neuron i are [RowStart[i], RowStart[i+1]).
struct ExpandedSynapses {
  uint32_t NumPre = 0, NumPost = 0;
  std::vector<uint64_t> RowStart; ///< NumPre + 1 entries
  std::vector<uint32_t> Post;
  std::vector<float> Weight;  ///< in the post model's weight unit
  std::vector<uint8_t> Delay; ///< steps, 1..isa::MaxDelaySlots
  uint64_t size() const { return Post.size(); }
};

/// Expands projection P of a validated network. Throws neuromesh::Error
/// for what validation cannot see (an array of weights whose length differs
/// from the number of synapses made).
ExpandedSynapses expandProjection(const Network &Net, const Projection &P);

/// The natural logarithm of X > 0 from IEEE basic operations only (+, -,
/// *, /, frexp), so random draws that need it give the same result on
/// every platform. Accurate to about 1 ulp.
double portableLog(double X);

} // namespace neuromesh::compiler
