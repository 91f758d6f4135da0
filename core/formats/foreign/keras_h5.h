// Keras' legacy HDF5 files: Keras 1, Keras 2, tf.keras 2.x (including CuDNNLSTM) and Keras 3's legacy
// .h5; whole models (model_config + /model_weights) and weights-only saves (layer groups at the root).
// Weight datasets are found through each layer's weight_names attribute, never by hard-coded paths.
#pragma once

#include <string>

#include "core/formats/foreign/keras_layers.h"

namespace lstmscope {

// True for an HDF5 file with Keras' layer_names (at the root or under /model_weights) or model_config.
bool looksLikeKerasH5(const std::string& path);

// Throws InputError naming `path` and the layer or attribute that is wrong.
KerasModelFile readKerasH5(const std::string& path);

}  // namespace lstmscope
