//===- Trace.cpp - VCD and Chrome trace-event writers ---------------------===//
//
// Both writers work from the recorded spans only, so the files are the same
// for the same run whatever the host.
//
//===----------------------------------------------------------------------===//
#include "neuromesh/emulator/systemc/Trace.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <map>
#include <tuple>

namespace neuromesh::emulator::systemc {

namespace {

const std::array<const char *, 5> PortNames = {"north", "east", "south", "west", "local"};

/// A VCD identifier: base-94 over the printable characters '!'..'~'.
std::string vcdId(size_t N) {
  std::string S;
  do {
    S += char('!' + N % 94);
    N /= 94;
  } while (N);
  return S;
}

/// One bit variable as +1 / -1 changes at cycle boundaries: a count of the
/// spans open, so that a span ending where the next begins stays 1.
struct BitChange {
  uint64_t Cycle;
  size_t Var;
  int Delta;
  bool operator<(const BitChange &O) const {
    return std::tie(Cycle, Var) < std::tie(O.Cycle, O.Var);
  }
};

} // namespace

std::string traceVcd(const ChipTrace &T) {
  fmt::memory_buffer Out;
  auto W = [&](auto &&...A) { fmt::format_to(std::back_inserter(Out), A...); };
  W("$version neuromesh SystemC chip model $end\n");
  W("$comment one cycle = {} ps $end\n", T.ClockPeriodPs);
  W("$timescale 1ps $end\n");

  // Variables: 0 the step number, 1 the barrier, then per core, then per
  // router port (busy, stall).
  size_t Next = 0;
  const std::string StepId = vcdId(Next++), BarrierId = vcdId(Next++);
  W("$scope module system $end\n");
  W("$var integer 32 {} step $end\n", StepId);
  W("$var wire 1 {} barrier $end\n", BarrierId);
  const size_t CoreBase = Next;
  Next += T.Cores.size();
  const size_t RouterBase = Next;
  Next += T.Routers.size() * PortNames.size() * 2;
  uint16_t NumChips = 0;
  for (const TracePlace &P : T.Routers)
    NumChips = std::max<uint16_t>(NumChips, P.Chip + 1);
  for (const TracePlace &P : T.Cores)
    NumChips = std::max<uint16_t>(NumChips, P.Chip + 1);
  for (uint16_t C = 0; C < NumChips; ++C) {
    W("$scope module chip{} $end\n", C);
    for (size_t K = 0; K < T.Cores.size(); ++K) {
      const TracePlace &P = T.Cores[K];
      if (P.Chip != C)
        continue;
      W("$scope module core{}_x{}_y{}_s{} $end\n", K, P.X, P.Y, P.Slot);
      W("$var wire 1 {} busy $end\n$upscope $end\n", vcdId(CoreBase + K));
    }
    for (size_t R = 0; R < T.Routers.size(); ++R) {
      const TracePlace &P = T.Routers[R];
      if (P.Chip != C)
        continue;
      W("$scope module router_x{}_y{} $end\n", P.X, P.Y);
      for (size_t D = 0; D < PortNames.size(); ++D) {
        const size_t Base = RouterBase + (R * PortNames.size() + D) * 2;
        W("$var wire 1 {} {}_busy $end\n", vcdId(Base), PortNames[D]);
        W("$var wire 1 {} {}_stall $end\n", vcdId(Base + 1), PortNames[D]);
      }
      W("$upscope $end\n");
    }
    W("$upscope $end\n");
  }
  W("$upscope $end\n$enddefinitions $end\n");

  std::vector<BitChange> Changes;
  auto Span = [&](size_t Var, const CycleSpan &S) {
    if (S.End <= S.Begin)
      return;
    Changes.push_back({S.Begin, Var, +1});
    Changes.push_back({S.End, Var, -1});
  };
  for (const CoreActivity &A : T.CoreWork)
    Span(CoreBase + A.Core, A.Span);
  for (const LinkActivity &L : T.Links)
    Span(RouterBase + (size_t(L.Router) * PortNames.size() + L.Port) * 2 + (L.Stall ? 1 : 0),
         L.Span);
  for (const StepSpan &S : T.Steps)
    Span(1, {S.WorkEnd, S.End});
  std::stable_sort(Changes.begin(), Changes.end());
  // The step number changes at each step's start.
  std::map<uint64_t, uint64_t> StepAt;
  for (const StepSpan &S : T.Steps)
    StepAt[S.Start] = S.Step;

  // Value changes grouped by cycle; the values at cycle 0 are the initial
  // ones ($dumpvars), so that no time is written twice.
  std::vector<char> Value(Next, '0');
  std::vector<int> Open(Next, 0);
  std::vector<std::pair<uint64_t, std::string>> Groups;
  size_t I = 0;
  auto StepIt = StepAt.begin();
  while (I < Changes.size() || StepIt != StepAt.end()) {
    uint64_t Cycle = UINT64_MAX;
    if (I < Changes.size())
      Cycle = Changes[I].Cycle;
    if (StepIt != StepAt.end())
      Cycle = std::min(Cycle, StepIt->first);
    std::string Lines;
    if (StepIt != StepAt.end() && StepIt->first == Cycle) {
      Lines += fmt::format("b{:b} {}\n", StepIt->second, StepId);
      ++StepIt;
    }
    while (I < Changes.size() && Changes[I].Cycle == Cycle) {
      const size_t Var = Changes[I].Var;
      const bool Was = Open[Var] > 0;
      for (; I < Changes.size() && Changes[I].Cycle == Cycle && Changes[I].Var == Var; ++I)
        Open[Var] += Changes[I].Delta;
      const bool Is = Open[Var] > 0;
      if (Was == Is)
        continue;
      if (Cycle == 0)
        Value[Var] = Is ? '1' : '0';
      Lines += fmt::format("{}{}\n", Is ? '1' : '0', vcdId(Var));
    }
    if (Cycle > 0 && !Lines.empty())
      Groups.emplace_back(Cycle, std::move(Lines));
  }
  const uint64_t StepAtZero = StepAt.count(0) ? StepAt.at(0) : 0;
  W("#0\n$dumpvars\nb{:b} {}\n", StepAtZero, StepId);
  for (size_t V = 1; V < Next; ++V)
    W("{}{}\n", Value[V], vcdId(V));
  W("$end\n");
  for (const auto &[Cycle, Lines] : Groups)
    W("#{}\n{}", Cycle * T.ClockPeriodPs, Lines);
  return fmt::to_string(Out);
}

namespace {

/// Microseconds of Cycle, the unit of the trace-event format.
std::string micros(uint64_t Cycle, uint64_t PeriodPs) {
  return fmt::format("{}", double(Cycle) * double(PeriodPs) * 1e-6);
}

} // namespace

std::string traceChromeJson(const ChipTrace &T) {
  std::vector<std::string> Events;
  const uint64_t P = T.ClockPeriodPs;
  // Processes: one per chip (its cores and routers), and the system (steps).
  uint16_t NumChips = 0;
  for (const TracePlace &Pl : T.Routers)
    NumChips = std::max<uint16_t>(NumChips, Pl.Chip + 1);
  for (const TracePlace &Pl : T.Cores)
    NumChips = std::max<uint16_t>(NumChips, Pl.Chip + 1);
  const uint32_t SystemPid = NumChips;
  auto Meta = [&](const char *What, uint32_t Pid, int64_t Tid, const std::string &Name) {
    Events.push_back(fmt::format(
        R"({{"name": "{}", "ph": "M", "pid": {}, "tid": {}, "args": {{"name": "{}"}}}})", What, Pid,
        Tid, Name));
  };
  Meta("process_name", SystemPid, 0, "system");
  Meta("thread_name", SystemPid, 0, "steps");
  Meta("thread_name", SystemPid, 1, "barrier");
  for (uint16_t C = 0; C < NumChips; ++C)
    Meta("process_name", C, 0, fmt::format("chip {}", C));
  // Two threads per core, so that a pipelined core's absorptions (synapse
  // unit) may overlap its update (neuron unit) and slices still nest.
  for (size_t K = 0; K < T.Cores.size(); ++K) {
    const TracePlace &Pl = T.Cores[K];
    Meta("thread_name", Pl.Chip, int64_t(2 * K),
         fmt::format("core {} (x {}, y {}, slot {}) update", K, Pl.X, Pl.Y, Pl.Slot));
    Meta("thread_name", Pl.Chip, int64_t(2 * K + 1),
         fmt::format("core {} (x {}, y {}, slot {}) absorb", K, Pl.X, Pl.Y, Pl.Slot));
  }
  auto Slice = [&](const std::string &Name, uint32_t Pid, int64_t Tid, const CycleSpan &S,
                   const std::string &Args) {
    Events.push_back(fmt::format(
        R"({{"name": "{}", "ph": "X", "pid": {}, "tid": {}, "ts": {}, "dur": {}, "args": {{{}}}}})",
        Name, Pid, Tid, micros(S.Begin, P), micros(S.End - S.Begin, P), Args));
  };
  for (const StepSpan &S : T.Steps) {
    Slice(fmt::format("step {}", S.Step), SystemPid, 0, {S.Start, S.End},
          fmt::format(R"("step": {}, "cycles": {})", S.Step, S.End - S.Start));
    if (S.End > S.WorkEnd)
      Slice("barrier", SystemPid, 1, {S.WorkEnd, S.End}, fmt::format(R"("step": {})", S.Step));
  }
  // Per core: its updates, and its absorptions merged into bursts of
  // back-to-back work.
  std::vector<std::vector<const CoreActivity *>> ByCore(T.Cores.size());
  for (const CoreActivity &A : T.CoreWork)
    ByCore[A.Core].push_back(&A);
  for (size_t K = 0; K < ByCore.size(); ++K) {
    const uint32_t Pid = T.Cores[K].Chip;
    const std::vector<const CoreActivity *> &L = ByCore[K];
    for (size_t I = 0; I < L.size();) {
      if (L[I]->Work == CoreWork::Update) {
        Slice("update", Pid, int64_t(2 * K), L[I]->Span, "");
        ++I;
        continue;
      }
      CycleSpan Burst = L[I]->Span;
      uint64_t Spikes = 0;
      for (; I < L.size() && L[I]->Work == CoreWork::Absorb && L[I]->Span.Begin <= Burst.End; ++I) {
        Burst.End = std::max(Burst.End, L[I]->Span.End);
        ++Spikes;
      }
      Slice("absorb", Pid, int64_t(2 * K + 1), Burst, fmt::format(R"("spikes": {})", Spikes));
    }
  }
  // Per router, a counter of its busy output links (and of stalled ones),
  // sampled at every change.
  std::vector<std::vector<const LinkActivity *>> ByRouter(T.Routers.size());
  for (const LinkActivity &L : T.Links)
    ByRouter[L.Router].push_back(&L);
  for (size_t R = 0; R < ByRouter.size(); ++R) {
    std::map<uint64_t, std::pair<int, int>> Delta; // cycle -> (busy, stall)
    for (const LinkActivity *L : ByRouter[R]) {
      int &At = L->Stall ? Delta[L->Span.Begin].second : Delta[L->Span.Begin].first;
      int &Until = L->Stall ? Delta[L->Span.End].second : Delta[L->Span.End].first;
      ++At;
      --Until;
    }
    const TracePlace &Pl = T.Routers[R];
    int Busy = 0, Stall = 0;
    for (const auto &[Cycle, D] : Delta) {
      Busy += D.first;
      Stall += D.second;
      Events.push_back(fmt::format(
          R"J({{"name": "router (x {}, y {})", "ph": "C", "pid": {}, "ts": {}, "args": {{"busy links": {}, "stalled outputs": {}}}}})J",
          Pl.X, Pl.Y, Pl.Chip, micros(Cycle, P), Busy, Stall));
    }
  }
  std::string Out = "{\"displayTimeUnit\": \"ns\",\n\"otherData\": {\"cycle_ps\": " +
                    std::to_string(P) + "},\n\"traceEvents\": [\n";
  for (size_t I = 0; I < Events.size(); ++I)
    Out += Events[I] + (I + 1 < Events.size() ? ",\n" : "\n");
  return Out + "]}\n";
}

} // namespace neuromesh::emulator::systemc
