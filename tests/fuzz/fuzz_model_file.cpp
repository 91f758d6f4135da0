// Built once per format (and once for traces) with LSTMSCOPE_FUZZ_FORMAT set (tests/fuzz/CMakeLists.txt).
#include "tests/fuzz/fuzz_targets.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (std::string(LSTMSCOPE_FUZZ_FORMAT) == "trace")
    lstmscope::fuzz::traceFileTarget(data, size);
  else
    lstmscope::fuzz::modelFileTarget(LSTMSCOPE_FUZZ_FORMAT, data, size);
  return 0;
}
