// The SystemC chip model against the functional engine, and its step
// latency against hand-worked arithmetic. Every SystemCEngine elaborates in
// a simulation context of its own (SystemCEngine.h), so a test case may
// build several engines one after another; quietKernel gives the case a
// fresh context besides, as in test_router.cpp.
#include "neuromesh/emulator/EnergyModel.h"
#include "neuromesh/emulator/FunctionalEngine.h"
#include "neuromesh/emulator/systemc/SystemCEngine.h"
#include "neuromesh/isa/Architecture.h"
#include "neuromesh/isa/Assembly.h"
#include "neuromesh/isa/Error.h"
#include "neuromesh/isa/Generators.h"

#include "isa/RandomImage.h"
#include "systemc/LatencyAgreement.h"

#include <catch2/catch.hpp>

#include <llvm/Support/JSON.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <map>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

using namespace neuromesh;
using namespace neuromesh::emulator;
using namespace neuromesh::emulator::systemc;

namespace {

void quietKernel() {
  setenv("SC_COPYRIGHT_MESSAGE", "DISABLE", 1);
  sc_core::sc_report_handler::set_actions(sc_core::SC_INFO, sc_core::SC_DO_NOTHING);
  sc_core::sc_curr_simcontext = new sc_core::sc_simcontext;
  sc_core::sc_default_global_context = sc_core::sc_curr_simcontext;
}

/// Nothing costs time: every event is free, the barrier too.
SystemCTiming fastTiming() {
  SystemCTiming T;
  T.Core = CoreTiming{0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  T.ClockPeriodPs = 1;
  T.BufferDepth = 64;
  T.EjectDepth = 0;
  T.LinkBitsPerCycle = 64;
  T.HopLatencyCycles = 1;
  T.ChipLinkSeconds = 0;
  T.BarrierSeconds = 0;
  return T;
}

/// Every event slow, long hops, slow chip links and barrier.
SystemCTiming slowTiming() {
  SystemCTiming T;
  T.Core = CoreTiming{40e-9, 30e-9, 20e-9, 15e-9, 60e-9, 25e-9, 5e-9, 35e-9, 45e-9, 55e-9};
  T.ClockPeriodPs = 2500;
  T.BufferDepth = 8;
  T.EjectDepth = 16;
  T.LinkBitsPerCycle = 32;
  T.HopLatencyCycles = 9;
  T.ChipLinkSeconds = 1e-6;
  T.BarrierSeconds = 3e-6;
  return T;
}

/// Cheap cores but a starved network: one-message buffers, one-message
/// eject buffers, 3-bit links (11 cycles per 32-bit message), a slow host.
SystemCTiming contendedTiming() {
  SystemCTiming T;
  T.Core = CoreTiming{1e-9, 1e-9, 1e-9, 0, 1e-9, 0, 0, 1e-9, 1e-9, 1e-9};
  T.ClockPeriodPs = 1000;
  T.BufferDepth = 1;
  T.EjectDepth = 1;
  T.LinkBitsPerCycle = 3;
  T.HopLatencyCycles = 2;
  T.HostCyclesPerMessage = 5;
  T.ChipLinkSeconds = 20e-9;
  T.BarrierSeconds = 50e-9;
  return T;
}

/// Both mesh models: every property below holds under each.
constexpr isa::MeshModel Models[] = {isa::MeshModel::Cycle, isa::MeshModel::Transaction};

/// T with mesh model M.
SystemCTiming withModel(SystemCTiming T, isa::MeshModel M) {
  T.Model = M;
  return T;
}

/// Host input spikes for Steps steps: (step, port symbol, index), a
/// deterministic spread over the image's input ports.
std::vector<SpikeRecord> hostInputs(const isa::Image &Img, uint64_t Seed, uint64_t Steps) {
  std::vector<SpikeRecord> In;
  testing::detail::Rng R(Seed ^ 0x5eedULL);
  for (uint64_t T = 0; T < Steps; ++T)
    for (uint32_t S = 0; S < Img.Symbols.size(); ++S) {
      const isa::Symbol &Sym = Img.Symbols[S];
      if (Sym.Kind != isa::SymbolKind::InputPort)
        continue;
      for (uint32_t I = 0; I < Sym.Size; ++I)
        if (R.chance(30))
          In.push_back({T, S, I});
    }
  return In;
}

template <typename Engine>
void drive(Engine &E, const std::vector<SpikeRecord> &In, uint64_t Steps) {
  size_t Next = 0;
  for (uint64_t T = 0; T < Steps; ++T) {
    for (; Next < In.size() && In[Next].Step == T; ++Next)
      E.injectInput(In[Next].Symbol, In[Next].Index, int32_t(In[Next].Index) - 1);
    E.step();
  }
}

/// Larger random images than the ISA defaults: more cores per tile and
/// more traffic, so that ports and gateways are shared.
testing::RandomImageOptions busyOptions() {
  testing::RandomImageOptions O;
  O.MaxCores = 10;
  O.MaxNeurons = 24;
  O.MaxAxons = 8;
  O.MaxFanout = 6;
  O.MaxCoresPerTile = 4;
  return O;
}

} // namespace

TEST_CASE("systemc engine: same spikes and counts as the functional engine on random images "
          "under fast, slow and contended timing and both mesh models",
          "[systemc]") {
  quietKernel();
  const uint64_t Steps = 12;
  const SystemCTiming Timings[] = {fastTiming(), slowTiming(), contendedTiming()};
  const char *Names[] = {"fast", "slow", "contended"};
  uint64_t TotalSpikes = 0, TotalMessages = 0, TotalChipLink = 0, TotalStalls = 0;
  for (uint64_t Seed = 1; Seed <= 24; ++Seed) {
    isa::Image Img = testing::makeRandomImage(Seed, busyOptions());
    std::vector<SpikeRecord> In = hostInputs(Img, Seed, Steps);
    FunctionalEngine Golden(Img);
    drive(Golden, In, Steps);
    const EngineCounters Want = Golden.counters();
    TotalSpikes += Want.Cores.SpikesOut;
    for (int K = 0; K < 6; ++K) {
      const isa::MeshModel Model = Models[K % 2];
      INFO("seed " << Seed << ", timing " << Names[K / 2] << ", " << isa::meshModelName(Model));
      SystemCEngine Timed(Img, withModel(Timings[K / 2], Model));
      drive(Timed, In, Steps);
      CHECK(Timed.recorded() == Golden.recorded());
      CHECK(Timed.probed() == Golden.probed());
      const EngineCounters Got = Timed.counters();
      CHECK(Got.Cores == Want.Cores);
      CHECK(Got.HostSpikes == Want.HostSpikes);
      CHECK(Got.HostMessages == Want.HostMessages);
      CHECK(Got.GeneratedSpikes == Want.GeneratedSpikes);
      CHECK(Got.GeneratedMessages == Want.GeneratedMessages);
      CHECK(Got.RecordedSpikes == Want.RecordedSpikes);
      // Every message crosses exactly one mesh (a gateway bypasses the
      // source chip's mesh) and is ejected once.
      const SystemCTraffic Tr = Timed.traffic();
      const uint64_t Messages = Want.Cores.MessagesOut + Want.HostMessages + Want.GeneratedMessages;
      CHECK(Tr.MeshMessages == Messages);
      CHECK(Timed.latencies().size() == Steps);
      TotalMessages += Messages;
      TotalChipLink += Tr.ChipLinkMessages;
      if (K / 2 == 2)
        TotalStalls += Tr.StallCycles + Tr.InjectStallCycles;
    }
  }
  // The corpus exercises what it claims to: spikes, traffic, chip links
  // and a network that back-pressures.
  CHECK(TotalSpikes > 100);
  CHECK(TotalMessages > 1000);
  CHECK(TotalChipLink > 0);
  CHECK(TotalStalls > 0);
}

namespace {

// Core 0 at tile (0,0): 10 neurons; neuron 0 fires every step (its program
// is just `spike`), the others halt. Neuron 0 sends one message to axon 0
// of core 1 at tile (2,0), two hops east. Axon 0 reaches all 10 neurons of
// core 1 (sparse, delay 1), which never fire.
const char *MicroNetwork = R"(
.arch "micro" fingerprint=0x0
.chips 1
.mesh 3 1
.cores_per_tile 1
.core 0 chip=0 x=0 y=0 slot=0
  .config axons=0 neurons=10 state_words=1 delay_slots=2 seed=0x1
  .profile 0
    spike
  .end
  .profile 1
    halt
  .end
  .neuron 0 profile=0 state=0
  .neurons 1 count=9 profile=1 state=0
  .out 0 -> 0:1:0
.core 1 chip=0 x=2 y=0 slot=0
  .config axons=1 neurons=10 state_words=1 delay_slots=2 seed=0x1
  .profile 0
    halt
  .end
  .neurons 0 count=10 profile=0 state=0
  .axon 0
    .sparse shift=0 0:1:1, 1:1:1, 2:1:1, 3:1:1, 4:1:1, 5:1:1, 6:1:1, 7:1:1, 8:1:1, 9:1:1
.population "src" size=1
  .segment core=0 first=0 count=1 offset=0
)";

/// 1 ns cycles; the latencies the hand computation uses.
SystemCTiming microTiming() {
  SystemCTiming T = fastTiming();
  T.ClockPeriodPs = 1000;
  T.Core.NeuronAccess = 3e-9;
  T.Core.SpikeGeneration = 2e-9;
  T.Core.MessageOut = 4e-9;
  T.Core.MessageIn = 5e-9;
  T.Core.SynapseSparse = 1e-9;
  T.HopLatencyCycles = 2;
  T.LinkBitsPerCycle = 32; // a 32-bit message takes S = 1 cycle per link
  T.MessageBits = 32;
  T.BufferDepth = 4;
  T.EjectDepth = 4;
  T.BarrierSeconds = 10e-9;
  return T;
}

} // namespace

