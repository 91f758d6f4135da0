#include "core/formats/foreign/keras_mapping.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

#include "core/common/error.h"
#include "core/formats/foreign/keras_guess.h"
#include "core/formats/foreign/keras_lstm_stack.h"
#include "core/formats/foreign/keras_mapper.h"
#include "core/formats/foreign/keras_pooling.h"
#include "core/formats/foreign/keras_step_layers.h"
#include "core/formats/foreign/keras_weights.h"
#include "core/formats/foreign/keras_window_layers.h"

namespace lstmscope {

namespace {

using nlohmann::json;

// Layers that are the identity at inference.
// TextVectorization and StringLookup turn text into ids: LSTMScope's tokenizer does that with their vocabulary.
const std::set<std::string> kIdentityLayers = {
    "InputLayer",      "Dropout",      "SpatialDropout1D",       "GaussianNoise",
    "GaussianDropout", "AlphaDropout", "ActivityRegularization", "TextVectorization",
    "StringLookup"};

}  // namespace

ImportedModel KerasMapper::run() {
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
  for (const auto& note : file_.fileAssumptions) assume(note);
  validateModel(net, source_);
  return {std::move(net), std::move(report_)};
}

void KerasMapper::role(const NamedTensor& t, const KerasLayer& l, const std::string& r) {
  report_.tensors.push_back({l.name + "/" + t.name, t.shapeText(), r});
}

void KerasMapper::visit(const KerasLayer& l) {
  visitLayer(l);
  // What the layer's output is, as a pooling head's source: identity layers pass their input's on.
  if (!sourceOf_.count(l.name)) sourceOf_[l.name] = chainSource_;
}

void KerasMapper::visitLayer(const KerasLayer& l) {
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
         "reshape, a RepeatVector, a Lambda?); open the whole model (model.save) instead, or put its "
         "model.to_json() file beside the weights");
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
  if (cls == "Flatten" && !arch_.layers.empty()) return pool(l, HeadReads::Flatten);
  if (cls == "RepeatVector") return repeatVector(l);
  if (cls == "Lambda")
    fail("layer " + l.name + " is a Lambda layer, which holds Python code; LSTMScope does not run it");
  if (cls == "Masking") return masking(l);
  fail("layer " + l.name + " is a " + (cls.empty() ? std::string("layer of unknown kind") : cls) +
       ", which LSTMScope does not support (it reads Embedding, LSTM, Bidirectional(LSTM), Dense, Conv1D, "
       "pooling, Flatten and per-step normalisation layers; docs/IMPORT.md)");
}

void KerasMapper::embedding(const KerasLayer& l) {
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

void KerasMapper::bidirectional(const KerasLayer& l) {
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

GateActivation KerasMapper::gateActivation(const std::string& name, const KerasLayer& l) const {
  if (name == "sigmoid") return GateActivation::Sigmoid;
  if (name == "hard_sigmoid")
    return file_.generation >= 3 ? GateActivation::HardSigmoidKeras3 : GateActivation::HardSigmoid;
  fail("layer " + l.name + " uses recurrent activation " + name + ", which LSTMScope does not support");
}

CellActivation KerasMapper::cellActivation(const std::string& name, const KerasLayer& l) const {
  if (name == "tanh") return CellActivation::Tanh;
  if (name == "relu") return CellActivation::Relu;
  if (name == "linear") return CellActivation::Linear;
  fail("layer " + l.name + " uses activation " + name + ", which LSTMScope does not support");
}

void KerasMapper::lstm(const KerasLayer& l, const json& config, bool bidirectional) {
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
  encoderNames_.push_back(l.name);
  widths_.push_back(spec.outputWidth());
  chainSource_ = static_cast<int>(arch_.layers.size());
  if (returnsSequences_) sequenceOut_.insert(chainSource_);
  if (reversedOrder_) reversedSources_.insert(chainSource_);
}

void KerasMapper::masking(const KerasLayer& l) {
  if (repeatsEncoder_)
    fail("layer " + l.name +
         " is a Masking layer after the RepeatVector; it masks the decoder's input, which LSTMScope does not model");
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

void KerasMapper::takeVocabulary(int V) {
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

void KerasMapper::finishInput() {
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
  if (choices.part == "encoder") {
    auto encoder = mapKerasEncoder(file, vocabulary, mapWhole);
    if (!encoder) throw InputError(source, "part encoder: the model has no RepeatVector, so it is no encoder-decoder");
    imported = std::move(*encoder);
    for (const std::string& note : standardized) imported.report.assumptions.push_back(note);
    return imported;
  }
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
