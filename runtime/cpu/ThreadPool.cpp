//===- ThreadPool.cpp -----------------------------------------------------===//

#include "ThreadPool.h"

#include <algorithm>

namespace llmo::rt {

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
    {
      std::unique_lock<std::mutex> lock(mutex);
      wake.wait(lock, [&] { return stopping || generation != seen; });
      if (stopping)
        return;
      seen = generation;
    }
    runChunks(worker);
    {
      std::lock_guard<std::mutex> lock(mutex);
      if (--busy == 0)
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
    busy = (int)workers.size();
    ++generation;
  }
  wake.notify_all();
  runChunks(0);
  std::unique_lock<std::mutex> lock(mutex);
  done.wait(lock, [&] { return busy == 0; });
  job = nullptr;
}

} // namespace llmo::rt
