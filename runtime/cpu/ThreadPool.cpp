//===- ThreadPool.cpp -----------------------------------------------------===//

#include "ThreadPool.h"

#include <algorithm>
#include <chrono>
#include <immintrin.h>

namespace llmo::rt {
namespace {

/// How long an idle worker, or the caller waiting for the workers, polls
/// before it blocks. Long enough to bridge the serial work between two
/// kernels of a run, short enough that idle sessions sleep.
constexpr auto kSpin = std::chrono::microseconds(200);

/// Polls `ready` until it holds or kSpin has passed; true if it holds.
template <typename Ready> bool spinUntil(const Ready &ready) {
  auto start = std::chrono::steady_clock::now();
  for (int i = 1;; ++i) {
    if (ready())
      return true;
    _mm_pause();
    if (i % 64 == 0 && std::chrono::steady_clock::now() - start > kSpin)
      return ready();
  }
}

} // namespace

ThreadPool::ThreadPool(int numThreads) {
  for (int i = 1; i < numThreads; ++i)
    workers.emplace_back([this, i] { workerLoop(i); });
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(mutex);
    stopping = true;
  }
  wake.notify_all();
  for (std::thread &t : workers)
    t.join();
}

void ThreadPool::runChunks(int worker) {
  for (;;) {
    int64_t begin = next.fetch_add(chunk);
    if (begin >= jobSize)
      return;
    (*job)(begin, std::min(jobSize, begin + chunk), worker);
  }
}

void ThreadPool::workerLoop(int worker) {
  uint64_t seen = 0;
  for (;;) {
    auto ready = [&] {
      return stopping.load(std::memory_order_acquire) ||
             generation.load(std::memory_order_acquire) != seen;
    };
    if (!spinUntil(ready)) {
      std::unique_lock<std::mutex> lock(mutex);
      wake.wait(lock, ready);
    }
    if (stopping.load(std::memory_order_acquire))
      return;
    seen = generation.load(std::memory_order_acquire);
    runChunks(worker);
    if (busy.fetch_sub(1, std::memory_order_acq_rel) == 1) {
      // Under the mutex, so the caller cannot check `busy` and block in
      // between (a lost wake-up).
      std::lock_guard<std::mutex> lock(mutex);
      done.notify_one();
    }
  }
}

void ThreadPool::parallelFor(int64_t n, int64_t grain, const RangeFn &fn) {
  if (n <= 0)
    return;
  int threads = numThreads();
  if (threads == 1 || n <= grain) {
    fn(0, n, 0);
    return;
  }
  // About four chunks per thread balances uneven work without much overhead.
  int64_t size =
      std::max<int64_t>(grain, (n + 4 * threads - 1) / (4 * threads));
  {
    std::lock_guard<std::mutex> lock(mutex);
    job = &fn;
    jobSize = n;
    chunk = size;
    next.store(0);
    busy.store((int)workers.size(), std::memory_order_relaxed);
    generation.fetch_add(1, std::memory_order_release);
  }
  wake.notify_all();
  runChunks(0);
  auto finished = [&] { return busy.load(std::memory_order_acquire) == 0; };
  if (!spinUntil(finished)) {
    std::unique_lock<std::mutex> lock(mutex);
    done.wait(lock, finished);
  }
  job = nullptr;
}

} // namespace llmo::rt
