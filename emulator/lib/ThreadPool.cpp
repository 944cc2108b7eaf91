//===- ThreadPool.cpp - a persistent fork-join pool -----------------------===//
#include "neuromesh/emulator/ThreadPool.h"

namespace neuromesh::emulator {

ThreadPool::ThreadPool(unsigned N) {
  for (unsigned T = 1; T < N; ++T)
    Workers.emplace_back([this, T] { loop(T); });
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> L(M);
    Stop = true;
    ++Generation;
  }
  Wake.notify_all();
  for (std::thread &W : Workers)
    W.join();
}

void ThreadPool::run(const std::function<void(unsigned)> &F) {
  {
    std::lock_guard<std::mutex> L(M);
    Job = &F;
    Pending = Workers.size();
    ++Generation;
  }
  Wake.notify_all();
  F(0);
  std::unique_lock<std::mutex> L(M);
  Done.wait(L, [this] { return Pending == 0; });
  Job = nullptr;
}

void ThreadPool::loop(unsigned T) {
  uint64_t Seen = 0;
  for (;;) {
    const std::function<void(unsigned)> *F;
    {
      std::unique_lock<std::mutex> L(M);
      Wake.wait(L, [&] { return Generation != Seen; });
      Seen = Generation;
      if (Stop)
        return;
      F = Job;
    }
    (*F)(T);
    std::lock_guard<std::mutex> L(M);
    if (--Pending == 0)
      Done.notify_one();
  }
}

} // namespace neuromesh::emulator
