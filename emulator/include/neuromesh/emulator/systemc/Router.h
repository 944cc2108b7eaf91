//===- neuromesh/emulator/systemc/Router.h - a mesh router ------*- C++ -*-===//
//
// A five-port mesh router (north, east, south, west, local) of the SystemC
// chip model. It routes x then y, buffers messages per input port, sends a
// message downstream only when the downstream buffer has room (credits),
// serialises a message of B bits over a link of W bits per cycle for
// ceil(B/W) cycles, and arbitrates round-robin among inputs that compete
// for one output. docs/systemc.md describes the model and its parameters.
//
// Transport: messages and credits travel over two small SystemC interfaces
// (LinkIf, CreditIf) bound through sc_ports, each call carrying the cycle at
// which it takes effect at the receiver (always a later cycle than the
// sender's). sc_fifo was not used because its free space is visible at once
// (a zero-latency credit) and its order within a time step depends on the
// scheduler; TLM-2.0's four-phase protocol carries more than a hop needs.
// With effects always in a later cycle, no result depends on the order in
// which the kernel runs processes within a cycle, and a router is evaluated
// only when something can change (an arrival, a credit, a link going free).
//
// Scheduling: in a mesh, the routers are not kernel processes of their own.
// A router asks its mesh's RouterClock to be evaluated at a cycle, and the
// clock's one SC_METHOD wakes at the earliest cycle any router asked for and
// evaluates the routers due then: one kernel activation per busy mesh cycle
// rather than one per router and cycle (a timed activation costs far more
// than an evaluation), and with run-ahead one per stretch of busy cycles
// in which no other process acts. The evaluations of one cycle cannot see
// each other, so their order changes nothing.
//
//===----------------------------------------------------------------------===//
#pragma once

#include <systemc>

#include <array>
#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

namespace neuromesh::emulator::systemc {

/// The five ports of a router. North is +y, east is +x. The order is the
/// round-robin order of arbitration.
enum class Dir : uint8_t { North = 0, East = 1, South = 2, West = 3, Local = 4 };
constexpr int NumDirs = 5;

/// "north", "east", "south", "west" or "local".
const char *dirName(Dir D);
/// The port a neighbour sees this one through (east <-> west, ...).
Dir opposite(Dir D);

/// The output a message for tile (ToX, ToY) takes at tile (X, Y): x
/// first, then y, then local. The one routing rule of both mesh models.
inline Dir xyRoute(uint16_t X, uint16_t Y, uint16_t ToX, uint16_t ToY) {
  if (ToX != X)
    return ToX > X ? Dir::East : Dir::West;
  if (ToY != Y)
    return ToY > Y ? Dir::North : Dir::South;
  return Dir::Local;
}

/// A spike message: the destination (chip, tile x/y, core slot, axon), its
/// payload and bookkeeping. Small, copied by value.
struct Message {
  uint32_t Chip = 0;
  uint16_t X = 0, Y = 0;       ///< destination tile
  uint32_t Slot = 0;           ///< core within the destination tile
  uint32_t Axon = 0;           ///< input axon of that core
  int32_t Payload = 1;         ///< spike payload (1 for binary spikes)
  /// The receiver's own annotation, carried and never read by the mesh
  /// (the chip model: the cycles the target core spends absorbing it).
  /// Placed here, beside Payload, so that the message has no padding.
  uint32_t Tag = 0;
  uint64_t Id = 0;             ///< unique per run, for tracing and tests
  uint64_t InjectCycle = 0;    ///< cycle it entered the source queue
  uint32_t Bits = 32;          ///< size on a link (>= 1)
  uint16_t SrcX = 0, SrcY = 0; ///< source tile (set on injection)
};
// Every hop copies a message a few times: keep it to six words.
static_assert(sizeof(Message) == 48, "Message grew: check the field order for padding");

/// The resolved router parameters (the names in brackets are the keys
/// proposed for the architecture file, see docs/systemc.md).
struct RouterConfig {
  uint32_t BufferDepth = 4;       ///< [mesh.router.buffer_depth] messages per input buffer, >= 1
  uint32_t LinkBitsPerCycle = 32; ///< [mesh.link.bits_per_cycle] >= 1
  uint32_t HopLatencyCycles = 1;  ///< [mesh.hop_latency_cycles] >= 1
  uint64_t ClockPeriodPs = 1000;  ///< [mesh.clock_period_ps] >= 1

