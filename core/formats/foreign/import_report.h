// What an import found and decided: every tensor's role, and every assumption made where the file did
// not say (the import dialog and `lstmscope-cli info` show both, so nothing is silently guessed).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/formats/foreign/vocabulary_file.h"
#include "core/model/model.h"

namespace lstmscope {

struct TensorUse {
  std::string name, shape;
  std::string role;  // "lstm 0 fwd W_ih", "embedding", "head weight", …; empty = not used
};

struct ImportReport {
  std::string format;  // "PyTorch checkpoint (zip)", "safetensors", …
  std::vector<TensorUse> tensors;
  std::vector<std::string> assumptions;  // decided without the file saying so; the user may correct them
  // Set when only part of the model opened (its LSTM stack alone): what was cut off and why. It is also the
  // first assumption, so everything that shows assumptions says it first, and the model's own
  // Architecture::cutOff, which describeModel says.
  std::string cutOff;
};

// Choices a user can make where a file is silent or ambiguous (import dialog, CLI flags, sidecar). Unset
// fields are inferred and the inference is reported as an assumption.
struct ImportChoices {
  std::optional<Task> task;
  std::optional<HeadReads> headReads;
  std::optional<HeadActivation> headActivation;
  std::optional<std::string> embedding;  // tensor name; "" = the model has none (one-hot or features)
  std::optional<std::vector<DenseActivation>> preActivations;
  VocabularyOptions vocabulary;
  // Tokens the user typed (in id order) instead of giving a vocabulary file; when set they are the
  // vocabulary, and a vocabulary file given as well is not read.
  std::optional<std::vector<std::string>> vocabularyTokens;
  // Refuse a model that does not open as a whole rather than open its LSTM stack alone (keras_lstm_stack.h):
  // what the tests of whole-model refusals ask for.
  bool wholeModelOnly = false;
  // An encoder–decoder (Keras LSTM → RepeatVector → LSTM): "decoder" (what opens without a choice: the
  // decoder's LSTMs, reading the encoder through the front end) or "encoder" (the encoder's LSTMs alone,
  // over the input's own steps, without outputs).
  std::optional<std::string> part;
  // A streaming ONNX graph's samples per call (record's --chunk), for a graph whose audio input leaves the
  // length open: the import probe runs it with this length only. 0: the probe tries its usual lengths.
  long audioChunk = 0;
};

struct ImportedModel {
  Model model;
  ImportReport report;
};

// Report as text (for `info` and error messages), one line per tensor and assumption.
std::string describeImport(const ImportReport& report);

}  // namespace lstmscope
