// The WAV reader for audio models (core/formats/wav.h).
#include "tests/fuzz/fuzz_targets.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  lstmscope::fuzz::wavTarget(data, size);
  return 0;
}