  /// Throws neuromesh::Error naming the key of the first bad value.
  void validate() const;
  /// Cycles a message of Bits bits occupies a link: ceil(Bits / W).
  uint64_t serialisationCycles(uint32_t Bits) const {
    return (uint64_t(Bits) + LinkBitsPerCycle - 1) / LinkBitsPerCycle;
  }
};

/// Receives messages: a router input buffer or a tile's eject buffer.
class LinkIf : public virtual sc_core::sc_interface {
public:
  /// M is entirely in the receiver's buffer from ReadyCycle on. The sender
  /// holds a credit for it, so the buffer has room.
  virtual void deliver(const Message &M, uint64_t ReadyCycle) = 0;
};

/// Receives credits: the sending side of a link.
class CreditIf : public virtual sc_core::sc_interface {
public:
  /// One buffer slot downstream is free again from ReadyCycle on.
  virtual void returnCredit(uint64_t ReadyCycle) = 0;
};

/// Shared by the routers of one mesh so that lack of progress can be
/// detected. Plain data; the mesh's watchdog reads it.
struct ProgressMonitor {
  uint64_t InNetwork = 0;         ///< messages between local input buffer and eject buffer
  uint64_t LastProgressCycle = 0; ///< last cycle any message moved
  sc_core::sc_event Activity;     ///< notified when InNetwork leaves 0
  sc_core::sc_event Deadline;     ///< the watchdog's timer
  void progress(uint64_t Cycle) {
    if (Cycle > LastProgressCycle)
      LastProgressCycle = Cycle;
  }
  void enter() {
    if (InNetwork++ == 0)
      Activity.notify(sc_core::SC_ZERO_TIME);
  }
  /// An empty network needs no watchdog: cancel its timer so that the
  /// simulation ends when the traffic does.
  void leave() {
    if (--InNetwork == 0)
      Deadline.cancel();
  }
};

/// Counters of one router. Units in the names: counts or cycles.
struct RouterStats {
  std::array<uint64_t, NumDirs> Forwarded{}; ///< messages sent per output port
  std::array<uint64_t, NumDirs>
      StallCycles{}; ///< per output: cycles with a request, a free link and no credit
  std::array<uint64_t, NumDirs> MaxOccupancy{}; ///< per input buffer: most messages held at once
  uint64_t InjectStallCycles =
      0; ///< cycles the source queue had a ready message and the local buffer was full

  uint64_t forwardedEastWest() const {
    return Forwarded[int(Dir::East)] + Forwarded[int(Dir::West)];
  }
  uint64_t forwardedNorthSouth() const {
    return Forwarded[int(Dir::North)] + Forwarded[int(Dir::South)];
  }
  uint64_t totalStallCycles() const {
    uint64_t S = 0;
    for (uint64_t C : StallCycles)
      S += C;
    return S;
  }
};

/// A FIFO on a power-of-two ring that grows when full: no allocation per
/// message once it has reached its working size (std::deque allocates and
/// frees blocks as it goes).
template <typename T> class Ring {
public:
  bool empty() const { return Count == 0; }
  size_t size() const { return Count; }
  T &front() { return Data[Head]; }
  const T &front() const { return Data[Head]; }
  const T &back() const { return (*this)[Count - 1]; }
  T &operator[](size_t I) { return Data[(Head + I) & Mask]; }
  const T &operator[](size_t I) const { return Data[(Head + I) & Mask]; }
  void push_back(const T &V) {
    if (Count == Data.size())
      grow();
    (*this)[Count++] = V;
  }
  void pop_front() {
    Head = (Head + 1) & Mask;
    --Count;
  }

private:
  void grow() {
    std::vector<T> Bigger(Data.empty() ? 8 : 2 * Data.size());
    for (size_t I = 0; I < Count; ++I)
      Bigger[I] = (*this)[I];
    Data.swap(Bigger);
    Head = 0;
    Mask = Data.size() - 1;
  }
  std::vector<T> Data;
  // Kept apart from Data.size(), which divides by sizeof(T) on every use.
  size_t Mask = 0;
  size_t Head = 0, Count = 0;
};

class Router;

/// Evaluates the routers of one mesh from one SC_METHOD (see the file
/// comment). Requests are (cycle, router) pairs, of which only each
/// router's earliest counts, as an sc_event keeps only its earliest
/// notification. They are kept in a calendar: one bucket per cycle of a
/// window of Window cycles from the current one (nearly every request is a
/// few cycles ahead), and a heap for the rest. A bucket is a bit set over
/// the routers, holding only live requests: an earlier request clears the
/// router's bit for its later one, so no bucket is ever searched for stale
/// entries, and a cycle's routers are evaluated in index order.
class RouterClock : public sc_core::sc_module {
public:
  SC_HAS_PROCESS(RouterClock);
  RouterClock(sc_core::sc_module_name Name, const sc_core::sc_time &Period);
  /// Adds R to the routers this clock evaluates; returns its index.
  uint32_t add(Router &R);
  /// Evaluate router Index at Cycle (not before the current cycle).
  void request(uint32_t Index, uint64_t Cycle);
  /// Let one activation go on to later cycles while no other process has
  /// anything to do before them (see tick()). Only for a driver that runs
  /// sc_start() until the simulation has nothing left to do: a bounded
  /// sc_start(t) could leave the routers past t.
  void allowRunAhead(bool On) { RunAhead = On; }

private:
  static constexpr uint64_t Never = std::numeric_limits<uint64_t>::max();
  static constexpr uint64_t Window = 64; ///< one bit of Occupied per bucket
  struct Due {
    uint64_t Cycle;
    uint32_t Index;
    bool operator>(const Due &O) const {
      return Cycle != O.Cycle ? Cycle > O.Cycle : Index > O.Index;
    }
  };
  void tick();
  /// Evaluates the routers due at cycle N; returns the next cycle with a
  /// live request, or Never.
  uint64_t runCycle(uint64_t N);

