// Keras layers that act on each step on its own (BatchNormalization, LayerNormalization, Activation, and
// Dense or TimeDistributed(Dense) that feed an LSTM), and how they are folded into the weights around
// them so the engine runs the same function (docs/IMPORT.md#layers-folded-into-their-neighbours):
// - after an Embedding, any of them: each token's vector goes through them once, into a new table;
// - before an LSTM (features input, or between LSTMs), an affine chain (BatchNormalization at inference,
//   linear Dense) into the LSTM's input weights: W_ih A and b_ih + W_ih c;
// - before a head Dense, an affine chain into that Dense; after a linear Dense (Dense, BatchNormalization,
//   Activation), into the Dense before it.
// Folding is done in float64 and rounded to float32 once.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/formats/foreign/import_report.h"
#include "core/formats/foreign/keras_layers.h"
#include "core/model/model.h"
#include "core/model/step_layers.h"

namespace lstmscope {

// Whether a layer of this class is read as a step layer wherever it stands (Dense is one only before an
// LSTM, which the caller decides).
bool isKerasStepLayerClass(const std::string& className);

// The layer's numbers and semantics from its config and weights; `rank` is its input's (3 for a sequence,
// 2 for one vector), which its axis must end. `where` names the layer in errors (an unsupported activation,
// axis or option, weights of the wrong shape).
StepLayer kerasStepLayer(const KerasLayer& layer, const nlohmann::json& config, int generation, int rank,
                         const std::string& where);

// A weight W (out, in) and bias b that read y = A x + c, rewritten to read x: W A and b + W c.
void foldBefore(const AffineMap& map, Mat<float>& weight, Vec<float>& bias);
// A dense layer whose output then goes through A y + c: A W and A b + c.
void foldAfter(const AffineMap& map, DenseParams<float>& dense);

// Per-step layers waiting for the layer they fold into, with the places of their tensors in the import
// report, whose roles are said once it is known where they went.
class HeldStepLayers {
 public:
  void hold(StepLayer layer, size_t firstRole, size_t endRole);
  bool empty() const { return layers_.empty(); }
  bool affineOnly() const;
  const std::vector<StepLayer>& layers() const { return layers_; }
  // The subject of a report sentence: "a (BatchNormalization, epsilon 0.001), b (Activation, tanh) are".
  std::string subject() const;
  // The width the layers give for inputs of `width`; throws InputError at `source` naming a layer that reads
  // another width.
  long outputWidth(long width, const std::string& source) const;
  // x ↦ A x + c on the `incoming` width (when unknown: the first layer's own width, else `expected`), which
  // must give the `expected` width that `into`, what the layers stand before, reads. Throws InputError at
  // `source` naming a layer that is not affine or whose width does not fit.
  AffineMap affine(std::optional<long> incoming, long expected, const std::string& into,
                   const std::string& source) const;
  // Their tensors' roles become "folded into `into`", and they are no longer held.
  void settle(std::vector<TensorUse>& tensors, const std::string& into);

 private:
  std::vector<StepLayer> layers_;
  std::vector<std::pair<size_t, size_t>> roles_;
};

}  // namespace lstmscope
