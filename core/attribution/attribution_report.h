// Everything the app's attribution views show for one target, computed in one call (off the GUI thread):
// per-token attributions by any set of methods, the hidden-unit attributions (gradient x activation and
// LRP relevance of every h_t and c_t) and, on request, the all-targets matrix. The CLI runs single methods
// through the same dispatch.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/attribution/all_targets.h"
#include "core/attribution/attribution_rules.h"
#include "core/attribution/lrp.h"

namespace lstmscope {

enum class AttributionMethod { Saliency, GradientTimesInput, IntegratedGradients, Lrp, Occlusion };
constexpr AttributionMethod kAllAttributionMethods[] = {
    AttributionMethod::Saliency, AttributionMethod::GradientTimesInput, AttributionMethod::IntegratedGradients,
    AttributionMethod::Lrp, AttributionMethod::Occlusion};
const char* attributionMethodName(AttributionMethod m);   // "saliency", "gradxinput", "ig", "lrp", "occlusion"
const char* attributionMethodTitle(AttributionMethod m);  // "Saliency", "Gradient × input", ...
bool parseAttributionMethod(const std::string& name, AttributionMethod& out);

// The baselines of ig and occlusion, the default first: the zero vector, or the vector of the vocabulary's
// UNK or pad token at every position.
constexpr const char* kBaselineNames[] = {"zero", "unk", "pad"};
// The baseline token for a baseline name: none for "zero", the vocabulary's UNK token for "unk", its pad
// token (<pad>, <PAD> or [PAD]) for "pad". Throws InputError naming `source` when the vocabulary has no
// such token or for another name.
std::optional<int> baselineTokenNamed(const Architecture& arch, const std::string& name, const std::string& source);

struct AttributionSettings {
  std::optional<int> baselineToken;  // ig and occlusion: this token's vector at every position; zero if unset
  std::string baselineName = kBaselineNames[0];
  QuadratureRule rule = kDefaultQuadratureRule;
  int steps = kDefaultIgSteps;               // ig
  Precision precision = Precision::Float64;  // ig's path (the CLI's default; the app runs float32)
  int window = 1;                            // occlusion
  LrpOptions lrp;
};

struct MethodAttribution {
  AttributionMethod method;
  TokenAttribution values;
  std::optional<LrpResult> lrp;  // lrp only: conservation report and unit relevance
  // Whether the values are per row (or token) of the raw input, carried back through the model's front end
  // (front_end_attribution.h), rather than per step of the first LSTM's input.
  bool onRawInput = false;
};

// One method on a network from onInputVectors() with input vectors x. IG reports progress per batch of
// points and occlusion per chunk of windows, and both stop with Cancelled between them.
MethodAttribution runAttributionMethod(AttributionMethod method, const Network<double>& vectors, const Mat<double>& x,
                                       const Mat<double>& baseline, const AttributionTarget& target,
                                       const AttributionSettings& settings, const ProgressCallbacks& callbacks = {});
// A method's rough cost on `steps` input steps, in passes over the text (a forward and a backward pass at
// batch 1): IG one per quadrature point, occlusion half a pass per window, the others one.
long attributionMethodCost(AttributionMethod method, const AttributionSettings& settings, long steps);

struct AttributionReport {
  AttributionTarget target;
  std::vector<MethodAttribution> methods;  // in the order asked for
  UnitAttribution gradientUnits;           // gradient x activation of h and c, [layer][direction] (H, T)
  UnitAttribution relevanceUnits;          // LRP relevance of h and c (the settings' epsilon and bias factor)
  std::optional<TargetMatrix> matrix;      // gradient x input of the default targets of matrixSteps
  long matrixFirst = 0;                    // row r is step matrixFirst + r; columns are steps from 0
};

struct AttributionRequest {
  AttributionTarget target;
  std::vector<AttributionMethod> methods;
  AttributionSettings settings;
  bool unitAttribution = true;
  bool allTargetsMatrix = false;
  long matrixFirst = 0, matrixEnd = -1;  // the target steps of the matrix (end -1: to the last step)
  // A features model with a front end: what the front end reads (the table, rawFeatureDim × rows, or one
  // token id per column). Every method but LRP then attributes to its rows through the front end
  // (MethodAttribution::onRawInput); left empty, all stop at the LSTM's input features.
  Mat<double> rawInput;
};

// Throws InputError for impossible targets or settings, Cancelled when callbacks.cancelled() turns true
// (checked between methods, between IG's batches of points, occlusion's chunks of windows, the unit
// attributions' two passes and inside the matrix). Progress moves with that work: it counts passes over
// the text (attributionMethodCost per method, one each for gradient x activation and LRP of the units,
// a quarter per matrix row and at least four).
AttributionReport computeAttribution(const Network<double>& net, const Inputs<double>& tokens,
                                     const AttributionRequest& request, const ProgressCallbacks& callbacks = {});

}  // namespace lstmscope
