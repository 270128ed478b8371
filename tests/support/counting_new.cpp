#include "counting_new.h"

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <new>

// glibc's own entry points, so the counting functions below can forward to
// them without recursing into themselves.
extern "C" {
void* __libc_malloc(std::size_t size);
void* __libc_calloc(std::size_t count, std::size_t size);
void* __libc_realloc(void* p, std::size_t size);
void* __libc_memalign(std::size_t alignment, std::size_t size);
void __libc_free(void* p);
}

namespace {

// new must take memory from the allocator that delete (std::free) returns it
// to: glibc's, bypassing the counting malloc below, or under Address- or
// ThreadSanitizer the sanitizer's, which owns malloc and free there.
void* raw_allocate(std::size_t size) {
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  return std::malloc(size);
#else
  return __libc_malloc(size);
#endif
}

std::atomic<std::uint64_t> g_allocations{0};
thread_local std::uint64_t t_allocations = 0;

void count() {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  ++t_allocations;
}

void* counted_allocate(std::size_t size) {
  count();
  if (void* p = raw_allocate(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}

void* counted_allocate_nothrow(std::size_t size) noexcept {
  count();
  return raw_allocate(size == 0 ? 1 : size);
}

}  // namespace

std::uint64_t alphastream::testing::allocation_count() { return g_allocations.load(std::memory_order_relaxed); }
std::uint64_t alphastream::testing::allocation_count_this_thread() { return t_allocations; }

void* operator new(std::size_t size) { return counted_allocate(size); }
void* operator new[](std::size_t size) { return counted_allocate(size); }
void* operator new(std::size_t size, const std::nothrow_t&) noexcept { return counted_allocate_nothrow(size); }
void* operator new[](std::size_t size, const std::nothrow_t&) noexcept { return counted_allocate_nothrow(size); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }

// The C allocator too: Eigen, LMDB and C plugins call malloc, not new. Under
// a sanitizer it owns malloc, so there only new is counted.
#if !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)
extern "C" {
void* malloc(std::size_t size) {
  count();
  return __libc_malloc(size);
}
void* calloc(std::size_t n, std::size_t size) {
  count();
  return __libc_calloc(n, size);
}
void* realloc(void* p, std::size_t size) {
  count();
  return __libc_realloc(p, size);
}
void free(void* p) { __libc_free(p); }
void* memalign(std::size_t alignment, std::size_t size) {
  count();
  return __libc_memalign(alignment, size);
}
void* aligned_alloc(std::size_t alignment, std::size_t size) {
  count();
  return __libc_memalign(alignment, size);
}
int posix_memalign(void** out, std::size_t alignment, std::size_t size) {
  count();
  void* p = __libc_memalign(alignment, size);
  if (p == nullptr) return ENOMEM;
  *out = p;
  return 0;
}
}
#endif
