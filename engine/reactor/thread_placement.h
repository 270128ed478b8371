// Naming and pinning the calling thread, for the shard reactors.
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"

namespace alphastream {

// Binds the calling thread to CPU `cpu` alone. Returns invalid_input when the
// CPU does not exist or is outside this process's allowed set (the config
// named it), an error for any other failure; the thread is unchanged then.
Status pin_current_thread(int cpu);

// Names the calling thread for top, perf and gdb. Linux keeps 15 bytes; a
// longer name is cut.
void name_current_thread(std::string_view name);

// The calling thread's name as the kernel has it; empty if unreadable.
std::string current_thread_name();

}  // namespace alphastream
