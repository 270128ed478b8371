/* AlphaStream model plugin ABI.
 *
 * A plugin is a shared library that exports exactly one symbol,
 * `alphastream_plugin_entry`, of type `as_plugin_entry`. The host reads
 * `abi` first and refuses the library unless `abi.major == AS_ABI_MAJOR`
 * and `abi.minor <= AS_ABI_MINOR` of the host.
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
 * Thread contract: a model instance is used by one thread at a time (its
 * shard); different instances may be used on different threads at once.
 */
#ifndef ALPHASTREAM_PLUGIN_H_
#define ALPHASTREAM_PLUGIN_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define AS_ABI_MAJOR 1
#define AS_ABI_MINOR 0

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
  /* Writes a line to the engine log. [any thread; not on the event path] */
  void (*log)(const struct as_host* host, as_log_level level, const char* message);
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
   * while the window fills). NULL for symbol models. [model's shard thread] */
  as_status (*update_pair)(as_model* model, const as_observation* obs, double* outputs);

  /* Symbol models: as update_pair, for one trade of the model's symbol.
   * NULL for pair models. [model's shard thread] */
  as_status (*update_trade)(as_model* model, const as_trade* trade, double* outputs);
} as_plugin_entry;

/* Every plugin defines this object, and exports nothing else. */
AS_EXPORT extern const as_plugin_entry alphastream_plugin_entry;

#ifdef __cplusplus
}
#endif

#endif /* ALPHASTREAM_PLUGIN_H_ */
