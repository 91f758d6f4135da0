#include "core/formats/foreign/keras_mapping.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

#include "core/common/error.h"
#include "core/formats/foreign/keras_guess.h"
#include "core/formats/foreign/keras_lstm_stack.h"
#include "core/formats/foreign/keras_pooling.h"
#include "core/formats/foreign/keras_step_layers.h"
#include "core/formats/foreign/keras_weights.h"
#include "core/formats/foreign/keras_window_layers.h"
#include "core/model/window_layers.h"

namespace lstmscope {

namespace {

using nlohmann::json;

// Layers that are the identity at inference.
// TextVectorization and StringLookup turn text into ids: LSTMScope's tokenizer does that with their vocabulary.
const std::set<std::string> kIdentityLayers = {
    "InputLayer",      "Dropout",      "SpatialDropout1D",       "GaussianNoise",
    "GaussianDropout", "AlphaDropout", "ActivityRegularization", "TextVectorization",
    "StringLookup"};

class KerasMapper {
 public:
  KerasMapper(const KerasModelFile& file, const ImportChoices& choices, const std::optional<LoadedVocabulary>& vocab,
              const std::string& source)
      : file_(file), choices_(choices), vocab_(vocab), source_(source), guesser_(file.generation) {}

  ImportedModel run() {
    // Without a recurrent layer the first layer would be refused for standing before an LSTM, which misleads
    // (a recurrent layer of another kind is refused by name below).
    const auto recurrent = [](const KerasLayer& l) {
      return isKerasLstmLayer(l) || l.className.find("GRU") != std::string::npos ||
             l.className.find("RNN") != std::string::npos || l.className.find("LSTM") != std::string::npos;
    };
    if (std::none_of(file_.layers.begin(), file_.layers.end(), recurrent))
      fail("has no LSTM layer (LSTMScope opens models with LSTM, CuDNNLSTM or Bidirectional(LSTM) layers)");
    for (size_t k = 0; k < file_.layers.size(); ++k) {
      const KerasLayer resolved = file_.hasArchitecture
                                      ? file_.layers[k]
                                      : guesser_.guess(file_.layers[k], !arch_.layers.empty(), report_.assumptions);
      lstmAhead_ = std::any_of(file_.layers.begin() + static_cast<long>(k) + 1, file_.layers.end(), isKerasLstmLayer);
      visit(resolved);
    }
    if (arch_.layers.empty()) fail("has no LSTM layer");
    finishInput();
    finishHead();
    Network<float> net{arch_, std::move(params_)};
    net.arch.name = std::filesystem::path(source_).stem().string();
    report_.format = file_.format;
    for (const auto& note : file_.orderAssumptions) assume(note);
    validateModel(net, source_);
    return {std::move(net), std::move(report_)};
  }

 private:
  [[noreturn]] void fail(const std::string& what) const { throw InputError(source_, what); }
  void assume(const std::string& what) { report_.assumptions.push_back(what); }
  std::string where(const KerasLayer& l) const { return source_ + " (layer " + l.name + ")"; }
  void role(const NamedTensor& t, const KerasLayer& l, const std::string& r) {
    report_.tensors.push_back({l.name + "/" + t.name, t.shapeText(), r});
  }

  void visit(const KerasLayer& l) {
    visitLayer(l);
    // What the layer's output is, as a pooling head's source: identity layers pass their input's on.
    if (!sourceOf_.count(l.name)) sourceOf_[l.name] = chainSource_;
  }

