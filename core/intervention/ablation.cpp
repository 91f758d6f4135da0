#include "core/intervention/ablation.h"

#include <memory>
#include <optional>

#include "core/common/error.h"
#include "core/intervention/intervention_spec.h"

namespace lstmscope {
namespace {

template <class T>
struct Prepared {
  Tape<T> reference;
  long first = 0, end = 0;
  int units = 0;
  std::vector<double> values;
};

template <class T>
Prepared<T> prepare(const Network<T>& net, const Inputs<T>& in, const InterventionTarget& target,
                    const AblationRequest& request) {
  validateTarget(net.arch, net.headOutputs(), in.steps, target);
  checkIntervenable(net.arch, request.layer, request.direction, request.quantity);
  Prepared<T> p;
  p.first = request.firstStep;
  p.end = request.endStep < 0 ? in.steps : std::min<long>(request.endStep, in.steps);
  if (p.first < 0 || p.first >= p.end)
    throw InputError("the steps to ablate [" + std::to_string(request.firstStep) + ", " +
                     std::to_string(request.endStep) + ") hold none of the input's " + std::to_string(in.steps) +
                     " steps");
  p.reference = referenceRun(net, in);
  p.units = net.arch.layers[static_cast<size_t>(request.layer)].hidden;
  p.values.assign(static_cast<size_t>(p.units), 0.0);
  if (request.toMean)
    for (int u = 0; u < p.units; ++u)
      p.values[static_cast<size_t>(u)] =
          unitMean(net, p.reference, request.layer, request.direction, request.quantity, u);
  return p;
}

UnitIntervention ablate(const AblationRequest& request, int unit, long first, long end, double value) {
  UnitIntervention v;
  v.layer = request.layer, v.direction = request.direction, v.slot = editSlotOf(request.quantity);
  v.unit = unit, v.firstStep = first, v.endStep = end, v.value = value;
  return v;
}

}  // namespace

template <class T>
double unitMean(const Network<T>& net, const Tape<T>& tape, int layer, int direction, Quantity quantity, int unit) {
  const DirectionTape<T>& dt = tape.layers[static_cast<size_t>(layer)][static_cast<size_t>(direction)];
  const long H = net.arch.layers[static_cast<size_t>(layer)].hidden;
  const auto row = quantity == Quantity::C   ? dt.c.row(unit)
                   : quantity == Quantity::H ? dt.h.row(unit)
                                             : dt.gates.row(static_cast<long>(quantity) * H + unit);
  return row.template cast<double>().mean();
}

template <class T>
AblationEffects ablationSweep(const Network<T>& net, const Inputs<T>& in, const InterventionTarget& target,
                              const AblationRequest& request, const ProgressCallbacks& callbacks) {
  const Prepared<T> p = prepare(net, in, target, request);
  std::vector<std::vector<UnitIntervention>> runs;
  for (int u = 0; u < p.units; ++u)
    runs.push_back({ablate(request, u, p.first, p.end, p.values[static_cast<size_t>(u)])});
  const ScoredRuns scored = scoreRuns(net, in, p.reference, runs, target, callbacks);
  AblationEffects out;
  out.values = p.values;
  out.firstStep = p.first;
  out.score = scored.controls.empty() ? 0 : scored.controls[0];
  for (size_t u = 0; u < runs.size(); ++u) out.effects.push_back(scored.scores[u] - scored.controls[u]);
  return out;
}

template <class T>
AblationEffects ablationMap(const Network<T>& net, const Inputs<T>& in, const InterventionTarget& target,
                            const AblationRequest& request, const ProgressCallbacks& callbacks) {
  const Prepared<T> p = prepare(net, in, target, request);
  std::vector<std::vector<UnitIntervention>> runs;
  for (long t = p.first; t < p.end; ++t)
    for (int u = 0; u < p.units; ++u) runs.push_back({ablate(request, u, t, t + 1, p.values[static_cast<size_t>(u)])});
  const ScoredRuns scored = scoreRuns(net, in, p.reference, runs, target, callbacks);
  AblationEffects out;
  out.values = p.values;
  out.firstStep = p.first;
  out.score = scored.controls.empty() ? 0 : scored.controls[0];
  out.map.resize(p.units, p.end - p.first);
  for (size_t r = 0; r < runs.size(); ++r)
    out.map(runs[r][0].unit, runs[r][0].firstStep - p.first) = scored.scores[r] - scored.controls[r];
  return out;
}

UnitMean meanOverPlainRun(const Network<double>& net, const Inputs<double>& in) {
  auto run = std::make_shared<std::optional<Tape<double>>>();
  return [&net, &in, run](int layer, int direction, Quantity q, int unit) {
    if (!*run) *run = referenceRun(net, in);
    return unitMean(net, **run, layer, direction, q, unit);
  };
}

#define LSTMSCOPE_ABLATION(T)                                                                               \
  template AblationEffects ablationSweep<T>(const Network<T>&, const Inputs<T>&, const InterventionTarget&, \
                                            const AblationRequest&, const ProgressCallbacks&);              \
  template AblationEffects ablationMap<T>(const Network<T>&, const Inputs<T>&, const InterventionTarget&,   \
                                          const AblationRequest&, const ProgressCallbacks&);                \
  template double unitMean<T>(const Network<T>&, const Tape<T>&, int, int, Quantity, int);
LSTMSCOPE_ABLATION(float)
LSTMSCOPE_ABLATION(double)
#undef LSTMSCOPE_ABLATION

}  // namespace lstmscope
