// The Probes dock's computation, off the GUI thread (docs/APP.md "Probes"): the label over the whole
// analysed text or open trace, every unit of every layer and direction ranked against it, and the probing
// curve (a linear probe per layer, and all layers together, per quantity) with its control task, and the
// best probe's L1 path.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/common/progress.h"
#include "core/probing/probe_study.h"

namespace lstmscope {
struct Recording;
class TraceReader;
}  // namespace lstmscope

namespace lstmscope::app {

struct ProbeRequest {
  std::shared_ptr<const TraceReader> trace;    // the whole open trace, or else
  std::shared_ptr<const Recording> recording;  // the analysed text
  std::string label;                           // builtin:NAME, regex:PATTERN, file:PATH or meta:NAME
  std::vector<Quantity> quantities;
  bool probe = true;  // also the probing curve
};

struct ProbeFindings {
  ProbeLabel label;
  RankingMetric metric = RankingMetric::Pearson;
  UnitRanking ranking;
  std::vector<std::vector<std::string>> directionNames;  // [layer][direction]: "fwd", "bwd"
  std::vector<int> unitsPerLayer;
  std::vector<ProbeOutcome> curve;  // predictions kept for the best entry only
  int best = -1;                    // the curve's entry with the best test score
  L1Path l1;                        // the best entry's L1 path (docs/PROBES.md)
  long steps = 0;
};

// Throws InputError (a label file that does not fit, a meta track the trace lacks) or std::invalid_argument
// (an invalid pattern, training steps of one class) with a message for the dock; Cancelled between
// quantities and probes.
ProbeFindings runProbeRequest(const ProbeRequest& request, const ProgressCallbacks& callbacks);

}  // namespace lstmscope::app
