// The in-memory LSTM model: architecture (what the layers are) plus parameters (their numbers).
// Parameters are templated on the scalar so one engine serves float32 recording and float64 checks.
// A loaded model is immutable and shared read-only; every run keeps its own state (engine/tape.h).
#pragma once

#include <Eigen/Core>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/common/per_direction.h"
#include "core/model/activations.h"
#include "core/model/step_layers.h"
#include "core/text/vocabulary.h"

namespace lstmscope {

template <class T>
using Mat = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic>;  // column-major
template <class T>
using Vec = Eigen::Matrix<T, Eigen::Dynamic, 1>;

enum class Task { LanguageModel, Classifier, Tagger, Regression };
enum class InputKind { Tokens, Features };
// What the head reads: every step (one output per step), or one vector per sequence: the last layer's
// final states, or every step pooled over time (mean, max, or attention: a softmax over time of w·x_t
// weighting the steps, as Keras' AttentionWeightedAverage does), or every step flattened into one vector
// (Keras' Flatten after an LSTM that returns sequences: step t's values at t·D …, for a fixed number of steps).
enum class HeadReads { EachStep, FinalStates, AveragePool, MaxPool, AttentionPool, Flatten };

// The names in files and on the command line: each_step, final_states, average_pool, max_pool,
// attention_pool, flatten.
std::string toString(HeadReads r);
bool parse(const std::string& s, HeadReads& out);

std::string toString(Task t);
bool parse(const std::string& s, Task& out);

struct LayerSpec {
  int hidden = 0;
  bool bidirectional = false;
  GateActivation gate = GateActivation::Sigmoid;
  CellActivation cell = CellActivation::Tanh;
  // ONNX variants: peephole connections from the cell to gates i, f (c_{t-1}) and o (c_t), and a clip
  // that bounds every gate's pre-activation to [-clip, clip] before its nonlinearity (0: no clip).
  bool peepholes = false;
  float clip = 0;
  // ONNX input_forget: the forget gate is 1 - i (its own weights are unused).
  bool coupledForget = false;
  // A unidirectional layer that reads the sequence from the last step to the first (ONNX direction
  // "reverse", Keras go_backwards). Its one direction is stored and traced as `bwd`; its outputs stay at
  // the positions of the inputs they were computed at.
  bool reverse = false;
  int directions() const { return bidirectional ? 2 : 1; }
  int outputWidth() const { return hidden * directions(); }
  // Whether direction d runs from the last step to the first.
  bool runsBackward(int d) const { return bidirectional ? d == 1 : reverse; }
  // Whether a state at step t depends on steps after t.
  bool looksAhead() const { return bidirectional || reverse; }
  // The step a direction's final state belongs to: T-1 forward in time, 0 backward.
  long finalStep(int d, long steps) const { return runsBackward(d) ? 0 : steps - 1; }
};

// Name of a direction in files and labels: "fwd" or "bwd" (a reverse layer's one direction is "bwd").
inline const char* directionName(const LayerSpec& spec, int d) {
  return spec.runsBackward(d) ? "bwd" : "fwd";
}

// " fwd" or " bwd" to append to a unit's label, or "" for a plain forward layer: its one direction needs
// no name, while a bidirectional or reverse layer's label must say which way the unit reads.
inline std::string directionSuffix(const LayerSpec& spec, int direction) {
  return spec.looksAhead() ? std::string(" ") + directionName(spec, direction) : std::string();
}

struct HeadSpec {
  std::vector<DenseActivation> preActivations;  // one per hidden dense layer before the head
  HeadActivation activation = HeadActivation::Softmax;
  HeadReads reads = HeadReads::EachStep;
  std::vector<std::string> labels;  // optional class names, one per output
  // What the head reads at each step, concatenated in this order (Keras' Concatenate of skip
  // connections): 0 is layer 0's input (the embedding vectors or features), l + 1 is LSTM layer l's
  // output. Empty: the last layer's output alone. Only a pooling head reads more than that.
  std::vector<int> sources;
  // AttentionPool: added to the softmax's denominator, as Keras' AttentionWeightedAverage adds
  // K.epsilon() (1e-7); 0 is an exact softmax.
  double attentionEpsilon = 0;
  // Flatten: the number of steps every input must have (the first Dense reads steps × D values).
  int steps = 0;

