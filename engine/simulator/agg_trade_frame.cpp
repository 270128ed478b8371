#include "simulator/agg_trade_frame.h"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <string_view>

namespace alphastream {
namespace {

constexpr std::string_view kFrameStart = R"({"stream":")";
constexpr std::string_view kFrameData = R"(","data":)";
constexpr std::string_view kFrameEnd = "}";
constexpr std::string_view kEventTime = R"({"e":"aggTrade","E":)";
constexpr std::string_view kAggTradeId = R"(,"a":)";
constexpr std::string_view kSymbolName = R"(,"s":")";
constexpr std::string_view kPrice = R"(","p":")";
constexpr std::string_view kQuantity = R"(","q":")";
constexpr std::string_view kNetQuantity = R"(","nq":")";
constexpr std::string_view kFirstTradeId = R"(","f":)";
constexpr std::string_view kLastTradeId = R"(,"l":)";
constexpr std::string_view kTransactTime = R"(,"T":)";
constexpr std::string_view kBuyerMaker = R"(,"m":)";
constexpr std::string_view kPayloadEnd = "}";

constexpr std::size_t kMaxIntegerSize = 20;  // "-9223372036854775808"
constexpr std::size_t kMaxShortestDoubleSize = 24;  // "-2.2250738585072014e-308"
// Fixed notation of any double: DBL_MAX has 309 integer digits.
constexpr std::size_t kMaxFixedDoubleSize = 1 + 309 + 1 + AggTradeDecimals::kMaxDecimals;
static_assert(kMaxAggTradeFrameSize ==
                  kFrameStart.size() + Symbol::kMaxSize + kAggTradeStreamSuffix.size() + kFrameData.size() + kEventTime.size() +
                      kAggTradeId.size() + kSymbolName.size() + Symbol::kMaxSize + kPrice.size() +
                      kQuantity.size() + kNetQuantity.size() + kFirstTradeId.size() + kLastTradeId.size() +
                      kTransactTime.size() + kBuyerMaker.size() + std::string_view("false").size() +
                      kPayloadEnd.size() + kFrameEnd.size() + 5 * kMaxIntegerSize + 3 * kMaxShortestDoubleSize,
              "kMaxAggTradeFrameSize must add up the frame's parts");

void append_integer(std::string& out, std::int64_t value) {
  char text[kMaxIntegerSize];
  out.append(text, std::to_chars(text, text + sizeof text, value).ptr);
}

// Returns the text of value with the given decimals (shortest when
// negative), written into buffer.
std::string_view format_decimal(double value, int decimals, char (&buffer)[kMaxFixedDoubleSize]) {
  char* const end = buffer + sizeof buffer;
  if (decimals < 0) return {buffer, std::to_chars(buffer, end, value).ptr};
  const int precision = std::min(decimals, AggTradeDecimals::kMaxDecimals);
  return {buffer, std::to_chars(buffer, end, value, std::chars_format::fixed, precision).ptr};
}

// The fields both layouts end with: ","f":..,"l":..,"T":..,"m":..}".
void append_ids_time_side(std::string& out, const AggTrade& trade) {
  out += kFirstTradeId;
  append_integer(out, trade.first_trade_id);
  out += kLastTradeId;
  append_integer(out, trade.last_trade_id);
  out += kTransactTime;
  append_integer(out, trade.transact_time_ms);
  out += kBuyerMaker;
  out += trade.is_buyer_maker ? "true" : "false";
  out += kPayloadEnd;
}

}  // namespace

void append_agg_trade_payload(std::string& out, const AggTrade& trade, AggTradeDecimals decimals) {
  char buffer[kMaxFixedDoubleSize];
  out += kEventTime;
  append_integer(out, trade.event_time_ms);
  out += kAggTradeId;
  append_integer(out, trade.agg_trade_id);
  out += kSymbolName;
  out += trade.symbol.view();
  out += kPrice;
  out += format_decimal(trade.price, decimals.price, buffer);
  const std::string_view quantity = format_decimal(trade.quantity, decimals.quantity, buffer);
  out += kQuantity;
  out += quantity;
  out += kNetQuantity;
  out += quantity;
  append_ids_time_side(out, trade);
}

void append_rest_agg_trade(std::string& out, const AggTrade& trade, AggTradeDecimals decimals) {
  char buffer[kMaxFixedDoubleSize];
  out += R"({"a":)";
  append_integer(out, trade.agg_trade_id);
  out += R"(,"p":")";
  out += format_decimal(trade.price, decimals.price, buffer);
  out += kQuantity;
  out += format_decimal(trade.quantity, decimals.quantity, buffer);
  append_ids_time_side(out, trade);
}

void append_agg_trade_frame(std::string& out, const AggTrade& trade, AggTradeDecimals decimals) {
  out += kFrameStart;
  append_agg_trade_stream_name(out, trade.symbol.view());
  out += kFrameData;
  append_agg_trade_payload(out, trade, decimals);
  out += kFrameEnd;
}

}  // namespace alphastream
