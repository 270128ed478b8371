#include "feed/agg_id_sequencer.h"

#include <gtest/gtest.h>

namespace alphastream {
namespace {

using Verdict = AggIdSequencer::Verdict;

TEST(AggIdSequencer, FirstIdIsNewWhateverItsValue) {
  AggIdSequencer sequencer;
  EXPECT_FALSE(sequencer.started());
  EXPECT_EQ(sequencer.observe(123456789).verdict, Verdict::kNew);
  EXPECT_TRUE(sequencer.started());
  EXPECT_EQ(sequencer.last_accepted(), 123456789);
  EXPECT_EQ(sequencer.accepted(), 1u);
  EXPECT_EQ(sequencer.gaps(), 0u);
}

TEST(AggIdSequencer, ConsecutiveIdsAreNew) {
  AggIdSequencer sequencer;
  for (std::int64_t id = 10; id < 15; ++id) EXPECT_EQ(sequencer.observe(id).verdict, Verdict::kNew);
  EXPECT_EQ(sequencer.accepted(), 5u);
  EXPECT_EQ(sequencer.last_accepted(), 14);
}

TEST(AggIdSequencer, RepeatedAndOlderIdsAreDuplicatesAndNotAccepted) {
  AggIdSequencer sequencer;
  sequencer.observe(10);
  sequencer.observe(11);
  EXPECT_EQ(sequencer.observe(11).verdict, Verdict::kDuplicate);
  EXPECT_EQ(sequencer.observe(3).verdict, Verdict::kDuplicate);
  EXPECT_EQ(sequencer.last_accepted(), 11);
  EXPECT_EQ(sequencer.accepted(), 2u);
  EXPECT_EQ(sequencer.duplicates(), 2u);
  EXPECT_EQ(sequencer.observe(12).verdict, Verdict::kNew);
}

TEST(AggIdSequencer, AJumpIsAGapWithItsMissingRangeAndIsAccepted) {
  AggIdSequencer sequencer;
  sequencer.observe(100);
  const AggIdSequencer::Observation seen = sequencer.observe(105);  // 101..104 missing
  EXPECT_EQ(seen.verdict, Verdict::kGap);
  EXPECT_EQ(seen.first_missing, 101);
  EXPECT_EQ(seen.last_missing, 104);
  EXPECT_EQ(sequencer.last_accepted(), 105);
  sequencer.observe(106);
  sequencer.observe(108);  // 107 missing
  EXPECT_EQ(sequencer.gaps(), 2u);
  EXPECT_EQ(sequencer.missing_ids(), 5u);
  EXPECT_EQ(sequencer.accepted(), 4u);
}

TEST(AggIdSequencer, ResumesAfterAKnownIdAcrossAReconnect) {
  AggIdSequencer sequencer(500);
  EXPECT_TRUE(sequencer.started());
  EXPECT_EQ(sequencer.observe(500).verdict, Verdict::kDuplicate);  // replayed on reconnect
  EXPECT_EQ(sequencer.observe(501).verdict, Verdict::kNew);
  const AggIdSequencer::Observation seen = sequencer.observe(510);
  EXPECT_EQ(seen.verdict, Verdict::kGap);
  EXPECT_EQ(seen.first_missing, 502);
  EXPECT_EQ(seen.last_missing, 509);
  EXPECT_EQ(sequencer.missing_ids(), 8u);
}

TEST(AggIdSequencer, IdsNearTheTopOfTheRangeDoNotOverflow) {
  constexpr std::int64_t kMax = INT64_MAX;
  AggIdSequencer sequencer(kMax - 3);
  EXPECT_EQ(sequencer.observe(kMax).verdict, Verdict::kGap);
  EXPECT_EQ(sequencer.missing_ids(), 2u);
  EXPECT_EQ(sequencer.observe(kMax).verdict, Verdict::kDuplicate);
}

}  // namespace
}  // namespace alphastream
