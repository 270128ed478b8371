// `alphastream run`: the long-running service. One I/O reactor (the calling
// thread, an Asio io_context) receives the feed, parses and sequences trades,
// records them and routes them to the shard reactors, which run the same
// PairPipeline and SymbolPipeline as the backtest. Prometheus scrapes
// /metrics; SIGTERM or SIGINT drains and exits; SIGHUP reloads the pairs and
// symbol models of the config file without touching the feed's other
// symbols.
#pragma once

#include <chrono>
#include <string>

#include "config/engine_config.h"
#include "core/clock.h"
#include "core/status.h"

namespace alphastream {

struct ServiceOptions {
  EngineConfig config;       // as loaded from config.path, which SIGHUP reads again
  std::string plugins_dir;   // resolved: the config's, else the CLI default
  std::string version;       // for alphastream_build_info
  // Stop as on SIGTERM after this long; zero runs until a signal (or, for a
  // replay or CSV source, the end of the data).
  std::chrono::milliseconds run_for{0};
  // A replay or CSV source that ends leaves the service up, its /metrics
  // showing the final state, until a signal or run_for.
  bool stay_up_after_source = false;
  // The service's time: interval closing, tick-to-signal latency, the feed
  // client's and simulator's timers, the recorder's flushes and the
  // metrics server's client timeouts. Must outlive run_service.
  const Clock* clock = &system_clock();
};

// Creates every pair and symbol model the config names, as the service and
// the backtest would, and destroys them again: `alphastream check-config`.
// Returns Status::invalid_input listing every problem found, one per line.
Status check_models(const EngineConfig& config, const std::string& plugins_dir);

// SIGINT, SIGTERM and SIGHUP wait, pending, until the service can act on
// them: `alphastream` holds them first thing (on the calling thread and so on
// every thread it starts), run_service takes them once its I/O loop runs, and
// every other command releases them after parsing its arguments. A SIGHUP in
// the first milliseconds of startup then reloads instead of killing.
void hold_service_signals();
void release_service_signals();

// What `run` needs of the machine, checked as `run` would meet it: the
// journal directory exists or can be created and is writable, and (unless
// skip_bind: a reload check while the service itself holds the address) the
// metrics address can be bound. Returns Status::invalid_input listing every
// problem, each as "<config>: <key>: <what>".
Status check_service_resources(const EngineConfig& config, bool skip_bind);

// Runs the service until it is told to stop. Problems found before it starts
// (plugins, parameters, a feed that cannot be set up, a metrics address that
// cannot be bound) return Status::invalid_input or an error; a clean stop
// returns ok.
Status run_service(const ServiceOptions& options);

}  // namespace alphastream
