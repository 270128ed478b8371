// ns per aggTrade message: simdjson on-demand walking the fields without
// converting them (the floor), AggTradeParser on raw and combined frames
// (Binance's own layout: its direct scan), and a DOM-plus-strtod parser as
// the obvious alternative.
//   build/perf/bench_parse --benchmark_min_time=0.2
#include <cctype>
#include <cstdlib>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>
#include <simdjson.h>

#include "feed/agg_trade_parser.h"

namespace {

using alphastream::AggTrade;
using alphastream::AggTradeParser;

// Shaped like Binance USD-M futures frames (ids, times and decimals of
// realistic length, the "nq" field the futures stream adds).
std::vector<std::string> raw_payloads() {
  return {
      R"({"e":"aggTrade","E":1717200000123,"a":2097154331,"s":"BTCUSDT","p":"67012.30",)"
      R"("q":"0.004","nq":"0.004","f":4417239190,"l":4417239192,"T":1717200000119,"m":true})",
      R"({"e":"aggTrade","E":1717200000187,"a":1104322871,"s":"ETHUSDT","p":"3781.42",)"
      R"("q":"12.518","nq":"12.518","f":2210937711,"l":2210937730,"T":1717200000180,"m":false})",
      R"({"e":"aggTrade","E":1717200000201,"a":588213004,"s":"1000SHIBUSDT","p":"0.025914",)"
      R"("q":"120394","nq":"120394","f":990112334,"l":990112334,"T":1717200000199,"m":true})",
      R"({"e":"aggTrade","E":1717200000245,"a":301209881,"s":"SOLUSDT","p":"166.8100",)"
      R"("q":"3","nq":"3","f":702114998,"l":702115001,"T":1717200000240,"m":false})",
  };
}

std::vector<std::string> combined_frames() {
  std::vector<std::string> frames;
  for (const std::string& payload : raw_payloads()) {
    const std::size_t start = payload.find("\"s\":\"") + 5;
    std::string stream = payload.substr(start, payload.find('"', start) - start);
    // Binance names streams in lower case: "btcusdt@aggTrade".
    for (char& c : stream) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    frames.push_back(R"({"stream":")" + stream + R"(@aggTrade","data":)" + payload + "}");
  }
  return frames;
}

std::vector<simdjson::padded_string> padded(const std::vector<std::string>& messages) {
  std::vector<simdjson::padded_string> out;
  for (const std::string& m : messages) out.emplace_back(m);
  return out;
}

// Visits every key and value token of an object, converting nothing.
std::size_t walk(simdjson::ondemand::object object) {
  std::size_t keys = 0;
  for (auto field : object) {
    ++keys;
    simdjson::ondemand::value value;
    if (field.value().get(value)) return keys;
    simdjson::ondemand::object inner;
    if (!value.get_object().get(inner)) keys += walk(inner);
  }
  return keys;
}

void run_walk(benchmark::State& state, const std::vector<std::string>& messages) {
  const std::vector<simdjson::padded_string> inputs = padded(messages);
  simdjson::ondemand::parser parser;
  std::size_t i = 0;
  for (auto _ : state) {
    simdjson::ondemand::document doc;
    simdjson::ondemand::object object;
    if (parser.iterate(inputs[i]).get(doc) || doc.get_object().get(object)) {
      state.SkipWithError("walk failed");
      return;
    }
    benchmark::DoNotOptimize(walk(object));
    i = (i + 1) % inputs.size();
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_OnDemandWalkRaw(benchmark::State& state) { run_walk(state, raw_payloads()); }
void BM_OnDemandWalkCombined(benchmark::State& state) { run_walk(state, combined_frames()); }

void run_parser(benchmark::State& state, const std::vector<std::string>& messages) {
  AggTradeParser parser;
  AggTrade trade;
  std::size_t i = 0;
  for (auto _ : state) {
    if (!parser.parse(messages[i], trade)) {
      state.SkipWithError("parse failed");
      return;
    }
    benchmark::DoNotOptimize(trade);
    i = (i + 1) % messages.size();
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_AggTradeParserRaw(benchmark::State& state) { run_parser(state, raw_payloads()); }
void BM_AggTradeParserCombined(benchmark::State& state) { run_parser(state, combined_frames()); }

void BM_AggTradeParserPaddedRaw(benchmark::State& state) {
  const std::vector<simdjson::padded_string> inputs = padded(raw_payloads());
  AggTradeParser parser;
  AggTrade trade;
  std::size_t i = 0;
  for (auto _ : state) {
    if (!parser.parse_padded(inputs[i], trade)) {
      state.SkipWithError("parse failed");
      return;
    }
    benchmark::DoNotOptimize(trade);
    i = (i + 1) % inputs.size();
  }
  state.SetItemsProcessed(state.iterations());
}

// The obvious alternative: build a DOM, look fields up by key, convert the
// decimal strings with strtod (which also depends on the C locale).
void BM_DomLookupStrtodRaw(benchmark::State& state) {
  const std::vector<simdjson::padded_string> inputs = padded(raw_payloads());
  simdjson::dom::parser parser;
  AggTrade trade;
  std::size_t i = 0;
  for (auto _ : state) {
    simdjson::dom::element doc;
    std::string_view e, s, p, q;
    bool ok = !parser.parse(inputs[i]).get(doc) && !doc["e"].get(e) && e == "aggTrade" &&
              !doc["s"].get(s) && !doc["p"].get(p) && !doc["q"].get(q) &&
              !doc["E"].get(trade.event_time_ms) && !doc["a"].get(trade.agg_trade_id) &&
              !doc["f"].get(trade.first_trade_id) && !doc["l"].get(trade.last_trade_id) &&
              !doc["T"].get(trade.transact_time_ms) && !doc["m"].get(trade.is_buyer_maker);
    if (!ok) {
      state.SkipWithError("dom parse failed");
      return;
    }
    trade.symbol = alphastream::Symbol(s);
    // The DOM's strings are NUL-terminated, so strtod stops at the quote's place.
    trade.price = std::strtod(p.data(), nullptr);
    trade.quantity = std::strtod(q.data(), nullptr);
    benchmark::DoNotOptimize(trade);
    i = (i + 1) % inputs.size();
  }
  state.SetItemsProcessed(state.iterations());
}

BENCHMARK(BM_OnDemandWalkRaw);
BENCHMARK(BM_OnDemandWalkCombined);
BENCHMARK(BM_AggTradeParserRaw);
BENCHMARK(BM_AggTradeParserCombined);
BENCHMARK(BM_AggTradeParserPaddedRaw);
BENCHMARK(BM_DomLookupStrtodRaw);

}  // namespace

BENCHMARK_MAIN();