TEST_CASE("systemc engine: hand-computed step latency of one spike two hops away", "[systemc]") {
  quietKernel();
  isa::Image Img = isa::parseAssembly(MicroNetwork, "micro.s");
  // Uncontended: both mesh models give the same cycles.
  for (isa::MeshModel Model : Models) {
    INFO(isa::meshModelName(Model));
    SystemCEngine E(Img, withModel(microTiming(), Model));
    E.run(2);
    // Step 0 starts at cycle 0 (1 cycle = 1 ns).
    //  core 0 update: 10 neuron updates x 3 ns + 1 spike x 2 ns = 32 ns;
    //    its one message is ready after one message-out, 32 + 4 = 36: cycle 36
    //  core 1 update: 10 x 3 ns = 30 ns, free from cycle 30
    //  injection: the local port takes it at cycle 36
    //  mesh: S = 1, H = 2, so each of the 3 traversals (router (0,0) east,
    //    router (1,0) east, router (2,0) local) takes S - 1 + H = 2 cycles:
    //    in the eject buffer of tile (2,0) at 36 + 3 x 2 = 42
    //  ejection: core 1 is free (since 30), so it takes the message at 42
    //  delivery: 1 message-in x 5 ns + 10 sparse synapses x 1 ns = 15 ns: 57
    //  barrier: 10 ns after the last work: the step closes at cycle 67
    REQUIRE(E.latencies().size() == 2);
    CHECK(E.latencies()[0].StartCycle == 0);
    CHECK(E.latencies()[0].Cycles == 67);
    CHECK(E.latencies()[0].Seconds == Approx(67e-9));
    // Step 1 starts where step 0 closed and repeats it exactly.
    CHECK(E.latencies()[1].StartCycle == 67);
    CHECK(E.latencies()[1].Cycles == 67);
    CHECK(E.simulatedSeconds() == Approx(134e-9));
    const SystemCTraffic Tr = E.traffic();
    CHECK(Tr.MeshMessages == 2);
    CHECK(Tr.HopsEastWest == 4); // 2 hops per message
    CHECK(Tr.HopsNorthSouth == 0);
    CHECK(E.counters().Cores.SynapticEvents == 20);
    CHECK(E.recorded() == std::vector<SpikeRecord>{{0, 0, 0}, {1, 0, 0}});
  }
}

