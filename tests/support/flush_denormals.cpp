// Every test process computes as the app and the CLI do: denormals flushed to zero before any thread
// starts (core/common/denormals.h). Linked into every test executable by lstmscope_test().
#include "core/common/denormals.h"

namespace {
const bool kFlushed = (lstmscope::flushDenormalsToZero(), true);
}  // namespace
