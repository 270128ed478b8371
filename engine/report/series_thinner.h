// The points of streamed series that decimate_min_max (svg_chart.h) would
// keep, found in one pass without holding the series: per pixel column and
// per run of finite values, the first, lowest, highest and last, plus the
// first non-finite value after each run (so the thinned series breaks where
// the whole one does). Drawing only the kept rows of every series gives the
// same chart as drawing every row: a chart decimates a series by the rows of
// its own points, and any other row kept for another series falls inside
// one of its runs, where it is neither a run's first, last nor extreme.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace alphastream {

class SeriesThinner {
 public:
  // `series` values per row; the chart's time span and columns, as
  // svg_line_chart computes them from the whole ts_ms.
  SeriesThinner(std::size_t series, std::int64_t from_ms, std::int64_t to_ms, int columns);

  // Rows come in index order with non-decreasing ts_ms.
  void add(std::uint64_t index, std::int64_t ts_ms, std::span<const double> values);
  // Keeps a row whatever its values (the first and last, a marker's row).
  void keep(std::uint64_t index) { kept_.push_back(index); }
  // After the last row: every kept index, ascending, once.
  std::vector<std::uint64_t> finish();

  // For a caller that keeps the rows of the current column itself, and so
  // reads the series once: the column of a row at ts_ms; and the indices
  // kept since the last call, in no order, possibly repeated. Every index
  // add(i) keeps is of i's column or of row i - 1's, so once a row of a
  // later column has been added, no earlier column's index is kept again
  // but by keep().
  long long column_of(std::int64_t ts_ms) const;
  void take_kept(std::vector<std::uint64_t>& into);

 private:
  struct Run {
    bool open = false;
    long long column = 0;
    std::uint64_t first = 0, lowest = 0, highest = 0, last = 0;
    double low = 0, high = 0;
  };
  void flush(const Run& run);

  std::int64_t from_ms_;
  double span_ms_;
  int columns_;
  std::vector<Run> runs_;
  std::vector<std::uint64_t> kept_;
};

}  // namespace alphastream
