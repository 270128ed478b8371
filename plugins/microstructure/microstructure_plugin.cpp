// The `microstructure` model: trade flow of one symbol over a rolling time
// window, O(1) amortised per trade plus O(log max_buckets) for the volume
// profile and O(buckets walked) for the value area.
//
// The window. With now = the newest trade's transact_time_ms and
// W = window_s * 1000, a trade is in the window iff now - t < W, i.e.
// t > now - W: a trade exactly W ms old has left. Trades must arrive with
// non-decreasing transact_time_ms (an earlier one is refused), so the window
// is a ring of the newest trades and eviction pops its oldest end.
//
// Bounded memory. The ring holds at most max_trades trades and the live
// price buckets must span fewer than max_buckets bucket indices; a trade
// that would break either bound first evicts the oldest trades (before they
// age out) until it fits, and each such eviction is counted in the output
// capacity_evictions_total. Everything is allocated in create.
//
// Pairs. realized_vol and kyle_lambda use consecutive trades: the pair
// (i-1, i) is in the window iff both trades are, so n trades give n - 1
// pairs. A pair is stored with its later trade and leaves when the earlier
// one is evicted.
//
// Accuracy. Sums are kept by adding on arrival and subtracting on eviction
// (Welford's add and its exact inverse for the regression), which lets
// rounding accumulate; so every sum is recomputed exactly from the ring once
// as many trades have been evicted as the window holds (O(1) amortised), and
// also as soon as a sum falls below 1e-4 of its peak since the last
// recompute, where cancellation would otherwise leave rounding noise as the
// value (e.g. the last taker buy leaving). Such a fall needs the trades that
// made the peak to be evicted, so in a time window it is paid for by them.
//
// The volume profile. Bucket k = floor(price / bucket) lives in slot
// k mod max_buckets of a dense array (no two live buckets share a slot since
// their span is below max_buckets), under a max segment tree whose root gives
// the point of control (largest volume, ties to the lower price) and the
// lowest and highest live bucket, each update O(log max_buckets). The value
// area walks outward from the point of control one bucket at a time, so it
// costs O(buckets between value_area_low and value_area_high), empty ones
// included.
#include <algorithm>
#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <vector>

#include "alphastream/plugin.hpp"

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
// A running sum that falls below this fraction of its peak since the last
// recompute is recomputed: its rounding, a few ulps of the peak per update,
// would otherwise be a 1e4 times larger part of the value.
constexpr double kCancellationRatio = 1e-4;
// floor(price / bucket) must be an exact integer well inside int64.
constexpr double kMaxBucketIndex = 9007199254740992.0;  // 2^53

const as_param_descriptor kParams[] = {
    {sizeof(as_param_descriptor), "window_s", AS_PARAM_DOUBLE, 60, 0.001, 1e6,
     "length of the rolling window in seconds; a trade is in it iff newest_time_ms - its_time_ms < "
     "window_s * 1000 (one exactly window_s old has left)"},
    {sizeof(as_param_descriptor), "bucket", AS_PARAM_DOUBLE, 1.0, 1e-9, 1e12,
     "price bucket width of the volume profile in USD: a trade at price p is in bucket floor(p / bucket), "
     "which covers [k * bucket, (k + 1) * bucket)"},
    {sizeof(as_param_descriptor), "value_area", AS_PARAM_DOUBLE, 0.7, 0, 1,
     "fraction of the window's volume the value area covers (0.7: the usual 70%)"},
    {sizeof(as_param_descriptor), "max_trades", AS_PARAM_INT, 100000, 1, 1e8,
     "capacity of the window in trades (40 bytes each, allocated at start); when full, the oldest trade is "
     "evicted early and counted in capacity_evictions_total"},
    {sizeof(as_param_descriptor), "max_buckets", AS_PARAM_INT, 4096, 1, 16777216,
     "price buckets the window may span (24 bytes each plus a segment tree of up to 128, allocated at start); a trade whose bucket "
     "would make the span reach it first evicts the oldest trades, counted in capacity_evictions_total"},
};