TEST_CASE("systemc engine: cores sharing a tile take turns on its local port", "[systemc]") {
  quietKernel();
  // The micro network with a second sender, core 2, in tile (0,0) next to
  // core 0 (slot 1), identical to core 0 and sending to axon 0 of core 1.
  std::string Text = MicroNetwork;
  Text.replace(Text.find(".cores_per_tile 1"), 17, ".cores_per_tile 2");
  const std::string Core0 =
      Text.substr(Text.find(".core 0"), Text.find(".core 1") - Text.find(".core 0"));
  std::string Core2 = Core0;
  Core2.replace(0, 29, ".core 2 chip=0 x=0 y=0 slot=1");
  Text.insert(Text.find(".population"), Core2);
  isa::Image Img = isa::parseAssembly(Text, "micro2.s");
  for (isa::MeshModel Model : Models) {
    INFO(isa::meshModelName(Model));
    SystemCEngine E(Img, withModel(microTiming(), Model));
    E.step();
    // Both messages are ready at cycle 36 (as above). The port takes core
    // 0's at 36 and core 2's at 37 (ties in image core order, one per
    // cycle). Each arrives 6 cycles later: 42 and 43. Core 1 absorbs the
    // first from 42 to 57, then the second from 57 to 72 (it was busy when
    // the second arrived). Barrier: 72 + 10 = 82.
    CHECK(E.latencies()[0].Cycles == 82);
  }
}

TEST_CASE("systemc engine: hand-computed latency of a spike to another chip", "[systemc]") {
  quietKernel();
  // The micro network on two chips of one tile each: core 0 on chip 0
  // sends to core 0 of chip 1 through chip 0's gateway.
  std::string Text = MicroNetwork;
  Text.replace(Text.find(".chips 1"), 8, ".chips 2");
  Text.replace(Text.find(".mesh 3 1"), 9, ".mesh 1 1");
  Text.replace(Text.find(".out 0 -> 0:1:0"), 15, ".out 0 -> 1:0:0");
  Text.replace(Text.find(".core 1 chip=0 x=2"), 18, ".core 1 chip=1 x=0");
  isa::Image Img = isa::parseAssembly(Text, "micro_chips.s");
  for (isa::MeshModel Model : Models) {
    INFO(isa::meshModelName(Model));
    SystemCTiming T = withModel(microTiming(), Model);
    T.ChipLinkSeconds = 20e-9;
    SystemCEngine E(Img, T);
    E.step();
    // Core 0's message is ready at 36 (as in the two-hop case) and enters
    // chip 0's router at 36. Chip 1 lies east (a row of two chips), so the
    // route leaves chip 0 at its east edge, which is tile (0,0) itself: one
    // local traversal (2 cycles) ejects it in transit at 38; the east chip
    // link holds it 20 cycles and puts it into chip 1's west edge tile,
    // (0,0), at 58; one local traversal puts it in the eject buffer at 60;
    // core 1 (free since 30) absorbs it until 60 + 15 = 75, and the barrier
    // closes the step at 85.
    CHECK(E.latencies()[0].Cycles == 85);
    CHECK(E.traffic().ChipLinkMessages == 1);
    CHECK(E.traffic().HopsEastWest == 0);
    CHECK(E.counters().Cores.SynapticEvents == 10);
  }
}

TEST_CASE("systemc engine: hand-computed latency of host input spikes", "[systemc]") {
  quietKernel();
  // Core 1 of the micro network, alone at tile (2,0), fed by an input port
  // of two indices, both to its axon 0.
  std::string Text = MicroNetwork;
  Text.insert(Text.find(".population"), ".input \"in\" size=2\n  .target 0 -> 0:1:0\n"
                                        "  .target 1 -> 0:1:0\n");
  isa::Image Img = isa::parseAssembly(Text, "micro_host.s");
  for (isa::MeshModel Model : Models) {
    INFO(isa::meshModelName(Model));
    SystemCTiming T = withModel(microTiming(), Model);
    T.HostCyclesPerMessage = 3;
    SystemCEngine E(Img, T);
    E.injectInput(0, 0); // "in" is symbol 0 (it precedes "src")
    E.injectInput(0, 1);
    E.step();
    // Host messages are ready at 0 + 3 = 3 and 0 + 6 = 6 at tile (0,0),
    // which core 0 shares: its own message is ready at 36 and goes after.
    // Each host message needs 6 cycles to tile (2,0): in its eject buffer at
    // 9 and 12. Core 1 is busy with its update until 30, so it absorbs the
    // first from 30 to 45, the second from 45 to 60, and core 0's message
    // (arrived at 42) from 60 to 75. Barrier: 75 + 10 = 85.
    CHECK(E.latencies()[0].Cycles == 85);
    CHECK(E.counters().HostMessages == 2);
    CHECK(E.counters().Cores.SynapticEvents == 30);

    // A pipelined core (SynapseOverlap): core 1's synapse unit absorbs while
    // its neuron unit updates (until 30): the host messages from 9 to 24 and
    // 24 to 39, core 0's (arrived at 42) from 42 to 57; the step's work ends
    // at 57 and the barrier closes it at 67.
    T.Core.SynapseOverlap = true;
    SystemCEngine P(Img, T);
    P.injectInput(0, 0);
    P.injectInput(0, 1);
    P.step();
    CHECK(P.latencies()[0].Cycles == 67);
    CHECK(P.counters().Cores == E.counters().Cores);
  }
}

