// Window layers' arithmetic at its edges: step counts that must not overflow, steps that read padding only,
// buffers that stay bounded for huge kernels, and the row counts that give a Flatten head its steps.
#include "core/model/window_layers.h"

#include <gtest/gtest.h>

#include <cmath>

namespace lstmscope {
namespace {

StepLayer convolution(int window, int dilation, StepLayer::Padding padding, long in = 1, long filters = 1) {
  StepLayer s;
  s.kind = StepLayer::Kind::Conv;
  s.window = window, s.dilation = dilation, s.padding = padding;
  s.activation = "linear";
  s.weight = Eigen::MatrixXd::Constant(filters, window * in, 1.0);
  s.bias = Eigen::VectorXd::Constant(filters, 0.5);
  return s;
}

// Two valid convolutions of effective width E need 2E - 1 rows; the search's bound saturates instead of
// overflowing (E is 16,776,961 here: before, the bound wrapped negative and one row was said to suffice).
TEST(WindowLayers, FewestRowsOfHugeWindowsDoesNotOverflow) {
  const StepLayer wide = convolution(65536, 256, StepLayer::Padding::Valid);
  const long effective = 65535L * 256 + 1;
  EXPECT_EQ(fewestRows({wide}), effective);
  EXPECT_EQ(fewestRows({wide, wide}), 2 * effective - 1);
  EXPECT_EQ(chainOutputSteps({wide, wide}, 2 * effective - 2), 0);
}

// Conv1D(kernel 2, dilation 5, same) over 3 rows: its first two steps read padding only, and say so.
TEST(WindowLayers, StepsThatReadPaddingOnlyReadNoRow) {
  const StepLayer dilated = convolution(2, 5, StepLayer::Padding::Same);
  ASSERT_EQ(windowOutputSteps(dilated, 3), 3);
  const std::vector<RowSpan> spans = rowsReadByStep({dilated}, 3);
  ASSERT_EQ(spans.size(), 3u);
  EXPECT_TRUE(spans[0].empty());
  EXPECT_TRUE(spans[1].empty());
  EXPECT_EQ(spans[2], (RowSpan{0, 0}));
  // Their values are the bias alone: the taps are zeros.
  const Eigen::MatrixXd y = applyStepLayers({dilated}, Eigen::MatrixXd::Constant(1, 3, 2.0));
  EXPECT_DOUBLE_EQ(y(0, 0), 0.5);
  EXPECT_DOUBLE_EQ(y(0, 1), 0.5);
  EXPECT_DOUBLE_EQ(y(0, 2), 2.5);
}

// A kernel of 65,536 taps over 64 features gathers one step at a time (32 MB), not 1,024 (34 GB per thread).
// An encoder's step reads every row the steps up to it read, also when a dilated window before it makes a
// step's last row come before the previous step's: Conv1D(kernel 4, dilation 2, same) over 7 rows has step 5
// reading rows 2–6 and step 6 rows 3–5, so the encoder's step 6 (and its final state) reads rows 0–6.
TEST(WindowLayers, AnEncodersStepReadsTheLastRowOfEveryStepBefore) {
  const StepLayer dilated = convolution(4, 2, StepLayer::Padding::Same);
  const std::vector<RowSpan> conv = rowsReadByStep({dilated}, 7);
  ASSERT_EQ(conv.size(), 7u);
  EXPECT_EQ(conv[5], (RowSpan{2, 6}));
  EXPECT_EQ(conv[6], (RowSpan{3, 5}));
  StepLayer encoder;
  encoder.kind = StepLayer::Kind::Recurrent;
  encoder.returnSequences = true;
  EXPECT_EQ(rowsReadByStep({dilated, encoder}, 7).back(), (RowSpan{0, 6}));
  encoder.returnSequences = false;
  EXPECT_EQ(rowsReadByStep({dilated, encoder}, 7), (std::vector<RowSpan>{{0, 6}}));
}

TEST(WindowLayers, HugeKernelsGatherWithinBoundedBuffers) {
  const StepLayer huge = convolution(65536, 1, StepLayer::Padding::Same, 64, 2);
  const Eigen::MatrixXd x = Eigen::MatrixXd::Constant(64, 5, 1.0);
  const Eigen::MatrixXd y = applyStepLayers({huge}, x);
  ASSERT_EQ(y.cols(), 5);
  EXPECT_DOUBLE_EQ(y(0, 0), 64 * 5 + 0.5);  // every row is inside every window
}

// The rows that give a Flatten head its steps through a front end: valid kernel 3 then pooling by 2.
TEST(WindowLayers, RowsGivingAStepCount) {
  StepLayer pool;
  pool.kind = StepLayer::Kind::MaxPool;
  pool.window = 2, pool.stride = 2;
  const std::vector<StepLayer> chain{convolution(3, 1, StepLayer::Padding::Valid), pool};
  EXPECT_EQ(rowsGivingSteps(chain, 4), (std::pair<long, long>{10, 11}));  // 8 or 9 conv steps pool to 4
  for (long rows = 10; rows <= 11; ++rows) EXPECT_EQ(chainOutputSteps(chain, rows), 4);
  EXPECT_EQ(chainOutputSteps(chain, 12), 5);
}

}  // namespace
}  // namespace lstmscope