const as_output_descriptor kOutputs[] = {
    {sizeof(as_output_descriptor), "vwap", "volume-weighted average price over the window; NaN when volume is 0"},
    {sizeof(as_output_descriptor), "volume", "base quantity traded in the window"},
    {sizeof(as_output_descriptor), "notional_usd", "sum of price * quantity over the window"},
    {sizeof(as_output_descriptor), "taker_buy_volume",
     "base quantity of trades whose taker bought (is_buyer_maker = 0)"},
    {sizeof(as_output_descriptor), "taker_sell_volume",
     "base quantity of trades whose taker sold (is_buyer_maker = 1)"},
    {sizeof(as_output_descriptor), "order_flow_imbalance",
     "(taker_buy_volume - taker_sell_volume) / volume, in [-1, 1]; NaN when volume is 0"},
    {sizeof(as_output_descriptor), "trade_intensity_per_s", "trades in the window / window_s"},
    {sizeof(as_output_descriptor), "mean_trade_size", "volume / trades in the window"},
    {sizeof(as_output_descriptor), "realized_vol",
     "sqrt(sum of ln(p_i / p_(i-1))^2) over consecutive trades both in the window (n trades, n - 1 returns); "
     "NaN with fewer than 2 trades"},
    {sizeof(as_output_descriptor), "kyle_lambda",
     "USD per unit of base: OLS slope, with intercept, of p_i - p_(i-1) on the signed quantity of trade i "
     "(+ taker buy, - taker sell) over consecutive trades both in the window; NaN with fewer than 2 such "
     "pairs or when every signed quantity is the same"},
    {sizeof(as_output_descriptor), "poc_price",
     "point of control: centre of the price bucket with the most volume, the lower one on a tie; NaN when "
     "volume is 0"},
    {sizeof(as_output_descriptor), "value_area_low",
     "lower edge of the value area: from the point of control, the neighbouring bucket (above or below) with "
     "more volume is added, the lower one on a tie, until value_area of the volume is covered; NaN when "
     "volume is 0"},
    {sizeof(as_output_descriptor), "value_area_high", "upper edge of the value area's highest bucket"},
    {sizeof(as_output_descriptor), "capacity_evictions_total",
     "trades evicted before leaving the window because max_trades or max_buckets was reached; 0 means "
     "every output covers the full window"},
};

enum Output {
  kVwap,
  kVolume,
  kNotional,
  kTakerBuy,
  kTakerSell,
  kImbalance,
  kIntensity,
  kMeanSize,
  kRealizedVol,
  kKyleLambda,
  kPoc,
  kValueAreaLow,
  kValueAreaHigh,
  kCapacityEvictions,
  kOutputCount
};
static_assert(sizeof(kOutputs) / sizeof(kOutputs[0]) == kOutputCount);

const as_model_descriptor kDescriptor = {
    sizeof(as_model_descriptor),
    "microstructure",
    "Trade-flow microstructure",
    "1.0.0",
    "Per-symbol trade flow over a rolling time window: VWAP, volumes, order-flow imbalance, trade intensity, "
    "realized volatility, Kyle's lambda and the volume profile's point of control and value area. The "
    "window is (now - window_s * 1000, now] in transact_time_ms, now being the newest trade's time. Trades "
    "must have a finite positive price, a finite non-negative quantity and a non-negative, non-decreasing "
    "transact_time_ms; any other is refused and leaves the window unchanged.",
    AS_MODEL_SYMBOL,
    kParams,
    sizeof(kParams) / sizeof(kParams[0]),
    kOutputs,
    kOutputCount,
};

// One trade in the window ring.
struct WindowTrade {
  std::int64_t time_ms;
  double price;
  double signed_qty;    // + taker buy, - taker sell
  double return_sq;     // ln(p / p_prev)^2 of the pair ending here; unused while oldest
  std::int64_t bucket;  // floor(price / bucket width)
};

// One slot of the volume profile; live while trades > 0.
struct Bucket {
  std::int64_t index = 0;
  double volume = 0;
  std::uint32_t trades = 0;
  bool dirty = false;  // touched by the running recompute
};

// A segment tree node: the best bucket below it and the live index range.
struct ProfileNode {
  double volume = -1;  // -1: no live bucket below, so any live one wins
  std::int64_t index = std::numeric_limits<std::int64_t>::max();
  std::int64_t low = std::numeric_limits<std::int64_t>::max();
  std::int64_t high = std::numeric_limits<std::int64_t>::min();
};

bool same(const ProfileNode& a, const ProfileNode& b) {
  return a.volume == b.volume && a.index == b.index && a.low == b.low && a.high == b.high;
}

