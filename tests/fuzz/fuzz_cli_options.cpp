// libFuzzer entry of the option-parsing fuzzer (tests/fuzz/cli_options_target.h). Seed it with
// tests/fuzz/cli_options.dict (docs/DEVELOPING.md).
#include "tests/fuzz/cli_options_target.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  lstmscope::fuzz::cliOptionsTarget(data, size);
  return 0;
}
