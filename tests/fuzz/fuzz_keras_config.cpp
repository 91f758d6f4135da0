#include "tests/fuzz/fuzz_targets.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  lstmscope::fuzz::kerasConfigTarget(data, size);
  return 0;
}
