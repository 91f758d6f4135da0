#include "core/intervention/patching.h"

#include "core/common/error.h"
#include "core/intervention/intervention_spec.h"

namespace lstmscope {

template <class T>
double unintervenedScore(const Network<T>& net, const Inputs<T>& in, const Tape<T>& reference,
                         const InterventionTarget& target) {
  return scoreRuns(net, in, reference, {{}}, target).controls[0];
}

template <class T>
PatchMap patchMap(const Network<T>& net, const Inputs<T>& clean, const Inputs<T>& corrupt,
                  const InterventionTarget& target, const PatchRequest& request, const ProgressCallbacks& callbacks) {
  if (clean.steps != corrupt.steps)
    throw InputError("the clean input has " + std::to_string(clean.steps) + " steps and the corrupted one " +
                     std::to_string(corrupt.steps) + ": patching needs inputs of the same length");
  validateTarget(net.arch, net.headOutputs(), clean.steps, target);
  checkIntervenable(net.arch, request.layer, request.direction, request.quantity);
  const EditSlot slot = editSlotOf(request.quantity);
  const LayerSpec& spec = net.arch.layers[static_cast<size_t>(request.layer)];

  const Tape<T> cleanRun = referenceRun(net, clean), corruptRun = referenceRun(net, corrupt);
  PatchMap out;
  out.cleanScore = unintervenedScore(net, clean, cleanRun, target);
  const DirectionTape<T>& source =
      cleanRun.layers[static_cast<size_t>(request.layer)][static_cast<size_t>(request.direction)];
  const DirectionTape<T>& unpatched =
      corruptRun.layers[static_cast<size_t>(request.layer)][static_cast<size_t>(request.direction)];
  const long H = spec.hidden;
  const auto valueOf = [&](const DirectionTape<T>& run, int u, long t) {
    return request.quantity == Quantity::C   ? run.c(u, t)
           : request.quantity == Quantity::H ? run.h(u, t)
                                             : run.gates(static_cast<long>(slot) * H + u, t);
  };
  const long first = request.firstStep,
             end = request.endStep < 0 ? clean.steps : std::min<long>(request.endStep, clean.steps);
  if (first < 0 || first >= end)
    throw InputError("the steps to patch [" + std::to_string(request.firstStep) + ", " +
                     std::to_string(request.endStep) + ") hold none of the input's steps");
  std::vector<std::vector<UnitIntervention>> runs;
  for (long t = first; t < end; ++t)
    for (int u = 0; u < H; ++u) {
      // Where the two runs already agree (before the first corrupted token, in a forward layer) patching
      // changes nothing: restored is 0 exactly, without a run.
      if (valueOf(source, u, t) == valueOf(unpatched, u, t)) continue;
      UnitIntervention v;
      v.layer = request.layer, v.direction = request.direction, v.slot = slot, v.unit = u;
      v.firstStep = t, v.endStep = t + 1;
      v.value = static_cast<double>(valueOf(source, u, t));
      runs.push_back({v});
    }
  const ScoredRuns scored = scoreRuns(net, corrupt, corruptRun, runs, target, callbacks);
  out.corruptScore = scored.controls.empty() ? unintervenedScore(net, corrupt, corruptRun, target) : scored.controls[0];
  if (out.cleanScore == out.corruptScore)
    throw InputError("the clean and the corrupted input give the same " + describeTarget(net.arch, target) + " (" +
                     std::to_string(out.cleanScore) + "): there is no difference for patching to restore");
  out.firstStep = first;
  out.restored = Mat<double>::Zero(end - first, H);
  for (size_t r = 0; r < runs.size(); ++r)
    out.restored(runs[r][0].firstStep - first, runs[r][0].unit) =
        (scored.scores[r] - scored.controls[r]) / (out.cleanScore - scored.controls[r]);
  return out;
}

#define LSTMSCOPE_PATCHING(T)                                                                                     \
  template PatchMap patchMap<T>(const Network<T>&, const Inputs<T>&, const Inputs<T>&, const InterventionTarget&, \
                                const PatchRequest&, const ProgressCallbacks&);                                   \
  template double unintervenedScore<T>(const Network<T>&, const Inputs<T>&, const Tape<T>&, const InterventionTarget&);
LSTMSCOPE_PATCHING(float)
LSTMSCOPE_PATCHING(double)
#undef LSTMSCOPE_PATCHING

}  // namespace lstmscope
