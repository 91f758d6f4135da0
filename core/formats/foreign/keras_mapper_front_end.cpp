#include <algorithm>

#include "core/formats/foreign/keras_mapper.h"
#include "core/formats/foreign/keras_window_layers.h"
#include "core/model/window_layers.h"

namespace lstmscope {

void KerasMapper::stepLayer(const KerasLayer& l, const json& config) {
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

void KerasMapper::windowLayer(const KerasLayer& l) {
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

void KerasMapper::foldIntoLstm(const KerasLayer& l, std::vector<DirectionParams<float>>& dirs) {
  const auto& held = held_.layers();
  if (arch_.layers.empty() && arch_.hasEmbedding && readsWindows(held)) return textFrontEnd(dirs[0].W_ih.cols());
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

void KerasMapper::frontEnd(long lstmWidth) {
  long raw = lstmWidth;  // element-wise layers alone keep the width
  for (const StepLayer& s : held_.layers())
    if (s.inputWidth() >= 0) {
      raw = s.inputWidth();
      break;
    }
  if (const long out = held_.outputWidth(raw, source_); out != lstmWidth)
    fail("the first LSTM reads width " + std::to_string(lstmWidth) + " but " + held_.layers().back().name + " gives " +
         std::to_string(out));
  if (repeatsEncoder_)  // per-step layers between the RepeatVector and the decoder follow the encoder
    arch_.frontEnd.insert(arch_.frontEnd.end(), held_.layers().begin(), held_.layers().end());
  else
    arch_.frontEnd = held_.layers();
  for (auto& [name, source] : sourceOf_)
    if (source == 0) source = -1;  // the raw features are not what the engine's layer input 0 holds
  sourceOf_[held_.layers().back().name] = 0;
  assume(held_.subject() + " computed from the " + std::to_string(raw) +
         " raw features before the first LSTM, in float64 (a front end LSTMScope runs before the engine): "
         "the engine's gradients start at the LSTM's " +
         std::to_string(lstmWidth) +
         " input features, and attribution goes back through the front end to the "
         "table's rows (LRP stops at the LSTM's input)");
  const auto& layers = held_.layers();
  if (readsWindows(layers))
    assume("the front end reads windows of rows (" + std::to_string(fewestRows(layers)) +
           " at least), so an LSTM step is computed from a span of the table's rows and is labelled with them");
  held_.settle(report_.tensors, "the front end");
}

void KerasMapper::textFrontEnd(long lstmWidth) {
  StepLayer lookup;
  lookup.name = embeddingName_;
  lookup.className = "Embedding";
  lookup.kind = StepLayer::Kind::Lookup;
  lookup.weight = params_.embedding.cast<double>();
  if (const long out = held_.outputWidth(lookup.weight.rows(), source_); out != lstmWidth)
    fail("the first LSTM reads width " + std::to_string(lstmWidth) + " but " + held_.layers().back().name + " gives " +
         std::to_string(out));
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
         "model reads text; the engine's gradients start at the LSTM's " +
         std::to_string(lstmWidth) +
         " input features, and attribution goes back through the front end to the "
         "tokens' embeddings (LRP stops at the LSTM's input)");
  assume("the front end reads windows of tokens (" + std::to_string(fewestRows(arch_.frontEnd)) +
         " at least), so an LSTM step is computed from a span of the text's tokens and is labelled with them");
  held_.settle(report_.tensors, "the front end");
}

}  // namespace lstmscope
