// Layer-wise Relevance Propagation for LSTMs (Arras et al. 2017; ATTRIBUTION.md): relevance starts at
// the target's value and flows backwards by the epsilon-rule through every linear map, with the gates
// acting as fixed weights ("signal-take-all"): h_t passes all of its relevance to c_t, c_t splits its
// relevance between f*c_{t-1} and i*g, and g's pre-activation shares it between x_t and h_{t-1}.
// The i, f and o gates receive nothing, so anything that acts only through gates gets no relevance.
#pragma once

#include <string>
#include <vector>

#include "core/attribution/gradient_attribution.h"

namespace lstmscope {

struct LrpOptions {
  double epsilon = 0.001;  // stabiliser: denominators are z + epsilon * sgn(z), sgn(0) = +1
  // Share of each bias (and of epsilon) handed down to the sources: 0 (the authors' default for
  // explanations) lets biases absorb their relevance; 1 makes the propagation exactly conservative.
  double biasFactor = 0;
};

// How much relevance one stage received and passed on. A stage is the head (received: the score) or
// one LSTM layer (received: the relevance of its outputs, both directions). What is neither passed on
// nor given to the initial state was absorbed by biases and epsilon.
struct RelevanceFlow {
  std::string stage;  // "head", "layer 1", ...
  double received = 0, passedOn = 0, initialState = 0;
  double absorbed() const { return received - passedOn - initialState; }
};

struct LrpResult {
  TokenAttribution tokens;           // perDimension: relevance of every input dimension (E, T); perToken: its sum
  UnitAttribution units;             // relevance reaching every h_t and c_t, [layer][direction] (H, T)
  std::vector<RelevanceFlow> flows;  // the head first (when the target is a logit), then layers top down
  double initialStateRelevance = 0;  // reaching h_0 and c_0 of every layer
  // score - (sum of input relevance + initial-state relevance): what biases and epsilon absorbed on the
  // way (0 up to rounding when biasFactor = 1).
  double conservationError() const;
};

// Runs on a network from onInputVectors() with input vectors x (E, T) (batch 1).
LrpResult layerwiseRelevance(const Network<double>& net, const Mat<double>& x, const AttributionTarget& target,
                             const LrpOptions& options = {});

}  // namespace lstmscope
