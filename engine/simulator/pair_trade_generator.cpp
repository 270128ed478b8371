#include "simulator/pair_trade_generator.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <limits>
#include <numbers>

#include "feed/agg_trade_csv_writer.h"

namespace alphastream {
namespace {

constexpr double kInfinity = std::numeric_limits<double>::infinity();
constexpr double kQuantityStepsPerUnit = 1000;  // quantities are multiples of 0.001
constexpr double kMeanExtraFills = 1.5;         // fills per aggregate = 1 + this on average

Status field_error(std::string_view field, std::string_view problem) {
  return Status::error("pair generator: " + std::string(field) + ": " + std::string(problem));
}

}  // namespace

Status validate(const PairGeneratorConfig& c) {
  for (const auto& [name, symbol] : {std::pair{"x_symbol", &c.x_symbol},
                                     std::pair{"y_symbol", &c.y_symbol}}) {
    if (symbol->empty() || symbol->size() > Symbol::kMaxSize) {
      return field_error(name, "expected 1 to " + std::to_string(Symbol::kMaxSize) +
                                   " characters, got \"" + *symbol + "\"");
    }
  }
  if (c.x_symbol == c.y_symbol) return field_error("y_symbol", "must differ from x_symbol");
  const std::pair<const char*, double> positive[] = {{"x_start_price", c.x_start_price},
                                                     {"price_tick", c.price_tick},
                                                     {"mean_quantity", c.mean_quantity},
                                                     {"duration_s", c.duration_s}};
  for (const auto& [name, value] : positive) {
    if (!(value > 0) || !std::isfinite(value)) return field_error(name, "expected a number above zero");
  }
  const std::pair<const char*, double> non_negative[] = {
      {"x_volatility_per_sqrt_s", c.x_volatility_per_sqrt_s},
      {"spread_theta_per_s", c.spread_theta_per_s},
      {"spread_sigma_per_sqrt_s", c.spread_sigma_per_sqrt_s},
      {"x_trades_per_s", c.x_trades_per_s},
      {"y_trades_per_s", c.y_trades_per_s}};
  for (const auto& [name, value] : non_negative) {
    if (!(value >= 0) || !std::isfinite(value)) return field_error(name, "expected a number of zero or more");
  }
  if (!std::isfinite(c.alpha) || !std::isfinite(c.beta)) {
    return field_error("alpha, beta", "expected finite numbers");
  }
  return Status::ok();
}

PairTradeGenerator::PairTradeGenerator(PairGeneratorConfig config)
    : config_(std::move(config)), rng_(config_.seed) {
  const double k = std::round(1.0 / config_.price_tick);
  if (k >= 1 && 1.0 / k == config_.price_tick) ticks_per_unit_ = k;
  x_.symbol = Symbol(config_.x_symbol);
  y_.symbol = Symbol(config_.y_symbol);
  x_.trades_per_s = config_.x_trades_per_s;
  y_.trades_per_s = config_.y_trades_per_s;
  for (Leg* leg : {&x_, &y_}) {
    leg->next_time_s = leg->trades_per_s > 0 ? exponential() / leg->trades_per_s : kInfinity;
  }
}

double PairTradeGenerator::uniform() {
  return static_cast<double>(rng_() >> 11) * 0x1.0p-53;
}

double PairTradeGenerator::exponential() {
  return -std::log1p(-uniform());  // 1 - u is in (0, 1]: the log is finite
}

double PairTradeGenerator::normal() {
  if (has_spare_normal_) {
    has_spare_normal_ = false;
    return spare_normal_;
  }
  const double radius = std::sqrt(-2.0 * std::log1p(-uniform()));
  const double angle = 2.0 * std::numbers::pi * uniform();
  spare_normal_ = radius * std::sin(angle);
  has_spare_normal_ = true;
  return radius * std::cos(angle);
}

double PairTradeGenerator::round_to_tick(double price) const {
  if (ticks_per_unit_ > 0) return static_cast<double>(std::llround(price * ticks_per_unit_)) / ticks_per_unit_;
  return static_cast<double>(std::llround(price / config_.price_tick)) * config_.price_tick;
}

void PairTradeGenerator::advance_model_to(double time_s) {
  const double dt = time_s - model_time_s_;
  if (dt <= 0) return;
  model_time_s_ = time_s;
  const double sigma_x = config_.x_volatility_per_sqrt_s;
  log_x_ += sigma_x * std::sqrt(dt) * normal() - 0.5 * sigma_x * sigma_x * dt;
  // The OU transition over dt is Gaussian: mean s e^{-theta dt}, variance
  // sigma^2 (1 - e^{-2 theta dt}) / (2 theta); theta = 0 is a random walk.
  const double theta = config_.spread_theta_per_s;
  const double sigma_s = config_.spread_sigma_per_sqrt_s;
  const double z = normal();
  if (theta > 0) {
    const double variance = sigma_s * sigma_s * -std::expm1(-2.0 * theta * dt) / (2.0 * theta);
    spread_ = spread_ * std::exp(-theta * dt) + std::sqrt(variance) * z;
  } else {
    spread_ += sigma_s * std::sqrt(dt) * z;
  }
}

bool PairTradeGenerator::next(AggTrade& out) {
  Leg& leg = x_.next_time_s <= y_.next_time_s ? x_ : y_;
  const double time_s = leg.next_time_s;
  if (time_s > config_.duration_s) return false;
  advance_model_to(time_s);
  const double x_price = config_.x_start_price * std::exp(log_x_);
  const double model_price =
      &leg == &x_ ? x_price : config_.alpha + config_.beta * x_price + spread_;
  fill_trade(leg, model_price, out);
  out.transact_time_ms = config_.start_ms + static_cast<std::int64_t>(std::floor(time_s * 1000.0));
  leg.next_time_s += exponential() / leg.trades_per_s;
  return true;
}

void PairTradeGenerator::fill_trade(Leg& leg, double model_price, AggTrade& out) {
  out = AggTrade{};
  out.symbol = leg.symbol;
  out.agg_trade_id = leg.next_agg_id++;
  // A price never rounds below one tick, so y stays positive whatever s does.
  out.price = std::max(round_to_tick(model_price), round_to_tick(config_.price_tick));
  const double steps = std::round(exponential() * config_.mean_quantity * kQuantityStepsPerUnit);
  out.quantity = std::max(1.0, steps) / kQuantityStepsPerUnit;
  const auto fills = 1 + static_cast<std::int64_t>(std::floor(exponential() * kMeanExtraFills));
  out.first_trade_id = leg.next_trade_id;
  out.last_trade_id = leg.next_trade_id + fills - 1;
  leg.next_trade_id += fills;
  out.is_buyer_maker = (rng_() >> 63) != 0;
}

namespace {

std::string utc_date(std::int64_t time_ms) {
  using namespace std::chrono;
  const year_month_day date{floor<days>(sys_time<milliseconds>{milliseconds{time_ms}})};
  char text[16];
  std::snprintf(text, sizeof text, "%04d-%02u-%02u", static_cast<int>(date.year()),
                static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()));
  return text;
}

}  // namespace