TEST_CASE("systemc engine: a tile's port serves a tie in source order, the host last",
          "[systemc]") {
  quietKernel();
  // Core 0 of the micro network gets an input axon (one synapse) and the
  // host feeds it, from core 0's own tile (0,0), so that the host's message
  // and core 0's leave the port for different places: core 0's to core 1 at
  // tile (2,0), the host's back into tile (0,0).
  std::string Text = MicroNetwork;
  const std::string Config0 = "axons=0 neurons=10";
  Text.replace(Text.find(Config0), Config0.size(), "axons=1 neurons=10");
  Text.insert(Text.find(".core 1"), "  .axon 0\n    .sparse shift=0 0:1:1\n");
  Text.insert(Text.find(".population"), ".input \"in\" size=1\n  .target 0 -> 0:0:0\n");
  isa::Image Img = isa::parseAssembly(Text, "micro_tie.s");
  for (isa::MeshModel Model : Models) {
    INFO(isa::meshModelName(Model));
    SystemCTiming T = withModel(microTiming(), Model);
    // Core 0's update keeps it busy until 32 and its message is ready at 36
    // (as above); the host's, at 36 too.
    T.HostCyclesPerMessage = 36;
    SystemCEngine E(Img, T);
    E.injectInput(0, 0);
    E.step();
    // The tie goes to core 0 (image core order, the host last): core 0's
    // message enters at 36, is at tile (2,0) at 42 (as above) and core 1
    // absorbs it from 42 to 57. The host's enters at 37, is in tile (0,0)'s
    // eject buffer at 37 + 2 = 39 (a hop to the local output: S - 1 + H),
    // and core 0 (free from 36) absorbs it from 39 to 39 + 5 + 1 = 45.
    // Barrier: 57 + 10 = 67. (Served the other way round, core 0's message
    // would enter at 37 and end at 58: 68.)
    CHECK(E.latencies()[0].Cycles == 67);
    CHECK(E.counters().HostMessages == 1);
    CHECK(E.counters().Cores.SynapticEvents == 11);
  }
}

TEST_CASE("systemc engine: two runs give identical spikes, latencies and traffic", "[systemc]") {
  quietKernel();
  const uint64_t Steps = 10;
  for (uint64_t Seed : {3u, 7u, 11u})
    for (isa::MeshModel Model : Models) {
      isa::Image Img = testing::makeRandomImage(Seed, busyOptions());
      std::vector<SpikeRecord> In = hostInputs(Img, Seed, Steps);
      SystemCEngine A(Img, withModel(contendedTiming(), Model));
      drive(A, In, Steps);
      SystemCEngine B(Img, withModel(contendedTiming(), Model));
      drive(B, In, Steps);
      INFO("seed " << Seed << ", " << isa::meshModelName(Model));
      CHECK(A.recorded() == B.recorded());
      CHECK(A.latencies() == B.latencies());
      CHECK(A.traffic().StallCycles == B.traffic().StallCycles);
      CHECK(A.traffic().HopsEastWest == B.traffic().HopsEastWest);
      CHECK(A.counters().Cores == B.counters().Cores);
    }
}

TEST_CASE("systemc engine: 2 and 3 threads give the functional engine's spikes and the "
          "1-thread latencies and traffic",
          "[systemc][threads]") {
  quietKernel();
  const uint64_t Steps = 12;
  const SystemCTiming Timings[] = {slowTiming(), withModel(contendedTiming(), Models[0]),
                                   withModel(contendedTiming(), Models[1])};
  unsigned Threaded = 0;
  uint64_t Spikes = 0;
  for (uint64_t Seed = 1; Seed <= 10; ++Seed) {
    isa::Image Img = testing::makeRandomImage(Seed, busyOptions());
    std::vector<SpikeRecord> In = hostInputs(Img, Seed, Steps);
    FunctionalEngine Golden(Img);
    drive(Golden, In, Steps);
    Spikes += Golden.counters().Cores.SpikesOut;
    for (const SystemCTiming &Timing : Timings) {
      SystemCEngine One(Img, Timing);
      drive(One, In, Steps);
      for (unsigned Threads : {2u, 3u}) {
        INFO("seed " << Seed << ", " << Threads << " threads");
        EngineOptions Opts;
        Opts.Threads = Threads;
        SystemCEngine Many(Img, Timing, Opts);
        Threaded += Many.numThreads() == Threads;
        drive(Many, In, Steps);
        CHECK(Many.recorded() == Golden.recorded());
        CHECK(Many.probed() == Golden.probed());
        CHECK(Many.counters().Cores == Golden.counters().Cores);
        CHECK(Many.latencies() == One.latencies());
        const SystemCTraffic A = One.traffic(), B = Many.traffic();
        CHECK(B.MeshMessages == A.MeshMessages);
        CHECK(B.HopsEastWest == A.HopsEastWest);
        CHECK(B.HopsNorthSouth == A.HopsNorthSouth);
        CHECK(B.ChipLinkMessages == A.ChipLinkMessages);
        CHECK(B.StallCycles == A.StallCycles);
        CHECK(B.InjectStallCycles == A.InjectStallCycles);
      }
    }
  }
  // Several cores a thread, and firing: the threads have work to share.
  CHECK(Spikes > 50);
  CHECK(Threaded > 10);
}

TEST_CASE("systemc engine: bad timing values and inputs are errors", "[systemc]") {
  quietKernel();
  isa::Image Img = isa::parseAssembly(MicroNetwork, "micro.s");
  SystemCTiming T = microTiming();
  T.BufferDepth = 0;
  CHECK_THROWS_WITH(SystemCEngine(Img, T),
                    Catch::Contains("mesh.router.buffer_depth must be >= 1"));
  T = microTiming();
  T.Core.MessageIn = -1e-9;
  CHECK_THROWS_WITH(SystemCEngine(Img, T), Catch::Contains("message_in latency"));
  SystemCEngine E(Img, microTiming());
  CHECK_THROWS_WITH(E.injectInput(0, 0), Catch::Contains("not an input port"));
}

