//===- neuromesh/emulator/systemc/TransactionMesh.h - LT mesh ---*- C++ -*-===//
//
// The transaction-level mesh model (mesh.model: transaction; docs/systemc.md,
// "The two mesh models"). A message is one transaction: it travels its whole
// path, router to router, in one call, each hop a reservation on the router
// that returns the cycle the message leaves it (the time annotated on the
// transaction, in TLM-2.0's loosely-timed idiom). Routers keep no messages,
// only per-resource reservations:
//   - per input buffer, the cycle its last message finishes streaming out
//     (FIFO: a message leaves no earlier than the one before it) and a ring
//     of the cycles from which each of its last D slots is free again;
//   - per output link, the first cycle it is free;
//   - per tile, the eject buffer's ring of free slots (mesh.router.eject_depth).
// A message leaves a buffer at max(arrival, FIFO predecessor done, link
// free, a slot free downstream) and is entirely in the next buffer S - 1 + H
// cycles later, the cycle model's rules for one message. Messages must be
// routed in the order they enter the mesh: then every reservation a message
// waits on was made by an earlier one, arbitration is oldest first, and no
// wait can be circular (no deadlock, no watchdog).
//
// Plain C++ with no SystemC process: the chip model's routing process calls
// it (direct calls, no sockets: docs/systemc.md says why).
//
//===----------------------------------------------------------------------===//
#pragma once

#include "neuromesh/emulator/systemc/Mesh.h"
#include "neuromesh/emulator/systemc/Router.h"
#include "neuromesh/emulator/systemc/Trace.h"

#include <array>
#include <cstdint>
#include <vector>

namespace neuromesh::emulator::systemc {

/// One chip's mesh as reservations (see the file comment).
class TransactionMesh {
public:
  /// Config.Width x Height routers with Config.Router's buffers, links and
  /// hop latency and Config.EjectDepth eject buffers. Throws
  /// neuromesh::Error for a bad value.
  explicit TransactionMesh(const MeshConfig &Config);

  /// Routes M from tile (SrcX, SrcY), where it is in the source queue from
  /// cycle Cycle on, x then y to tile (M.X, M.Y), and returns the cycle it
  /// is entirely in that tile's eject buffer. Call in the order messages
  /// enter the mesh (Cycle never decreasing per source tile), and call
  /// taken() for it before routing the next message.
  uint64_t route(uint16_t SrcX, uint16_t SrcY, const Message &M, uint64_t Cycle);
  /// The message route() just delivered was taken from its eject buffer at
  /// Cycle (its slot is free again from Cycle + 1).
  void taken(uint64_t Cycle);

  /// Records each output's busy spans (a message holds the link from the
  /// cycle it leaves for S cycles) and stall spans (a message at a free
  /// link waiting for a slot downstream) into Links, router r as
  /// RouterBase + y * Width + x. Null stops recording.
  void recordInto(std::vector<LinkActivity> *Links, uint32_t RouterBase) {
    Spans = Links;
    SpanBase = RouterBase;
  }

  /// The counters of router (X, Y), as the cycle model's Router::stats().
  RouterStats stats(uint16_t X, uint16_t Y) const;
  const MeshConfig &config() const { return Config; }

private:
  /// An input buffer: its FIFO and its slots.
  struct Input {
    uint64_t StreamedUntil = 0; ///< its last message has left the buffer by then
    uint32_t Oldest = 0;        ///< ring index of the slot D messages back
  };
  struct RouterState {
    std::array<Input, NumDirs> In{};
    std::array<uint64_t, NumDirs> LinkFree{}; ///< per output, first free cycle
    uint64_t LastEntry = 0; ///< the source queue's last entry into the local input
    RouterStats Stats;
  };
  /// Ring of input D of router R: free-from cycles of its last BufferDepth slots.
  uint64_t *slots(uint32_t R, int D) {
    return Slots.data() + (size_t(R) * NumDirs + size_t(D)) * Config.Router.BufferDepth;
  }
  /// A message enters input D of router R at cycle At: its occupancy.
  void occupy(uint32_t R, int D, uint64_t At);

  MeshConfig Config;
  std::vector<RouterState> Routers;
  std::vector<uint64_t> Slots;      ///< the input buffers' rings
  std::vector<uint64_t> EjectSlots; ///< per tile, the eject buffer's ring (EjectDepth)
  std::vector<uint32_t> EjectOldest;
  uint32_t LastTile = UINT32_MAX; ///< tile of the message awaiting taken()
  std::vector<LinkActivity> *Spans = nullptr;
  uint32_t SpanBase = 0;
};

} // namespace neuromesh::emulator::systemc
