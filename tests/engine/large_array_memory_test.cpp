// The memory set-up for large arrays (core/common/large_array_memory.h): large blocks come from a heap that
// asks for 2 MB pages, and freed blocks stay in the process for reuse.
#include "core/common/large_array_memory.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

namespace lstmscope::test {
namespace {

// The VmFlags of the mapping that holds `p`, from /proc/self/smaps ("" if none does).
std::string vmFlagsOf(const void* p) {
  const auto address = reinterpret_cast<std::uintptr_t>(p);
  std::ifstream smaps("/proc/self/smaps");
  std::string line;
  bool inside = false;
  while (std::getline(smaps, line)) {
    std::uintptr_t begin = 0, end = 0;
    char dash = 0;
    std::istringstream head(line);
    if (head >> std::hex >> begin >> dash >> end && dash == '-' && line.find(':') > line.find(' ')) {
      inside = address >= begin && address < end;
    } else if (inside && line.rfind("VmFlags:", 0) == 0) {
      return line;
    }
  }
  return "";
}

TEST(LargeArrayMemory, LargeBlocksComeFromAHugePageHeapAndAreReused) {
  setUpLargeArrayMemory({64ul << 20, 1ul << 30});
  void* volatile block = std::malloc(8 << 20);
  ASSERT_NE(block, nullptr);
  std::memset(block, 1, 8 << 20);
#if defined(__SANITIZE_ADDRESS__)
  // AddressSanitizer brings its own allocator, which mallopt does not steer: the set-up must be harmless.
  std::free(block);
#else
  // The heap's first, unaligned 2 MB may sit outside the advised range; the block's middle is inside.
  const void* middle = static_cast<char*>(block) + (4 << 20);
  EXPECT_NE(vmFlagsOf(middle).find(" hg"), std::string::npos) << vmFlagsOf(middle);  // MADV_HUGEPAGE
  void* const first = block;
  std::free(block);
  void* volatile again = std::malloc(8 << 20);  // the freed block, not a fresh mapping
  EXPECT_EQ(again, first);
  std::free(again);
  // Another thread (the app's analysis, OpenMP's workers) allocates from the same advised heap.
  std::string flags;
  std::thread([&] {
    void* volatile other = std::malloc(8 << 20);
    flags = vmFlagsOf(static_cast<char*>(other) + (4 << 20));
    std::free(other);
  }).join();
  EXPECT_NE(flags.find(" hg"), std::string::npos) << flags;
#endif
}

}  // namespace
}  // namespace lstmscope::test
