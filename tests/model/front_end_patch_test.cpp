// The front end patched where a window of its input changes (front_end_patch.h) against the whole front end
// run again on the changed input: every window start and width, on chains of every layer kind, padding,
// stride and dilation, within 1e-13 (a product over a few columns may sum in another order than over all of
// them), and nothing outside the patch changes.
#include "core/model/front_end_patch.h"

#include <gtest/gtest.h>

#include "tests/model/random_step_layers.h"

namespace lstmscope {
namespace {

using namespace test;
using P = StepLayer::Padding;
using K = StepLayer::Kind;

// For every window of `width` steps replaced by other values: the clean output with the patch laid over it
// is applyStepLayers of the changed input, exactly.
void expectPatchesMatchRecomputing(const std::vector<StepLayer>& chain, long rows, long features, long width,
                                   const std::string& what) {
  const Eigen::MatrixXd x = randomMatrix(features, rows), replacement = randomMatrix(features, rows);
  const FrontEndPatcher patcher(chain, x);
  ASSERT_EQ(patcher.output(), applyStepLayers(chain, x)) << what;
  long previousFirst = 0;
  for (long start = 0; start + width <= rows; ++start) {
    Eigen::MatrixXd changed = x;
    changed.middleCols(start, width) = replacement.middleCols(start, width);
    const Eigen::MatrixXd expected = applyStepLayers(chain, changed);
    const ColumnPatch patch = patcher.patched({start, replacement.middleCols(start, width)});
    Eigen::MatrixXd patched = patcher.output();
    if (!patch.empty()) {
      ASSERT_LE(patch.end(), patched.cols()) << what << ", window at " << start;
      patched.middleCols(patch.first, patch.columns.cols()) = patch.columns;
      EXPECT_GE(patch.first, previousFirst) << what << ": a later window's patch starts earlier";
      previousFirst = patch.first;
    }
    ASSERT_LE((patched - expected).cwiseAbs().maxCoeff(), 1e-13 * (1 + expected.cwiseAbs().maxCoeff()))
        << what << ", window at " << start << " of width " << width;
  }
}

TEST(FrontEndPatch, WindowLayersWithEveryPaddingStrideAndDilation) {
  for (const P padding : {P::Valid, P::Same, P::Causal})
    for (const int stride : {1, 2, 3})
      for (const int dilation : {1, 2}) {
        if (padding == P::Causal && stride > 1) continue;  // Keras refuses strided causal convolutions
        const std::string what = "padding " + std::to_string(static_cast<int>(padding)) + ", stride " +
                                 std::to_string(stride) + ", dilation " + std::to_string(dilation);
        const StepLayer conv = window(K::Conv, 3, 4, 3, stride, dilation, padding, "relu");
        const StepLayer maxPool = window(K::MaxPool, 4, 4, 2, stride, 1, padding == P::Causal ? P::Valid : padding);
        const StepLayer average = window(K::AveragePool, 4, 4, 3, stride, 1, padding == P::Causal ? P::Same : padding);
        for (const long width : {1L, 3L}) {
          expectPatchesMatchRecomputing({conv}, 17, 3, width, "conv, " + what);
          expectPatchesMatchRecomputing({conv, maxPool}, 23, 3, width, "conv and max pool, " + what);
          expectPatchesMatchRecomputing({conv, average, dense(4, 2, "tanh")}, 23, 3, width,
                                        "conv, average pool and dense, " + what);
        }
      }
}

TEST(FrontEndPatch, StepLayersAndEncoders) {
  StepLayer norm;
  norm.kind = K::LayerNorm;
  norm.epsilon = 1e-3;
  StepLayer softmax;
  softmax.kind = K::Activation;
  softmax.activation = "softmax";
  expectPatchesMatchRecomputing({dense(3, 5, "gelu"), norm, softmax}, 9, 3, 2, "dense, layer norm and softmax");
  StepLayer repeat;
  repeat.kind = K::Repeat;
  repeat.repeats = 4;
  // An encoder's steps from the window on change, and its final state everything the repeat makes.
  expectPatchesMatchRecomputing(
      {encoder(3, 4, "sigmoid", "tanh", true, 2), encoder(4, 3, "hard_sigmoid", "relu", false, 3), repeat}, 11, 3, 2,
      "two encoders and a repeat");
  expectPatchesMatchRecomputing(
      {window(K::Conv, 3, 4, 2, 1, 1, P::Causal), encoder(4, 3, "sigmoid", "tanh", false, 2), repeat}, 12, 3, 1,
      "a convolution before an encoder");
}

// Rows that no step reads (after a valid window's last fit) patch nothing, and a change past the end is
// clipped.
TEST(FrontEndPatch, RowsNoStepReadsPatchNothing) {
  const StepLayer conv = window(K::Conv, 2, 2, 4, 4, 1, P::Valid);
  const Eigen::MatrixXd x = randomMatrix(2, 10);
  const FrontEndPatcher patcher({conv}, x);
  ASSERT_EQ(patcher.output().cols(), 2);  // rows 0–3 and 4–7; 8 and 9 are never read
  EXPECT_TRUE(patcher.patched({8, randomMatrix(2, 2)}).empty());
  EXPECT_TRUE(patcher.patched({12, randomMatrix(2, 1)}).empty());
  const ColumnPatch clipped = patcher.patched({7, randomMatrix(2, 5)});
  EXPECT_EQ(clipped.first, 1);
  EXPECT_EQ(clipped.columns.cols(), 1);
}

}  // namespace
}  // namespace lstmscope