TEST_CASE("systemc timing: filled from the loihi preset's cost sets", "[systemc]") {
  const std::string Path = std::string(NM_SOURCE_DIR) + "/examples/arch/loihi.yaml";
  // Values as written in examples/arch/loihi.yaml (davies2018 is the
  // default set).
  isa::Architecture Davies = isa::loadArchitecture(Path);
  SystemCTiming T = timingFromArchitecture(Davies, 32);
  CHECK(T.Core.SynapseSparse == Approx(3.5e-9));
  CHECK(T.Core.NeuronActive == Approx(8.4e-9));
  CHECK(T.Core.NeuronInactive == Approx(5.3e-9));
  CHECK(T.Core.MessageIn == 0);
  // Hops: the slower of 4.1 ns (x) and 6.5 ns (y) at the preset's 1 ns
  // clock: 7 cycles.
  CHECK(T.HopLatencyCycles == 7);
  CHECK(T.BarrierSeconds == Approx(465e-9)); // 32 tiles
  CHECK(timingFromArchitecture(Davies, 1).BarrierSeconds == Approx(113e-9));
  // The mesh fields of the preset (mesh.*, host.*).
  CHECK(T.ClockPeriodPs == 1000);
  CHECK(T.MessageBits == 32);
  CHECK(T.LinkBitsPerCycle == 32);
  CHECK(T.BufferDepth == 4);
  CHECK(T.EjectDepth == 4);
  CHECK(T.HostCyclesPerMessage == 1); // 0 s: one cycle
  CHECK(T.NoProgressCycles == 100000);

  // Overrides reach the timing: a 250 ps clock makes the 6.5 ns hop 26
  // cycles and a 3 ns host interval 12 cycles.
  isa::Architecture Fine = isa::loadArchitecture(
      Path, {{"mesh.clock_period", "250ps"}, {"host.message_interval", "3ns"},
             {"mesh.router.eject_depth", "0"}, {"mesh.link.bits_per_cycle", "8"}});
  SystemCTiming F = timingFromArchitecture(Fine, 1);
  CHECK(F.ClockPeriodPs == 250);
  CHECK(F.HopLatencyCycles == 26);
  CHECK(F.HostCyclesPerMessage == 12);
  CHECK(F.EjectDepth == 0);
  CHECK(F.router().serialisationCycles(F.MessageBits) == 4);
  CHECK(Fine.fingerprint() == Davies.fingerprint());

  isa::Architecture Silicon = isa::loadArchitecture(Path, {{"costs.model", "silicon"}});
  T = timingFromArchitecture(Silicon, 4);
  CHECK(T.Core.MessageIn == Approx(16e-9));
  CHECK(T.Core.SpikeGeneration == Approx(30e-9));
  CHECK(T.BarrierSeconds == Approx(1.4e-6));
  CHECK_NOTHROW(T.validate());
}

namespace {

/// A VCD file's value changes by full variable name (scope.scope.var):
/// (time in ps, value) in file order; the $dumpvars values at time 0.
std::map<std::string, std::vector<std::pair<uint64_t, std::string>>>
vcdChanges(const std::string &Text) {
  std::map<std::string, std::string> Names; // id -> name
  std::vector<std::string> Scope;
  std::map<std::string, std::vector<std::pair<uint64_t, std::string>>> Out;
  std::istringstream In(Text);
  std::string W;
  uint64_t Time = 0;
  bool Defs = true;
  while (In >> W) {
    if (Defs) {
      if (W == "$scope") {
        std::string Kind, Name;
        In >> Kind >> Name;
        Scope.push_back(Name);
      } else if (W == "$upscope") {
        Scope.pop_back();
      } else if (W == "$var") {
        std::string Type, Size, Id, Name;
        In >> Type >> Size >> Id >> Name;
        std::string Full;
        for (const std::string &S : Scope)
          Full += S + ".";
        Names[Id] = Full + Name;
      } else if (W == "$enddefinitions") {
        Defs = false;
      }
      continue;
    }
    if (W[0] == '#') {
      Time = std::stoull(W.substr(1));
    } else if (W[0] == 'b') {
      std::string Id;
      In >> Id;
      REQUIRE(Names.count(Id));
      Out[Names[Id]].push_back({Time, std::to_string(std::stoull(W.substr(1), nullptr, 2))});
    } else if (W[0] == '0' || W[0] == '1') {
      const std::string Id = W.substr(1);
      REQUIRE(Names.count(Id));
      Out[Names[Id]].push_back({Time, W.substr(0, 1)});
    }
  }
  return Out;
}

using Changes = std::vector<std::pair<uint64_t, std::string>>;

} // namespace

