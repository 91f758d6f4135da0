// The front end's backward pass (step_layers_backward.h) against central finite differences of its own
// forward pass, layer kind by layer kind and activation by activation: the forward pass is checked against
// Keras' semantics elsewhere (tests/foreign/keras_front_end_test.cpp), and the whole chain against PyTorch
// autograd (tests/foreign/front_end_attribution_test.cpp).
#include "core/model/step_layers_backward.h"

#include <gtest/gtest.h>

#include "core/model/encoder_lstm.h"
#include "tests/model/random_step_layers.h"

namespace lstmscope {
namespace {

using namespace test;

// The largest difference between the backward pass's gradient of sum(w ∘ chain(x)) and central differences,
// relative to the largest gradient.
double worstAgainstFiniteDifferences(const std::vector<StepLayer>& chain, const Eigen::MatrixXd& x) {
  const Eigen::MatrixXd out = applyStepLayers(chain, x);
  const Eigen::MatrixXd w = randomMatrix(out.rows(), out.cols());
  const Eigen::MatrixXd gradient = stepLayersBackward(chain, stepLayerInputs(chain, x), w);
  EXPECT_EQ(gradient.rows(), x.rows());
  EXPECT_EQ(gradient.cols(), x.cols());
  const auto score = [&](const Eigen::MatrixXd& at) { return applyStepLayers(chain, at).cwiseProduct(w).sum(); };
  constexpr double h = 1e-6;
  double worst = 0, largest = 1e-12;
  for (long k = 0; k < x.size(); ++k) {
    Eigen::MatrixXd up = x, down = x;
    up(k) += h, down(k) -= h;
    const double numeric = (score(up) - score(down)) / (2 * h);
    worst = std::max(worst, std::abs(numeric - gradient(k)));
    largest = std::max(largest, std::abs(numeric));
  }
  return worst / largest;
}

TEST(StepLayersBackward, EveryActivationOfADenseAndAnActivationLayer) {
  for (const char* a : {"linear", "relu", "tanh", "sigmoid", "hard_sigmoid", "softmax", "elu", "selu", "softplus",
                        "softsign", "swish", "silu", "gelu", "exponential"})
    for (int generation : {2, 3}) {
      StepLayer activation;
      activation.kind = StepLayer::Kind::Activation;
      activation.activation = a, activation.generation = generation;
      EXPECT_LE(worstAgainstFiniteDifferences({dense(4, 5, a, generation), activation}, randomMatrix(4, 6)), 1e-7)
          << a << " generation " << generation;
    }
}

TEST(StepLayersBackward, AffineAndLayerNormalisation) {
  StepLayer affine;
  affine.kind = StepLayer::Kind::Affine;
  affine.scale = randomMatrix(5, 1), affine.shift = randomMatrix(5, 1);
  StepLayer norm;
  norm.kind = StepLayer::Kind::LayerNorm;
  norm.epsilon = 1e-3;
  EXPECT_LE(worstAgainstFiniteDifferences({affine, norm}, randomMatrix(5, 4)), 1e-7);  // no gamma or beta
  norm.scale = randomMatrix(5, 1), norm.shift = randomMatrix(5, 1);
  EXPECT_LE(worstAgainstFiniteDifferences({norm, affine}, randomMatrix(5, 4)), 1e-7);
}

TEST(StepLayersBackward, ConvolutionsAndPoolingsWithEveryPadding) {
  using P = StepLayer::Padding;
  using K = StepLayer::Kind;
  for (const P padding : {P::Valid, P::Same, P::Causal})
    for (const int stride : {1, 2})
      for (const int dilation : {1, 2}) {
        const std::vector<StepLayer> chain = {
            window(K::Conv, 3, 4, 3, stride, dilation, padding, "tanh"),
            window(K::MaxPool, 4, 4, 2, stride, 1, padding == P::Causal ? P::Same : padding),
            window(K::Conv, 4, 3, 2, 1, 1, padding, "relu"),
            window(K::AveragePool, 3, 3, 3, stride, 1, padding == P::Causal ? P::Valid : padding)};
        EXPECT_LE(worstAgainstFiniteDifferences(chain, randomMatrix(3, 23)), 1e-7)
            << "padding " << static_cast<int>(padding) << " stride " << stride << " dilation " << dilation;
      }
}

TEST(StepLayersBackward, AnEncoderAndItsRepeatThroughTime) {
  StepLayer repeat;
  repeat.kind = StepLayer::Kind::Repeat;
  repeat.repeats = 4;
  for (const char* gate : {"sigmoid", "hard_sigmoid"})
    for (const char* cell : {"tanh", "relu", "linear"})
      for (int generation : {2, 3}) {
        const std::vector<StepLayer> chain = {encoder(3, 5, gate, cell, true, generation),
                                              encoder(5, 4, gate, cell, false, generation), repeat,
                                              dense(4, 2, "tanh")};
        EXPECT_LE(worstAgainstFiniteDifferences(chain, randomMatrix(3, 9)), 1e-7)
            << gate << " gates, " << cell << " cells, generation " << generation;
      }
}

// A lookup's ids have no gradient: the pass stops at its output vectors, the tokens' embeddings.
TEST(StepLayersBackward, StopsAtALookupsOutputVectors) {
  StepLayer lookup;
  lookup.kind = StepLayer::Kind::Lookup;
  lookup.weight = randomMatrix(4, 10);
  const StepLayer conv = window(StepLayer::Kind::Conv, 4, 2, 3, 1, 1, StepLayer::Padding::Same, "relu");
  Eigen::MatrixXd ids(1, 6);
  ids << 1, 5, 2, 9, 0, 3;
  const std::vector<Eigen::MatrixXd> inputs = stepLayerInputs({lookup, conv}, ids);
  ASSERT_EQ(inputs.size(), 3u);
  const Eigen::MatrixXd w = randomMatrix(2, 6);
  const Eigen::MatrixXd gradient = stepLayersBackward({lookup, conv}, inputs, w);
  EXPECT_TRUE(gradient.isApprox(stepLayersBackward({conv}, {inputs[1], inputs[2]}, w), 1e-15));
  EXPECT_EQ(gradient.rows(), 4);
  EXPECT_LE(worstAgainstFiniteDifferences({conv}, inputs[1]), 1e-7);
}

// Equal maxima in a pooling window: the whole gradient goes to the first of them, as autograd's max_pool1d
// gives it (finite differences cannot check a tie: the max is not differentiable there).
TEST(StepLayersBackward, MaxPoolingPassesATiesGradientToTheFirstMaximum) {
  const StepLayer pool = window(StepLayer::Kind::MaxPool, 2, 2, 3, 3, 1, StepLayer::Padding::Valid);
  Eigen::MatrixXd x(2, 6);
  x << 1, 4, 4, 7, 7, 7,  //
      2, 0, 2, -1, -3, -1;
  Eigen::MatrixXd g(2, 2);
  g << 10, 20,  //
      30, 40;
  Eigen::MatrixXd expected(2, 6);
  expected << 0, 10, 0, 20, 0, 0,  //
      30, 0, 0, 40, 0, 0;
  EXPECT_EQ(stepLayersBackward({pool}, stepLayerInputs({pool}, x), g), expected);
}

// The encoder's forward pass with a tape gives what it gives without one.
TEST(StepLayersBackward, TheTapeDoesNotChangeTheEncodersOutput) {
  const StepLayer s = encoder(3, 4, "hard_sigmoid", "tanh", true, 2);
  const Eigen::MatrixXd x = randomMatrix(3, 7);
  EncoderTape tape;
  EXPECT_EQ(runEncoderLstm(s, x, &tape), runEncoderLstm(s, x));
  EXPECT_EQ(tape.preActivations.cols(), 7);
}

}  // namespace
}  // namespace lstmscope
