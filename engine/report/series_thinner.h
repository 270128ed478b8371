// The points of streamed series that decimate_min_max (svg_chart.h) would
// keep, found in one pass without holding the series: per pixel column and
// per run of finite values, the first, lowest, highest and last, plus the
// first non-finite value after each run (so the thinned series breaks where
// the whole one does). Drawing only the kept rows of every series gives the
// same chart as drawing every row: a chart decimates a series by the rows of
// its own points, and any other row kept for another series falls inside
// one of its runs, where it is neither a run's first, last nor extreme.
#pragma once

#include <algorithm>
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

 private:
  friend class ThinnedRows;
  // For ThinnedRows: the column of a row at ts_ms; and the indices kept
  // since the last call, in no order, possibly repeated.
  long long column_of(std::int64_t ts_ms) const;
  void take_kept(std::vector<std::uint64_t>& into);

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

// The rows a SeriesThinner keeps of a series read once, handed out in index
// order, holding only the rows of the current chart column: every index
// add(i) keeps is of i's column or of row i - 1's, so once a row of a later
// column is added, the rows before it are settled (a keep() of row i - 1,
// e.g. a trade marker's, comes before row i is added).
class ThinnedRows {
 public:
  // Rows of `width` values, all of them charted by thinner.
  ThinnedRows(SeriesThinner& thinner, std::size_t width) : thinner_(thinner), width_(width) {}

  // Adds the row to the thinner and holds it; calls emit(ts_ms, values)
  // for each earlier row now settled and kept. REQUIRES: values.size() ==
  // width.
  template <typename Emit>
  void add(std::uint64_t index, std::int64_t ts_ms, std::span<const double> values, Emit&& emit) {
    thinner_.add(index, ts_ms, values);
    thinner_.take_kept(kept_);
    if (const long long column = thinner_.column_of(ts_ms); column != column_) {
      emit_before(index, emit);
      column_ = column;
    }
    held_.push_back({index, ts_ms});
    held_values_.insert(held_values_.end(), values.begin(), values.end());
  }
  // After the last row and its keep()s: emits the rest.
  template <typename Emit>
  void finish(Emit&& emit) {
    const std::vector<std::uint64_t> rest = thinner_.finish();
    kept_.insert(kept_.end(), rest.begin(), rest.end());
    emit_before(UINT64_MAX, emit);
  }

 private:
  // Emits the held rows before row `end` that were kept, and drops them.
  template <typename Emit>
  void emit_before(std::uint64_t end, Emit& emit) {
    std::sort(kept_.begin(), kept_.end());
    kept_.erase(std::unique(kept_.begin(), kept_.end()), kept_.end());
    std::size_t h = 0;
    for (; h < held_.size() && held_[h].index < end; ++h) {
      if (!std::binary_search(kept_.begin(), kept_.end(), held_[h].index)) continue;
      emit(held_[h].ts_ms, std::span<const double>(held_values_.data() + h * width_, width_));
    }
    held_.erase(held_.begin(), held_.begin() + static_cast<std::ptrdiff_t>(h));
    held_values_.erase(held_values_.begin(), held_values_.begin() + static_cast<std::ptrdiff_t>(h * width_));
    kept_.erase(kept_.begin(), std::lower_bound(kept_.begin(), kept_.end(), end));
  }

  struct Held {
    std::uint64_t index;
    std::int64_t ts_ms;
  };
  SeriesThinner& thinner_;
  std::size_t width_;
  long long column_ = -1;
  std::vector<Held> held_;            // the rows since the current column began
  std::vector<double> held_values_;   // their values, width_ each
  std::vector<std::uint64_t> kept_;   // kept indices not yet emitted
};

}  // namespace alphastream