TEST_CASE("systemc engine: the trace of one spike two hops away, by hand", "[systemc][trace]") {
  quietKernel();
  isa::Image Img = isa::parseAssembly(MicroNetwork, "micro.s");
  // The cycle model samples its routers; the transaction model records its
  // reservations: the same spans.
  for (isa::MeshModel Model : Models) {
    INFO(isa::meshModelName(Model));
    SystemCEngine E(Img, withModel(microTiming(), Model), {}, /*RecordTrace=*/true);
    E.run(2);
    const ChipTrace *T = E.trace();
    REQUIRE(T);
    // The latencies of the hand-worked case above: step 0 is cycles 0-67,
    // core 0 busy 0-36 (update and send), core 1 busy 0-30 (update) and
    // 42-57 (absorbing the spike), the message granted east at router (0,0)
    // in cycle 36, east at (1,0) in 38, local at (2,0) in 40 (S = 1, H = 2),
    // the barrier 57-67. Step 1 is the same 67 cycles later.
    REQUIRE(T->Steps.size() == 2);
    CHECK(T->Steps[0].Start == 0);
    CHECK(T->Steps[0].WorkEnd == 57);
    CHECK(T->Steps[0].End == 67);
    CHECK(T->Steps[1].Start == 67);
    CHECK(T->Steps[1].End == 134);
    std::vector<std::tuple<uint32_t, int, uint64_t, uint64_t>> Work;
    for (const CoreActivity &A : T->CoreWork)
      Work.emplace_back(A.Core, int(A.Work), A.Span.Begin, A.Span.End);
    std::sort(Work.begin(), Work.end());
    const int U = int(CoreWork::Update), A = int(CoreWork::Absorb);
    CHECK(Work == std::vector<std::tuple<uint32_t, int, uint64_t, uint64_t>>{{0, U, 0, 36},
                                                                             {0, U, 67, 103},
                                                                             {1, U, 0, 30},
                                                                             {1, U, 67, 97},
                                                                             {1, A, 42, 57},
                                                                             {1, A, 109, 124}});
    std::vector<std::tuple<uint32_t, int, bool, uint64_t, uint64_t>> Links;
    for (const LinkActivity &L : T->Links)
      Links.emplace_back(L.Router, L.Port, L.Stall, L.Span.Begin, L.Span.End);
    std::sort(Links.begin(), Links.end());
    const int East = int(Dir::East), Local = int(Dir::Local);
    CHECK(Links == std::vector<std::tuple<uint32_t, int, bool, uint64_t, uint64_t>>{
                       {0, East, false, 36, 37},
                       {0, East, false, 103, 104},
                       {1, East, false, 38, 39},
                       {1, East, false, 105, 106},
                       {2, Local, false, 40, 41},
                       {2, Local, false, 107, 108}});

    // Recording changes nothing: the same latencies as an untraced run.
    SystemCEngine Plain(Img, withModel(microTiming(), Model));
    Plain.run(2);
    CHECK(Plain.latencies() == E.latencies());

    // The VCD (1 cycle = 1000 ps).
    auto V = vcdChanges(traceVcd(*T));
    CHECK(V["system.step"] == Changes{{0, "0"}, {67000, "1"}});
    CHECK(V["system.barrier"] ==
          Changes{{0, "0"}, {57000, "1"}, {67000, "0"}, {124000, "1"}, {134000, "0"}});
    CHECK(V["system.chip0.core1_x2_y0_s0.busy"] == Changes{{0, "1"},
                                                           {30000, "0"},
                                                           {42000, "1"},
                                                           {57000, "0"},
                                                           {67000, "1"},
                                                           {97000, "0"},
                                                           {109000, "1"},
                                                           {124000, "0"}});
    CHECK(V["system.chip0.router_x1_y0.east_busy"] ==
          Changes{{0, "0"}, {38000, "1"}, {39000, "0"}, {105000, "1"}, {106000, "0"}});
    CHECK(V["system.chip0.router_x1_y0.west_busy"] == Changes{{0, "0"}});
    CHECK(V["system.chip0.router_x2_y0.local_stall"] == Changes{{0, "0"}});

    // The Chrome trace: it parses, and holds a slice per step, barrier,
    // update and absorb burst, and the routers' counters.
    llvm::Expected<llvm::json::Value> J = llvm::json::parse(traceChromeJson(*T));
    REQUIRE(bool(J));
    const llvm::json::Array *Events = J->getAsObject()->getArray("traceEvents");
    REQUIRE(Events);
    std::map<std::string, int> Slices;
    std::vector<std::pair<double, double>> Absorbs;
    int Counters = 0;
    for (const llvm::json::Value &Ev : *Events) {
      const llvm::json::Object &O = *Ev.getAsObject();
      const std::string Ph = O.getString("ph")->str();
      if (Ph == "C")
        ++Counters;
      if (Ph != "X")
        continue;
      const std::string Name = O.getString("name")->str();
      ++Slices[Name];
      if (Name == "absorb") {
        Absorbs.emplace_back(*O.getNumber("ts"), *O.getNumber("dur"));
        CHECK(*O.getInteger("tid") == 3); // core 1's absorb thread
        CHECK(*O.getObject("args")->getInteger("spikes") == 1);
      }
    }
    CHECK(Slices ==
          std::map<std::string, int>{
              {"absorb", 2}, {"barrier", 2}, {"step 0", 1}, {"step 1", 1}, {"update", 4}});
    REQUIRE(Absorbs.size() == 2);
    CHECK(Absorbs[0].first == Approx(0.042)); // us
    CHECK(Absorbs[0].second == Approx(0.015));
    CHECK(Absorbs[1].first == Approx(0.109));
    // Three routers, each busy then idle twice: 12 counter samples.
    CHECK(Counters == 12);
  }
}

TEST_CASE("systemc engine: traced link and stall activity equals the routers' counters",
          "[systemc][trace]") {
  quietKernel();
  for (uint64_t Seed : {3u, 5u})
    for (isa::MeshModel Model : Models) {
      isa::Image Img = testing::makeRandomImage(Seed, busyOptions());
      const std::vector<SpikeRecord> In = hostInputs(Img, Seed, 8);
      SystemCEngine E(Img, withModel(contendedTiming(), Model), {}, /*RecordTrace=*/true);
      drive(E, In, 8);
      const SystemCTraffic Tr = E.traffic();
      uint64_t Busy = 0, Stalls = 0;
      const uint64_t S = contendedTiming().router().serialisationCycles(32);
      for (const LinkActivity &L : E.trace()->Links) {
        if (L.Stall) {
          Stalls += L.Span.End - L.Span.Begin;
          continue;
        }
        CHECK(L.Span.End - L.Span.Begin == S);
        ++Busy;
      }
      INFO("seed " << Seed << ", " << isa::meshModelName(Model));
      // Every message forwarded (hops and ejections) is one busy span; every
      // stall cycle the routers counted is in a stall span.
      // (A message crossing a chip edge is ejected once more, at the edge.)
      CHECK(Busy == Tr.HopsEastWest + Tr.HopsNorthSouth + Tr.MeshMessages + Tr.ChipLinkMessages);
      CHECK(Stalls == Tr.StallCycles);
      CHECK(E.trace()->Steps.size() == 8);
      uint64_t Absorbed = 0;
      for (const CoreActivity &A : E.trace()->CoreWork)
        Absorbed += A.Work == CoreWork::Absorb;
      CHECK(Absorbed == Tr.MeshMessages);
    }
}

