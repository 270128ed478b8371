/* AlphaStream model plugin ABI.
 *
 * A plugin is a shared library that exports exactly one symbol,
 * `alphastream_plugin_entry`, of type `as_plugin_entry`. The host reads
 * `abi` first and refuses the library unless `abi.major == AS_ABI_MAJOR`
 * and `abi.minor <= AS_ABI_MINOR` of the host. `abi.minor` is the lowest
 * minor version whose features the plugin needs (AS_PLUGIN_MIN_MINOR in
 * plugin.hpp, 0 unless set), not the header's: a plugin that uses nothing
 * new keeps loading in older hosts.
 *
 * Extensions: every capability added after 1.0 is an extension, asked for
 * by a string id that carries its revision ("alphastream.state/1"): the
 * host asks the plugin through `as_plugin_entry.get_extension`, the plugin
 * asks the host through `as_host.get_extension`. Either answers NULL for an
 * id it does not know. So a new capability never changes a released
 * struct, and either side works with a partner that lacks it.
 *
 * Growth rule: every struct that crosses the boundary starts with
 * `struct_size`. New fields are only ever appended; a reader uses a field
 * only when `struct_size` says the writer knew it. Nothing is removed or
 * reordered within a major version. An array of such structs (the
 * descriptor's `params` and `outputs`) is strided by its elements'
 * `struct_size`, which is the same for every element of the array: a host
 * reads element i at `(const char*)array + i * array[0].struct_size`, never
 * at its own sizeof, so a plugin built against an older minor version (with
 * shorter structs) keeps loading in a newer host. A plugin built against a
 * newer minor than the host's is refused: it may rely on fields the host
 * does not fill.
 *
 * Ownership: whoever allocates frees. The host owns everything it passes in
 * (valid for the duration of the call only, unless stated); the plugin owns
 * its model and releases it in `destroy`. Descriptor data is static and
 * lives as long as the library is loaded.
 *
 * Enumerations cross the boundary as uint32_t fields: an enum's size is the
 * compiler's choice, and a C++ host may not even load an enum object holding
 * a value outside the enumeration, which a broken plugin could supply.
 *
 * No C++ exception may cross this boundary, and no call on the event path
 * (`update_pair`, `update_trade`) may allocate through the host.
 *
 * Threads. The control thread is the host thread that loads libraries,
 * creates and destroys models and applies configuration changes (in the
 * service its I/O thread, in a backtest its only thread). A model's thread
 * is the one that feeds it events (its shard); it may differ from the
 * control thread, and a model is used by one thread at a time. Each
 * function pointer's comment ends with the threads it may be called on.
 */
#ifndef ALPHASTREAM_PLUGIN_H_
#define ALPHASTREAM_PLUGIN_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* 1.1 appended get_extension to as_plugin_entry and as_host. */
#define AS_ABI_MAJOR 1
#define AS_ABI_MINOR 1

#if defined(_WIN32)
#define AS_EXPORT __declspec(dllexport)
#else
#define AS_EXPORT __attribute__((visibility("default")))
#endif

/* The name the host looks up with dlsym. */
#define AS_PLUGIN_ENTRY_SYMBOL "alphastream_plugin_entry"

typedef struct as_version {
  uint32_t major;
  uint32_t minor;
  uint32_t patch;
} as_version;

typedef enum as_model_kind {
  AS_MODEL_PAIR = 1,   /* consumes aligned (x, y) observations of two legs */
  AS_MODEL_SYMBOL = 2  /* consumes the trades of one symbol */
} as_model_kind;

typedef enum as_param_type {
  AS_PARAM_INT = 1,    /* an integer; passed as a double holding an integer */
  AS_PARAM_DOUBLE = 2,
  AS_PARAM_BOOL = 3    /* passed as 0.0 or 1.0 */
} as_param_type;

typedef enum as_status {
  AS_OK = 0,
  AS_ERROR = 1
} as_status;

typedef enum as_log_level {
  AS_LOG_DEBUG = 0,
  AS_LOG_INFO = 1,
  AS_LOG_WARN = 2,
  AS_LOG_ERROR = 3
} as_log_level;

typedef struct as_param_descriptor {
  uint32_t struct_size;
  const char* name;      /* YAML key under model.params, e.g. "window" */
  uint32_t type;         /* an as_param_type */
  double default_value;
  double min_value;      /* inclusive bounds, checked by the host */
  double max_value;
  const char* help;
} as_param_descriptor;

typedef struct as_output_descriptor {
  uint32_t struct_size;
  const char* name;      /* e.g. "beta"; also the series.csv column and metric label */
  const char* help;
} as_output_descriptor;

/* Pair models must declare outputs named "beta" and "alpha". A pair model
 * that also declares "spread" supplies the spread itself (e.g. a Kalman
 * forecast error); otherwise the host uses y - (beta * x + alpha). */
typedef struct as_model_descriptor {
  uint32_t struct_size;
  const char* id;           /* the name used in config: model.plugin */
  const char* name;         /* human readable */
  const char* version;      /* the plugin's own version, e.g. "1.2.0" */
  const char* description;
  uint32_t kind;            /* an as_model_kind */
  const as_param_descriptor* params;
  uint32_t param_count;
  const as_output_descriptor* outputs;
  uint32_t output_count;
} as_model_descriptor;

