// The Keras mapper's state while it walks a model's layers (keras_mapping.h): one class, its member functions in
// three files by concern — the layers and LSTMs (keras_mapping.cpp), what comes before the first LSTM: per-step
// layers, window layers and front ends (keras_mapper_front_end.cpp), and what comes after the last: joins,
// pooling and the Dense head (keras_mapper_head.cpp). Private to those files.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/common/error.h"
#include "core/formats/foreign/import_report.h"
#include "core/formats/foreign/keras_guess.h"
#include "core/formats/foreign/keras_layers.h"
#include "core/formats/foreign/keras_step_layers.h"
#include "core/model/model.h"

namespace lstmscope {

class KerasMapper {
 public:
  using json = nlohmann::json;

  KerasMapper(const KerasModelFile& file, const ImportChoices& choices, const std::optional<LoadedVocabulary>& vocab,
              const std::string& source)
      : file_(file), choices_(choices), vocab_(vocab), source_(source), guesser_(file) {}

  ImportedModel run();

 private:
  [[noreturn]] void fail(const std::string& what) const { throw InputError(source_, what); }
  void assume(const std::string& what) { report_.assumptions.push_back(what); }
  std::string where(const KerasLayer& l) const { return source_ + " (layer " + l.name + ")"; }
  void role(const NamedTensor& t, const KerasLayer& l, const std::string& r);

  // The layers and LSTMs (keras_mapping.cpp).
  void visit(const KerasLayer& l);
  void visitLayer(const KerasLayer& l);
  void embedding(const KerasLayer& l);
  void bidirectional(const KerasLayer& l);
  GateActivation gateActivation(const std::string& name, const KerasLayer& l) const;
  CellActivation cellActivation(const std::string& name, const KerasLayer& l) const;
  void lstm(const KerasLayer& l, const json& config, bool bidirectional);
  // A RepeatVector after the encoder's LSTMs (keras_mapper_encoder.cpp): they become the front end, and the
  // LSTMs after it, the decoder, the model's own.
  void repeatVector(const KerasLayer& l);
  // Masking(mask_value) on the model's input: Keras skips a step whose every feature equals it (the state
  // carries over). LSTMScope runs every step, so it refuses input holding such a step (Architecture::maskValue).
  void masking(const KerasLayer& l);

  // Before the first LSTM (keras_mapper_front_end.cpp).
  // A layer that acts on each step on its own: held until the layer it folds into is known.
  void stepLayer(const KerasLayer& l, const json& config);
  // A layer over a window of steps (Conv1D, a local pooling): it joins the front end of a features model, so it
  // may stand only before the first LSTM, where the engine's steps are still to be made.
  void windowLayer(const KerasLayer& l);
  void foldIntoLstm(const KerasLayer& l, std::vector<DirectionParams<float>>& dirs);
  // A features model's per-step layers before its first LSTM that do not fold (a Dense with an activation,
  // LayerNormalization): its front end, computed from the raw features before the engine (model.h).
  void frontEnd(long lstmWidth);
  // An Embedding before window layers (the IMDB CNN-LSTM): its table becomes the front end's first layer, a
  // lookup by token id, and the model reads text through the front end (Architecture::frontEndReadsTokens).
  void textFrontEnd(long lstmWidth);

  // After the last LSTM (keras_mapper_head.cpp).
  // Per-step layers before a pooling layer or a join would have to be applied to every step first.
  void refusePendingBefore(const KerasLayer& l) const;
  // A Concatenate of the embedding and LSTM outputs (skip connections) that a pooling layer reads next.
  void concatenate(const KerasLayer& l);
  // A pooling layer: the head reads every step of the last LSTM, or of the Concatenate before it.
  void pool(const KerasLayer& l, HeadReads reads);
  // A join of sequences in different orders (after go_backwards) pairs steps that do not belong together.
  void checkJoinOrder() const;
  // A weights-only file's Concatenate names no inputs: they are the sources whose widths add up to what
  // the next layer with weights reads.
  void resolveJoin(int width, const KerasLayer& reader);
  void weightsOnlyFlatten(const KerasLayer& dense);
  void dense(const KerasLayer& l, const json& config);
  void activationLayer(const KerasLayer& l);
  // Dense (linear) → BatchNormalization → Activation: the normalisation belongs to the Dense before it.
  void foldPendingIntoLastDense();

  // The model's input and head, once every layer was visited.
  // The vocabulary of a model with a table of V tokens: the user's, fitted to V, or token k named "k".
  void takeVocabulary(int V);
  void finishInput();
  void finishHead();
  // The head pools every step: what it reads, and (tokens in, one output per token) its classes' names.
  void poolingHead(HeadSpec& spec, int outputs);
  void flattenedSteps(HeadSpec& spec);

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
  std::vector<std::string> encoderNames_;  // the Keras names of the LSTMs mapped so far, for an encoder
  bool repeatsEncoder_ = false;            // a RepeatVector made the front end an encoder
  int textVocabulary_ = 0;                 // the embedding's token count when the front end reads text through it
};

}  // namespace lstmscope
