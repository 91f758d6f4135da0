// The ONNX operator evaluator (core/formats/foreign/onnx_eval) on whole graphs: every operator, attribute
// and shape a file can give. Start it from the node cases: build/release/tests/foreign/onnx_nodes/*/model.onnx.
#include "tests/fuzz/fuzz_targets.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  lstmscope::fuzz::onnxGraphTarget(data, size);
  return 0;
}
