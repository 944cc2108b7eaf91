//===- TransactionMesh.cpp - the transaction-level mesh -------------------===//
//
// A hop is a handful of max() over reservations and their update. The
// rules are those of the cycle model (Router.cpp) for one message:
//   - the source queue moves a message into the local input buffer at its
//     cycle, after the one before it, when a slot is free; a slot frees the
//     cycle after its message left (a grant pops the buffer after the
//     cycle's intake);
//   - a message granted in cycle g holds its input and the output link for
//     g .. g+S-1 and is entirely in the next buffer at g + S - 1 + H;
//   - it is sent only into a free slot: the credit of the message D places
//     before it in that buffer returns the cycle after that one left.
// What differs is arbitration: an output serves messages in the order they
// were routed (the order they entered the mesh), not round-robin.
//
//===----------------------------------------------------------------------===//
#include "neuromesh/emulator/systemc/TransactionMesh.h"

#include <algorithm>
#include <cassert>

namespace neuromesh::emulator::systemc {

TransactionMesh::TransactionMesh(const MeshConfig &ConfigIn) : Config(ConfigIn) {
  Config.validate();
  const size_t Tiles = size_t(Config.Width) * Config.Height;
  Routers.resize(Tiles);
  Slots.assign(Tiles * NumDirs * Config.Router.BufferDepth, 0);
  EjectSlots.assign(Tiles * Config.EjectDepth, 0);
  EjectOldest.assign(Tiles, 0);
}

void TransactionMesh::occupy(uint32_t R, int D, uint64_t At) {
  // Held at At: this message and those before it that leave at At or later
  // (free from At + 1 on); the one D places back has left already.
  uint64_t &Max = Routers[R].Stats.MaxOccupancy[D];
  const uint32_t Depth = Config.Router.BufferDepth;
  if (Max >= Depth)
    return;
  const uint64_t *Ring = slots(R, D);
  uint64_t Held = 1;
  for (uint32_t K = 0; K < Depth; ++K)
    Held += Ring[K] > At;
  Max = std::max(Max, Held);
}

uint64_t TransactionMesh::route(uint16_t SrcX, uint16_t SrcY, const Message &M, uint64_t Cycle) {
  assert(LastTile == UINT32_MAX && "taken() for the previous message first");
  assert(SrcX < Config.Width && SrcY < Config.Height && M.X < Config.Width &&
         M.Y < Config.Height && "source and destination on this mesh");
  const uint32_t Depth = Config.Router.BufferDepth;
  const uint64_t S = Config.Router.serialisationCycles(M.Bits);
  const uint64_t HopCycles = S - 1 + Config.Router.HopLatencyCycles;
  const int Width = Config.Width;
  uint32_t R = uint32_t(SrcY) * Config.Width + SrcX;

  // The source queue into the local input buffer.
  RouterState &Src = Routers[R];
  const uint64_t Due = std::max(Cycle, Src.LastEntry);
  Input &Local = Src.In[int(Dir::Local)];
  uint64_t At = std::max(Due, slots(R, int(Dir::Local))[Local.Oldest]);
  Src.Stats.InjectStallCycles += At - Due;
  Src.LastEntry = At;
  occupy(R, int(Dir::Local), At);

  int In = int(Dir::Local);
  uint16_t X = SrcX, Y = SrcY;
  for (;;) {
    RouterState &Rt = Routers[R];
    const Dir O = xyRoute(X, Y, M.X, M.Y);
    const int Out = int(O);
    Input &Buf = Rt.In[In];
    uint64_t Go = std::max({At, Buf.StreamedUntil, Rt.LinkFree[Out]});
    // A free slot downstream.
    uint32_t Next = R;
    int NextIn = In;
    uint64_t SlotFree = 0;
    switch (O) {
    case Dir::East: Next = R + 1; X += 1; NextIn = int(Dir::West); break;
    case Dir::West: Next = R - 1; X -= 1; NextIn = int(Dir::East); break;
    case Dir::North: Next = R + uint32_t(Width); Y += 1; NextIn = int(Dir::South); break;
    case Dir::South: Next = R - uint32_t(Width); Y -= 1; NextIn = int(Dir::North); break;
    case Dir::Local: break;
    }
    if (O != Dir::Local)
      SlotFree = slots(Next, NextIn)[Routers[Next].In[NextIn].Oldest];
    else if (Config.EjectDepth > 0)
      SlotFree = EjectSlots[size_t(R) * Config.EjectDepth + EjectOldest[R]];
    if (SlotFree > Go) {
      Rt.Stats.StallCycles[Out] += SlotFree - Go;
      if (Spans)
        Spans->push_back({SpanBase + R, uint8_t(Out), true, {Go, SlotFree}});
      Go = SlotFree;
    }
    Buf.StreamedUntil = Go + S;
    Rt.LinkFree[Out] = Go + S;
    ++Rt.Stats.Forwarded[Out];
    uint64_t *Ring = slots(R, In);
    Ring[Buf.Oldest] = Go + 1;
    Buf.Oldest = Buf.Oldest + 1 == Depth ? 0 : Buf.Oldest + 1;
    if (Spans)
      Spans->push_back({SpanBase + R, uint8_t(Out), false, {Go, Go + S}});
    At = Go + HopCycles;
    if (O == Dir::Local) {
      LastTile = R;
      return At;
    }
    R = Next;
    In = NextIn;
    occupy(R, In, At);
  }
}

void TransactionMesh::taken(uint64_t Cycle) {
  assert(LastTile != UINT32_MAX && "a message was routed");
  if (Config.EjectDepth > 0) {
    uint32_t &Oldest = EjectOldest[LastTile];
    EjectSlots[size_t(LastTile) * Config.EjectDepth + Oldest] = Cycle + 1;
    Oldest = Oldest + 1 == Config.EjectDepth ? 0 : Oldest + 1;
  }
  LastTile = UINT32_MAX;
}

RouterStats TransactionMesh::stats(uint16_t X, uint16_t Y) const {
  return Routers[size_t(Y) * Config.Width + X].Stats;
}

} // namespace neuromesh::emulator::systemc