  sc_core::sc_time Period;
  sc_core::sc_event Tick;
  bool RunAhead = false;
  bool InTick = false;     ///< tick() schedules the next tick itself
  uint64_t TickAt = Never; ///< cycle Tick is notified for
  std::vector<Router *> Routers;
  std::vector<uint64_t> Requested;                   ///< per router, its earliest request
  uint64_t Base = 0;                                 ///< the window's first cycle
  size_t Words = 0;                                  ///< 64-bit words of one bucket's bit set
  std::vector<uint64_t> Bits; ///< bucket b (cycle mod Window) at [b * Words, (b + 1) * Words)
  uint64_t Occupied = 0;      ///< bit b: bucket b is not empty
  std::vector<Due> Far;       ///< later requests: a min-heap on (cycle, router); may be stale
  std::vector<uint64_t> Now;  ///< the bit set of the routers due in this cycle
  uint64_t *bucket(uint64_t Cycle) { return Bits.data() + (Cycle % Window) * Words; }
  void setDue(uint32_t Index, uint64_t Cycle);
};

/// The router of tile (X, Y).
class Router : public sc_core::sc_module {
public:
  /// Clock evaluates the router. Monitor may be null (no watchdog).
  Router(sc_core::sc_module_name Name, uint16_t X, uint16_t Y, const RouterConfig &Config,
         RouterClock &Clock, ProgressMonitor *Monitor = nullptr);

  /// Output links, by Dir. Unbound outputs (mesh edges) are never routed to.
  sc_core::sc_port<LinkIf, 1, sc_core::SC_ZERO_OR_MORE_BOUND> Out[NumDirs];
  /// Credit returns for the inputs, by Dir: bound to the upstream sender.
  sc_core::sc_port<CreditIf, 1, sc_core::SC_ZERO_OR_MORE_BOUND> CreditOut[NumDirs];

  /// The input buffer of port D: bind an upstream Out to it.
  LinkIf &input(Dir D) { return Inputs[int(D)]; }
  /// Where the receiver downstream of output D returns credits.
  CreditIf &creditSink(Dir D) { return Outputs[int(D)]; }
  /// Credits of output D: the downstream buffer depth; 0 means unbounded.
  /// Call before simulation starts. Defaults: BufferDepth, local unbounded.
  void setOutputCredits(Dir D, uint32_t Credits);

  /// Queues M in this tile's source queue; it enters the local input buffer
  /// at Cycle or later, when there is room. Messages with equal Cycle enter
  /// in call order. While the simulation runs, Cycle must be later than the
  /// current cycle (asserted), so that no result depends on process order.
  void inject(const Message &M, uint64_t Cycle);

