// libFuzzer entry of the structure-aware HDF5 dataset-check fuzzer (tests/fuzz/h5_layout_target.h).
#include "tests/fuzz/h5_layout_target.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  lstmscope::fuzz::h5LayoutTarget(data, size);
  return 0;
}