  // One output per sequence rather than one per step.
  bool perSequence() const { return reads != HeadReads::EachStep; }
  // Whether it reads every step (a pooling or a Flatten) rather than the final states.
  bool pools() const { return perSequence() && reads != HeadReads::FinalStates; }
};

struct Architecture {
  std::string name;
  Task task = Task::LanguageModel;
  InputKind inputKind = InputKind::Tokens;
  Vocabulary vocab;           // tokens input, or a front end that reads text
  bool hasEmbedding = false;  // tokens input: embedding table, else one-hot (layer 0 width = V)
  int featureDim = 0;         // features input only: what the first LSTM reads
  // Features input only: per-step layers before the first LSTM that cannot be folded into its weights (a
  // Dense with an activation, LayerNormalization, an Activation) and window layers (Conv1D, pooling),
  // computed from the raw features in float64 before the engine runs (applyFrontEnd); the first may be an
  // embedding lookup, and then the raw input is text (frontEndReadsTokens). The engine and its gradients
  // start at their output; attribution goes back through them to the raw input (docs/ATTRIBUTION.md "Through
  // the front end").
  std::vector<StepLayer> frontEnd;
  // Keras' Masking(mask_value) before the first LSTM (features: a step whose every feature equals it) or an
  // Embedding with mask_zero (tokens: the id, 0): Keras skips such a step, carrying the state over. The
  // engine runs every step, so input holding one is refused by name (sequence_input.h, feature_csv.h)
  // rather than run differently.
  std::optional<float> maskValue;
  // Set when this is the LSTM stack of a larger model that could not be opened whole (the honest fallback,
  // docs/IMPORT.md#when-only-the-lstm-stack-opens): why, and what was cut off. Kept in native files.
  std::string cutOff;
  std::vector<LayerSpec> layers;
  std::optional<HeadSpec> head;

  // A features model whose front end starts with an embedding lookup (a Keras Embedding before a Conv1D):
  // the user gives text, tokenized with `vocab`, and the front end turns its ids into the LSTM's features.
  bool frontEndReadsTokens() const {
    return inputKind == InputKind::Features && !frontEnd.empty() && frontEnd.front().kind == StepLayer::Kind::Lookup;
  }
  // Whether the user gives text (else a CSV table of numbers).
  bool readsText() const { return inputKind == InputKind::Tokens || frontEndReadsTokens(); }
  // Text read through a front end's windows: each step reads a span of several tokens, overlapping.
  bool stepsReadTokenWindows() const;
  // Width of layer 0's input: embedding size, vocabulary size (one-hot) or feature count.
  int inputWidth() const;
  // Features a step of the user's table holds: the front end's input width, else featureDim.
  int rawFeatureDim() const;
  int lastOutputWidth() const { return layers.empty() ? 0 : layers.back().outputWidth(); }
  // The head's per-step sources (HeadSpec::sources, or the last layer alone), as layer-input indices.
  std::vector<int> headSources() const;
  // Whether some layer's state at step t depends on later steps (bidirectional or reverse layers): then a
  // sequence cannot be run in chunks, and no output reads only the past.
  bool looksAhead() const;
  // A language model whose head gives, at every step, one output per vocabulary token: it predicts the
  // next token (the predictions view, the attribution default target).
  bool predictsNextToken(int headOutputs) const {
    return task == Task::LanguageModel && inputKind == InputKind::Tokens && head &&
           head->reads == HeadReads::EachStep && headOutputs == vocab.size();
  }
};

// Weights of one direction of one layer, in PyTorch's layout: rows are gate blocks i, f, g, o.
template <class T>
struct DirectionParams {
  Mat<T> W_ih;      // (4H, D_in)
  Mat<T> W_hh;      // (4H, H)
  Vec<T> b_ih;      // (4H)
  Vec<T> b_hh;      // (4H)
  Vec<T> peephole;  // (3H): blocks i, f, o; empty unless the layer has peepholes
};

template <class T>
struct DenseParams {
  Mat<T> weight;  // (out, in)
  Vec<T> bias;    // (out)
};

template <class T>
struct Params {
  Mat<T> embedding;  // (E, V): column v is token v's embedding; empty for one-hot/features input
  PerDirection<DirectionParams<T>> lstm;
  std::vector<DenseParams<T>> headPre;  // hidden dense layers before the head
  DenseParams<T> head;                  // empty when the model has no head
  Vec<T> headAttention;                 // (D): an attention-pooling head's scoring vector, else empty