  void visitLayer(const KerasLayer& l) {
    const std::string& cls = l.className;
    if (kIdentityLayers.count(cls)) return;
    if (cls == "Concatenate") return concatenate(l);
    if (const auto pooling = kerasPoolingOf(cls)) return pool(l, *pooling);
    if (join_ && !pooling_)
      fail("layer " + l.name + " (" + cls + ") reads the Concatenate " + joinName_ +
           "; only a pooling layer (GlobalAveragePooling1D, GlobalMaxPooling1D, AttentionWeightedAverage) may");
    if (cls == "Embedding") return embedding(l);
    if (cls == "LSTM" || cls == "CuDNNLSTM") return lstm(l, l.config, false);
    if (cls == "Bidirectional") return bidirectional(l);
    if (cls == kUnknownWeightless)
      fail("layer " + l.name +
           " has no weights, and a weights-only file does not say what it does (a pooling, a "
           "reshape, a Lambda?); open the whole model (model.save) instead");
    if (cls == "Activation" && !file_.hasArchitecture && !head_.empty()) return;  // the head's activations are assumed
    if (cls == "Activation" && !file_.hasArchitecture)
      fail("layer " + l.name +
           " looks like an Activation layer, and which function it applies is not in a "
           "weights-only file; open the whole model (model.save) instead");
    if ((cls == "Activation" || cls == "Softmax" || cls == "ReLU") && !head_.empty()) return activationLayer(l);
    if (isKerasWindowLayerClass(cls)) return windowLayer(l);
    if (isKerasStepLayerClass(cls)) return stepLayer(l, l.config);
    if (cls == "Dense" && head_.empty() && lstmAhead_) return stepLayer(l, l.config);
    if (cls == "Dense") return dense(l, l.config);
    if (cls == "TimeDistributed") {
      const json inner = l.config.value("layer", json::object());
      if (inner.value("class_name", "") != "Dense")
        fail("layer " + l.name + " wraps a " + inner.value("class_name", std::string("?")) +
             " in TimeDistributed; only Dense is supported there");
      if (head_.empty() && lstmAhead_) return stepLayer(l, inner.value("config", json::object()));
      return dense(l, inner.value("config", json::object()));
    }
    if (cls == "Flatten" && !arch_.layers.empty() && !returnsSequences_) return;  // (batch, units) is already flat
    if (cls == "Flatten" && !arch_.layers.empty() && !file_.hasArchitecture) {
      flattenName_ = l.name;  // weights only: whether the LSTM returned its last state, the next Dense's width says
      return;
    }
    if (cls == "Flatten" && !arch_.layers.empty()) failFlattenOverSteps(l.name);
    if (cls == "RepeatVector")
      fail("layer " + l.name +
           " is a RepeatVector: the LSTM after it reads one vector at every step of a second "
           "time axis (an encoder-decoder), which LSTMScope does not model yet");
    if (cls == "Lambda")
      fail("layer " + l.name + " is a Lambda layer, which holds Python code; LSTMScope does not run it");
    if (cls == "Masking") return masking(l);
    fail("layer " + l.name + " is a " + (cls.empty() ? std::string("layer of unknown kind") : cls) +
         ", which LSTMScope does not support (it reads Embedding, LSTM, Bidirectional(LSTM) and Dense layers)");
  }

  void embedding(const KerasLayer& l) {
    if (!arch_.layers.empty() || params_.embedding.size()) fail("layer " + l.name + ": an Embedding must come first");
    if (l.weights.size() != 1 || l.weights[0].shape.size() != 2)
      fail("layer " + l.name + " (Embedding) does not hold one (V, E) matrix");
    const NamedTensor& e = l.weights[0];
    params_.embedding = Eigen::Map<const Mat<float>>(e.values.data(), e.dim(1), e.dim(0));
    arch_.hasEmbedding = true;
    embeddingName_ = l.name;
    chainSource_ = 0;
    role(e, l, "embedding");
    if (arch_.maskValue && !(l.config.is_object() && l.config.value("mask_zero", false))) {
      arch_.maskValue.reset();  // Keras' Embedding without mask_zero computes no mask: the LSTM sees every step
      assume("layer " + maskingName_ + " (Masking) before the Embedding " + l.name +
             " has no effect: an Embedding without mask_zero passes no mask on");
    }
    if (l.config.is_object() && l.config.value("mask_zero", false)) {
      arch_.maskValue = 0.0f;
      assume("layer " + l.name +
             " has mask_zero: Keras skips a step of id 0 (padding), so text holding it is refused rather than run "
             "differently");
    }
  }

  void bidirectional(const KerasLayer& l) {
    const std::string merge =
        l.config.is_object() && l.config.contains("merge_mode") && l.config["merge_mode"].is_string()
            ? l.config["merge_mode"].get<std::string>()
        : l.config.is_object() && l.config.contains("merge_mode") ? "None"
                                                                  : "concat";
    if (merge != "concat")
      fail("layer " + l.name + " merges its directions with merge_mode " + merge + "; LSTMScope supports concat");
    const json inner = l.config.value("layer", json::object());
    const std::string innerClass = inner.value("class_name", "LSTM");
    if (innerClass != "LSTM" && innerClass != "CuDNNLSTM")
      fail("layer " + l.name + " is a Bidirectional " + innerClass + ", which LSTMScope does not support");
    lstm(l, inner.value("config", json::object()), true);
  }

  GateActivation gateActivation(const std::string& name, const KerasLayer& l) const {
    if (name == "sigmoid") return GateActivation::Sigmoid;
    if (name == "hard_sigmoid")
      return file_.generation >= 3 ? GateActivation::HardSigmoidKeras3 : GateActivation::HardSigmoid;
    fail("layer " + l.name + " uses recurrent activation " + name + ", which LSTMScope does not support");
  }

  CellActivation cellActivation(const std::string& name, const KerasLayer& l) const {
    if (name == "tanh") return CellActivation::Tanh;
    if (name == "relu") return CellActivation::Relu;
    if (name == "linear") return CellActivation::Linear;
    fail("layer " + l.name + " uses activation " + name + ", which LSTMScope does not support");
  }

