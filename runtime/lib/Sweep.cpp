//===- Sweep.cpp - architecture sweeps in worker processes ----------------===//
#include "neuromesh/runtime/Sweep.h"

#include "neuromesh/isa/Error.h"
#include "neuromesh/runtime/Run.h"
#include "neuromesh/runtime/SpikeFile.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fmt/format.h>
#include <poll.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace neuromesh::runtime {

SweepParameter parseSweepParameter(const std::string &Text) {
  const isa::ArchOverride O = isa::parseArchOverride(Text);
  SweepParameter P;
  P.Path = O.first;
  size_t Begin = 0;
  while (true) {
    const size_t Comma = O.second.find(',', Begin);
    P.Values.push_back(O.second.substr(Begin, Comma - Begin));
    if (P.Values.back().empty())
      throw Error(fmt::format("--set '{}': empty value in the list; give path=v1,v2,... "
                              "e.g. core.neurons=256,512,1024",
                              Text));
    if (Comma == std::string::npos)
      break;
    Begin = Comma + 1;
  }
  return P;
}

std::vector<std::vector<isa::ArchOverride>> sweepPoints(const std::vector<SweepParameter> &Params,
                                                        bool Zip) {
  std::vector<std::vector<isa::ArchOverride>> Points;
  if (Params.empty())
    return {{}};
  if (Zip) {
    // A parameter with one value is fixed: it joins every pair.
    const SweepParameter *Longest = &Params[0];
    for (const SweepParameter &P : Params)
      if (P.Values.size() > Longest->Values.size())
        Longest = &P;
    for (const SweepParameter &P : Params)
      if (P.Values.size() != 1 && P.Values.size() != Longest->Values.size())
        throw Error(fmt::format("--zip pairs the i-th values of every --set, but {} has {} "
                                "values and {} has {}; give them the same number (or one value "
                                "to fix a field)",
                                Longest->Path, Longest->Values.size(), P.Path, P.Values.size()));
    for (size_t I = 0; I < Longest->Values.size(); ++I) {
      Points.emplace_back();
      for (const SweepParameter &P : Params)
        Points.back().push_back({P.Path, P.Values[P.Values.size() == 1 ? 0 : I]});
    }
    return Points;
  }
  // Odometer over the grid, the last parameter varying fastest.
  std::vector<size_t> Index(Params.size(), 0);
  while (true) {
    Points.emplace_back();
    for (size_t I = 0; I < Params.size(); ++I)
      Points.back().push_back({Params[I].Path, Params[I].Values[Index[I]]});
    size_t D = Params.size();
    while (D > 0 && ++Index[D - 1] == Params[D - 1].Values.size())
      Index[--D] = 0;
    if (D == 0)
      return Points;
  }
}

void markParetoFront(std::vector<SweepPoint> &Points) {
  for (SweepPoint &P : Points) {
    P.Pareto = P.Feasible;
    for (const SweepPoint &Q : Points) {
      if (!P.Pareto)
        break;
      if (!Q.Feasible || &Q == &P)
        continue;
      const bool NoWorse = Q.EnergyPerStep <= P.EnergyPerStep && Q.LatencyPerStep <= P.LatencyPerStep;
      const bool Better = Q.EnergyPerStep < P.EnergyPerStep || Q.LatencyPerStep < P.LatencyPerStep;
      if (NoWorse && Better)
        P.Pareto = false;
    }
  }
}

namespace {

/// A point's result as bytes through the worker's pipe: fixed-width
/// integers and the doubles' bit patterns, so nothing is rounded on the way.
class Wire {
public:
  std::string Bytes;
  size_t At = 0;

