#include "core/common/batch_memory.h"

#include <malloc.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>

namespace lstmscope {

void setUpBatchMemory(unsigned long hugeHeapBytes) {
  constexpr std::uintptr_t kHuge = std::uintptr_t(2) << 20;
  // Large blocks from the heap instead of their own mappings, and freed memory kept: a buffer freed after
  // one chunk is reused by the next instead of being faulted in again.
  mallopt(M_MMAP_THRESHOLD, 256 << 20);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
  // Grow the heap once by `hugeHeapBytes` (address space only: nothing is touched), aligned to 2 MB, and
  // ask for huge pages on all of it. Later growth of the heap would be a new mapping without the advice,
  // so the padding is made large enough for a recording's working set.
  const auto top = reinterpret_cast<std::uintptr_t>(sbrk(0));
  const std::uintptr_t misalignment = (kHuge - top % kHuge) % kHuge;
  mallopt(M_TOP_PAD, static_cast<int>(hugeHeapBytes + misalignment));
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
