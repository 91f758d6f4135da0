// Keras layers that read a window of neighbouring steps: Conv1D, MaxPooling1D and AveragePooling1D (and their
// aliases). Before a features model's first LSTM they join its front end (window_layers.h computes them,
// docs/IMPORT.md#front-ends-over-time); anywhere else they are refused by name.
#pragma once

#include <string>

#include "core/formats/foreign/keras_layers.h"
#include "core/model/step_layers.h"

namespace lstmscope {

// Whether a layer of this class reads a window of steps: Conv1D, Convolution1D, MaxPooling1D, MaxPool1D,
// AveragePooling1D, AvgPool1D.
bool isKerasWindowLayerClass(const std::string& className);

// The layer from its config (whole-model files only: kernel size, strides, padding and activation are not in
// the weights) and weights. Throws InputError at `where` naming an option LSTMScope does not model
// (channels_first, groups, a Keras 1 config) or weights of the wrong shape.
StepLayer kerasWindowLayer(const KerasLayer& layer, const nlohmann::json& config, int generation,
                           const std::string& where);

}  // namespace lstmscope