  void lstm(const KerasLayer& l, const json& config, bool bidirectional) {
    if (!head_.empty()) fail("layer " + l.name + ": an LSTM after Dense layers is not supported");
    if (pooling_) fail("layer " + l.name + ": an LSTM after a pooling layer is not supported");
    if (!arch_.layers.empty() && !returnsSequences_)
      fail("layer " + l.name + " follows an LSTM that returns only its last state");
    if (config.value("stateful", false))
      fail("layer " + l.name + " is stateful (state carried across batches), which LSTMScope does not model");
    // go_backwards reads the sequence from its end and returns the outputs in that order, so the next
    // layer reads them reversed too: a layer runs backward in time when exactly one of the two holds.
    const bool goBackwards = config.value("go_backwards", false);
    if (bidirectional && goBackwards)
      fail("layer " + l.name + " wraps an LSTM with go_backwards in Bidirectional, which LSTMScope does not model");
    if (bidirectional && reversedOrder_)
      fail("layer " + l.name +
           " is Bidirectional over a sequence that go_backwards reversed, which LSTMScope "
           "does not model");
    LayerSpec spec;
    spec.bidirectional = bidirectional;
    spec.reverse = !bidirectional && goBackwards != reversedOrder_;
    reversedOrder_ = reversedOrder_ != goBackwards;
    // Keras 1 names the gates' activation inner_activation. CuDNNLSTM configs name none: cuDNN's are fixed
    // sigmoid/tanh, which are the defaults here (its 8H bias layout is recognised by kerasLstmDirection).
    const std::string gates = config.contains("inner_activation")
                                  ? kerasActivationName(config, "inner_activation", "hard_sigmoid")
                                  : kerasActivationName(config, "recurrent_activation", "sigmoid");
    spec.gate = gateActivation(gates, l);
    spec.cell = cellActivation(kerasActivationName(config, "activation", "tanh"), l);
    const size_t perDirection = l.weights.size() / static_cast<size_t>(spec.directions());
    std::vector<DirectionParams<float>> dirs;
    for (int d = 0; d < spec.directions(); ++d) {
      std::vector<const NamedTensor*> arrays;
      for (size_t k = 0; k < perDirection; ++k) arrays.push_back(&l.weights[d * perDirection + k]);
      dirs.push_back(kerasLstmDirection(arrays, where(l)));
      const std::string r = "lstm " + std::to_string(arch_.layers.size()) + " " + directionName(spec, d);
      for (const NamedTensor* a : arrays) role(*a, l, r);
    }
    spec.hidden = static_cast<int>(dirs[0].W_hh.cols());
    if (!held_.empty()) foldIntoLstm(l, dirs);
    const long expectedInput = arch_.layers.empty() ? dirs[0].W_ih.cols() : arch_.layers.back().outputWidth();
    if (dirs[0].W_ih.cols() != expectedInput)
      fail("layer " + l.name + " reads width " + std::to_string(dirs[0].W_ih.cols()) + " but receives " +
           std::to_string(expectedInput));
    returnsSequences_ = config.value("return_sequences", false);
    if (widths_.empty()) widths_.push_back(static_cast<int>(dirs[0].W_ih.cols()));
    arch_.layers.push_back(spec);
    params_.lstm.push_back(std::move(dirs));
    widths_.push_back(spec.outputWidth());
    chainSource_ = static_cast<int>(arch_.layers.size());
    if (returnsSequences_) sequenceOut_.insert(chainSource_);
    if (reversedOrder_) reversedSources_.insert(chainSource_);
  }

  // Masking(mask_value) on the model's input: Keras skips a step whose every feature equals it (the state
  // carries over). LSTMScope runs every step, so it refuses input holding such a step (Architecture::maskValue).
  void masking(const KerasLayer& l) {
    if (!arch_.layers.empty() || arch_.hasEmbedding || !held_.empty())
      fail("layer " + l.name +
           " is a Masking layer after the input; masked steps carry the state over, which "
           "LSTMScope models only on the model's input");
    if (!file_.hasArchitecture)
      fail("layer " + l.name +
           " looks like a Masking layer, and its mask value is not in a weights-only file; open the whole model "
           "(model.save) instead");
    const json value = l.config.is_object() ? l.config.value("mask_value", json(0.0)) : json(0.0);
    if (!value.is_number()) fail("layer " + l.name + " has a mask_value that is not a number");
    arch_.maskValue = value.get<float>();
    maskingName_ = l.name;
    assume("layer " + l.name + " (Masking mask_value " + value.dump() +
           "): Keras skips a step whose every feature equals it, so input holding one is refused rather than run "
           "differently");
  }

