// Large matrices on 2 MB pages. Batched runs (Integrated Gradients' path, occlusion, the all-targets
// matrix) allocate and free hundreds of MB per call; the kernel faults fresh memory in 4 KB at a time and
// zeroes it, which cost a third of IG's time here. With transparent huge pages in "madvise" mode (Debian's
// default) a matrix asked for 2 MB pages takes 512x fewer faults.
#pragma once

#include <sys/mman.h>

#include <cstdint>

namespace lstmscope {

// Call after sizing `m` and before its first write. Small matrices and failures are ignored (it is only
// advice).
template <class M>
void adviseHugePages(M& m) {
  constexpr std::uintptr_t kPage = 4096, kWorthIt = std::uintptr_t(4) << 20;
  const auto begin = reinterpret_cast<std::uintptr_t>(m.data());
  const std::uintptr_t end = begin + static_cast<std::uintptr_t>(m.size()) * sizeof(*m.data());
  const std::uintptr_t first = (begin + kPage - 1) & ~(kPage - 1), last = end & ~(kPage - 1);
  if (last > first && last - first >= kWorthIt)
    (void)madvise(reinterpret_cast<void*>(first), last - first, MADV_HUGEPAGE);
}

}  // namespace lstmscope
