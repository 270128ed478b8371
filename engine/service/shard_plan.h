// Where a config's pipelines live: a pair on the shard its name hashes to, a
// symbol model on its symbol's (shard_for_key), and a symbol's trades go to
// every shard that holds a pipeline using it. The service and the service
// benchmark place pipelines through these two functions alone.
#pragma once

#include <cstdint>
#include <vector>

#include "book/pipeline_book.h"
#include "config/engine_config.h"
#include "service/feed_ingest.h"

namespace alphastream {

// The runs of `set` grouped by owning shard (index = shard), each given its
// gauges (PairGauges, SymbolGauges) as its sink.
std::vector<PipelineSet> assign_to_shards(PipelineSet set, std::uint32_t shard_count);

// Every symbol the config's pairs and symbol models use, by name, with the
// shards its trades go to.
std::vector<FeedIngest::SymbolRoute> symbol_routes(const EngineConfig& config, std::uint32_t shard_count);

}  // namespace alphastream
