#include "service/shard_plan.h"

#include <map>
#include <memory>
#include <set>
#include <string>

#include "reactor/shard_map.h"
#include "service/model_gauges.h"

namespace alphastream {

std::vector<PipelineSet> assign_to_shards(PipelineSet set, std::uint32_t shard_count) {
  std::vector<PipelineSet> shards(shard_count);
  for (PairModelRun& run : set.pairs) {
    run.set_sink(std::make_shared<PairGauges>(*run.pipeline, run.label));
    shards[shard_for_key(run.pipeline->spec().name, shard_count).index()].pairs.push_back(std::move(run));
  }
  for (SymbolModelRun& run : set.symbols) {
    run.set_sink(std::make_shared<SymbolGauges>(*run.pipeline, run.label));
    shards[shard_for_key(run.pipeline->spec().symbol.view(), shard_count).index()].symbols.push_back(std::move(run));
  }
  return shards;
}

std::vector<FeedIngest::SymbolRoute> symbol_routes(const EngineConfig& config, std::uint32_t shard_count) {
  std::map<std::string, std::set<std::uint32_t>> shards_by_symbol;
  for (const PairConfig& pair : config.pairs) {
    const std::uint32_t shard = shard_for_key(pair.name, shard_count).index();
    shards_by_symbol[pair.y].insert(shard);
    shards_by_symbol[pair.x].insert(shard);
  }
  for (const SymbolConfig& symbol : config.symbols) {
    shards_by_symbol[symbol.symbol].insert(shard_for_key(symbol.symbol, shard_count).index());
  }
  std::vector<FeedIngest::SymbolRoute> routes;
  for (const auto& [symbol, shards] : shards_by_symbol) {
    FeedIngest::SymbolRoute route{symbol, {}};
    for (std::uint32_t shard : shards) route.shards.emplace_back(shard);
    routes.push_back(std::move(route));
  }
  return routes;
}

}  // namespace alphastream
