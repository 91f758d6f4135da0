#include "core/intervention/generation.h"

#include <random>

#include "core/common/error.h"
#include "core/engine/forward.h"

namespace lstmscope {
namespace {

// A uniform number in [0, 1) from 53 random bits: the same on every platform (std's distributions are not).
double uniform(std::mt19937_64& rng) {
  return static_cast<double>(rng() >> 11) * 0x1.0p-53;
}

// `excluded`: a token never chosen (a masked id: fed back, Keras would skip its step, which is not modelled).
template <class T>
int32_t choose(const Mat<T>& probs, long column, double temperature, std::mt19937_64& rng, double& probability,
               long excluded) {
  Eigen::VectorXd p = probs.col(column).template cast<double>();
  if (excluded >= 0 && excluded < p.size() && p.size() > 1) p(excluded) = 0;
  long best = 0;
  for (long k = 1; k < p.size(); ++k)
    if (p(k) > p(best)) best = k;
  const double u = uniform(rng);  // drawn greedy or not: both runs stay in step with each other
  if (temperature <= 0) {
    probability = p(best);
    return static_cast<int32_t>(best);
  }
  // p^(1/temperature), renormalised: softmax(logits / temperature).
  Eigen::VectorXd w = (p.array().max(1e-300).log() / temperature).matrix();
  w = (w.array() - w.maxCoeff()).exp().matrix();
  if (excluded >= 0 && excluded < w.size() && w.size() > 1) w(excluded) = 0;
  const double total = w.sum();
  double acc = 0;
  for (long k = 0; k < w.size(); ++k) {
    acc += w(k) / total;
    if (u < acc) {
      probability = p(k);
      return static_cast<int32_t>(k);
    }
  }
  probability = p(p.size() - 1);
  return static_cast<int32_t>(p.size() - 1);
}

// Why generate refuses a model: it extends the text one token at a time, reading the next-token
// distribution the head gives at the last step.
std::string whyNotGenerating(const Architecture& arch, int headOutputs) {
  const std::string needs =
      "generation needs a language model that predicts the next token at every step and "
      "reads only the past: ";
  if (arch.looksAhead()) return needs + "this model has a bidirectional or backward layer, which reads ahead";
  if (arch.head && arch.head->perSequence() && arch.inputKind == InputKind::Tokens && headOutputs == arch.vocab.size())
    return needs + "this model's head reads the whole text at once (" + toString(arch.head->reads) +
           ") and predicts one token after it, which generation does not run";
  if (!arch.head) return needs + "this model has no head";
  if (arch.inputKind != InputKind::Tokens) return needs + "this model reads numeric features";
  return needs + "this model is a " + toString(arch.task) + " with " + std::to_string(headOutputs) + " output(s)";
}

}  // namespace

template <class T>
Generation generate(const Network<T>& net, const std::vector<int32_t>& prompt, const InterventionPlan& plan,
                    const GenerationRequest& request, const ProgressCallbacks& callbacks) {
  if (!net.arch.predictsNextToken(net.headOutputs()) || net.arch.looksAhead())
    throw InputError(whyNotGenerating(net.arch, net.headOutputs()));
  if (prompt.empty()) throw InputError("the prompt is empty");
  if (request.tokens < 0) throw InputError("the number of tokens to generate is negative");
  std::mt19937_64 rng(request.seed);
  ForwardOptions options;
  options.interventions = plan.empty() ? nullptr : &plan;
  Tape<T> tape;
  Inputs<T> in;
  in.steps = static_cast<int>(prompt.size());
  in.tokens = prompt;
  forward(net, in, tape, options);
  Generation out;
  long step = in.steps;
  for (int k = 0; k < request.tokens; ++k) {
    checkCancelled(callbacks);
    double probability = 0;
    const long masked = net.arch.maskValue ? static_cast<long>(*net.arch.maskValue) : -1;
    const int32_t next = choose(tape.probs, tape.steps - 1, request.temperature, rng, probability, masked);
    out.tokens.push_back(next);
    out.probability.push_back(probability);
    reportProgress(callbacks, k + 1, request.tokens);
    if (k + 1 == request.tokens) break;
    const State<T> state = tape.finalState(net.arch);
    Inputs<T> one;
    one.steps = 1;
    one.tokens = {next};
    options.firstStep = step++;
    forward(net, one, tape, options, &state);
  }
  return out;
}

template Generation generate<float>(const Network<float>&, const std::vector<int32_t>&, const InterventionPlan&,
                                    const GenerationRequest&, const ProgressCallbacks&);
template Generation generate<double>(const Network<double>&, const std::vector<int32_t>&, const InterventionPlan&,
                                     const GenerationRequest&, const ProgressCallbacks&);

}  // namespace lstmscope