ProfileNode combine(const ProfileNode& a, const ProfileNode& b) {
  ProfileNode out = (a.volume > b.volume || (a.volume == b.volume && a.index < b.index)) ? a : b;
  out.low = std::min(a.low, b.low);
  out.high = std::max(a.high, b.high);
  return out;
}

class Microstructure {
 public:
  explicit Microstructure(const alphastream::plugin::Params& params)
      : window_s_(params.value(0)),
        window_ms_(params.value(0) * 1000.0),
        bucket_width_(params.value(1)),
        value_area_(params.value(2)),
        capacity_(static_cast<std::size_t>(params.as_int(3))),
        slots_(static_cast<std::size_t>(params.as_int(4))),
        leaves_(std::bit_ceil(slots_)),
        ring_(capacity_),
        buckets_(slots_),
        tree_(2 * leaves_) {
    if (!(window_ms_ > 0) || !(bucket_width_ > 0) || capacity_ == 0 || slots_ == 0) {
      throw std::invalid_argument("microstructure: window_s, bucket, max_trades and max_buckets must be > 0");
    }
  }

  // Returns AS_ERROR, leaving the window as it was, for a non-finite or
  // non-positive price, a non-finite or negative quantity, a negative time,
  // a time before the newest trade's, or a price / bucket of 2^53 or more.
  static constexpr std::uint32_t kStateVersion = 1;
  template <class Archive>
  void state(Archive& archive) {
    archive.expect("window_s", window_s_);
    archive.expect("bucket", bucket_width_);
    archive.expect("value_area", value_area_);
    archive.expect("max_trades", capacity_);
    archive.expect("max_buckets", slots_);
    archive(ring_, head_, count_, newest_time_ms_, capacity_evictions_, evictions_since_recompute_, volume_,
            notional_, buy_volume_, sell_volume_, return_sq_sum_, pairs_, mean_x_, mean_y_, sxx_, sxy_, syy_,
            peak_volume_, peak_notional_, peak_buy_, peak_sell_, peak_return_sq_, peak_sxx_, peak_syy_, buckets_,
            tree_);
    archive.check(ring_.size() == capacity_ && head_ < capacity_ && count_ <= capacity_ &&
                      buckets_.size() == slots_ && tree_.size() == 2 * leaves_,
                  "window ring or volume profile");
    // Bucket.dirty is a bool inside a struct: checked byte by byte.
    for (const Bucket& bucket : buckets_) {
      unsigned char dirty = 0;
      std::memcpy(&dirty, &bucket.dirty, 1);
      archive.check(dirty <= 1, "volume profile bucket");
    }
  }

  as_status update(const as_trade& trade, double* outputs) noexcept {
    if (!std::isfinite(trade.price) || !(trade.price > 0) || !std::isfinite(trade.quantity) ||
        !(trade.quantity >= 0) || trade.transact_time_ms < 0 || trade.transact_time_ms < newest_time_ms_) {
      return AS_ERROR;
    }
    const double index = std::floor(trade.price / bucket_width_);
    if (!(index < kMaxBucketIndex)) return AS_ERROR;
    const auto bucket = static_cast<std::int64_t>(index);

    newest_time_ms_ = trade.transact_time_ms;
    evict_expired();
    if (count_ == capacity_) evict_early();
    while (count_ > 0 && span_with(bucket) >= static_cast<std::int64_t>(slots_)) evict_early();
    add(trade, bucket);
    if (evictions_since_recompute_ >= count_ || cancelled()) recompute();
    write(outputs);
    return AS_OK;
  }

 private:
  std::size_t ring_at(std::size_t offset) const {
    const std::size_t i = head_ + offset;
    return i >= capacity_ ? i - capacity_ : i;
  }
  std::size_t slot_of(std::int64_t bucket) const { return static_cast<std::size_t>(bucket) % slots_; }

  // Buckets spanned by the live profile if `bucket` joined it, minus one.
  std::int64_t span_with(std::int64_t bucket) const {
    const ProfileNode& root = tree_[1];
    return std::max(root.high, bucket) - std::min(root.low, bucket);
  }

  void evict_expired() {
    while (count_ > 0 && static_cast<double>(newest_time_ms_ - ring_[head_].time_ms) >= window_ms_) {
      evict_oldest();
    }
  }

