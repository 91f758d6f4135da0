// Front-end layers with random weights for the model tests: a dense layer, a window layer, an encoder. The
// generator is seeded, so every run draws the same layers.
#pragma once

#include <random>
#include <string>

#include "core/model/step_layers.h"

namespace lstmscope::test {

inline std::mt19937& stepLayerGenerator() {
  static std::mt19937 generator(7);
  return generator;
}

inline Eigen::MatrixXd randomMatrix(long rows, long cols, double scale = 1.0) {
  std::normal_distribution<double> normal(0.0, scale);
  Eigen::MatrixXd m(rows, cols);
  for (long k = 0; k < m.size(); ++k) m(k) = normal(stepLayerGenerator());
  return m;
}

inline StepLayer dense(long in, long out, const std::string& activation, int generation = 2) {
  StepLayer s;
  s.kind = StepLayer::Kind::Dense;
  s.weight = randomMatrix(out, in, 0.7);
  s.bias = randomMatrix(out, 1, 0.3);
  s.activation = activation;
  s.generation = generation;
  return s;
}

inline StepLayer window(StepLayer::Kind kind, long in, long filters, int size, int stride, int dilation,
                        StepLayer::Padding padding, const std::string& activation = "linear") {
  StepLayer s;
  s.kind = kind;
  s.window = size, s.stride = stride, s.dilation = dilation, s.padding = padding;
  s.activation = activation;
  if (kind == StepLayer::Kind::Conv)
    s.weight = randomMatrix(filters, size * in, 0.5), s.bias = randomMatrix(filters, 1);
  return s;
}

inline StepLayer encoder(long in, long hidden, const std::string& gate, const std::string& cell, bool everyStep,
                         int generation) {
  StepLayer s;
  s.kind = StepLayer::Kind::Recurrent;
  s.weight = randomMatrix(4 * hidden, in, 0.6);
  s.recurrent = randomMatrix(4 * hidden, hidden, 0.6);
  s.bias = randomMatrix(4 * hidden, 1, 0.3);
  s.gateActivation = gate, s.activation = cell;
  s.returnSequences = everyStep;
  s.generation = generation;
  return s;
}

}  // namespace lstmscope::test
