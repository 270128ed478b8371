// IdJumpGuard: a jump past max_jump is held until the next id confirms it
// (taken, then the confirming id) or does not (refused; the next id judged
// on its own), and a jump still held at the end is refused.
#include "feed/id_jump_guard.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace alphastream {
namespace {

constexpr std::int64_t kMaxJump = 1000;

// Feeds ids through a guard and a sequencer as the feed does; returns what
// was taken and what was refused, in order.
struct Outcome {
  std::vector<std::int64_t> taken;
  std::vector<std::int64_t> refused;
};
Outcome feed(const std::vector<std::int64_t>& ids, bool finish = true) {
  AggIdSequencer sequencer;
  IdJumpGuard<std::int64_t> guard;
  Outcome out;
  const auto take = [&](std::int64_t id) {
    sequencer.observe(id);
    out.taken.push_back(id);
  };
  for (const std::int64_t id : ids) {
    const auto step = guard.next(sequencer, id, id, kMaxJump);
    if (step.released) take(*step.released);
    if (step.refused) out.refused.push_back(*step.refused);
    if (step.take) take(id);
  }
  if (finish) {
    if (const auto left = guard.finish()) out.refused.push_back(*left);
  }
  return out;
}

TEST(IdJumpGuard, OrdinaryIdsAndGapsWithinTheBoundPassAtOnce) {
  const Outcome r = feed({10, 11, 13, 13 + kMaxJump, 14 + kMaxJump});
  EXPECT_EQ(r.taken, (std::vector<std::int64_t>{10, 11, 13, 13 + kMaxJump, 14 + kMaxJump}));
  EXPECT_TRUE(r.refused.empty());
}

TEST(IdJumpGuard, AJumpTheNextIdFollowsIsTakenBeforeIt) {
  // An outage of days: ids far above, then continuing from there.
  const Outcome r = feed({10, 11, 5'000'000, 5'000'001, 5'000'003});
  EXPECT_EQ(r.taken, (std::vector<std::int64_t>{10, 11, 5'000'000, 5'000'001, 5'000'003}));
  EXPECT_TRUE(r.refused.empty());
}

TEST(IdJumpGuard, AJumpTheNextIdDoesNotFollowIsRefused) {
  // One corrupt id in the middle of an ordinary sequence.
  const Outcome r = feed({10, 11, 9'000'000'000, 12, 13});
  EXPECT_EQ(r.taken, (std::vector<std::int64_t>{10, 11, 12, 13}));
  EXPECT_EQ(r.refused, (std::vector<std::int64_t>{9'000'000'000}));
}

TEST(IdJumpGuard, TwoJumpsInARowAreEachJudged) {
  // The second jump does not confirm the first (too far above it) and is
  // itself held; the id after it confirms it.
  const Outcome r = feed({10, 5'000'000, 9'000'000, 9'000'001});
  EXPECT_EQ(r.taken, (std::vector<std::int64_t>{10, 9'000'000, 9'000'001}));
  EXPECT_EQ(r.refused, (std::vector<std::int64_t>{5'000'000}));
}

TEST(IdJumpGuard, AJumpStillHeldAtTheEndIsRefused) {
  const Outcome held = feed({10, 11, 5'000'000}, false);
  EXPECT_EQ(held.taken, (std::vector<std::int64_t>{10, 11}));
  const Outcome finished = feed({10, 11, 5'000'000});
  EXPECT_EQ(finished.refused, (std::vector<std::int64_t>{5'000'000}));
}

TEST(IdJumpGuard, TheFirstIdIsNeverAJump) {
  const Outcome r = feed({7'000'000'000, 7'000'000'001});
  EXPECT_EQ(r.taken, (std::vector<std::int64_t>{7'000'000'000, 7'000'000'001}));
}

}  // namespace
}  // namespace alphastream
