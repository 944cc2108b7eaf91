//===- neuromesh/emulator/ThreadPool.h - a persistent fork-join pool -*- C++ -*-===//
//
// The engines' thread pool (the functional engine's step phases, the
// SystemC engine's core updates and receives): std::thread, a mutex and two
// condition variables, no job queue. Plain C++, no SystemC.
//
//===----------------------------------------------------------------------===//
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace neuromesh::emulator {

/// run(F) calls F(T) for every thread T in [0, N), T = 0 on the calling
/// thread, and returns when every call has returned: a fork and a barrier.
/// Workers sleep on a condition variable between jobs, so an idle engine
/// costs nothing on a shared machine.
class ThreadPool {
public:
  explicit ThreadPool(unsigned N);
  ~ThreadPool();
  ThreadPool(const ThreadPool &) = delete;
  ThreadPool &operator=(const ThreadPool &) = delete;

  /// Threads including the calling one.
  unsigned size() const { return unsigned(Workers.size()) + 1; }
  void run(const std::function<void(unsigned)> &F);

private:
  void loop(unsigned T);

  std::vector<std::thread> Workers;
  std::mutex M;
  std::condition_variable Wake, Done;
  const std::function<void(unsigned)> *Job = nullptr;
  size_t Pending = 0;
  uint64_t Generation = 0;
  bool Stop = false;
};

} // namespace neuromesh::emulator
