// The blocking queue that hands batches between a batch job's threads (the
// read-ahead, the merge, the pipeline workers).
#pragma once

#include <chrono>

#include <concurrentqueue/blockingconcurrentqueue.h>

namespace alphastream {

// moodycamel spins 10,000 times before a waiting thread sleeps: right for a
// consumer with a core to itself, but a batch job runs more threads than
// cores, and every spin is taken from a thread with work to do. A batch is
// thousands of trades, so the sleep and wake-up (a futex each) are noise.
struct BatchQueueTraits : moodycamel::ConcurrentQueueDefaultTraits {
  static const int MAX_SEMA_SPINS = 64;
};

template <class T>
using BatchQueue = moodycamel::BlockingConcurrentQueue<T, BatchQueueTraits>;

// One pause in a polling loop: it frees the core's shared resources
// instead of issuing loads as fast as it can.
inline void spin_pause() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield");
#endif
}

// Takes an item from queue, polling for up to `poll` before sleeping: for
// a thread with a core of its own. A sleeping thread's core goes idle, and
// on a virtual machine waking an idle core took ~0.8 ms (measured), a
// dozen times the gap between two batches of a day's backtest.
template <class T>
void wait_dequeue_polling(BatchQueue<T>& queue, T& item, std::chrono::nanoseconds poll) {
  if (poll.count() > 0) {
    const auto deadline = std::chrono::steady_clock::now() + poll;
    // A look every microsecond or so: looking more often would contend
    // for the queue's cache lines with the thread filling it.
    do {
      if (queue.try_dequeue(item)) return;
      for (int i = 0; i < 32; ++i) spin_pause();
    } while (std::chrono::steady_clock::now() < deadline);
  }
  queue.wait_dequeue(item);
}

}  // namespace alphastream