  void evict_early() {
    evict_oldest();
    ++capacity_evictions_;
  }

  void evict_oldest() {
    const WindowTrade& old = ring_[head_];
    const double qty = std::fabs(old.signed_qty);
    volume_ -= qty;
    notional_ -= old.price * qty;
    (old.signed_qty > 0 ? buy_volume_ : sell_volume_) -= qty;
    remove_from_profile(old.bucket, qty);
    const std::size_t next = ring_at(1);
    --count_;
    if (count_ > 0) {
      // The pair (old, next) leaves with old.
      const WindowTrade& pair_end = ring_[next];
      return_sq_sum_ -= pair_end.return_sq;
      regression_remove(pair_end.signed_qty, pair_end.price - old.price);
    }
    head_ = next;
    ++evictions_since_recompute_;
    if (count_ == 0) reset_sums();
  }

  void add(const as_trade& trade, std::int64_t bucket) {
    const double qty = trade.quantity;
    const double signed_qty = trade.is_buyer_maker ? -qty : qty;
    double return_sq = 0;
    if (count_ > 0) {
      const double prev = ring_[ring_at(count_ - 1)].price;
      const double move = trade.price - prev;
      const double log_return = std::log1p(move / prev);
      return_sq = log_return * log_return;
      return_sq_sum_ += return_sq;
      regression_add(signed_qty, move);
    }
    ring_[ring_at(count_)] = WindowTrade{trade.transact_time_ms, trade.price, signed_qty, return_sq, bucket};
    ++count_;
    volume_ += qty;
    notional_ += trade.price * qty;
    (trade.is_buyer_maker ? sell_volume_ : buy_volume_) += qty;
    add_to_profile(bucket, qty);
    peak_volume_ = std::max(peak_volume_, volume_);
    peak_notional_ = std::max(peak_notional_, notional_);
    peak_buy_ = std::max(peak_buy_, buy_volume_);
    peak_sell_ = std::max(peak_sell_, sell_volume_);
    peak_return_sq_ = std::max(peak_return_sq_, return_sq_sum_);
    peak_sxx_ = std::max(peak_sxx_, sxx_);
    peak_syy_ = std::max(peak_syy_, syy_);
  }

  // Welford's update with one more pair (x, y) of the regression.
  void regression_add(double x, double y) {
    ++pairs_;
    const double n = static_cast<double>(pairs_);
    const double dx = x - mean_x_;
    const double dy = y - mean_y_;
    mean_x_ += dx / n;
    mean_y_ += dy / n;
    sxx_ += dx * (x - mean_x_);
    sxy_ += dx * (y - mean_y_);
    syy_ += dy * (y - mean_y_);
  }

  // The algebraic inverse of regression_add, for a pair (x, y) in the sums.
  void regression_remove(double x, double y) {
    --pairs_;
    if (pairs_ == 0) {
      mean_x_ = mean_y_ = sxx_ = sxy_ = syy_ = 0;
      return;
    }
    const double n = static_cast<double>(pairs_);
    const double dx = x - mean_x_;
    const double dy = y - mean_y_;
    mean_x_ -= dx / n;
    mean_y_ -= dy / n;
    sxx_ -= dx * (x - mean_x_);
    sxy_ -= dx * (y - mean_y_);
    syy_ -= dy * (y - mean_y_);
    if (pairs_ == 1) sxx_ = sxy_ = syy_ = 0;
  }

  void add_to_profile(std::int64_t bucket, double qty) {
    const std::size_t slot = slot_of(bucket);
    Bucket& b = buckets_[slot];
    if (b.trades == 0) {
      b.index = bucket;
      b.volume = 0;
    }
    b.volume += qty;
    ++b.trades;
    refresh_leaf(slot);
  }

  void remove_from_profile(std::int64_t bucket, double qty) {
    const std::size_t slot = slot_of(bucket);
    Bucket& b = buckets_[slot];
    b.volume -= qty;
    if (--b.trades == 0) b.volume = 0;
    refresh_leaf(slot);
  }

