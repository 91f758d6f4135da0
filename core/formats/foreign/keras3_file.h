// Keras 3's native files: the .keras archive (config.json + model.weights.h5 + assets/) and the
// .weights.h5 that model.save_weights writes. Weights live at layers/<snake_case class name>[_k]/…/vars/<i>,
// named by class and position, not by the layer's own name. A TextVectorization or StringLookup layer's
// vocabulary comes from the archive's assets (or its config).
#pragma once

#include <string>

#include "core/formats/foreign/keras_layers.h"

namespace lstmscope {

bool looksLikeKerasArchive(const std::string& path);   // a zip with config.json and model.weights.h5
bool looksLikeKeras3Weights(const std::string& path);  // HDF5 with a top-level "layers" group

// Throw InputError naming the file (and the archive entry or layer) that is wrong.
KerasModelFile readKerasArchive(const std::string& path);
KerasModelFile readKeras3Weights(const std::string& path);

}  // namespace lstmscope
