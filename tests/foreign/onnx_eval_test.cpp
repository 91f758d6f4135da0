// The ONNX operator evaluator against ONNX's own backend node tests (tests/foreign/make_onnx_node_cases.py
// regenerates them from the case generators Debian's python3-onnx ships): every case of every operator
// the evaluator computes either matches ONNX's expected outputs within 1e-5 (float32, relative to
// 1 + |expected|), in float32 and again with its float inputs widened to float64, or is one of the
// refusals listed here, with its reason.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "core/common/error.h"
#include "core/formats/foreign/onnx_eval/onnx_model_file.h"

namespace lstmscope::test {
namespace {

namespace fs = std::filesystem;
using onnx_eval::ElementType;
using onnx_eval::Tensor;
using onnx_eval::Values;

const fs::path kCases = fs::path(LSTMSCOPE_FOREIGN_DIR) / "onnx_nodes";

// Cases the evaluator refuses, each with the words its error must contain: element types no front end
// or head computes in, training-mode statistics, and MaxPool's indices output.
const std::map<std::string, std::string> kRefused = {
    {"test_add_uint8", "UINT8"},
    {"test_sub_uint8", "UINT8"},
    {"test_mul_uint8", "UINT8"},
    {"test_div_uint8", "UINT8"},
    {"test_maxpool_2d_uint8", "UINT8"},
    {"test_clip_default_int8_min", "INT8"},
    {"test_clip_default_int8_max", "INT8"},
    {"test_clip_default_int8_inbounds", "INT8"},
    {"test_pow_types_float32_uint64", "UINT64"},
    {"test_pow_types_float32_uint32", "UINT32"},
    {"test_batchnorm_example_training_mode", "training mode"},
    {"test_batchnorm_epsilon_training_mode", "training mode"},
    {"test_maxpool_with_argmax_2d_precomputed_pads", "indices"},
    {"test_maxpool_with_argmax_2d_precomputed_strides", "indices"},
    {"test_cast_BFLOAT16_to_FLOAT", "UINT16"},  // ONNX's test data holds bfloat16 as uint16 bits
    {"test_cast_FLOAT16_to_DOUBLE", "FLOAT16"},
    {"test_cast_FLOAT16_to_FLOAT", "FLOAT16"},
    {"test_cast_STRING_to_FLOAT", "STRING"},
    {"test_cast_DOUBLE_to_FLOAT16", "casts to element type FLOAT16"},
    {"test_cast_FLOAT_to_FLOAT16", "casts to element type FLOAT16"},
    {"test_cast_FLOAT_to_BFLOAT16", "casts to element type BFLOAT16"},
    {"test_cast_FLOAT_to_STRING", "casts to element type STRING"},
};

// Cases whose float32 output does not follow the inputs' type (a Cast to float32, a constant's own
// type, an If branch's constants): widened to float64 they still give float32.
const std::set<std::string> kOutputTypeFixed = {"test_cast_DOUBLE_to_FLOAT", "test_constantofshape_float_ones",
                                                "test_if"};

std::vector<std::string> caseNames() {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(kCases))
    if (entry.path().filename().string().rfind("test_", 0) == 0) names.push_back(entry.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

Values inputsOf(const fs::path& dir, const onnx_eval::OnnxModelFile& model) {
  Values inputs;
  const std::vector<std::string> names = model.inputNames();
  for (size_t k = 0; k < names.size(); ++k)  // a hostile graph may leave an input out on purpose
    if (const fs::path file = dir / ("input_" + std::to_string(k) + ".pb"); fs::exists(file))
      inputs[names[k]] = onnx_eval::readTensorFile(file.string());
  return inputs;
}

// The worst |got − expected| / (1 + |expected|) over every output, or +inf when a shape or type differs.
double worstError(const fs::path& dir, const onnx_eval::OnnxModelFile& model, const Values& got, bool widened,
                  std::string& detail) {
  widened = widened && !kOutputTypeFixed.count(dir.filename().string());
  double worst = 0;
  const std::vector<std::string> outputs = model.outputNames();
  for (size_t k = 0; k < outputs.size(); ++k) {
    const Tensor expected = onnx_eval::readTensorFile((dir / ("output_" + std::to_string(k) + ".pb")).string());
    const Tensor& mine = got.at(outputs[k]);
    const bool typeAgrees = widened && expected.type == ElementType::Float32 ? mine.type == ElementType::Float64
                                                                             : mine.type == expected.type;
    if (mine.shape != expected.shape || !typeAgrees) {
      detail = outputs[k] + ": " + onnx_eval::shapeText(mine.shape) + " " + elementTypeName(mine.type) + " vs " +
               onnx_eval::shapeText(expected.shape) + " " + elementTypeName(expected.type);
      return INFINITY;
    }
    for (size_t q = 0; q < expected.values.size(); ++q) {
      const double e = expected.values[q], m = mine.values[q];
      if (std::isnan(e) && std::isnan(m)) continue;
      if (std::isinf(e) && e == m) continue;
      worst = std::max(worst, std::abs(m - e) / (1 + std::abs(e)));
    }
  }
  return worst;
}

TEST(OnnxNodeCases, EveryCaseMatchesOnnxOrIsRefusedByName) {
  ASSERT_TRUE(fs::is_directory(kCases)) << kCases << " is missing: run make_onnx_node_cases.py";
  const std::vector<std::string> names = caseNames();
  ASSERT_GE(names.size(), 200u);  // every operator family's cases, not a handful
  size_t matched = 0;
  for (const std::string& name : names) {
    const fs::path dir = kCases / name;
    SCOPED_TRACE(name);
    const auto refused = kRefused.find(name);
    try {
      const onnx_eval::OnnxModelFile model = onnx_eval::OnnxModelFile::read((dir / "model.onnx").string());
      const Values inputs = inputsOf(dir, model);
      std::string detail;
      const double error = worstError(dir, model, model.run(inputs), false, detail);
      EXPECT_LE(error, 1e-5) << detail;
      // The same graph with its float32 inputs given as float64: the float64 path computes the same.
      Values wide = inputs;
      for (auto& [input, tensor] : wide)
        if (tensor.type == ElementType::Float32) tensor.type = ElementType::Float64;
      const double wideError = worstError(dir, model, model.run(wide), true, detail);
      EXPECT_LE(wideError, 1e-5) << "widened to float64: " << detail;
      EXPECT_EQ(refused, kRefused.end()) << "computed, but listed as refused";
      ++matched;
    } catch (const InputError& e) {
      if (refused == kRefused.end()) {
        ADD_FAILURE() << "refused: " << e.what();
        continue;
      }
      EXPECT_NE(std::string(e.what()).find(refused->second), std::string::npos) << e.what();
    }
  }
  EXPECT_EQ(matched + kRefused.size(), names.size());
}

// Crafted graphs (the end of make_onnx_node_cases.py): refused with the node, attribute or input named.
TEST(OnnxNodeCases, HostileGraphsAreRefusedByName) {
  size_t seen = 0;
  for (const auto& entry : fs::directory_iterator(kCases)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind("hostile_", 0) != 0) continue;
    SCOPED_TRACE(name);
    std::ifstream file(entry.path() / "expected_error.txt");
    const std::string expected((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
    ASSERT_FALSE(expected.empty());
    try {
      const onnx_eval::OnnxModelFile model = onnx_eval::OnnxModelFile::read((entry.path() / "model.onnx").string());
      (void)model.run(inputsOf(entry.path(), model));
      ADD_FAILURE() << "computed; expected: " << expected;
    } catch (const InputError& e) {
      EXPECT_NE(std::string(e.what()).find(expected), std::string::npos) << e.what();
    }
    ++seen;
  }
  EXPECT_EQ(seen, 14u);
}

}  // namespace
}  // namespace lstmscope::test
