#include "core/formats/foreign/keras_guess.h"

#include <algorithm>
#include <cctype>
#include <cstdio>

namespace lstmscope {

namespace {

using nlohmann::json;

// An LSTM's kernel and recurrent kernel: (D, 4H) and (H, 4H); Keras 1 stores twelve arrays.
bool lstmWeights(const std::vector<NamedTensor>& w) {
  return (w.size() >= 2 && w[1].shape.size() == 2 && w[1].dim(0) > 0 && w[1].dim(1) % w[1].dim(0) == 0 &&
          w[1].dim(1) > w[1].dim(0)) ||
         w.size() == 12;
}
bool nameHas(const std::string& name, const char* part) {
  std::string lower = name;
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lower.find(part) != std::string::npos;
}
// A weightless layer, known by its Keras default name: one that changes what the next layer reads, or
// whose function the file does not hold, must not pass for the identity.
std::string weightlessClassByName(const std::string& name) {
  if (nameHas(name, "concat")) return "Concatenate";
  if (nameHas(name, "masking")) return "Masking";
  if (nameHas(name, "activation") || nameHas(name, "softmax") || nameHas(name, "re_lu")) return "Activation";
  if (nameHas(name, "flatten")) return "Flatten";
  if (nameHas(name, "repeat_vector")) return "RepeatVector";
  if (nameHas(name, "global_max")) return "GlobalMaxPooling1D";
  if (nameHas(name, "global_average") || nameHas(name, "global_avg")) return "GlobalAveragePooling1D";
  if (nameHas(name, "layer_norm")) return "LayerNormalization";  // center=False, scale=False
  return kerasIdentityName(name) ? "InputLayer" : kUnknownWeightless;
}
// AttentionWeightedAverage's weight is (D, 1); other attention layers (a (D,) vector with a tanh) are not it.
bool attentionShaped(const NamedTensor& w) {
  return w.shape.size() == 2 && w.dim(1) == 1 && w.dim(0) > 1;
}

}  // namespace

bool kerasIdentityName(const std::string& name) {
  for (const char* identity : {"dropout", "input", "noise", "regulari", "text_vectorization", "string_lookup"})
    if (nameHas(name, identity)) return true;
  return false;
}

std::string defaultRecurrentActivation(const KerasModelFile& file, std::string& why) {
  const auto named = [&](const char* name) {
    return std::any_of(file.layers.begin(), file.layers.end(), [&](const KerasLayer& l) { return l.name == name; });
  };
  if (named("rnn_1") && named("rnn_concat") && named("attention")) {
    why = "textgenrnn's layer names (rnn_1, rnn_concat, attention): its code sets sigmoid gates";
    return "sigmoid";
  }
  if (file.generation == 1) {
    why = "Keras 1's default";
    return "hard_sigmoid";
  }
  if (file.generation >= 3) {
    why = "Keras 3's default";
    return "sigmoid";
  }
  int major = 0, minor = 0, patch = 0;
  std::sscanf(file.version.c_str(), "%d.%d.%d", &major, &minor, &patch);
  const bool tfKeras = file.version.find("-tf") != std::string::npos;
  const long number = major * 10000L + minor * 100L + patch;
  if (tfKeras && number == 20204) {
    why = "keras " + file.version +
          " was written by TensorFlow 1.14 to 2.1, whose defaults differ: TensorFlow 2's, sigmoid, assumed";
    return "sigmoid";
  }
  if (number < (tfKeras ? 20204 : 20300)) {
    why = "keras " + file.version + "'s default: Keras defaulted to hard_sigmoid until 2.2.5";
    return "hard_sigmoid";
  }
  why = "keras " + file.version + "'s default";
  return "sigmoid";
}

KerasClassGuesser::KerasClassGuesser(const KerasModelFile& file) {
  recurrentDefault_ = defaultRecurrentActivation(file, whyRecurrent_);
}

bool isKerasLstmLayer(const KerasLayer& l) {
  return l.className == "LSTM" || l.className == "CuDNNLSTM" || l.className == "Bidirectional" ||
         (l.className.empty() && lstmWeights(l.weights));
}

KerasLayer KerasClassGuesser::guess(const KerasLayer& layer, bool afterLstm, std::vector<std::string>& assumptions) {
  KerasLayer l = layer;
  const auto& w = l.weights;
  const size_t n = w.size();
  const bool lstmShaped = lstmWeights(w);
  const bool vectors = n >= 2 && std::all_of(w.begin(), w.end(), [&](const NamedTensor& t) {
                         return t.shape.size() == 1 && t.dim(0) == w[0].dim(0);
                       });
  const std::string& recurrent = recurrentDefault_;
  const bool guessed = l.className.empty();
  if (!guessed) {
    // The class is known from where the weights are (Keras 3 group names); only the config is missing.
  } else if (n == 0) {
    l.className = weightlessClassByName(l.name);
  } else if (vectors && (n == 4 || nameHas(l.name, "batch_norm"))) {
    l.className = "BatchNormalization";
  } else if (vectors && n == 2 && nameHas(l.name, "layer_norm")) {
    l.className = "LayerNormalization";
  } else if (n == 1 && afterLstm && nameHas(l.name, "att") && attentionShaped(w[0])) {
    l.className = "AttentionWeightedAverage";
  } else if (n <= 2 && w[0].shape.size() == 3) {  // (kernel_size, in, filters)
    l.className = "Conv1D";
  } else if (n == 1 && !afterLstm) {
    l.className = "Embedding";
  } else if (lstmShaped && (n == 6 || n == 4 || n == 24)) {
    l.className = "Bidirectional";
  } else if (lstmShaped || n == 12) {
    l.className = "LSTM";
  } else {
    l.className = "Dense";
  }
  if (l.className == "Bidirectional")
    l.config = {{"merge_mode", "concat"}, {"layer", {{"class_name", "LSTM"}, {"config", json::object()}}}};
  if (l.className == "LSTM" || l.className == "Bidirectional") {
    json& c = l.className == "LSTM" ? l.config : l.config["layer"]["config"];
    c = {{"activation", "tanh"}, {"recurrent_activation", recurrent}, {"return_sequences", true}};
    if (!lstmDefaultsSaid_)
      assumptions.push_back("weights-only file: LSTM activations are tanh and " + recurrent + " (" + whyRecurrent_ +
                            "), and the layers read forward in time (go_backwards is not in the file)");
    lstmDefaultsSaid_ = true;
  }
  if (guessed && l.className != "InputLayer" && l.className != kUnknownWeightless)
    assumptions.push_back("weights-only file: layer " + l.name + " is taken to be " +
                          (std::string("AEIOU").find(l.className[0]) != std::string::npos ? "an " : "a ") +
                          l.className + " (from its weights)");
  return l;
}

}  // namespace lstmscope