TEST_CASE("systemc engine: routers and chip links carry the energy model's routes over the chip "
          "grid",
          "[systemc][energy]") {
  quietKernel();
  // Random multi-chip images with host inputs and on-chip generators: the
  // energy model's route table (routeMessage, x then y over the grid of
  // all chips; input spikes from the host at chip 0, tile (0,0)) predicts
  // the hops, chip crossings and within-tile messages the routers and chip
  // links carry.
  testing::RandomImageOptions O = busyOptions();
  O.MaxChips = 6;
  O.MaxMeshSide = 3;
  uint64_t Crossings = 0, Hops = 0, Messages = 0;
  for (uint64_t Seed = 1; Seed <= 16; ++Seed) {
    const isa::Image Img = testing::makeRandomImage(Seed, O);
    const isa::ChipHeader &H = Img.Header;
    // A row of chips, and a grid two chips wide (with a hole at the end
    // when the count is odd: the model routes through the missing chip's
    // mesh, as the hardware would).
    for (int64_t GridWidth : {int64_t(H.NumChips), int64_t(2)}) {
      isa::Architecture A;
      A.Mesh.Width = H.MeshWidth;
      A.Mesh.Height = H.MeshHeight;
      A.Mesh.CoresPerTile = H.CoresPerTile;
      A.Chips.Count = H.NumChips;
      A.Chips.GridWidth = std::min<int64_t>(GridWidth, H.NumChips);
      A.Chips.GridHeight = (H.NumChips + A.Chips.GridWidth - 1) / A.Chips.GridWidth;
      const TrafficTable Table(A, Img);
      SystemCTiming T = contendedTiming();
      T.ChipGridWidth = uint32_t(A.Chips.GridWidth);
      SystemCEngine E(Img, withModel(T, isa::MeshModel::Transaction));
      // The cycle model on the same inputs: the same paths, so the same
      // counts on every router output.
      SystemCEngine Cycle(Img, withModel(T, isa::MeshModel::Cycle));
      TrafficCounts Want;
      const std::vector<SpikeRecord> In = hostInputs(Img, Seed, 10);
      size_t Next = 0;
      std::vector<uint32_t> Generated;
      for (uint64_t Step = 0; Step < 10; ++Step) {
        for (; Next < In.size() && In[Next].Step == Step; ++Next) {
          E.injectInput(In[Next].Symbol, In[Next].Index);
          Cycle.injectInput(In[Next].Symbol, In[Next].Index);
          Want += Table.input(In[Next].Symbol, In[Next].Index);
        }
        isa::forEachGeneratedSpike(Img.Symbols, Step, Generated, [&](uint32_t S, uint32_t I) {
          Want += Table.input(S, I);
        });
        E.step();
        Cycle.step();
        for (size_t K = 0; K < E.numCores(); ++K)
          for (const FiredNeuron &F : E.fired(K))
            Want += Table.spike(uint32_t(K), F.Neuron);
      }
      INFO("seed " << Seed << ", " << H.NumChips << " chips, grid width " << A.Chips.GridWidth);
      const SystemCTraffic Got = E.traffic();
      CHECK(Got.MeshMessages == Want.Messages);
      CHECK(Got.WithinTile == Want.WithinTile);
      CHECK(Got.HopsEastWest == Want.HopsEastWest);
      CHECK(Got.HopsNorthSouth == Want.HopsNorthSouth);
      CHECK(Got.ChipLinkMessages == Want.ChipCrossings);
      for (uint16_t C = 0; C < A.Chips.GridWidth * A.Chips.GridHeight; ++C)
        for (uint16_t Y = 0; Y < H.MeshHeight; ++Y)
          for (uint16_t X = 0; X < H.MeshWidth; ++X) {
            INFO("router (" << X << "," << Y << ") of chip " << C);
            CHECK(E.routerStats(C, X, Y).Forwarded == Cycle.routerStats(C, X, Y).Forwarded);
          }
      // Priced under systemc from these counts: the same hop and link
      // energy under both models.
      A.Costs.WithinTile.Energy = 0.5e-12;
      A.Costs.HopEastWest.Energy = 1.5e-12;
      A.Costs.HopNorthSouth.Energy = 2.5e-12;
      A.Costs.ChipLink.Energy = 10e-12;
      const EnergyModel Price(A, Img);
      auto Priced = [&](const SystemCTraffic &S) {
        return Price.trafficEnergy(
            {S.MeshMessages, S.WithinTile, S.HopsEastWest, S.HopsNorthSouth, S.ChipLinkMessages});
      };
      const EnergyBreakdown Lt = Priced(Got), Cy = Priced(Cycle.traffic()),
                            Route = Price.trafficEnergy(Want);
      CHECK(Lt.HopsEastWest == Cy.HopsEastWest);
      CHECK(Lt.HopsNorthSouth == Cy.HopsNorthSouth);
      CHECK(Lt.ChipLinks == Cy.ChipLinks);
      CHECK(Lt.WithinTile == Cy.WithinTile);
      CHECK(Lt.HopsEastWest == Route.HopsEastWest);
      CHECK(Lt.ChipLinks == Route.ChipLinks);
      Crossings += Got.ChipLinkMessages;
      Hops += Got.HopsEastWest + Got.HopsNorthSouth;
      Messages += Got.MeshMessages;
    }
  }
  // The corpus crosses chip edges and meshes.
  CHECK(Crossings > 50);
  CHECK(Hops > 50);
  CHECK(Messages > 500);
}

TEST_CASE("systemc engine: the transaction model's step latencies agree with the cycle model's",
          "[systemc][transaction]") {
  quietKernel();
  // The cycle model is the independent second implementation: over the
  // random corpus under the three timing sets, the transaction model's
  // step latency is compared with the cycle model's, step by step.
  const uint64_t Steps = 12;
  const SystemCTiming Timings[] = {fastTiming(), slowTiming(), contendedTiming()};
  const char *Names[] = {"fast", "slow", "contended"};
  for (int K = 0; K < 3; ++K) {
    testing::LatencyAgreement Agree;
    for (uint64_t Seed = 1; Seed <= 24; ++Seed) {
      isa::Image Img = testing::makeRandomImage(Seed, busyOptions());
      std::vector<SpikeRecord> In = hostInputs(Img, Seed, Steps);
      SystemCEngine Cycle(Img, withModel(Timings[K], isa::MeshModel::Cycle));
      drive(Cycle, In, Steps);
      SystemCEngine Lt(Img, withModel(Timings[K], isa::MeshModel::Transaction));
      drive(Lt, In, Steps);
      for (uint64_t S = 0; S < Steps; ++S)
        Agree.add(double(Cycle.latencies()[S].Cycles), double(Lt.latencies()[S].Cycles));
    }
    WARN(Names[K] << " timing: transaction against cycle step latency over " << Agree.Steps
                  << " steps: mean |relative difference| " << 100 * Agree.mean() << "%, max "
                  << 100 * Agree.Max << "%, equal in " << Agree.Equal);
    CHECK(Agree.mean() <= 0.10);
  }
}

