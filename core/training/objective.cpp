#include "core/training/objective.h"

#include <cmath>

#include "core/common/error.h"

namespace lstmscope {
namespace {

// Cross-entropy of softmax(logits) against targets; fills dLogits = (p - onehot) * scale.
template <class T>
double crossEntropy(const Mat<T>& probs, const std::vector<int32_t>& targets, double scale, Mat<T>* dLogits) {
  double loss = 0;
  if (dLogits) *dLogits = probs * T(scale);
  for (long k = 0; k < probs.cols(); ++k) {
    const int y = targets[k];
    if (y < 0 || y >= probs.rows())
      throw InputError("target id " + std::to_string(y) + " is outside the head's outputs");
    loss -= std::log(std::max(static_cast<double>(probs(y, k)), 1e-300));
    if (dLogits) (*dLogits)(y, k) -= T(scale);
  }
  return loss * scale;
}

// Cross-entropy of a forwarded tape against targets (mean over columns), then backward into grads.
template <class T>
double lossAndGradients(const Network<T>& net, const Inputs<T>& in, const Tape<T>& tape,
                        const std::vector<int32_t>& targets, Gradients<T>* grads) {
  Adjoints<T> adj;
  const double loss =
      crossEntropy(tape.probs, targets, 1.0 / static_cast<double>(tape.probs.cols()), grads ? &adj.dLogits : nullptr);
  if (grads) {
    BackwardOptions opt;
    opt.inputGradients = false;
    backward(net, in, tape, adj, opt, *grads);
  }
  return loss;
}

}  // namespace

template <class T>
double languageModelLoss(const Network<T>& net, const Inputs<T>& in, const std::vector<int32_t>& targets,
                         const State<T>* initial, State<T>* final, Gradients<T>* grads) {
  if (!net.arch.head || net.arch.head->activation != HeadActivation::Softmax ||
      net.arch.head->reads != HeadReads::EachStep)
    throw InputError("a language model needs a softmax head that reads every step");
  if (static_cast<long>(targets.size()) != in.columns()) throw InputError("one target per input token is needed");
  Tape<T> tape;
  forward(net, in, tape, {}, initial);
  if (final) *final = tape.finalState(net.arch);
  return lossAndGradients(net, in, tape, targets, grads);
}

template <class T>
double classifierLoss(const Network<T>& net, const Inputs<T>& in, int label, Gradients<T>* grads) {
  if (!net.arch.head || net.arch.head->activation != HeadActivation::Softmax)
    throw InputError("a classifier needs a softmax head");
  Tape<T> tape;
  forward(net, in, tape);
  return lossAndGradients(net, in, tape, std::vector<int32_t>(tape.probs.cols(), label), grads);
}

template <class T>
double clipGradientNorm(Params<T>& grads, double maxNorm) {
  double sq = 0;
  grads.forEachTensor([&](const auto& m) { sq += static_cast<double>(m.squaredNorm()); });
  const double norm = std::sqrt(sq);
  if (maxNorm > 0 && norm > maxNorm) {
    const T scale = static_cast<T>(maxNorm / (norm + 1e-6));
    grads.forEachTensor([&](auto& m) { m *= scale; });
  }
  return norm;
}

template double languageModelLoss<float>(const Network<float>&, const Inputs<float>&, const std::vector<int32_t>&,
                                         const State<float>*, State<float>*, Gradients<float>*);
template double languageModelLoss<double>(const Network<double>&, const Inputs<double>&, const std::vector<int32_t>&,
                                          const State<double>*, State<double>*, Gradients<double>*);
template double classifierLoss<float>(const Network<float>&, const Inputs<float>&, int, Gradients<float>*);
template double classifierLoss<double>(const Network<double>&, const Inputs<double>&, int, Gradients<double>*);
template double clipGradientNorm<float>(Params<float>&, double);
template double clipGradientNorm<double>(Params<double>&, double);

}  // namespace lstmscope