  // A layer that acts on each step on its own: held until the layer it folds into is known.
  void stepLayer(const KerasLayer& l, const json& config) {
    const int rank = !pooling_ && (arch_.layers.empty() || returnsSequences_) ? 3 : 2;
    StepLayer step = kerasStepLayer(l, config, file_.generation, rank, where(l));
    if (!file_.hasArchitecture && step.kind == StepLayer::Kind::Dense) {
      step.activation = "linear";
      assume("weights-only file: layer " + l.name + " (a Dense before an LSTM) is linear, Keras' default");
    }
    const size_t firstRole = report_.tensors.size();
    for (const auto& w : l.weights) role(w, l, "folded");
    held_.hold(std::move(step), firstRole, report_.tensors.size());
    sourceOf_[l.name] = chainSource_ = -1;  // not a quantity the engine keeps
  }

  // A layer over a window of steps (Conv1D, a local pooling): it joins the front end of a features model, so it
  // may stand only before the first LSTM, where the engine's steps are still to be made.
  void windowLayer(const KerasLayer& l) {
    const std::string what = "layer " + l.name + " (" + l.className + ") reads a window of ";
    if (!arch_.layers.empty())
      fail(what + "steps after an LSTM; LSTMScope computes such layers only before the first LSTM");
    if (arch_.maskValue)
      fail(what + "steps after " +
           (maskingName_.empty() ? "an Embedding with mask_zero" : "the Masking layer " + maskingName_) +
           ", whose mask Keras does not pass through it");
    StepLayer step = kerasWindowLayer(l, l.config, file_.generation, where(l));
    const size_t firstRole = report_.tensors.size();
    for (const auto& w : l.weights) role(w, l, "front end");
    held_.hold(std::move(step), firstRole, report_.tensors.size());
    sourceOf_[l.name] = chainSource_ = -1;
  }

  void foldIntoLstm(const KerasLayer& l, std::vector<DirectionParams<float>>& dirs) {
    const auto& held = held_.layers();
    if (arch_.layers.empty() && arch_.hasEmbedding &&
        std::any_of(held.begin(), held.end(), [](const StepLayer& s) { return s.mixesSteps(); }))
      return textFrontEnd(dirs[0].W_ih.cols());
    if (arch_.layers.empty() && arch_.hasEmbedding) {
      if (const long out = held_.outputWidth(params_.embedding.rows(), source_); out != dirs[0].W_ih.cols())
        fail("layer " + l.name + " reads width " + std::to_string(dirs[0].W_ih.cols()) + " but " +
             held_.layers().back().name + " gives " + std::to_string(out));
      params_.embedding = applyStepLayers(held_.layers(), params_.embedding.cast<double>()).cast<float>();
      sourceOf_[embeddingName_] = -1;
      sourceOf_[held_.layers().back().name] = 0;  // what the LSTM reads is now the table's vectors
      assume(held_.subject() +
             " folded into the embedding's table: each token's vector is computed through "
             "them once, exact at inference");
      return held_.settle(report_.tensors, "the embedding table");
    }
    if (arch_.layers.empty() && !held_.affineOnly()) return frontEnd(dirs[0].W_ih.cols());
    const std::string into = "lstm " + std::to_string(arch_.layers.size());
    const std::optional<long> incoming =
        arch_.layers.empty() ? std::nullopt : std::optional<long>(arch_.layers.back().outputWidth());
    const AffineMap map = held_.affine(incoming, dirs[0].W_ih.cols(), "layer " + l.name, source_);
    for (DirectionParams<float>& d : dirs) foldBefore(map, d.W_ih, d.b_ih);
    assume(held_.subject() + " folded into " + into +
           "'s input weights (W A, b + W c): exact at inference, and the LSTM's states are its own");
    held_.settle(report_.tensors, into);
  }

  // A features model's per-step layers before its first LSTM that do not fold (a Dense with an activation,
  // LayerNormalization): its front end, computed from the raw features before the engine (model.h).
  void frontEnd(long lstmWidth) {
    long raw = lstmWidth;  // element-wise layers alone keep the width
    for (const StepLayer& s : held_.layers())
      if (s.inputWidth() >= 0) {
        raw = s.inputWidth();
        break;
      }
    if (const long out = held_.outputWidth(raw, source_); out != lstmWidth)
      fail("the first LSTM reads width " + std::to_string(lstmWidth) + " but " + held_.layers().back().name +
           " gives " + std::to_string(out));
    arch_.frontEnd = held_.layers();
    for (auto& [name, source] : sourceOf_)
      if (source == 0) source = -1;  // the raw features are not what the engine's layer input 0 holds
    sourceOf_[held_.layers().back().name] = 0;
    assume(held_.subject() + " computed from the " + std::to_string(raw) +
           " raw features before the first LSTM, in float64 (a front end LSTMScope runs before the engine): "
           "gradients and attribution start at the LSTM's " +
           std::to_string(lstmWidth) + " input features");
    const auto& layers = held_.layers();
    if (std::any_of(layers.begin(), layers.end(), [](const StepLayer& s) { return s.mixesSteps(); }))
      assume("the front end reads windows of rows (" + std::to_string(fewestRows(layers)) +
             " at least), so an LSTM step is computed from a span of the table's rows and is labelled with them");
    held_.settle(report_.tensors, "the front end");
  }

