// Memory behaviour for short batch processes (the command-line tool). A `record` of a 13 MB model touches
// about 75 MB of fresh memory; faulting it in 4 KB at a time cost ~16 µs a fault on our VM, more than half
// of the whole run. glibc also hands large blocks back to the kernel when they are freed, so every chunk of
// a long recording faulted its buffers in again.
#pragma once

namespace lstmscope {

// Keeps freed memory in the process for reuse (no mmap for large blocks, no trimming) and backs the first
// `hugeHeapBytes` of the heap with 2 MB pages (transparent huge pages, "madvise" mode). Call once at the
// start of main, before large allocations. Not for the GUI, whose memory should shrink after an analysis.
void setUpBatchMemory(unsigned long hugeHeapBytes = 512ul << 20);

}  // namespace lstmscope
