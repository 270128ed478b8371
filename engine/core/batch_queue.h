// The blocking queue that hands batches between a batch job's threads (the
// read-ahead, the merge, the pipeline workers).
#pragma once

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

}  // namespace alphastream
