// SymbolTable: symbols numbered in the order added, each found again after
// the table grows; unknown ones are kNone; adding twice keeps the number.
#include "core/symbol_table.h"

#include <gtest/gtest.h>

#include <string>

namespace alphastream {
namespace {

TEST(SymbolTable, NumbersSymbolsInTheOrderAddedAndFindsEachAfterGrowing) {
  SymbolTable table;
  EXPECT_EQ(table.find(Symbol("BTCUSDT")), SymbolTable::kNone);
  // Names of one prefix that differ only in their last word, and many of
  // them: the table rehashes a dozen times.
  for (int i = 0; i < 5000; ++i) {
    const Symbol symbol("BTCUSDT_25" + std::to_string(100000 + i));
    EXPECT_EQ(table.add(symbol), static_cast<std::uint32_t>(i));
  }
  EXPECT_EQ(table.size(), 5000u);
  for (int i = 0; i < 5000; ++i) {
    const Symbol symbol("BTCUSDT_25" + std::to_string(100000 + i));
    ASSERT_EQ(table.find(symbol), static_cast<std::uint32_t>(i));
    EXPECT_EQ(table[static_cast<std::uint32_t>(i)], symbol);
  }
  EXPECT_EQ(table.add(Symbol("BTCUSDT_25100007")), 7u);
  EXPECT_EQ(table.find(Symbol("ETHUSDT")), SymbolTable::kNone);
  table.clear();
  EXPECT_EQ(table.find(Symbol("BTCUSDT_25100007")), SymbolTable::kNone);
  EXPECT_EQ(table.add(Symbol("ETHUSDT")), 0u);
}

}  // namespace
}  // namespace alphastream
