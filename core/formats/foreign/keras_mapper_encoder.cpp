// An encoder–decoder (LSTM → RepeatVector → LSTM → TimeDistributed(Dense)): the LSTMs before the
// RepeatVector become the front end's encoder, run over the input's steps, and the decoder after it is the
// model's own LSTM stack, whose steps are the repeats (docs/IMPORT.md "Encoder-decoders").
#include "core/formats/foreign/keras_mapper.h"

namespace lstmscope {

namespace {

const char* gateName(GateActivation g) {
  return g == GateActivation::Sigmoid ? "sigmoid" : "hard_sigmoid";  // Keras 3's hard_sigmoid: generation 3
}

const char* cellName(CellActivation c) {
  return c == CellActivation::Tanh ? "tanh" : c == CellActivation::Relu ? "relu" : "linear";
}

}  // namespace

void KerasMapper::repeatVector(const KerasLayer& l) {
  const std::string what = "layer " + l.name + " (RepeatVector)";
  if (arch_.layers.empty()) fail(what + " comes before any LSTM; LSTMScope reads it after an encoder's LSTMs");
  if (returnsSequences_ || pooling_ || join_ || !head_.empty() || !held_.empty())
    fail(what + " does not read an LSTM's last state directly; LSTMScope reads encoder LSTM → RepeatVector");
  if (repeatsEncoder_) fail(what + " is a second RepeatVector; LSTMScope reads one encoder and one decoder");
  if (!l.config.is_object() || !l.config.contains("n"))
    fail(what +
         ": how many steps it repeats the state for is not in a weights-only file; open the whole model "
         "(model.save), or put its model.to_json() file beside the weights");
  const json& n = l.config["n"];
  if (!n.is_number_integer() || n.get<int64_t>() < 1 || n.get<int64_t>() > (1 << 20))
    fail(what + " repeats its state n = " + n.dump() + " times; LSTMScope reads a whole number from 1 to 1048576");
  const int repeats = n.get<int>();

  std::vector<StepLayer> encoder;
  if (arch_.hasEmbedding) {  // the encoder reads text: its table becomes the front end's lookup
    StepLayer lookup;
    lookup.name = embeddingName_;
    lookup.className = "Embedding";
    lookup.kind = StepLayer::Kind::Lookup;
    lookup.weight = params_.embedding.cast<double>();
    textVocabulary_ = static_cast<int>(lookup.weight.cols());
    encoder.push_back(std::move(lookup));
    params_.embedding.resize(0, 0);
    arch_.hasEmbedding = false;
  } else {
    encoder = arch_.frontEnd;  // a convolution before the encoder, or nothing
  }
  std::string names;
  for (size_t k = 0; k < arch_.layers.size(); ++k) {
    const LayerSpec& spec = arch_.layers[k];
    if (spec.looksAhead())
      fail("lstm " + std::to_string(k) + " of the encoder before " + l.name +
           " reads backward (Bidirectional or go_backwards); LSTMScope's encoders read forward only");
    const DirectionParams<float>& d = params_.lstm[k][0];
    StepLayer s;
    s.name = encoderNames_[k];
    s.className = "LSTM";
    s.kind = StepLayer::Kind::Recurrent;
    s.weight = d.W_ih.cast<double>();
    s.recurrent = d.W_hh.cast<double>();
    s.bias = (d.b_ih + d.b_hh).cast<double>();
    s.gateActivation = gateName(spec.gate);
    s.activation = cellName(spec.cell);
    s.generation = file_.generation;
    s.returnSequences = k + 1 < arch_.layers.size();
    encoder.push_back(std::move(s));
    names += (names.empty() ? "" : ", ") + encoderNames_[k];
  }
  StepLayer repeat;
  repeat.name = l.name;
  repeat.className = "RepeatVector";
  repeat.kind = StepLayer::Kind::Repeat;
  repeat.repeats = repeats;
  encoder.push_back(std::move(repeat));

  for (TensorUse& t : report_.tensors)
    if (t.role.rfind("lstm ", 0) == 0 || t.role == "embedding") t.role = "front end (the encoder)";
  arch_.frontEnd = std::move(encoder);
  arch_.layers.clear();
  params_.lstm.clear();
  encoderNames_.clear();
  // The decoder starts a new chain: nothing before it is a head source, and it reads a sequence (the repeats).
  for (auto& [name, source] : sourceOf_) source = -1;
  widths_.clear();
  sequenceOut_.clear();
  reversedSources_.clear();
  chainSource_ = 0;
  sourceOf_[l.name] = 0;
  returnsSequences_ = true;
  reversedOrder_ = false;
  repeatsEncoder_ = true;
  assume("encoder–decoder: the encoder (" + names + ") runs over the input's steps in float64 before the decoder, " +
         "and its last state, repeated " + std::to_string(repeats) + " times by " + l.name +
         ", is what the decoder reads at each of its steps; the decoder is shown (steps out 1 to " +
         std::to_string(repeats) +
         "); the engine's gradients start at its input, and attribution goes back through the encoder to the "
         "input (LRP stops at the decoder's input; open the encoder alone with the import choice "
         "part: encoder)");
}

}  // namespace lstmscope
