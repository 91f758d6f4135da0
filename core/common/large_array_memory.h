// Memory behaviour for large arrays. A `record` of a 13 MB model touches about 75 MB of fresh memory;
// faulting it in 4 KB at a time cost ~16 µs a fault on our VM, more than half of the whole run. glibc
// also hands large blocks back to the kernel when they are freed, so every chunk of a long recording
// faulted its buffers in again, and each worker thread's arena is a mapping of its own without advice.
#pragma once

namespace lstmscope {

struct LargeArrayMemory {
  unsigned long hugeHeapBytes = 512ul << 20;  // heap address space backed by 2 MB pages (nothing touched)
  // Freed memory kept for reuse before the heap is trimmed. Keep it above hugeHeapBytes: a trim shrinks
  // the advised heap, and what grows back gets no advice.
  unsigned long keepFreeBytes = 1ul << 30;
};

// Makes every thread allocate from the one heap, large blocks come from it instead of mappings of their
// own, freed memory stay for reuse up to `keepFreeBytes`, and the first `hugeHeapBytes` of the heap use
// transparent huge pages ("madvise" mode). Call once at the start of main, before other threads and
// large allocations. Both the command-line tool and the app do: the app then keeps what one analysis
// freed (resident only where it was written) for the next.
void setUpLargeArrayMemory(const LargeArrayMemory& policy = {});

}  // namespace lstmscope