Result<PairCsvFiles> write_pair_csv(const PairGeneratorConfig& config, const std::string& dir, bool with_header,
                                    CsvLayout layout) {
  if (Status valid = validate(config); !valid) return valid;
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  if (error) return Status::error(dir + ": cannot create directory: " + error.message());

  // Each leg's file of the day being written.
  struct LegFile {
    std::string symbol;
    std::int64_t day = -1;  // days since the epoch; -1: none open
    std::unique_ptr<AggTradeCsvWriter> writer;
    std::vector<std::string>* paths;
  };
  PairCsvFiles files;
  LegFile legs[] = {{config.x_symbol, -1, nullptr, &files.x_paths}, {config.y_symbol, -1, nullptr, &files.y_paths}};
  const auto roll_to = [&](LegFile& leg, std::int64_t day, std::int64_t time_ms) -> Status {
    if (leg.writer) {
      if (Status closed = leg.writer->close(); !closed) return closed;
    }
    const std::string path =
        (std::filesystem::path(dir) / (leg.symbol + "-aggTrades-" + utc_date(time_ms) + ".csv")).string();
    leg.writer = std::make_unique<AggTradeCsvWriter>(path, layout);
    leg.day = day;
    leg.paths->push_back(path);
    if (Status opened = leg.writer->open(); !opened) return opened;
    return with_header ? leg.writer->append_header() : Status::ok();
  };

  PairTradeGenerator generator(config);
  const Symbol x_symbol(config.x_symbol);
  AggTrade trade;
  while (generator.next(trade)) {
    LegFile& leg = trade.symbol == x_symbol ? legs[0] : legs[1];
    const std::int64_t day = trade.transact_time_ms / 86'400'000;
    if (day != leg.day) {
      if (Status rolled = roll_to(leg, day, trade.transact_time_ms); !rolled) return rolled;
    }
    // Spot files time trades in microseconds: the generator's are whole
    // milliseconds, so the digits below are made up, the same for every
    // run, and leave the milliseconds (and so every observation) as they are.
    if (layout == CsvLayout::kSpot) trade.transact_time_us = static_cast<std::uint16_t>(trade.agg_trade_id % 1000);
    if (Status written = leg.writer->append(trade); !written) return written;
  }
  for (LegFile& leg : legs) {
    if (!leg.writer) continue;
    if (Status closed = leg.writer->close(); !closed) return closed;
  }
  return files;
}

}  // namespace alphastream