  /// The output a message takes here: x first, then y, then local.
  Dir route(const Message &M) const;

  /// Counters so far (an open stall is counted up to now).
  RouterStats stats() const;
  /// True if any message waits in the source queue or an input buffer.
  bool holdsMessages() const;
  /// Lines naming each blocked output, its waiting inputs and why, for
  /// the no-progress report. Empty if nothing is blocked.
  std::string describeBlocked() const;

  uint16_t x() const { return X; }
  uint16_t y() const { return Y; }
  const RouterConfig &config() const { return Config; }

private:
  struct Arrival {
    uint64_t Ready;
    Message M;
  };
  struct Injected {
    uint64_t Cycle;
    Message M;
  };
  struct InputPort : LinkIf {
    Router *Owner = nullptr;
    unsigned Bit = 0;           ///< this port's bit in the router's masks
    /// Every message sent to this port and not yet forwarded, in arrival
    /// order (Ready ascending): the first Taken are in the buffer, the rest
    /// are on their way. One ring for both, so that taking an arrival in
    /// moves a count, not a message.
    Ring<Arrival> Queue;
    size_t Taken = 0;           ///< messages in the buffer (taken in)
    uint64_t BusyUntil = 0;     ///< crossbar input streams a message until then
    Dir HeadRoute = Dir::Local; ///< route(head()), kept as the head changes
    uint64_t MaxOccupancy = 0;
    void deliver(const Message &M, uint64_t ReadyCycle) override;
    bool bufferEmpty() const { return Taken == 0; }
    bool incomingEmpty() const { return Queue.size() == Taken; }
    /// The buffer's oldest message; !bufferEmpty().
    const Message &head() const { return Queue.front().M; }
    /// The next arrival not taken in; !incomingEmpty().
    uint64_t nextReady() const { return Queue[Taken].Ready; }
    /// Messages in the buffer at cycle N, counting arrivals due by N that
    /// no evaluation has taken in yet.
    size_t held(uint64_t N) const {
      size_t K = Taken;
      while (K < Queue.size() && Queue[K].Ready <= N)
        ++K;
      return K;
    }
  };
  struct OutputPort : CreditIf {
    Router *Owner = nullptr;
    unsigned Bit = 0;
    bool Bounded = true;
    uint32_t Credits = 0;
    Ring<uint64_t> CreditsComing; ///< Ready cycles, ascending
    uint64_t BusyUntil = 0;       ///< link occupied until then
    int LastGrant = NumDirs - 1;  ///< round-robin pointer
    bool Stalled = false;
    uint64_t StallStart = 0;
    uint64_t Forwarded = 0;
    uint64_t StallCycles = 0;
    void returnCredit(uint64_t ReadyCycle) override;
  };

  friend class RouterClock;
  /// Finds the neighbour routers' ports behind Out and CreditOut.
  void end_of_elaboration() override;
  /// One evaluation at cycle N, the current cycle.
  void evaluateAt(uint64_t N);
  void wakeAt(uint64_t Cycle);
  uint64_t now() const;

  uint16_t X, Y;
  RouterConfig Config;
  ProgressMonitor *Monitor;
  RouterClock &Clock;
  uint32_t ClockIndex = 0;
  sc_core::sc_time Period;
  std::array<InputPort, NumDirs> Inputs;
  std::array<OutputPort, NumDirs> Outputs;
  /// Where Out[D] and CreditOut[D] lead when that is another router's port
  /// (null otherwise: an eject buffer, a testbench, unbound): called
  /// directly, a hop costs no virtual calls through the sc_ports.
  std::array<InputPort *, NumDirs> NextInput{};
  std::array<OutputPort *, NumDirs> CreditTo{};
  Ring<Injected> Source; ///< injected, by cycle then call order
  /// Port masks (bit d for port d): inputs with messages on their way, with
  /// messages in the buffer; outputs with credits on their way, stalled.
  unsigned Arriving = 0, Holding = 0, Crediting = 0, StalledOutputs = 0;
  bool InjectStalled = false;
  uint64_t InjectStallStart = 0;
  uint64_t InjectStallCycles = 0;
};

/// The current cycle of a clock with period Period (time / period).
uint64_t currentCycle(const sc_core::sc_time &Period);

} // namespace neuromesh::emulator::systemc