  // An Embedding before window layers (the IMDB CNN-LSTM): its table becomes the front end's first layer, a
  // lookup by token id, and the model reads text through the front end (Architecture::frontEndReadsTokens).
  void textFrontEnd(long lstmWidth) {
    StepLayer lookup;
    lookup.name = embeddingName_;
    lookup.className = "Embedding";
    lookup.kind = StepLayer::Kind::Lookup;
    lookup.weight = params_.embedding.cast<double>();
    if (const long out = held_.outputWidth(lookup.weight.rows(), source_); out != lstmWidth)
      fail("the first LSTM reads width " + std::to_string(lstmWidth) + " but " + held_.layers().back().name +
           " gives " + std::to_string(out));
    textVocabulary_ = static_cast<int>(lookup.weight.cols());
    arch_.frontEnd = {lookup};
    arch_.frontEnd.insert(arch_.frontEnd.end(), held_.layers().begin(), held_.layers().end());
    params_.embedding.resize(0, 0);
    arch_.hasEmbedding = false;
    for (TensorUse& t : report_.tensors)
      if (t.role == "embedding") t.role = "front end (the lookup of token ids)";
    for (auto& [name, source] : sourceOf_)
      if (source == 0) source = -1;  // the embedding's vectors are not what the engine's layer input 0 holds
    sourceOf_[held_.layers().back().name] = 0;
    assume(held_.subject() + " computed from the embedding " + embeddingName_ +
           "'s vectors before the first LSTM, in float64 (a front end LSTMScope runs before the engine): the "
           "model reads text, and gradients and attribution start at the LSTM's " +
           std::to_string(lstmWidth) + " input features");
    assume("the front end reads windows of tokens (" + std::to_string(fewestRows(arch_.frontEnd)) +
           " at least), so an LSTM step is computed from a span of the text's tokens and is labelled with them");
    held_.settle(report_.tensors, "the front end");
  }

  // Per-step layers before a pooling layer or a join would have to be applied to every step first.
  void refusePendingBefore(const KerasLayer& l) const {
    if (!held_.empty())
      fail("layer " + held_.layers().front().name + " (" + held_.layers().front().className +
           ") acts on each step before " + l.name + " (" + l.className +
           "); LSTMScope folds per-step layers only into a following LSTM or Dense");
  }

  // A Concatenate of the embedding and LSTM outputs (skip connections) that a pooling layer reads next.
  void concatenate(const KerasLayer& l) {
    refusePendingBefore(l);
    if (arch_.layers.empty() || !head_.empty() || join_)
      fail("layer " + l.name +
           " (Concatenate) is not between the LSTMs and a pooling layer; LSTMScope reads a "
           "Concatenate only of the embedding and LSTM outputs, pooled over time");
    if (l.config.is_object() && l.config.contains("axis") && l.config["axis"] != -1 && l.config["axis"] != 2)
      fail("layer " + l.name + " concatenates along axis " + l.config["axis"].dump() +
           "; LSTMScope joins features (axis -1)");
    join_.emplace();
    joinName_ = l.name;
    for (const std::string& input : l.inputs) {
      const auto it = sourceOf_.find(input);
      if (it == sourceOf_.end() || it->second < 0)
        fail("layer " + l.name + " joins " + input + ", which is neither the embedding nor an LSTM's output");
      if (it->second > 0 && !sequenceOut_.count(it->second))
        fail("layer " + l.name + " joins " + input + ", which returns only its last state");
      join_->push_back(it->second);
    }
    chainSource_ = -1;
  }

  // A pooling layer: the head reads every step of the last LSTM, or of the Concatenate before it.
  void pool(const KerasLayer& l, HeadReads reads) {
    refusePendingBefore(l);
    if (arch_.layers.empty() || !head_.empty() || pooling_)
      fail("layer " + l.name + " (" + l.className + ") does not follow the LSTMs; LSTMScope pools only their outputs");
    if (!join_ && !returnsSequences_)
      fail("layer " + l.name + " pools over time an LSTM that returns only its last state");
    if (l.config.is_object() && l.config.value("data_format", std::string("channels_last")) != "channels_last")
      fail("layer " + l.name + " pools with data_format " + l.config["data_format"].dump() +
           "; LSTMScope pools over time (channels_last)");
    pooling_ = reads;
    if (reads == HeadReads::AttentionPool) {
      attention_ = kerasAttentionVector(l.weights, where(l));
      role(l.weights[0], l, "attention pooling");
      assume("layer " + l.name +
             " is taken as AttentionWeightedAverage (DeepMoji, textgenrnn): a softmax over "
             "time of x·w, with Keras' epsilon 1e-7 added to its denominator, weights the steps");
    }
    if (join_ && join_->empty()) resolveJoin(static_cast<int>(attention_.size()), l);
    returnsSequences_ = false;
  }

