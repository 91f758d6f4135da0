// Weights-only Keras files (save_weights) name no layer classes and hold no config: each layer's class is
// inferred from its weights' count and shapes and from its name, with Keras' defaults for the config, and
// every guess is said (docs/IMPORT.md#what-the-file-does-not-say).
#pragma once

#include <string>
#include <vector>

#include "core/formats/foreign/keras_layers.h"

namespace lstmscope {

class KerasClassGuesser {
 public:
  explicit KerasClassGuesser(const KerasModelFile& file);
  // The layer with its class and a default config. `afterLstm`: an LSTM came before it (a one-weight layer
  // before any LSTM is the embedding; after, it may be an attention layer). What was guessed is appended to
  // `assumptions`.
  KerasLayer guess(const KerasLayer& layer, bool afterLstm, std::vector<std::string>& assumptions);

 private:
  std::string recurrentDefault_;  // the gates' activation the writing Keras defaulted to
  std::string whyRecurrent_;      // why that one, for the assumption
  bool lstmDefaultsSaid_ = false;
};

// The class a weights-only file's weightless layer gets when its name says neither that it is an identity at
// inference (dropout, input, noise) nor what it computes: the mapping refuses it by name.
inline constexpr const char* kUnknownWeightless = "(weightless, unknown)";

// Whether a weightless layer's name says it is the identity at inference (dropout, input, noise, …).
bool kerasIdentityName(const std::string& name);

// The gates' activation (`recurrent_activation`) an LSTM of a weights-only file gets, and why: textgenrnn's
// layer names (its code always sets sigmoid), else the default of the Keras that wrote the file —
// hard_sigmoid in Keras 1 and Keras 2 before 2.3.0 (tf.keras before 2.2.4-tf), sigmoid after.
std::string defaultRecurrentActivation(const KerasModelFile& file, std::string& why);

// Whether a layer is an LSTM: a known class, or (no class known) weights shaped like one.
bool isKerasLstmLayer(const KerasLayer& layer);

}  // namespace lstmscope
