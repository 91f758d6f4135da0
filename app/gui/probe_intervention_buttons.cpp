#include "app/gui/probe_intervention_buttons.h"

#include <QPushButton>

#include "core/probing/probe_units.h"

namespace lstmscope::app {
namespace {

// The best probe's features back to the model's units.
std::vector<FeatureUnit> bestProbeUnits(const ProbeFindings& f) {
  std::vector<int> directions;
  for (const auto& names : f.directionNames) directions.push_back(static_cast<int>(names.size()));
  return probeFeatureUnits(f.curve[static_cast<size_t>(f.best)].layer, directions, f.unitsPerLayer);
}

QStringList texts(const std::vector<InterventionSpec>& specs) {
  QStringList out;
  for (const InterventionSpec& spec : specs) out << QString::fromStdString(spec.text());
  return out;
}

bool hasL1Units(const ProbeFindings& f) {
  return f.best >= 0 && f.l1.unitsFor95 > 0;
}

}  // namespace

QStringList l1AblationSpecs(const ProbeFindings& f) {
  if (!hasL1Units(f)) return {};
  return texts(meanAblationSpecs(f.l1.featuresFor95, bestProbeUnits(f), f.curve[static_cast<size_t>(f.best)].quantity,
                                 f.directionNames));
}

QStringList l1SteeringSpecs(const ProbeFindings& f) {
  if (!hasL1Units(f) || f.l1.probeFor95.weights.rows() != 1) return {};
  return texts(steeringSpecs(f.l1.featuresFor95, f.l1.probeFor95.weights.row(0).transpose(), f.l1.steeringShift,
                             bestProbeUnits(f), f.curve[static_cast<size_t>(f.best)].quantity, f.directionNames));
}

QStringList fullSteeringSpecs(const ProbeFindings& f) {
  if (f.best < 0) return {};
  const ProbeOutcome& best = f.curve[static_cast<size_t>(f.best)];
  if (best.probe.weights.rows() != 1) return {};
  return texts(wholeProbeSteeringSpecs(best.probe.weights.row(0).transpose(), best.steeringShift, bestProbeUnits(f),
                                       best.quantity, f.directionNames));
}

ProbeInterventionButtons::ProbeInterventionButtons(QWidget* parent)
    : QObject(parent),
      ablate_(new QPushButton(tr("Ablate them"), parent)),
      steer_(new QPushButton(tr("Steer along it"), parent)),
      steerFull_(new QPushButton(tr("Steer (all units)"), parent)) {
  setState(nullptr, false, false);
  connect(ablate_, &QPushButton::clicked, this, [this] {
    if (const QStringList specs = findings_ ? l1AblationSpecs(*findings_) : QStringList(); !specs.isEmpty())
      emit proposed(specs);
  });
  connect(steer_, &QPushButton::clicked, this, [this] {
    if (const QStringList specs = findings_ ? l1SteeringSpecs(*findings_) : QStringList(); !specs.isEmpty())
      emit proposed(specs);
  });
  connect(steerFull_, &QPushButton::clicked, this, [this] {
    if (const QStringList specs = findings_ ? fullSteeringSpecs(*findings_) : QStringList(); !specs.isEmpty())
      emit proposed(specs);
  });
}

void ProbeInterventionButtons::setState(const ProbeFindings* findings, bool current, bool shownIsTrace) {
  findings_ = findings;
  const long units = findings ? findings->l1.unitsFor95 : -1;
  const bool offered = findings && current && !shownIsTrace && units > 0;
  const bool steerable = offered && !l1SteeringSpecs(*findings).isEmpty();
  // Steering along the whole probe needs no L1 path, only a probe with one direction.
  const QStringList full = findings && current && !shownIsTrace ? fullSteeringSpecs(*findings) : QStringList();
  ablate_->setEnabled(offered);
  steer_->setEnabled(steerable);
  steerFull_->setEnabled(!full.isEmpty());
  // Why not, or what it does; the first reasons hold for every button.
  const QString unavailable = !findings      ? tr("Rank the units first")
                              : shownIsTrace ? tr("Interventions apply to an analysed text, not to a trace")
                              : !current     ? tr("The ranking belongs to another analysis: rank the units again")
                                             : QString();
  const QString notOffered = !unavailable.isEmpty() ? unavailable
                             : units <= 0           ? tr("No point of the L1 path reached the target")
                                                    : QString();
  ablate_->setToolTip(notOffered.isEmpty()
                          ? tr("Set the %1 units the best probe's L1 path keeps to their mean (Interventions dock): "
                               "does the model use what the probe reads?")
                                .arg(units)
                          : notOffered + tr(": this sets the units the best probe's L1 path keeps to their mean"));
  steer_->setToolTip(
      !notOffered.isEmpty() ? notOffered + tr(": this shifts those units along the probe refitted on them")
      : !steerable          ? tr("A probe of categories has one direction per category: there is none to steer along")
                            : tr("Shift the %1 units the best probe's L1 path keeps along the probe refitted on them, "
                                          "moving its score by %2 (Interventions dock): what does the model do then?")
                         .arg(units)
                         .arg(findings->l1.steeringShift, 0, 'g', 3));
  const QString fullNotOffered =
      !unavailable.isEmpty() ? unavailable
      : findings->best < 0   ? tr("No probe could be trained")
      : findings->curve[static_cast<size_t>(findings->best)].probe.weights.rows() != 1
          ? tr("A probe of categories has one direction per category: there is none to steer along")
      : full.isEmpty() ? tr("The probe has no direction to steer along (its weights are all zero)")
                       : QString();
  steerFull_->setToolTip(
      fullNotOffered.isEmpty()
          ? tr("Shift all %1 units the best probe weighs along its direction, moving its score by %2 "
               "(Interventions dock): what does the model do then?")
                .arg(full.size())
                .arg(findings->curve[static_cast<size_t>(findings->best)].steeringShift, 0, 'g', 3)
          : fullNotOffered + tr(": this shifts every unit the best probe reads along its direction"));
}

}  // namespace lstmscope::app