TEST_CASE("systemc engine: eject back-pressure, where the two mesh models' arbitration differs",
          "[systemc][transaction]") {
  quietKernel();
  // Mesh 2 x 1, three cores on tile (1,0). Core 0 at (0,0), 9 neurons,
  // neuron 0 fires and sends W1 to core 1, then W2 to core 2; core 3 at
  // (1,0) slot 2, 11 neurons, neuron 0 fires and sends L1 to core 1.
  // Cores 1 and 2 (10 neurons each) absorb a spike in 5 + 10 x 1 = 15
  // cycles (microTiming: 1 ns cycles, S = 1, H = 2, one traversal 2 cycles).
  const char *Net = R"(
.arch "micro" fingerprint=0x0
.chips 1
.mesh 2 1
.cores_per_tile 3
.core 0 chip=0 x=0 y=0 slot=0
  .config axons=0 neurons=9 state_words=1 delay_slots=2 seed=0x1
  .profile 0
    spike
  .end
  .profile 1
    halt
  .end
  .neuron 0 profile=0 state=0
  .neurons 1 count=8 profile=1 state=0
  .out 0 -> 0:1:0, 0:2:0
.core 1 chip=0 x=1 y=0 slot=0
  .config axons=1 neurons=10 state_words=1 delay_slots=2 seed=0x1
  .profile 0
    halt
  .end
  .neurons 0 count=10 profile=0 state=0
  .axon 0
    .sparse shift=0 0:1:1, 1:1:1, 2:1:1, 3:1:1, 4:1:1, 5:1:1, 6:1:1, 7:1:1, 8:1:1, 9:1:1
.core 2 chip=0 x=1 y=0 slot=1
  .config axons=1 neurons=10 state_words=1 delay_slots=2 seed=0x1
  .profile 0
    halt
  .end
  .neurons 0 count=10 profile=0 state=0
  .axon 0
    .sparse shift=0 0:1:1, 1:1:1, 2:1:1, 3:1:1, 4:1:1, 5:1:1, 6:1:1, 7:1:1, 8:1:1, 9:1:1
.core 3 chip=0 x=1 y=0 slot=2
  .config axons=0 neurons=11 state_words=1 delay_slots=2 seed=0x1
  .profile 0
    spike
  .end
  .profile 1
    halt
  .end
  .neuron 0 profile=0 state=0
  .neurons 1 count=10 profile=1 state=0
  .out 0 -> 0:1:0
)";
  isa::Image Img = isa::parseAssembly(Net, "eject.s");
  // Common to both models: core 0 updates 9 x 3 + 2 = 29 cycles, W1 ready
  // at 33 and W2 at 37; core 3: 11 x 3 + 2 = 35, L1 ready at 39; cores 1
  // and 2 free from 30. W1 leaves (0,0) at 33, is at (1,0)'s west input at
  // 35, granted local at 35, in the eject buffer at 37, taken at once:
  // core 1 absorbs 37-52. W2 leaves (0,0) at 37 and is at (1,0)'s west
  // input at 39, when L1 enters (1,0)'s local input: both want the local
  // output in cycle 39. The ejector then has W1's rule for each message.
  // Per model: step 0's latency; each absorb (core, taken, done); each
  // grant of router (1,0)'s local output (a message granted in g is in the
  // eject buffer at g + 2) and its stalls (waiting for an eject slot).
  using Spans = std::vector<std::tuple<uint32_t, uint64_t, uint64_t>>;
  struct Expected {
    uint64_t Latency;
    Spans Absorb, Grants, Stalls;
  };
  struct Want {
    uint32_t EjectDepth;
    Expected Cycle, Transaction;
  };
  const Want Cases[] = {
      // Eject depth 1. Cycle model: round-robin, the local output last
      // granted west, so L1 (local) wins at 39, is in the buffer at 41 and
      // waits for core 1 until 52; its slot's credit is back at 53, so W2,
      // stalled since 40, goes at 53, arrives at 55, core 2 absorbs 55-70.
      // End 70, barrier 10: 80.
      // Transaction model: oldest first, W2 (entered at 37) before L1 (39):
      // W2 goes at 39 (W1's slot free from 38), arrives at 41, core 2
      // absorbs 41-56; L1 waits for the link (40) and W2's slot (free from
      // 42), goes at 42, arrives at 44, waits for core 1: 52-67. End 67: 77.
      {1,
       {80,
        {{1, 37, 52}, {1, 52, 67}, {2, 55, 70}},
        {{1, 35, 36}, {1, 39, 40}, {1, 53, 54}},
        {{1, 40, 53}}},
       {77,
        {{1, 37, 52}, {1, 52, 67}, {2, 41, 56}},
        {{1, 35, 36}, {1, 39, 40}, {1, 42, 43}},
        {{1, 40, 42}}}},
      // Unbounded: the cycle model sends L1 at 39 and W2 at 40 (the link is
      // free again); W2 arrives at 42 behind L1, which holds the ejector
      // until core 1 is free at 52 (head-of-line blocking), so core 2
      // absorbs 52-67. The transaction model is as above without the slot
      // waits (L1 goes at 40, arrives 42). Both end at 67: 77.
      {0,
       {77, {{1, 37, 52}, {1, 52, 67}, {2, 52, 67}}, {{1, 35, 36}, {1, 39, 40}, {1, 40, 41}}, {}},
       {77, {{1, 37, 52}, {1, 52, 67}, {2, 41, 56}}, {{1, 35, 36}, {1, 39, 40}, {1, 40, 41}}, {}}},
  };
  for (const Want &C : Cases) {
    for (isa::MeshModel Model : Models) {
      INFO(isa::meshModelName(Model) << ", eject depth " << C.EjectDepth);
      SystemCTiming T = withModel(microTiming(), Model);
      T.EjectDepth = C.EjectDepth;
      SystemCEngine E(Img, T, {}, /*RecordTrace=*/true);
      E.step();
      const Expected &W = Model == isa::MeshModel::Cycle ? C.Cycle : C.Transaction;
      CHECK(E.latencies()[0].Cycles == W.Latency);
      Spans Absorb, Grants, Stalls;
      for (const CoreActivity &A : E.trace()->CoreWork)
        if (A.Work == CoreWork::Absorb)
          Absorb.emplace_back(A.Core, A.Span.Begin, A.Span.End);
      for (const LinkActivity &L : E.trace()->Links)
        if (L.Port == uint8_t(Dir::Local))
          (L.Stall ? Stalls : Grants).emplace_back(L.Router, L.Span.Begin, L.Span.End);
      std::sort(Absorb.begin(), Absorb.end());
      std::sort(Grants.begin(), Grants.end());
      std::sort(Stalls.begin(), Stalls.end());
      CHECK(Absorb == W.Absorb);
      CHECK(Grants == W.Grants);
      CHECK(Stalls == W.Stalls);
    }
  }
}
