// Large matrices on 2 MB pages. Batched runs (Integrated Gradients' path, occlusion, the all-targets
// matrix) allocate and free hundreds of MB per call; the kernel faults fresh memory in 4 KB at a time and
// zeroes it, which cost a third of IG's time here. With transparent huge pages in "madvise" mode (Debian's
// default) a matrix asked for 2 MB pages takes 512x fewer faults.
#pragma once

#include <sys/mman.h>

#include <cstdint>

namespace lstmscope {

// Call on memory that is allocated but not yet written. Small ranges and failures are ignored (it is
// only advice).
inline void adviseHugePages(const void* data, std::uintptr_t bytes) {
  // Only whole 2 MB pages inside the range can be huge: advise exactly those, if there are any.
  constexpr std::uintptr_t kHuge = std::uintptr_t(2) << 20;
  const auto begin = reinterpret_cast<std::uintptr_t>(data);
  const std::uintptr_t first = (begin + kHuge - 1) & ~(kHuge - 1), last = (begin + bytes) & ~(kHuge - 1);
  if (last > first) (void)madvise(reinterpret_cast<void*>(first), last - first, MADV_HUGEPAGE);
}

// Call after sizing `m` and before its first write.
template <class M>
void adviseHugePages(M& m) {
  adviseHugePages(m.data(), static_cast<std::uintptr_t>(m.size()) * sizeof(*m.data()));
}

}  // namespace lstmscope