  // A join of sequences in different orders (after go_backwards) pairs steps that do not belong together.
  void checkJoinOrder() const {
    if (!join_ || join_->size() < 2) return;
    for (int s : *join_)
      if (reversedSources_.count(s) != reversedSources_.count(join_->front()))
        fail("layer " + joinName_ +
             " joins sequences that go_backwards left in different orders, which LSTMScope "
             "does not model");
  }

  // A weights-only file's Concatenate names no inputs: they are the sources whose widths add up to what
  // the next layer with weights reads.
  void resolveJoin(int width, const KerasLayer& reader) {
    if (width <= 0) return;  // no weights yet (a global pooling): the Dense after it decides
    *join_ = kerasJoinOfWidth(width, widths_);
    if (join_->empty())
      fail("layer " + reader.name + " reads " + std::to_string(width) +
           " values per step, which no join of the "
           "embedding and the LSTM outputs gives");
    assume("weights-only file: layer " + joinName_ + " is taken to join " +
           describeLayerInputs(*join_, !arch_.hasEmbedding) + " (their widths add up to the " + std::to_string(width) +
           " that " + reader.name + " reads)");
  }

  [[noreturn]] void failFlattenOverSteps(const std::string& name) const {
    fail("layer " + name +
         " (Flatten) joins every step of an LSTM's output into one vector, so the next layer "
         "reads a fixed number of steps; LSTMScope does not model that");
  }

  void dense(const KerasLayer& l, const json& config) {
    if (!flattenName_.empty() && head_.empty() && !l.weights.empty() && l.weights[0].shape.size() == 2) {
      if (l.weights[0].dim(0) != arch_.layers.back().outputWidth()) failFlattenOverSteps(flattenName_);
      returnsSequences_ = false;
      assume("weights-only file: layer " + flattenName_ + " (Flatten) follows an LSTM that returns its last state (" +
             l.name + " reads its width)");
    }
    if (arch_.layers.empty()) fail("layer " + l.name + ": a Dense layer before the LSTM is not supported");
    if (l.weights.empty() || l.weights.size() > 2) fail("layer " + l.name + " (Dense) does not hold a kernel and bias");
    DenseParams<float> params = kerasDense(l.weights[0], l.weights.size() == 2 ? &l.weights[1] : nullptr, where(l));
    if (!held_.empty()) {
      std::optional<long> incoming;  // unknown after a join or a pooling, which the held layers' widths then say
      if (!head_.empty())
        incoming = head_.back().weight.rows();
      else if (!join_ && !pooling_)
        incoming = arch_.layers.back().outputWidth();
      foldBefore(held_.affine(incoming, params.weight.cols(), "layer " + l.name, source_), params.weight, params.bias);
      assume(held_.subject() + " folded into " + l.name + " (W A, b + W c): exact at inference");
      held_.settle(report_.tensors, l.name);
    }
    if (head_.empty() && join_ && join_->empty()) resolveJoin(static_cast<int>(params.weight.cols()), l);
    head_.push_back(std::move(params));
    headNames_.push_back(l.name);
    headActivations_.push_back(file_.hasArchitecture ? kerasActivationName(config, "activation", "linear") : "");
    for (const auto& w : l.weights) role(w, l, "dense " + std::to_string(head_.size() - 1));
  }

  void activationLayer(const KerasLayer& l) {
    if (head_.empty() || headActivations_.back() != "linear")
      fail("layer " + l.name + " (" + l.className + ") does not follow a linear Dense layer");
    // Its options (a ReLU's max_value, slope or threshold; a Softmax's axis; the activation's name) as for a
    // per-step layer; which activation it is then goes to the Dense before it.
    (void)kerasStepLayer(l, l.config, file_.generation, returnsSequences_ ? 3 : 2, where(l));
    foldPendingIntoLastDense();
    headActivations_.back() = l.className == "Softmax" ? "softmax"
                              : l.className == "ReLU"  ? "relu"
                                                       : kerasActivationName(l.config, "activation", "linear");
  }

  // Dense (linear) → BatchNormalization → Activation: the normalisation belongs to the Dense before it.
  void foldPendingIntoLastDense() {
    if (held_.empty()) return;
    if (headActivations_.back() != "linear")
      fail("layer " + held_.layers().front().name + " (" + held_.layers().front().className +
           ") ends the model after " + headNames_.back() +
           "'s activation; LSTMScope folds it only into a linear Dense");
    const long rows = head_.back().weight.rows();
    foldAfter(held_.affine(rows, rows, "the end of the model", source_), head_.back());
    assume(held_.subject() + " folded into " + headNames_.back() +
           " before its activation (A W, A b + c): exact at inference");
    held_.settle(report_.tensors, headNames_.back());
  }