  // Visits every parameter tensor with a stable name (the native file's path), in file order. The names
  // need the architecture: a reverse layer's one direction is `bwd`.
  template <class F>
  void forEach(const Architecture& arch, F&& visit) {
    if (embedding.size()) visit("input/embedding", embedding);
    for (size_t l = 0; l < lstm.size(); ++l)
      for (size_t d = 0; d < lstm[l].size(); ++d) {
        const char* dir = l < arch.layers.size() ? directionName(arch.layers[l], static_cast<int>(d)) : "?";
        const std::string p = "lstm/" + std::to_string(l) + "/" + dir + "/";
        visit(p + "W_ih", lstm[l][d].W_ih);
        visit(p + "W_hh", lstm[l][d].W_hh);
        visit(p + "b_ih", lstm[l][d].b_ih);
        visit(p + "b_hh", lstm[l][d].b_hh);
        if (lstm[l][d].peephole.size()) visit(p + "peephole", lstm[l][d].peephole);
      }
    for (size_t k = 0; k < headPre.size(); ++k) {
      visit("head/pre/" + std::to_string(k) + "/weight", headPre[k].weight);
      visit("head/pre/" + std::to_string(k) + "/bias", headPre[k].bias);
    }
    if (head.weight.size()) {
      visit("head/weight", head.weight);
      visit("head/bias", head.bias);
    }
    if (headAttention.size()) visit("head/attention", headAttention);
  }
  template <class F>
  void forEach(const Architecture& arch, F&& visit) const {
    const_cast<Params*>(this)->forEach(arch, [&](const std::string& n, auto& m) { visit(n, std::as_const(m)); });
  }
  // The same tensors in the same order, without names (element-wise work: scaling, norms). One traversal
  // serves both, so the orders cannot drift apart; without an architecture the directions are named "?".
  template <class F>
  void forEachTensor(F&& visit) {
    static const Architecture kUnnamed;
    forEach(kUnnamed, [&](const std::string&, auto& m) { visit(m); });
  }
  template <class F>
  void forEachTensor(F&& visit) const {
    const_cast<Params*>(this)->forEachTensor([&](auto& m) { visit(std::as_const(m)); });
  }

  // Every tensor's storage as a flat vector, in forEach order (element-wise loops: optimisers, sums).
  std::vector<Eigen::Map<Vec<T>>> flat() {
    std::vector<Eigen::Map<Vec<T>>> out;
    forEachTensor([&](auto& m) { out.emplace_back(m.data(), m.size()); });
    return out;
  }

  template <class U>
  Params<U> cast() const {
    Params<U> out;
    out.embedding = embedding.template cast<U>();
    out.lstm.resize(lstm.size());
    for (size_t l = 0; l < lstm.size(); ++l)
      for (const auto& d : lstm[l])
        out.lstm[l].push_back({d.W_ih.template cast<U>(), d.W_hh.template cast<U>(), d.b_ih.template cast<U>(),
                               d.b_hh.template cast<U>(), d.peephole.template cast<U>()});
    for (const auto& p : headPre) out.headPre.push_back({p.weight.template cast<U>(), p.bias.template cast<U>()});
    out.head = {head.weight.template cast<U>(), head.bias.template cast<U>()};
    out.headAttention = headAttention.template cast<U>();
    return out;
  }

  // Same shapes, all zeros (gradient accumulators, optimiser moments).
  Params zerosLike() const {
    Params out = *this;
    out.forEachTensor([](auto& m) { m.setZero(); });
    return out;
  }
};

// A features model's raw features (rawFeatureDim × steps) through its front end: what its first LSTM reads.
template <class T>
Mat<T> applyFrontEnd(const Architecture& arch, const Mat<T>& raw) {
  if (arch.frontEnd.empty()) return raw;
  return applyStepLayers(arch.frontEnd, raw.template cast<double>()).template cast<T>();
}

// A model with its parameters in scalar type T. Model (float) is what files hold.
template <class T>
struct Network {
  Architecture arch;
  Params<T> params;

  int headOutputs() const { return static_cast<int>(params.head.weight.rows()); }
  template <class U>
  Network<U> cast() const {
    return {arch, params.template cast<U>()};
  }
};

using Model = Network<float>;

// Checks that shapes agree with the architecture and that every weight is finite. Throws InputError
// naming `source` and the offending tensor.
void validateModel(const Model& model, const std::string& source);

// Human-readable architecture summary (what `lstmscope-cli info` prints); `withCutOff`: end with what was cut
// off (Architecture::cutOff), which the import dialog says apart.
std::string describeModel(const Model& model, bool withCutOff = true);
// What the head reads, in words: "each step", "final states", "every step, attention-pooled: the
// embedding + lstm 0 + lstm 1".
std::string describeHeadInput(const Architecture& arch);
// A head that flattens a fixed number of steps reads inputs of exactly that many: throws InputError naming
// `source` for another count.
void requireStepsTheHeadReads(const Architecture& arch, long steps, const std::string& source);
// Layer inputs in words (0: the embedding or input features, l + 1: lstm l): "the embedding + lstm 0".
std::string describeLayerInputs(const std::vector<int>& sources, bool featuresInput);

}  // namespace lstmscope
