// A Keras model as its files describe it, independent of which file it came from (legacy .h5, Keras 3
// .keras/.weights.h5, TF.js model.json): the layers in model order with their configs and weights.
// keras_mapping.h turns it into a Model.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/formats/foreign/tensor_set.h"

namespace lstmscope {

struct KerasLayer {
  std::string className;  // "LSTM", "Bidirectional", "Dense", "Embedding", … ("" when only weights are known)
  std::string name;
  nlohmann::json config;             // the layer's own config object; null when the file has no architecture
  std::vector<NamedTensor> weights;  // in the order the file lists them (kernel, recurrent kernel, bias, …)
};

struct KerasModelFile {
  std::string format;  // "Keras 2 HDF5 (tf.keras 2.3.0)", …
  int generation = 2;  // 1, 2 or 3: decides Keras 1's 12-array LSTMs and what "hard_sigmoid" means
  bool hasArchitecture = false;
  std::vector<KerasLayer> layers;
};

// Python's json module writes NaN and Infinity, which are not JSON: they become null (outside strings).
nlohmann::json parseKerasJson(const std::string& text, const std::string& source);

}  // namespace lstmscope