  // The vocabulary of a model with a table of V tokens: the user's, fitted to V, or token k named "k".
  void takeVocabulary(int V) {
    if (vocab_) {
      std::vector<std::string> notes;
      arch_.vocab = fitVocabulary(*vocab_, V, source_, &notes);
      for (const auto& note : notes) assume(note);
    } else {
      arch_.vocab = placeholderVocabulary(V);
      assume(
          "no vocabulary given: token k is written as the number k (give a vocabulary, --vocab on the command line, "
          "for real tokens)");
    }
  }

  void finishInput() {
    const int width = static_cast<int>(params_.lstm[0][0].W_ih.cols());
    if (textVocabulary_ > 0) {  // text through the front end
      arch_.inputKind = InputKind::Features;
      arch_.featureDim = width;
      takeVocabulary(textVocabulary_);
    } else if (arch_.hasEmbedding) {
      arch_.inputKind = InputKind::Tokens;
      const int V = static_cast<int>(params_.embedding.cols());
      if (params_.embedding.rows() != width)
        fail("the Embedding's width " + std::to_string(params_.embedding.rows()) + " does not match the LSTM's input " +
             std::to_string(width));
      takeVocabulary(V);
    } else if (vocab_ && vocab_->vocab.size() == width && arch_.frontEnd.empty()) {
      arch_.inputKind = InputKind::Tokens;
      arch_.vocab = vocab_->vocab;
      assume("no embedding: tokens are one-hot vectors of the vocabulary's " + std::to_string(width) + " entries");
      if (arch_.maskValue && width > 1) arch_.maskValue.reset();  // no one-hot vector has every feature equal
    } else {
      arch_.inputKind = InputKind::Features;
      arch_.featureDim = width;
    }
  }

  void finishHead() {
    if (head_.empty() && !held_.empty()) {
      assume(held_.subject() +
             " not shown: they follow the last LSTM and the model has no Dense head, so only "
             "the LSTM states are");
      held_.settle(report_.tensors, "nothing (not shown)");
    }
    if (!head_.empty()) foldPendingIntoLastDense();
    if (head_.empty()) {
      arch_.task = choices_.task.value_or(Task::LanguageModel);
      assume("no Dense layer: only the LSTM states are shown");
      return;
    }
    HeadSpec spec;
    for (size_t k = 0; k + 1 < head_.size(); ++k) {
      DenseActivation a = DenseActivation::Relu;
      if (choices_.preActivations && choices_.preActivations->size() == head_.size() - 1)
        a = (*choices_.preActivations)[k];
      else if (headActivations_[k].empty())
        assume("weights-only file: Dense layer " + headNames_[k] + " uses ReLU");
      else if (!parse(headActivations_[k], a))
        fail("layer " + headNames_[k] + " uses activation " + headActivations_[k] +
             ", which LSTMScope does not support");
      spec.preActivations.push_back(a);
      params_.headPre.push_back(head_[k]);
    }
    params_.head = head_.back();
    const int K = static_cast<int>(params_.head.weight.rows());
    const bool tokens = arch_.inputKind == InputKind::Tokens;
    bool eachStep = returnsSequences_;
    std::string last = headActivations_.back();
    if (!file_.hasArchitecture) {  // weights-only: the task decides what the head reads and does
      eachStep = !pooling_ && tokens && K == arch_.vocab.size();
      last = !tokens ? "linear" : K == 1 ? "sigmoid" : "softmax";
      assume(std::string("weights-only file: the head reads ") +
             (pooling_   ? "the pooled steps"
              : eachStep ? "every step"
                         : "the final states") +
             " and its activation is " + last);
    }
    if (choices_.headActivation)
      spec.activation = *choices_.headActivation;
    else if (!parse(last, spec.activation))
      fail("layer " + headNames_.back() + " ends the model with activation " + last +
           "; LSTMScope supports softmax, sigmoid or linear there");
    spec.reads = choices_.headReads.value_or(eachStep ? HeadReads::EachStep : HeadReads::FinalStates);
    if (pooling_) poolingHead(spec, K);
    const bool perStep = spec.reads == HeadReads::EachStep;
    if (perStep && reversedOrder_)
      fail("layer " + headNames_.front() +
           " reads every step of a sequence that go_backwards returned last step "
           "first, which LSTMScope does not model (a head on the final state is fine)");
    Task task =
        perStep ? (tokens && K == arch_.vocab.size() && spec.activation == HeadActivation::Softmax ? Task::LanguageModel
                   : tokens                                                                        ? Task::Tagger
                                                                                                   : Task::Regression)
                : (spec.activation == HeadActivation::Linear ? Task::Regression : Task::Classifier);
    arch_.task = choices_.task.value_or(task);
    arch_.head = spec;
  }