/* One aligned observation of a pair: y is regressed on x. */
typedef struct as_observation {
  uint32_t struct_size;
  /* Unix ms. Time mode: the end of the sampling interval, whose prices are
   * each leg's last trade before ts_ms. Tick mode: the time of the trade
   * that made the observation. Non-decreasing for one model. */
  int64_t ts_ms;
  double x;
  double y;
} as_observation;

/* One Binance aggregate trade. Times are Unix milliseconds. */
typedef struct as_trade {
  uint32_t struct_size;
  int64_t agg_trade_id;
  double price;
  double quantity;
  int64_t first_trade_id;
  int64_t last_trade_id;
  int64_t transact_time_ms;
  int64_t event_time_ms;    /* 0 when unknown (historical files) */
  uint8_t is_buyer_maker;   /* 1: the buyer was the maker, i.e. a taker sell */
} as_trade;

/* Parameter values in descriptor order, defaults already filled in and
 * bounds and types already checked by the host. */
typedef struct as_params {
  uint32_t struct_size;
  const double* values;
  uint32_t count;
} as_params;

/* Where a plugin reports why `create` failed; the host owns the buffer. */
typedef struct as_error {
  uint32_t struct_size;
  char message[256];
} as_error;

typedef struct as_host {
  uint32_t struct_size;
  as_version abi;           /* the host's ABI version */
  void* host_data;          /* opaque; pass back to the callbacks */
  /* Writes a line to the engine log; level is an as_log_level.
   * [any thread; not on the event path] */
  void (*log)(const struct as_host* host, uint32_t level, const char* message);

  /* 1.1: the host's extension called id, or NULL. None is defined yet; a
   * plugin asks only when host->struct_size covers this field.
   * [any thread] */
  const void* (*get_extension)(const struct as_host* host, const char* id);
} as_host;

typedef struct as_model as_model; /* opaque, defined by the plugin */

typedef struct as_plugin_entry {
  uint32_t struct_size;
  as_version abi;           /* AS_ABI_MAJOR/AS_ABI_MINOR the plugin was built with */

  /* Static description of the model. [any thread] */
  const as_model_descriptor* (*descriptor)(void);

  /* Creates a model, or returns NULL and fills err. `host` outlives the
   * model. [control thread] */
  as_model* (*create)(const as_host* host, const as_params* params, as_error* err);

  /* Releases everything `create` allocated. [control thread; model idle] */
  void (*destroy)(as_model* model);

  /* Pair models: consumes one observation and writes every declared output,
   * in descriptor order, to `outputs`; NaN means "not available yet" (e.g.
   * while the window fills). Returns an as_status. NULL for symbol models.
   * [model's thread] */
  uint32_t (*update_pair)(as_model* model, const as_observation* obs, double* outputs);

  /* Symbol models: as update_pair, for one trade of the model's symbol.
   * NULL for pair models. [model's thread] */
  uint32_t (*update_trade)(as_model* model, const as_trade* trade, double* outputs);

  /* 1.1: the plugin's extension called id (e.g. AS_EXT_STATE), or NULL. The
   * answer is static: it lives as long as the library. The host reads this
   * field only when struct_size covers it. [any thread] */
  const void* (*get_extension)(const char* id);
} as_plugin_entry;

/* Extension "alphastream.state/1": a model's state as bytes, to warm a
 * restarted model or move it to another process. The bytes are the
 * plugin's own format, versioned by the plugin; whoever allocates frees:
 * the host owns the buffer `save` writes into and the bytes `load` reads.
 * A model restored from the bytes of another with the same parameters
 * gives the same outputs for the same events, bit for bit. */
#define AS_EXT_STATE "alphastream.state/1"

/* Where `save` writes: append `size` bytes; returns an as_status (AS_ERROR:
 * stop, the host could not take them). [the caller's thread] */
typedef struct as_state_sink {
  uint32_t struct_size;
  void* host_data;  /* opaque; pass back */
  uint32_t (*write)(const struct as_state_sink* sink, const void* bytes, size_t size);
} as_state_sink;

typedef struct as_state_extension {
  uint32_t struct_size;
  /* Writes the model's whole state to sink. Returns an as_status.
   * [model's thread, between updates] */
  uint32_t (*save)(const as_model* model, const as_state_sink* sink);
  /* Replaces the model's state with one `save` wrote (of a model with the
   * same parameters). Bytes it does not accept (another version, another
   * window, truncated, garbage: they are outside input) give AS_ERROR with
   * err filled, and leave the model as it was. [model's thread, between
   * updates] */
  uint32_t (*load)(as_model* model, const void* bytes, size_t size, as_error* err);
} as_state_extension;

/* Every plugin defines this object, and exports nothing else. */
AS_EXPORT extern const as_plugin_entry alphastream_plugin_entry;

#ifdef __cplusplus
}
#endif

#endif /* ALPHASTREAM_PLUGIN_H_ */
