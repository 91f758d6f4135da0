// The numeric CSV reader for models of features (core/formats/feature_csv.h).
#include "tests/fuzz/fuzz_targets.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  lstmscope::fuzz::csvTarget(data, size);
  return 0;
}