  // Stops at the first ancestor that does not change: those above it cannot.
  void refresh_leaf(std::size_t slot) {
    std::size_t node = leaves_ + slot;
    const Bucket& b = buckets_[slot];
    tree_[node] = b.trades == 0 ? ProfileNode{} : ProfileNode{b.volume, b.index, b.index, b.index};
    for (node >>= 1; node >= 1; node >>= 1) {
      const ProfileNode updated = combine(tree_[2 * node], tree_[2 * node + 1]);
      if (same(updated, tree_[node])) return;
      tree_[node] = updated;
    }
  }

  void reset_sums() {
    volume_ = notional_ = buy_volume_ = sell_volume_ = return_sq_sum_ = 0;
    pairs_ = 0;
    mean_x_ = mean_y_ = sxx_ = sxy_ = syy_ = 0;
  }

  bool cancelled() const {
    return volume_ < kCancellationRatio * peak_volume_ || notional_ < kCancellationRatio * peak_notional_ ||
           buy_volume_ < kCancellationRatio * peak_buy_ || sell_volume_ < kCancellationRatio * peak_sell_ ||
           return_sq_sum_ < kCancellationRatio * peak_return_sq_ || sxx_ < kCancellationRatio * peak_sxx_ ||
           syy_ < kCancellationRatio * peak_syy_;
  }

  // Every sum from the ring: O(trades in the window), plus O(log max_buckets)
  // per live bucket for the profile.
  void recompute() {
    reset_sums();
    for (std::size_t i = 0; i < count_; ++i) {
      const WindowTrade& t = ring_[ring_at(i)];
      const double qty = std::fabs(t.signed_qty);
      volume_ += qty;
      notional_ += t.price * qty;
      (t.signed_qty > 0 ? buy_volume_ : sell_volume_) += qty;
      if (i > 0) return_sq_sum_ += t.return_sq;
    }
    recompute_regression();
    recompute_profile();
    peak_volume_ = volume_;
    peak_notional_ = notional_;
    peak_buy_ = buy_volume_;
    peak_sell_ = sell_volume_;
    peak_return_sq_ = return_sq_sum_;
    peak_sxx_ = sxx_;
    peak_syy_ = syy_;
    evictions_since_recompute_ = 0;
  }

  // Two passes over the pairs, shifted by the newest pair so that equal
  // signed quantities give sxx exactly 0 (and flat prices syy and sxy 0).
  void recompute_regression() {
    if (count_ < 2) return;
    pairs_ = count_ - 1;
    const WindowTrade& newest = ring_[ring_at(count_ - 1)];
    const double ref_x = newest.signed_qty;
    const double ref_y = newest.price - ring_[ring_at(count_ - 2)].price;
    double sum_u = 0, sum_v = 0;
    for (std::size_t i = 1; i < count_; ++i) {
      const WindowTrade& t = ring_[ring_at(i)];
      sum_u += t.signed_qty - ref_x;
      sum_v += (t.price - ring_[ring_at(i - 1)].price) - ref_y;
    }
    const double n = static_cast<double>(pairs_);
    const double mean_u = sum_u / n, mean_v = sum_v / n;
    double sxx = 0, sxy = 0, syy = 0;
    for (std::size_t i = 1; i < count_; ++i) {
      const WindowTrade& t = ring_[ring_at(i)];
      const double du = (t.signed_qty - ref_x) - mean_u;
      const double dv = ((t.price - ring_[ring_at(i - 1)].price) - ref_y) - mean_v;
      sxx += du * du;
      sxy += du * dv;
      syy += dv * dv;
    }
    mean_x_ = ref_x + mean_u;
    mean_y_ = ref_y + mean_v;
    sxx_ = sxx;
    sxy_ = sxy;
    syy_ = syy;
  }

  void recompute_profile() {
    for (std::size_t i = 0; i < count_; ++i) {
      Bucket& b = buckets_[slot_of(ring_[ring_at(i)].bucket)];
      b.volume = 0;
      b.dirty = true;
    }
    for (std::size_t i = 0; i < count_; ++i) {
      const WindowTrade& t = ring_[ring_at(i)];
      buckets_[slot_of(t.bucket)].volume += std::fabs(t.signed_qty);
    }
    for (std::size_t i = 0; i < count_; ++i) {
      const std::size_t slot = slot_of(ring_[ring_at(i)].bucket);
      if (!buckets_[slot].dirty) continue;
      buckets_[slot].dirty = false;
      refresh_leaf(slot);
    }
  }