  // The head pools every step: what it reads, and (tokens in, one output per token) its classes' names.
  void poolingHead(HeadSpec& spec, int outputs) {
    if (choices_.headReads && *choices_.headReads != *pooling_)
      assume("the head pools every step, so the choice of what it reads (" + toString(*choices_.headReads) +
             ") does not apply");
    checkJoinOrder();
    spec.reads = *pooling_;
    if (join_ && !(join_->size() == 1 && join_->front() == static_cast<int>(arch_.layers.size())))
      spec.sources = *join_;
    if (spec.reads == HeadReads::AttentionPool) {
      spec.attentionEpsilon = kKerasEpsilon;
      params_.headAttention = attention_;
    }
    if (arch_.inputKind == InputKind::Tokens && outputs == arch_.vocab.size()) {
      spec.labels = arch_.vocab.tokens();
      assume(
          "the head has one output per vocabulary token: its classes are the tokens (it predicts the token "
          "after the text)");
    }
  }

  const KerasModelFile& file_;
  const ImportChoices& choices_;
  const std::optional<LoadedVocabulary> vocab_;  // a copy: the caller may pass a temporary
  const std::string& source_;
  Architecture arch_;
  Params<float> params_;
  ImportReport report_;
  KerasClassGuesser guesser_;
  bool returnsSequences_ = false;
  bool reversedOrder_ = false;  // the sequence between layers runs last step first (after go_backwards)
  std::vector<DenseParams<float>> head_;
  std::vector<std::string> headNames_, headActivations_;
  // Skip connections and pooling: each layer's output as a head source (0: embedding or features input,
  // l + 1: LSTM l; -1: neither), the sources' widths, a Concatenate's sources (empty until known in a
  // weights-only file), the pooling, and an attention layer's vector.
  std::map<std::string, int> sourceOf_;
  int chainSource_ = 0;
  std::vector<int> widths_;
  std::set<int> sequenceOut_, reversedSources_;
  std::optional<std::vector<int>> join_;
  std::string joinName_;
  std::optional<HeadReads> pooling_;
  Vec<float> attention_;
  std::string flattenName_;  // a weights-only file's Flatten after the LSTMs
  // Per-step layers (keras_step_layers.h) waiting for the layer they fold into; whether an LSTM comes later.
  HeldStepLayers held_;
  bool lstmAhead_ = false;
  std::string embeddingName_, maskingName_;
  int textVocabulary_ = 0;  // the embedding's token count when the front end reads text through it
};

}  // namespace

ImportedModel mapKerasModel(const KerasModelFile& file, const ImportChoices& choices,
                            const std::optional<LoadedVocabulary>& vocab, const std::string& source) {
  // The user's vocabulary file wins over one the model carries (a .keras TextVectorization's).
  // A vocabulary given beside a model whose TextVectorization standardizes text: the ids were made from
  // standardized text, so the tokenizer standardizes it the same way.
  std::optional<LoadedVocabulary> given = vocab;
  std::vector<std::string> standardized;
  if (given)
    for (const KerasLayer& layer : file.layers)
      for (const TextStandardization s = applyTextVectorizationStandardize(layer, given->vocab);
           const std::string& note : {s.applied, s.unsupported})
        if (!note.empty()) standardized.push_back(note);
  const KerasWholeMapping mapWhole = [&](const KerasModelFile& f, const std::optional<LoadedVocabulary>& v) {
    try {
      return KerasMapper(f, choices, v, source).run();
    } catch (const nlohmann::json::exception& e) {
      throw InputError(source, std::string("has a layer config with a value of the wrong type (") + e.what() + ")");
    }
  };
  const std::optional<LoadedVocabulary> vocabulary = given ? given : file.vocabulary;
  ImportedModel imported;
  try {
    imported = mapWhole(file, vocabulary);
  } catch (const InputError& whole) {
    if (choices.wholeModelOnly) throw;
    std::string why = whole.what();
    // Without the file's name: "layer X is …" whether the error named the layer in the message or in the place.
    const std::string placed = source + " (layer ";
    if (why.rfind(source + ": ", 0) == 0) {
      why.erase(0, source.size() + 2);
    } else if (const size_t close = why.find("): "); why.rfind(placed, 0) == 0 && close != std::string::npos) {
      why = "layer " + why.substr(placed.size(), close - placed.size()) + " " + why.substr(close + 3);
    }
    auto part = mapKerasLstmStack(file, vocabulary, why, mapWhole);
    if (!part) throw;
    imported = std::move(*part);
  }
  for (const std::string& note : standardized) imported.report.assumptions.push_back(note);
  return imported;
}

}  // namespace lstmscope
