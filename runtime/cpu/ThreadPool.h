//===- ThreadPool.h - Fork-join pool owned by one session -----------------===//
//
// parallelFor(n, fn) runs fn(begin, end, worker) over [0, n) split into
// chunks claimed from an atomic counter; the calling thread works too. One
// pool per session: sessions never share threads or state.
//
// Workers, and the caller waiting for them, spin for kSpinMicroseconds
// before they block: a model run calls parallelFor for every kernel, back
// to back, and a wake-up through the condition variable cost ~12 us per
// call on the benchmark machine (2 threads).
//
//===----------------------------------------------------------------------===//

#ifndef LLMO_RUNTIME_CPU_THREADPOOL_H
#define LLMO_RUNTIME_CPU_THREADPOOL_H

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace llmo::rt {

class ThreadPool {
public:
  explicit ThreadPool(int numThreads);
  ~ThreadPool();
  ThreadPool(const ThreadPool &) = delete;
  ThreadPool &operator=(const ThreadPool &) = delete;

  int numThreads() const { return (int)workers.size() + 1; }

  using RangeFn = std::function<void(int64_t, int64_t, int)>;
  /// Splits [0, n) into chunks of at least `grain` items.
  void parallelFor(int64_t n, int64_t grain, const RangeFn &fn);

private:
  void workerLoop(int worker);
  void runChunks(int worker);

  std::vector<std::thread> workers;
  std::mutex mutex;
  std::condition_variable wake, done;
  // Written under `mutex` (so that a blocked thread cannot miss a change);
  // read without it while spinning.
  std::atomic<uint64_t> generation{0};
  std::atomic<bool> stopping{false};
  std::atomic<int> busy{0};
  // The current job.
  const RangeFn *job = nullptr;
  int64_t jobSize = 0, chunk = 1;
  std::atomic<int64_t> next{0};
};

} // namespace llmo::rt

#endif