  template <typename T> void put(const T &V) {
    Bytes.append(reinterpret_cast<const char *>(&V), sizeof V);
  }
  void putString(const std::string &S) {
    put(uint64_t(S.size()));
    Bytes += S;
  }
  template <typename T> T get() {
    T V{};
    if (At + sizeof V > Bytes.size())
      throw Error("sweep worker sent a truncated result");
    std::memcpy(&V, Bytes.data() + At, sizeof V);
    At += sizeof V;
    return V;
  }
  std::string getString() {
    const uint64_t N = get<uint64_t>();
    if (At + N > Bytes.size())
      throw Error("sweep worker sent a truncated result");
    std::string S = Bytes.substr(At, N);
    At += N;
    return S;
  }
};

void encode(const SweepPoint &P, Wire &W) {
  W.put(uint8_t(P.Feasible));
  W.put(uint8_t(P.Stage));
  W.putString(P.Message);
  W.put(P.CoresUsed);
  W.put(P.ChipsUsed);
  for (double V : {P.MeanNeuronUse, P.MaxNeuronUse, P.EnergyPerStep, P.LatencyPerStep,
                   P.LatencyMax, P.Power, P.PowerPaced})
    W.put(V);
  W.put(P.Spikes);
  W.put(uint64_t(P.Recorded.size()));
  for (const emulator::SpikeRecord &S : P.Recorded) {
    W.put(S.Step);
    W.put(S.Symbol);
    W.put(S.Index);
  }
  W.putString(P.ReportJson);
}

void decode(Wire &W, SweepPoint &P) {
  P.Feasible = W.get<uint8_t>() != 0;
  P.Stage = SweepPoint::Failure(W.get<uint8_t>());
  P.Message = W.getString();
  P.CoresUsed = W.get<uint32_t>();
  P.ChipsUsed = W.get<uint32_t>();
  for (double *V : {&P.MeanNeuronUse, &P.MaxNeuronUse, &P.EnergyPerStep, &P.LatencyPerStep,
                    &P.LatencyMax, &P.Power, &P.PowerPaced})
    *V = W.get<double>();
  P.Spikes = W.get<uint64_t>();
  P.Recorded.resize(W.get<uint64_t>());
  for (emulator::SpikeRecord &S : P.Recorded) {
    S.Step = W.get<decltype(S.Step)>();
    S.Symbol = W.get<decltype(S.Symbol)>();
    S.Index = W.get<decltype(S.Index)>();
  }
  P.ReportJson = W.getString();
}

/// What a worker does for one point: compile, run on the SystemC engine with
/// the point's architecture, summarise. The compiler's (or the run's)
/// message makes an infeasible row.
SweepPoint runPoint(const isa::Architecture &Arch, const SweepOptions &Opts,
                    const CompileFunction &Compile) {
  SweepPoint P;
  CompiledPoint C;
  try {
    C = Compile(Arch);
  } catch (const Error &E) {
    P.Message = E.what();
    return P;
  }
  P.Stage = SweepPoint::Failure::Run;
  try {
    P.CoresUsed = C.CoresUsed;
    P.ChipsUsed = C.ChipsUsed;
    P.MeanNeuronUse = C.MeanNeuronUse;
    P.MaxNeuronUse = C.MaxNeuronUse;
    RunOptions R;
    R.Steps = Opts.Steps;
    R.Engine = "systemc";
    R.Arch = Arch;
    if (!Opts.InputPath.empty()) {
      P.Stage = SweepPoint::Failure::Input;
      R.Inputs = readSpikeFile(Opts.InputPath, C.Image, isa::SymbolKind::InputPort);
      P.Stage = SweepPoint::Failure::Run;
    }
    RunResult Run = runImage(C.Image, R);
    const emulator::EnergyTotals &T = Run.Energy->Totals;
    P.Feasible = true;
    P.EnergyPerStep = Opts.Steps ? T.Energy.total() / double(Opts.Steps) : 0;
    P.LatencyPerStep = T.meanLatency();
    P.LatencyMax = T.LatencyMax;
    P.Power = T.unthrottledPower(Run.Energy->StaticPower);
    P.PowerPaced = T.pacedPower();
    P.Spikes = Run.Counters.Cores.SpikesOut;
    P.ReportJson = energyReportJson(Run);
    P.Recorded = std::move(Run.Spikes);
    P.Stage = SweepPoint::Failure::None;
  } catch (const Error &E) {
    P.Feasible = false;
    P.Message = E.what();
  }
  return P;
}

/// One running worker: its pid, the read end of its pipe, what it sent.
struct Worker {
  pid_t Pid = -1;
  int Fd = -1;
  size_t Point = 0;
  std::string Bytes;
};

Worker startWorker(size_t Point, const isa::Architecture &Arch, const SweepOptions &Opts,
                   const CompileFunction &Compile) {
  int Fds[2];
  if (::pipe(Fds) != 0)
    throw Error(fmt::format("sweep: cannot create a pipe for a worker: {}", std::strerror(errno)));
  const pid_t Pid = ::fork();
  if (Pid < 0) {
    ::close(Fds[0]);
    ::close(Fds[1]);
    throw Error(fmt::format("sweep: cannot start a worker process: {}", std::strerror(errno)));
  }
  if (Pid == 0) {
    ::close(Fds[0]);
    Wire W;
    try {
      encode(runPoint(Arch, Opts, Compile), W);
    } catch (const std::exception &E) {
      SweepPoint Failed;
      Failed.Stage = SweepPoint::Failure::Run;
      Failed.Message = std::string("the worker failed: ") + E.what();
      W = Wire();
      encode(Failed, W);
    }
    size_t Done = 0;
    while (Done < W.Bytes.size()) {
      const ssize_t N = ::write(Fds[1], W.Bytes.data() + Done, W.Bytes.size() - Done);
      if (N < 0 && errno == EINTR)
        continue;
      if (N <= 0)
        ::_exit(1);
      Done += size_t(N);
    }
    ::close(Fds[1]);
    // Skip the parent's atexit handlers and static destructors: the worker
    // owns nothing the parent needs flushed.
    ::_exit(0);
  }
  ::close(Fds[1]);
  Worker Wk;
  Wk.Pid = Pid;
  Wk.Fd = Fds[0];
  Wk.Point = Point;
  return Wk;
}

/// Waits for the worker and turns what it sent into its point's row.
SweepPoint finishWorker(Worker &Wk) {
  ::close(Wk.Fd);
  int Status = 0;
  while (::waitpid(Wk.Pid, &Status, 0) < 0 && errno == EINTR) {
  }
  SweepPoint P;
  P.Stage = SweepPoint::Failure::Run;
  if (WIFSIGNALED(Status)) {
    P.Message = fmt::format("the worker process died with signal {} ({})", WTERMSIG(Status),
                            strsignal(WTERMSIG(Status)));
    return P;
  }
  Wire W;
  W.Bytes = std::move(Wk.Bytes);
  try {
    decode(W, P);
  } catch (const Error &E) {
    P = SweepPoint();
    P.Message = fmt::format("{} (worker exit status {})", E.what(),
                            WIFEXITED(Status) ? WEXITSTATUS(Status) : -1);
  }
  return P;
}

} // namespace

