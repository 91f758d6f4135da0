// Splitting each step across cores must not change the numbers.
#include <gtest/gtest.h>
#include <omp.h>

#include "core/engine/forward.h"
#include "core/training/init.h"

namespace lstmscope::test {
namespace {

TEST(Threading, SplitStepsGiveTheSameResultsAsOneThread) {
  Architecture a;
  a.inputKind = InputKind::Features;
  a.featureDim = 7;
  a.layers = {{203, false, GateActivation::Sigmoid, CellActivation::Tanh},
              {150, true, GateActivation::Sigmoid, CellActivation::Tanh}};
  a.head = HeadSpec{{}, HeadActivation::Linear, HeadReads::EachStep, {}, {}, 0};
  const Model m = initialiseModel(a, {0, {}, 3}, 11);
  for (int batch : {1, 3}) {
    Inputs<float> in;
    in.steps = 37;
    in.batch = batch;
    in.features = Mat<float>::Random(7, in.columns());
    const int saved = omp_get_max_threads();
    omp_set_num_threads(1);
    Tape<float> one;
    forward(m, in, one);
    omp_set_num_threads(2);
    Tape<float> two;
    forward(m, in, two);
    omp_set_num_threads(saved);
    for (size_t l = 0; l < one.layers.size(); ++l)
      for (size_t d = 0; d < one.layers[l].size(); ++d) {
        EXPECT_LE((one.layers[l][d].h - two.layers[l][d].h).cwiseAbs().maxCoeff(), 1e-6f) << l << d << batch;
        EXPECT_LE((one.layers[l][d].gates - two.layers[l][d].gates).cwiseAbs().maxCoeff(), 1e-6f) << l << d;
      }
    EXPECT_LE((one.logits - two.logits).cwiseAbs().maxCoeff(), 1e-5f);
  }
}

}  // namespace
}  // namespace lstmscope::test
