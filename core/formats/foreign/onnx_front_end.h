// A features model's front end in an ONNX graph (docs/IMPORT.md "ONNX front ends"): the nodes between the
// graph's data input and the first LSTM node's X, when they form a chain of 1-D convolutions, poolings,
// activations, batch normalisations and linear maps over the features, laid out by Transposes — what
// torch.onnx.export writes for a CNN-LSTM. They are read as StepLayers (the front end the Keras importer
// builds), and the reading is checked on the file itself: the operator evaluator runs the graph's nodes
// up to X in float64 and the StepLayers must give the same within 1e-6 (a Cast to float32 in
// the graph rounds) on inputs of two lengths.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/model/step_layers.h"

namespace onnx {
class ModelProto;
}

namespace lstmscope {

struct OnnxFrontEnd {
  std::vector<StepLayer> layers;
  long rawFeatures = 0;            // features per row of the user's table
  std::set<int> nodes;             // the graph's nodes it replaces (the LSTM mapping skips them)
  std::vector<std::string> notes;  // what was read how, for the import report
  std::vector<std::pair<std::string, std::string>> tensors;  // the initializers it read: name, shape
};

// The front end before LSTM node `firstLstm`, or nullopt when its X is the graph's input passed on by
// shape operators alone (or an embedding's Gather). Throws InputError naming the node that is not a
// front-end layer LSTMScope reads, or the disagreement the check found.
std::optional<OnnxFrontEnd> readOnnxFrontEnd(const onnx::ModelProto& model, int firstLstm, const std::string& source);

}  // namespace lstmscope
