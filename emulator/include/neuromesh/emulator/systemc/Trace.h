//===- neuromesh/emulator/systemc/Trace.h - activity traces -----*- C++ -*-===//
//
// What the SystemC chip model did, cycle by cycle, as plain data: when each
// core was busy (its update, each spike it absorbed), when each router
// output link carried a message or stalled for want of a credit, and when
// each step started, finished its work and was released by the barrier.
// ChipModel records it when asked (SystemCEngine's RecordTrace); the two
// writers turn it into a VCD file (GTKWave) and a Chrome trace-event JSON
// file (Perfetto, chrome://tracing). docs/systemc.md describes both.
//
// The VCD is written here rather than with SystemC's sc_trace: sc_trace
// samples signals the model would have to drive for tracing alone, and
// writes straight into the named file while the kernel runs, so a failed
// run would leave a half-written file; this way the text is made after the
// run and written atomically.
//
//===----------------------------------------------------------------------===//
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace neuromesh::emulator::systemc {

/// A half-open interval of mesh cycles [Begin, End).
struct CycleSpan {
  uint64_t Begin = 0, End = 0;
};

/// What a core was busy with.
enum class CoreWork : uint8_t { Update, Absorb };

/// One stretch of a core's work.
struct CoreActivity {
  uint32_t Core = 0; ///< global core index (image order)
  CoreWork Work = CoreWork::Update;
  CycleSpan Span;
};

/// One stretch of a router output: a link carrying a message (Busy), or a
/// message waiting for a credit (Stall).
struct LinkActivity {
  uint32_t Router = 0; ///< index into ChipTrace::Routers
  uint8_t Port = 0;    ///< Dir: north, east, south, west, local
  bool Stall = false;
  CycleSpan Span;
};

/// One step: Start to the end of its work (WorkEnd), then the barrier to End.
struct StepSpan {
  uint64_t Step = 0;
  uint64_t Start = 0, WorkEnd = 0, End = 0;
};

/// Where a core or router sits.
struct TracePlace {
  uint16_t Chip = 0, X = 0, Y = 0, Slot = 0;
};

/// The recorded activity of a run, in mesh cycles.
struct ChipTrace {
  uint64_t ClockPeriodPs = 1000;
  std::vector<TracePlace> Cores;   ///< per global core
  std::vector<TracePlace> Routers; ///< per router: chip, x, y
  std::vector<CoreActivity> CoreWork;
  std::vector<LinkActivity> Links;
  std::vector<StepSpan> Steps;
};

/// The trace as VCD text: timescale 1 ps; per step a `step` number and a
/// `barrier` bit; per core a `busy` bit; per router output `<port>_busy`
/// and `<port>_stall` bits. Deterministic (no date line).
std::string traceVcd(const ChipTrace &T);

/// The trace as Chrome trace-event JSON ("traceEvents", times in us):
/// per step a slice (and its barrier), per core a thread of update slices
/// (tid 2k) and one of absorb bursts (tid 2k + 1; back-to-back
/// absorptions, args.spikes counted), per router a counter of its busy
/// output links.
std::string traceChromeJson(const ChipTrace &T);

} // namespace neuromesh::emulator::systemc
