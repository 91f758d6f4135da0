#include "core/attribution/gradient_attribution.h"

#include <algorithm>
#include <cmath>

#include "core/common/error.h"
#include "core/engine/backward.h"
#include "core/engine/forward.h"

namespace lstmscope {
namespace {

template <class T>
bool readsFinalStates(const Network<T>& net) {
  return net.arch.head && net.arch.head->perSequence();
}

// Logit column of the target for batch element b of a batch of `batch`.
template <class T>
long logitColumn(const Network<T>& net, const AttributionTarget& target, int batch, int b) {
  return readsFinalStates(net) ? b : target.step * batch + b;
}

void checkStep(long step, long steps) {
  if (step < 0 || step >= steps)
    throw InputError("target step " + std::to_string(step) + " is outside the text's " + std::to_string(steps) +
                     " steps");
}

// Adds `weight` * d(target of batch element b) to the adjoints (allocating the seed they need).
template <class T>
void seedTarget(const Network<T>& net, const Tape<T>& tape, const AttributionTarget& target, int batch, int b,
                double weight, Adjoints<T>& adjoints) {
  if (target.kind == TargetKind::Logit) {
    if (adjoints.dLogits.size() == 0) adjoints.dLogits = Mat<T>::Zero(tape.logits.rows(), tape.logits.cols());
    adjoints.dLogits(target.output, logitColumn(net, target, batch, b)) += static_cast<T>(weight);
    return;
  }
  auto& seeds = target.kind == TargetKind::Hidden ? adjoints.dH : adjoints.dC;
  const size_t l = static_cast<size_t>(target.layer), d = static_cast<size_t>(target.direction);
  if (seeds.size() <= l) seeds.resize(l + 1);
  if (seeds[l].size() <= d) seeds[l].resize(d + 1);
  if (seeds[l][d].size() == 0) seeds[l][d] = Mat<T>::Zero(tape.layers[l][d].h.rows(), tape.layers[l][d].h.cols());
  seeds[l][d](target.unit, target.step * batch + b) += static_cast<T>(weight);
}

// Inputs of `batch` sequences of T steps from columns laid out t * batch + b.
template <class T>
Inputs<T> batchOf(Mat<T> features, long steps, int batch) {
  Inputs<T> in;
  in.steps = static_cast<int>(steps), in.batch = batch;
  in.features = std::move(features);
  return in;
}

ForwardOptions headOnly() {
  ForwardOptions o;
  o.computeHead = true;
  return o;
}

// One forward and one backward pass of `x` (batch 1) seeded with d score / d target logit = 1; `tape`
// keeps the forward's states for the caller.
Gradients<double> backwardFromTarget(const Network<double>& net, const Mat<double>& x, const AttributionTarget& target,
                                     const BackwardOptions& options, Tape<double>& tape) {
  validateTarget(net, x.cols(), target);
  const Inputs<double> in = batchOf(x, x.cols(), 1);
  forward(net, in, tape, headOnly());
  Adjoints<double> adjoints;
  seedTarget(net, tape, target, 1, 0, 1, adjoints);
  Gradients<double> g;
  backward(net, in, tape, adjoints, options, g);
  return g;
}

}  // namespace

void validateTarget(const Network<double>& net, long steps, const AttributionTarget& target) {
  if (target.kind != TargetKind::Logit) {
    const auto& layers = net.arch.layers;
    if (target.layer < 0 || target.layer >= static_cast<int>(layers.size()))
      throw InputError("target layer " + std::to_string(target.layer) + " is not one of the model's " +
                       std::to_string(layers.size()) + " LSTM layers");
    const LayerSpec& spec = layers[static_cast<size_t>(target.layer)];
    if (target.direction < 0 || target.direction >= spec.directions())
      throw InputError("layer " + std::to_string(target.layer) + " has no direction " +
                       std::to_string(target.direction));
    if (target.unit < 0 || target.unit >= spec.hidden)
      throw InputError("target unit " + std::to_string(target.unit) + " is not one of layer " +
                       std::to_string(target.layer) + "'s " + std::to_string(spec.hidden) + " units");
    checkStep(target.step, steps);
    return;
  }
  if (net.headOutputs() == 0) throw InputError("the model has no head: there is no logit to attribute");
  if (target.output < 0 || target.output >= net.headOutputs())
    throw InputError("target output " + std::to_string(target.output) + " is not one of the model's " +
                     std::to_string(net.headOutputs()) + " outputs");
  checkStep(target.step, steps);  // a head with one output per sequence too: a step the input lacks is a typo
}

double targetValue(const Network<double>& net, const Tape<double>& tape, const AttributionTarget& target, int batch,
                   int b) {
  if (target.kind == TargetKind::Logit) return tape.logits(target.output, logitColumn(net, target, batch, b));
  const DirectionTape<double>& dt =
      tape.layers[static_cast<size_t>(target.layer)][static_cast<size_t>(target.direction)];
  return (target.kind == TargetKind::Hidden ? dt.h : dt.c)(target.unit, target.step * batch + b);
}

AttributionTarget stateTarget(TargetKind kind, int layer, int direction, int unit, long step) {
  AttributionTarget t;
  t.kind = kind, t.layer = layer, t.direction = direction, t.unit = unit, t.step = step;
  return t;
}

std::string describeTarget(const Architecture& arch, const AttributionTarget& target) {
  if (target.kind == TargetKind::Logit)
    return (arch.task == Task::Regression ? "output " : "logit ") + std::to_string(target.output) + " at step " +
           std::to_string(target.step);
  return std::string(target.kind == TargetKind::Hidden ? "hidden " : "cell ") + std::to_string(target.layer) + "/" +
         (target.layer >= 0 && target.layer < static_cast<int>(arch.layers.size())
              ? directionName(arch.layers[static_cast<size_t>(target.layer)], target.direction)
              : "?") +
         "/" + std::to_string(target.unit) + " at step " + std::to_string(target.step);
}

Network<double> onInputVectors(const Network<double>& net) {
  Network<double> out = net;
  if (net.arch.inputKind == InputKind::Tokens) {
    out.arch.inputKind = InputKind::Features;
    out.arch.featureDim = net.arch.hasEmbedding ? static_cast<int>(net.params.embedding.rows()) : net.arch.vocab.size();
    out.arch.hasEmbedding = false;
    out.params.embedding.resize(0, 0);
  }
  return out;
}

Mat<double> inputVectors(const Network<double>& net, const Inputs<double>& tokens) {
  if (net.arch.inputKind == InputKind::Features) return tokens.features;
  const long T = tokens.steps;
  const int V = net.arch.vocab.size();
  Mat<double> x = Mat<double>::Zero(net.arch.hasEmbedding ? net.params.embedding.rows() : V, T);
  for (long t = 0; t < T; ++t) {
    const int id = tokens.tokens[static_cast<size_t>(t)];
    if (id < 0 || id >= V) throw InputError("token id " + std::to_string(id) + " is outside the vocabulary");
    if (net.arch.hasEmbedding)
      x.col(t) = net.params.embedding.col(id);
    else
      x(id, t) = 1;
  }
  return x;
}

Mat<double> baselineVectors(const Network<double>& net, long steps, std::optional<int> token) {
  if (!token) {
    const long E = net.arch.inputKind == InputKind::Features ? net.arch.featureDim
                   : net.arch.hasEmbedding                   ? net.params.embedding.rows()
                                                             : net.arch.vocab.size();
    return Mat<double>::Zero(E, steps);
  }
  Inputs<double> in;
  in.steps = static_cast<int>(steps);
  in.tokens.assign(static_cast<size_t>(steps), *token);
  return inputVectors(net, in);
}

AttributionTarget defaultTarget(const Network<double>& net, const Inputs<double>& tokens, std::optional<long> step) {
  AttributionTarget target;
  target.step = step.value_or(tokens.steps - 1);
  const Network<double> vectors = onInputVectors(net);
  validateTarget(vectors, tokens.steps, {target.step, 0});
  if (defaultTargetIsNextToken(net, tokens, target.step)) {
    target.output = tokens.tokens[static_cast<size_t>(target.step + 1)];
    return target;
  }
  // A per-step head of a model that reads only the past: the steps after the target cannot change it.
  const bool prefixSuffices = !net.arch.looksAhead() && !readsFinalStates(net);
  const long steps = prefixSuffices ? target.step + 1 : tokens.steps;
  Tape<double> tape;
  forward(vectors, batchOf<double>(inputVectors(net, tokens).leftCols(steps), steps, 1), tape, headOnly());
  tape.logits.col(logitColumn(vectors, target, 1, 0)).maxCoeff(&target.output);
  return target;
}

bool defaultTargetIsNextToken(const Network<double>& net, const Inputs<double>& tokens, long step) {
  return net.arch.predictsNextToken(net.headOutputs()) && step + 1 < tokens.steps;
}

double targetScore(const Network<double>& net, const Mat<double>& x, const AttributionTarget& target) {
  validateTarget(net, x.cols(), target);
  Tape<double> tape;
  forward(net, batchOf(x, x.cols(), 1), tape, headOnly());
  return targetValue(net, tape, target, 1, 0);
}

Mat<double> scoreGradient(const Network<double>& net, const Mat<double>& x, const AttributionTarget& target) {
  BackwardOptions options;
  options.weightGradients = false;
  Tape<double> tape;
  return backwardFromTarget(net, x, target, options, tape).dInput;
}

TokenAttribution saliency(const Network<double>& net, const Mat<double>& x, const AttributionTarget& target) {
  TokenAttribution a;
  a.score = targetScore(net, x, target);
  a.perToken = scoreGradient(net, x, target).colwise().norm().transpose();
  return a;
}

TokenAttribution gradientTimesInput(const Network<double>& net, const Mat<double>& x, const AttributionTarget& target) {
  TokenAttribution a;
  a.score = targetScore(net, x, target);
  a.perDimension = scoreGradient(net, x, target).cwiseProduct(x);
  a.perToken = a.perDimension.colwise().sum().transpose();
  return a;
}

long tapeBytesPerColumn(const Network<double>& net, long inputRows, long scalarBytes) {
  long values = 2 * (inputRows + net.headOutputs());
  for (const LayerSpec& spec : net.arch.layers) values += spec.directions() * 11L * spec.hidden;
  return values * scalarBytes;
}

int igPointsPerBatch(const Network<double>& net, const Mat<double>& x, int points, Precision precision,
                     long memoryBytes) {
  const long scalarBytes = precision == Precision::Float32 ? sizeof(float) : sizeof(double);
  const long fit = memoryBytes / std::max(1L, x.cols() * tapeBytesPerColumn(net, x.rows(), scalarBytes));
  const long forProgress = (points + kIgMinBatches - 1) / kIgMinBatches;
  return static_cast<int>(std::clamp(std::min(fit, forProgress), 1L, static_cast<long>(points)));
}

namespace {

// The quadrature-weighted sum of d score / d input along the straight path, in scalar type T (float:
// about twice the speed; double: exact to rounding). Points run in batches of `perBatch`, each one
// forward and one backward pass; progress counts points.
template <class T>
Mat<double> averagePathGradient(const Network<T>& net, const Mat<double>& x, const Mat<double>& baseline,
                                const AttributionTarget& target, const Quadrature& q, int perBatch,
                                const ProgressCallbacks& callbacks) {
  const int points = static_cast<int>(q.alphas.size());
  const long T_ = x.cols();
  BackwardOptions options;
  options.weightGradients = false;
  Mat<double> sum = Mat<double>::Zero(x.rows(), T_);
  Tape<T> tape;  // reused: forward() resizes without reallocating when the batch keeps its size
  for (int first = 0; first < points; first += perBatch) {
    checkCancelled(callbacks);
    const int B = std::min(perBatch, points - first);
    // Every interpolated input is one sequence of the batch: column t * B + k is step t of point first + k.
    Mat<T> path(x.rows(), T_ * B);
    for (long t = 0; t < T_; ++t)
      for (int k = 0; k < B; ++k) {
        const double alpha = q.alphas[static_cast<size_t>(first + k)];
        path.col(t * B + k) = (baseline.col(t) + alpha * (x.col(t) - baseline.col(t))).template cast<T>();
      }
    const Inputs<T> in = batchOf<T>(std::move(path), T_, B);
    forward(net, in, tape, headOnly());
    Adjoints<T> adjoints;
    for (int k = 0; k < B; ++k)
      seedTarget(net, tape, target, B, k, q.weights[static_cast<size_t>(first + k)], adjoints);
    Gradients<T> g;
    backward(net, in, tape, adjoints, options, g);
    for (long t = 0; t < T_; ++t) sum.col(t) += g.dInput.middleCols(t * B, B).template cast<double>().rowwise().sum();
    reportProgress(callbacks, first + B, points);
  }
  return sum;
}

}  // namespace

TokenAttribution integratedGradients(const Network<double>& net, const Mat<double>& x, const Mat<double>& baseline,
                                     const AttributionTarget& target, QuadratureRule rule, int steps,
                                     Precision precision, const ProgressCallbacks& callbacks, long memoryBytes) {
  validateTarget(net, x.cols(), target);
  if (baseline.rows() != x.rows() || baseline.cols() != x.cols())
    throw InputError("the baseline's shape differs from the input's");
  const Quadrature q = quadrature(rule, steps);
  const int perBatch = igPointsPerBatch(net, x, static_cast<int>(q.alphas.size()), precision, memoryBytes);
  const Mat<double> averageGradient =
      precision == Precision::Float32
          ? averagePathGradient(net.cast<float>(), x, baseline, target, q, perBatch, callbacks)
          : averagePathGradient(net, x, baseline, target, q, perBatch, callbacks);
  TokenAttribution a;
  a.perDimension = (x - baseline).cwiseProduct(averageGradient);
  a.perToken = a.perDimension.colwise().sum().transpose();
  // The scores in float64 whatever the path's precision: the delta then shows float32's error too.
  a.score = targetScore(net, x, target);
  a.baselineScore = targetScore(net, baseline, target);
  a.convergenceDelta = a.perToken.sum() - (a.score - *a.baselineScore);
  return a;
}

UnitAttribution unitAttribution(const Network<double>& net, const Mat<double>& x, const AttributionTarget& target) {
  BackwardOptions options;
  options.weightGradients = false;
  options.inputGradients = false;
  options.stateGradients = true;
  Tape<double> tape;
  const Gradients<double> g = backwardFromTarget(net, x, target, options, tape);
  UnitAttribution out;
  for (size_t l = 0; l < tape.layers.size(); ++l) {
    out.h.emplace_back(), out.c.emplace_back();
    for (size_t d = 0; d < tape.layers[l].size(); ++d) {
      out.h[l].push_back(g.dH[l][d].cwiseProduct(tape.layers[l][d].h));
      out.c[l].push_back(g.dC[l][d].cwiseProduct(tape.layers[l][d].c));
    }
  }
  return out;
}

}  // namespace lstmscope
