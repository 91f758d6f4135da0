#include "core/common/large_array_memory.h"

#include <malloc.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <cstdint>
#include <cstdlib>

namespace lstmscope {

void setUpLargeArrayMemory(const LargeArrayMemory& policy) {
  constexpr std::uintptr_t kHuge = std::uintptr_t(2) << 20;
  const auto asInt = [](unsigned long bytes) { return static_cast<int>(std::min<unsigned long>(bytes, INT_MAX)); };
  // One arena: the analysis and OpenMP threads then allocate from the advised heap too (their own arenas
  // would be fresh mappings). Large blocks from the heap, and freed memory kept, so a buffer freed after
  // one chunk is reused by the next instead of being faulted in again.
  mallopt(M_ARENA_MAX, 1);
  mallopt(M_MMAP_THRESHOLD, 256 << 20);
  mallopt(M_TRIM_THRESHOLD, asInt(std::max(policy.keepFreeBytes, policy.hugeHeapBytes + 2 * kHuge)));
  // Grow the heap once by `hugeHeapBytes` (address space only: nothing is touched), aligned to 2 MB, and
  // ask for huge pages on all of it. Later growth of the heap would be a new mapping without the advice,
  // so the padding is made large enough for a recording's working set.
  const auto top = reinterpret_cast<std::uintptr_t>(sbrk(0));
  const std::uintptr_t misalignment = (kHuge - top % kHuge) % kHuge;
  mallopt(M_TOP_PAD, asInt(policy.hugeHeapBytes + misalignment));
  // A block larger than the heap's free top (but below the mmap threshold) makes malloc extend the heap
  // by itself plus the padding; freed, it stays as free space at the top.
  void* volatile probe = std::malloc(4 << 20);  // volatile: the pair must not be optimised away
  std::free(probe);
  const std::uintptr_t begin = (top + kHuge - 1) & ~(kHuge - 1);
  const auto end = reinterpret_cast<std::uintptr_t>(sbrk(0)) & ~(kHuge - 1);
  if (end > begin) (void)madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);
  mallopt(M_TOP_PAD, 16 << 20);  // later growth in modest steps
}

}  // namespace lstmscope