  double volume_at(std::size_t slot, std::int64_t bucket) const {
    const Bucket& b = buckets_[slot];
    // & rather than &&: no branch to mispredict in the value-area walk.
    return (b.trades > 0) & (b.index == bucket) ? b.volume : 0.0;
  }

  void write(double* outputs) const {
    std::fill(outputs, outputs + kOutputCount, kNaN);
    const double n = static_cast<double>(count_);
    outputs[kVolume] = volume_;
    outputs[kNotional] = notional_;
    outputs[kTakerBuy] = buy_volume_;
    outputs[kTakerSell] = sell_volume_;
    outputs[kIntensity] = n / window_s_;
    outputs[kMeanSize] = volume_ / n;
    outputs[kCapacityEvictions] = static_cast<double>(capacity_evictions_);
    if (count_ >= 2) outputs[kRealizedVol] = std::sqrt(std::max(0.0, return_sq_sum_));
    if (pairs_ >= 2 && sxx_ > 0) outputs[kKyleLambda] = sxy_ / sxx_;
    if (!(volume_ > 0)) return;
    outputs[kVwap] = notional_ / volume_;
    outputs[kImbalance] = (buy_volume_ - sell_volume_) / (buy_volume_ + sell_volume_);
    write_profile(outputs);
  }

  // Walks out from the point of control; O(buckets in the value area).
  void write_profile(double* outputs) const {
    const ProfileNode& root = tree_[1];
    const std::int64_t poc = root.index;
    std::int64_t low = poc, high = poc;
    std::size_t low_slot = slot_of(poc), high_slot = low_slot;
    double covered = root.volume;
    const double target = value_area_ * volume_;
    while (covered < target) {
      const bool can_go_down = low > root.low, can_go_up = high < root.high;
      if (!(can_go_down | can_go_up)) break;
      const std::size_t down_slot = low_slot == 0 ? slots_ - 1 : low_slot - 1;
      const std::size_t up_slot = high_slot + 1 == slots_ ? 0 : high_slot + 1;
      const double down = can_go_down ? volume_at(down_slot, low - 1) : -1.0;
      const double up = can_go_up ? volume_at(up_slot, high + 1) : -1.0;
      // Which side grows is data, so it is selected rather than branched on.
      const bool take_up = up > down;
      high += take_up;
      low -= !take_up;
      high_slot = take_up ? up_slot : high_slot;
      low_slot = take_up ? low_slot : down_slot;
      covered += take_up ? up : down;
    }
    outputs[kPoc] = (static_cast<double>(poc) + 0.5) * bucket_width_;
    outputs[kValueAreaLow] = static_cast<double>(low) * bucket_width_;
    outputs[kValueAreaHigh] = static_cast<double>(high + 1) * bucket_width_;
  }

  const double window_s_;
  const double window_ms_;
  const double bucket_width_;
  const double value_area_;
  const std::size_t capacity_;  // max_trades
  const std::size_t slots_;     // max_buckets
  const std::size_t leaves_;    // slots_ rounded up to a power of two

  std::vector<WindowTrade> ring_;  // the window, oldest at head_; allocated once
  std::size_t head_ = 0;
  std::size_t count_ = 0;
  std::int64_t newest_time_ms_ = std::numeric_limits<std::int64_t>::min();
  std::uint64_t capacity_evictions_ = 0;
  std::size_t evictions_since_recompute_ = 0;

  double volume_ = 0, notional_ = 0, buy_volume_ = 0, sell_volume_ = 0;
  double return_sq_sum_ = 0;
  std::size_t pairs_ = 0;                          // regression points: count_ - 1
  // Centred, Welford-style; syy_ is kept only to catch its cancellation, which
  // would leave sxy_ (hence the slope) as rounding noise when prices go flat.
  double mean_x_ = 0, mean_y_ = 0, sxx_ = 0, sxy_ = 0, syy_ = 0;
  double peak_volume_ = 0, peak_notional_ = 0, peak_buy_ = 0, peak_sell_ = 0;
  double peak_return_sq_ = 0, peak_sxx_ = 0, peak_syy_ = 0;  // largest since the last recompute

  std::vector<Bucket> buckets_;     // slot k mod slots_
  std::vector<ProfileNode> tree_;   // 1-based; leaves at [leaves_, 2 * leaves_)
};

}  // namespace

ALPHASTREAM_PLUGIN(Microstructure, kDescriptor)
