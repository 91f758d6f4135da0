// TensorFlow.js layers models: model.json (modelTopology = the Keras config, either directly as tfjs-layers
// writes it or under model_config as the Python converter writes it) and its binary weight shards,
// concatenated in the manifest's order. Weights are matched to layers by name; uint8/uint16 affine and
// float16 quantized weights are dequantized. Keras 2 semantics (hard_sigmoid = 0.2x + 0.5).
#pragma once

#include <string>

#include "core/formats/foreign/keras_layers.h"

namespace lstmscope {

// A JSON object whose first 64 KB hold a modelTopology key; reads no more than that.
bool looksLikeTfjsModel(const std::string& path);

// Throws InputError naming model.json or the shard and the weight that is wrong.
KerasModelFile readTfjsModel(const std::string& path);

}  // namespace lstmscope
