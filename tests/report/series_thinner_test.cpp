// SeriesThinner keeps exactly the rows that make the chart of the kept rows
// the chart of every row: decimate_min_max over the thinned series picks the
// same points (mapped back) as over the whole, series by series, for random
// walks with gaps, ties, flat runs and rows crowded into one column; and
// ThinnedRows hands out those rows reading the series once.
#include "report/series_thinner.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <random>
#include <vector>

#include "report/svg_chart.h"

namespace alphastream {
namespace {

struct Case {
  std::vector<std::int64_t> ts;
  std::vector<std::vector<double>> series;  // [series][row]
};

Case random_case(std::uint64_t seed, std::size_t rows, std::size_t series) {
  std::mt19937_64 rng(seed);
  Case c;
  std::int64_t t = 1'700'000'000'000;
  c.series.assign(series, {});
  std::vector<double> level(series, 100.0);
  std::vector<bool> gap(series, false);
  for (std::size_t i = 0; i < rows; ++i) {
    // Mostly 1 s apart, sometimes a burst in one ms, sometimes an hour away.
    const auto roll = rng() % 100;
    t += roll < 5 ? 0 : roll < 7 ? 3'600'000 : 1000;
    c.ts.push_back(t);
    for (std::size_t s = 0; s < series; ++s) {
      if (rng() % 200 == 0) gap[s] = !gap[s];
      const auto step = static_cast<double>(static_cast<int>(rng() % 7) - 3);  // ties and flat runs
      level[s] += step * (s + 1);
      c.series[s].push_back(gap[s] || rng() % 500 == 0 ? std::nan("") : level[s]);
    }
  }
  return c;
}

// The property tests' cases: seed's random series, and the chart span of
// a wide chart or (every third seed) of 7 columns crowded with rows.
struct SeededCase {
  std::size_t rows;
  Case c;
  int columns;
  ChartSpan span;
};
SeededCase seeded_case(std::uint64_t seed) {
  const std::size_t rows = 500 + seed * 997 % 20000;
  Case c = random_case(seed, rows, 1 + seed % 5);
  const int columns = seed % 3 == 0 ? 7 : 1044;
  const ChartSpan span = chart_span(c.ts.front(), c.ts.back(), {}, columns);
  return {rows, std::move(c), columns, span};
}

TEST(SeriesThinner, TheThinnedSeriesDecimateToTheSamePointsAsTheWhole) {
  for (std::uint64_t seed = 1; seed <= 40; ++seed) {
    SCOPED_TRACE(seed);
    const auto [rows, c, columns, span] = seeded_case(seed);
    SeriesThinner thinner(c.series.size(), span.from_ms, span.to_ms, span.columns);
    std::vector<double> row(c.series.size());
    for (std::size_t i = 0; i < rows; ++i) {
      for (std::size_t s = 0; s < c.series.size(); ++s) row[s] = c.series[s][i];
      thinner.add(i, c.ts[i], row);
    }
    thinner.keep(0);
    thinner.keep(rows - 1);
    const std::vector<std::uint64_t> kept = thinner.finish();
    EXPECT_LT(kept.size(), rows);
    std::vector<std::int64_t> thin_ts;
    for (const std::uint64_t i : kept) thin_ts.push_back(c.ts[i]);
    for (std::size_t s = 0; s < c.series.size(); ++s) {
      std::vector<double> thin;
      for (const std::uint64_t i : kept) thin.push_back(c.series[s][i]);
      const DecimatedLine whole = decimate_min_max(c.ts, c.series[s], span.from_ms, span.to_ms, columns);
      const DecimatedLine part = decimate_min_max(thin_ts, thin, span.from_ms, span.to_ms, columns);
      std::vector<std::size_t> mapped;
      for (const std::size_t i : part.indices) mapped.push_back(kept[i]);
      EXPECT_EQ(mapped, whole.indices) << "series " << s;
      EXPECT_EQ(part.segment_ends, whole.segment_ends) << "series " << s;
    }
  }
}

TEST(ThinnedRows, HandsOutInOrderTheRowsFinishKeepsReadingTheSeriesOnce) {
  // As thin_report uses it: a row marked by a trade keeps the row before it,
  // before the row is added; the first and last rows are kept.
  for (std::uint64_t seed = 1; seed <= 40; ++seed) {
    SCOPED_TRACE(seed);
    const auto [rows, c, columns, span] = seeded_case(seed);
    std::mt19937_64 rng(seed);
    std::vector<bool> marked(rows, false);
    for (std::size_t i = 1; i < rows; ++i) marked[i] = rng() % 97 == 0;
    SeriesThinner whole(c.series.size(), span.from_ms, span.to_ms, span.columns);
    SeriesThinner column_by_column(c.series.size(), span.from_ms, span.to_ms, span.columns);
    ThinnedRows thinned(column_by_column, c.series.size());
    std::vector<std::int64_t> taken_ts;
    std::vector<std::vector<double>> taken;
    const auto take = [&](std::int64_t ts_ms, std::span<const double> values) {
      taken_ts.push_back(ts_ms);
      taken.emplace_back(values.begin(), values.end());
    };
    std::vector<double> row(c.series.size());
    const auto row_of = [&](std::size_t i) {
      for (std::size_t s = 0; s < c.series.size(); ++s) row[s] = c.series[s][i];
      return row;
    };
    for (SeriesThinner* t : {&whole, &column_by_column}) t->keep(0);
    for (std::size_t i = 0; i < rows; ++i) {
      for (SeriesThinner* t : {&whole, &column_by_column}) {
        if (marked[i]) t->keep(i - 1);
      }
      whole.add(i, c.ts[i], row_of(i));
      thinned.add(i, c.ts[i], row_of(i), take);
    }
    for (SeriesThinner* t : {&whole, &column_by_column}) t->keep(rows - 1);
    thinned.finish(take);
    std::vector<std::int64_t> expected_ts;
    std::vector<std::vector<double>> expected;
    for (const std::uint64_t i : whole.finish()) {
      expected_ts.push_back(c.ts[i]);
      expected.push_back(row_of(i));
    }
    EXPECT_EQ(taken_ts, expected_ts);
    ASSERT_EQ(taken.size(), expected.size());
    for (std::size_t k = 0; k < taken.size(); ++k) {
      for (std::size_t s = 0; s < row.size(); ++s) {
        // Bitwise: NaN breaks are rows too.
        EXPECT_EQ(std::bit_cast<std::uint64_t>(taken[k][s]), std::bit_cast<std::uint64_t>(expected[k][s]))
            << "kept row " << k << " series " << s;
      }
    }
  }
}

TEST(SeriesThinner, AFlatSeriesKeepsTwoPointsAColumnAtMostAndAllNaNKeepsNone) {
  std::vector<std::int64_t> ts;
  for (int i = 0; i < 10000; ++i) ts.push_back(1000 * i);
  const ChartSpan span = chart_span(ts.front(), ts.back(), {}, 100);
  SeriesThinner flat(2, span.from_ms, span.to_ms, span.columns);
  for (std::size_t i = 0; i < ts.size(); ++i) {
    const double values[] = {5.0, std::nan("")};
    flat.add(i, ts[i], values);
  }
  const std::vector<std::uint64_t> kept = flat.finish();
  // First and last of each of the 100 columns: the flat run's min and max are its first.
  EXPECT_EQ(kept.size(), 200u);
}

}  // namespace
}  // namespace alphastream