SweepResult runSweep(const SweepOptions &Opts, const CompileFunction &Compile) {
  SweepResult R;
  R.Steps = Opts.Steps;
  for (const SweepParameter &P : Opts.Parameters)
    R.ParameterPaths.push_back(P.Path);
  const std::vector<std::vector<isa::ArchOverride>> Sets = sweepPoints(Opts.Parameters, Opts.Zip);

  // Derive every architecture first: a bad path or value stops the sweep
  // before any work, with the field and its range named.
  std::vector<isa::Architecture> Archs;
  for (const std::vector<isa::ArchOverride> &Set : Sets) {
    std::vector<isa::ArchOverride> Overrides = Opts.Fixed;
    Overrides.insert(Overrides.end(), Set.begin(), Set.end());
    Archs.push_back(isa::loadArchitecture(Opts.ArchPath, Overrides));
  }

  unsigned Jobs = Opts.Jobs ? Opts.Jobs : std::max(1u, std::thread::hardware_concurrency());
  R.Points.resize(Sets.size());
  std::vector<Worker> Running;
  size_t Next = 0, Done = 0;
  while (Next < Sets.size() || !Running.empty()) {
    while (Next < Sets.size() && Running.size() < Jobs) {
      Running.push_back(startWorker(Next, Archs[Next], Opts, Compile));
      ++Next;
    }
    // Drain every pipe as it fills, so no worker blocks on a full pipe.
    std::vector<pollfd> Fds;
    for (const Worker &Wk : Running)
      Fds.push_back({Wk.Fd, POLLIN, 0});
    if (::poll(Fds.data(), Fds.size(), -1) < 0) {
      if (errno == EINTR)
        continue;
      throw Error(fmt::format("sweep: waiting for workers failed: {}", std::strerror(errno)));
    }
    for (size_t I = Running.size(); I-- > 0;) {
      if (!(Fds[I].revents & (POLLIN | POLLHUP | POLLERR)))
        continue;
      char Buf[65536];
      const ssize_t N = ::read(Running[I].Fd, Buf, sizeof Buf);
      if (N < 0 && errno == EINTR)
        continue;
      if (N > 0) {
        Running[I].Bytes.append(Buf, size_t(N));
        continue;
      }
      SweepPoint P = finishWorker(Running[I]);
      R.Points[Running[I].Point] = std::move(P);
      Running.erase(Running.begin() + std::ptrdiff_t(I));
      if (Opts.Progress)
        Opts.Progress(++Done, Sets.size());
    }
  }
  // A bad input file fails every point the same way: it is the user's
  // error to report, not a row.
  for (const SweepPoint &P : R.Points)
    if (P.Stage == SweepPoint::Failure::Input)
      throw Error(P.Message);
  for (size_t I = 0; I < Sets.size(); ++I)
    for (const isa::ArchOverride &O : Sets[I])
      R.Points[I].Values.push_back(O.second);
  markParetoFront(R.Points);
  return R;
}

} // namespace neuromesh::runtime
