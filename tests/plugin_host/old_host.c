/* A host as ABI 1.0 released it, built against the 1.0 header
 * (tests/plugin_host/sdk_1_0): it loads a plugin with 1.0's rules (major
 * equal, minor at most 0, entry at least 1.0's size), creates a model and
 * feeds it one observation. A plugin built against a newer header that
 * needs nothing new must pass; one that needs 1.1 must be refused.
 *
 *   old_host PLUGIN.so  ->  "<id>: loaded, beta <value>" and 0, or the reason and 1 */
#include <dlfcn.h>
#include <stdio.h>

#include "alphastream/plugin.h"

static void quiet(const as_host* host, as_log_level level, const char* message) {
  (void)host;
  (void)level;
  (void)message;
}

int main(int argc, char** argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: old_host PLUGIN.so\n");
    return 2;
  }
  void* handle = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
  if (handle == NULL) {
    printf("cannot load: %s\n", dlerror());
    return 1;
  }
  const as_plugin_entry* entry = (const as_plugin_entry*)dlsym(handle, AS_PLUGIN_ENTRY_SYMBOL);
  if (entry == NULL) {
    printf("no entry\n");
    return 1;
  }
  if (entry->abi.major != AS_ABI_MAJOR || entry->abi.minor > AS_ABI_MINOR) {
    printf("refused: needs ABI %u.%u, this host is %d.%d\n", entry->abi.major, entry->abi.minor, AS_ABI_MAJOR,
           AS_ABI_MINOR);
    return 1;
  }
  if (entry->struct_size < sizeof(as_plugin_entry)) {
    printf("refused: entry struct_size %u\n", entry->struct_size);
    return 1;
  }
  const as_model_descriptor* descriptor = entry->descriptor();
  double values[16] = {0};
  for (uint32_t i = 0; i < descriptor->param_count && i < 16; ++i) {
    const as_param_descriptor* p =
        (const as_param_descriptor*)((const char*)descriptor->params + i * descriptor->params[0].struct_size);
    values[i] = p->default_value;
  }
  const as_params params = {sizeof(as_params), values, descriptor->param_count};
  as_host host = {sizeof(as_host), {AS_ABI_MAJOR, AS_ABI_MINOR, 0}, NULL, quiet};
  as_error error = {sizeof(as_error), {0}};
  as_model* model = entry->create(&host, &params, &error);
  if (model == NULL) {
    printf("create failed: %s\n", error.message);
    return 1;
  }
  double outputs[32];
  for (int i = 0; i < 200; ++i) {  /* past the default windows */
    const as_observation obs = {sizeof(as_observation), 1700000000000 + i * 1000, 100.0 + i, 200.0 + 2 * i + (i % 2)};
    if (entry->update_pair(model, &obs, outputs) != AS_OK) {
      printf("update failed\n");
      return 1;
    }
  }
  printf("%s: loaded, beta %.3f\n", descriptor->id, outputs[0]);
  entry->destroy(model);
  dlclose(handle);
  return 0;
}
