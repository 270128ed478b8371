// Proves the parser allocates nothing per message once warm. This binary
// replaces the global operator new to count calls, so it stays on its own.
#include <cstdint>
#include <cstdlib>
#include <new>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "counting_new.h"

#include "feed/agg_trade_parser.h"

namespace alphastream {
namespace {

const std::string kRawPayload =
    R"({"e":"aggTrade","E":1717200000123,"s":"ETHUSDT","a":2097154331,"p":"3781.42",)"
    R"("q":"0.125","nq":"0.125","f":4417239190,"l":4417239192,"T":1717200000119,"m":false})";

// Good and bad messages alike: error paths must not allocate either.
std::vector<std::string> hot_messages() {
  return {kRawPayload,
          R"({"stream":"ethusdt@aggTrade","data":)" + kRawPayload + "}",
          R"({"e":"aggTrade","E":1700000000000,"s":"ETHUSDT","a":1,"p":"abc","q":"1","f":1,"l":1,"T":1700000000000,"m":true})",
          R"({"e":"aggTrade","E":1700000000000,"s":"ETHUSDT","a":1,"p":"0.4252236990245392994070712345",)"
          R"("q":"123456789012345678901234567890","f":1,"l":1,"T":1700000000000,"m":true})",
          R"({"e":"trade","E":1700000000000})",
          R"({"stream":"ethusdt@aggTrade"})",
          R"({"e":"aggTrade","E":1700000000000)",
          "[]"};
}

TEST(AggTradeParserAllocation, WarmParserAllocatesNothingPerMessage) {
  const std::vector<std::string> messages = hot_messages();
  AggTradeParser parser;
  AggTrade trade;
  for (const std::string& message : messages) (void)parser.parse(message, trade);

  const std::uint64_t before = ::alphastream::testing::allocation_count();
  std::uint64_t parsed = 0;
  for (int round = 0; round < 1000; ++round) {
    for (const std::string& message : messages) parsed += parser.parse(message, trade) ? 1 : 0;
  }
  EXPECT_EQ(::alphastream::testing::allocation_count(), before);
  EXPECT_EQ(parsed, 3000u);
}

TEST(AggTradeParserAllocation, OnlyALargerMessageThanAnyBeforeGrowsTheBuffers) {
  AggTradeParser parser;
  AggTrade trade;
  ASSERT_TRUE(parser.parse(kRawPayload, trade));

  std::string large = kRawPayload;
  large.insert(1, R"("blob":")" + std::string(100'000, 'x') + R"(",)");
  std::uint64_t before = ::alphastream::testing::allocation_count();
  ASSERT_TRUE(parser.parse(large, trade));
  EXPECT_GT(::alphastream::testing::allocation_count(), before) << "the counter must see the growth";

  before = ::alphastream::testing::allocation_count();
  ASSERT_TRUE(parser.parse(large, trade));
  ASSERT_TRUE(parser.parse(kRawPayload, trade));
  EXPECT_EQ(::alphastream::testing::allocation_count(), before);
}

}  // namespace
}  // namespace alphastream
