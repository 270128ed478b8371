// One comparison of two trades for the tests: field by field, doubles bit
// for bit (0 and -0 differ), each mismatch reported with `context`.
#pragma once

#include <gtest/gtest.h>

#include <bit>
#include <cstdint>
#include <string>

#include "core/agg_trade.h"

namespace alphastream::testing {

inline void expect_same_trade(const AggTrade& actual, const AggTrade& expected, const std::string& context) {
  EXPECT_EQ(actual.symbol.view(), expected.symbol.view()) << context;
  EXPECT_EQ(actual.agg_trade_id, expected.agg_trade_id) << context;
  EXPECT_EQ(std::bit_cast<std::uint64_t>(actual.price), std::bit_cast<std::uint64_t>(expected.price)) << context;
  EXPECT_EQ(std::bit_cast<std::uint64_t>(actual.quantity), std::bit_cast<std::uint64_t>(expected.quantity)) << context;
  EXPECT_EQ(actual.first_trade_id, expected.first_trade_id) << context;
  EXPECT_EQ(actual.last_trade_id, expected.last_trade_id) << context;
  EXPECT_EQ(actual.transact_time_ms, expected.transact_time_ms) << context;
  EXPECT_EQ(actual.transact_time_us, expected.transact_time_us) << context;
  EXPECT_EQ(actual.event_time_ms, expected.event_time_ms) << context;
  EXPECT_EQ(actual.receive_time_ns, expected.receive_time_ns) << context;
  EXPECT_EQ(actual.is_buyer_maker, expected.is_buyer_maker) << context;
}

}  // namespace alphastream::testing
