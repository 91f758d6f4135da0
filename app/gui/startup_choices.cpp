#include "app/gui/startup_choices.h"

#include <QDockWidget>

#include "app/gui/analysis_session.h"
#include "app/gui/attribution_panel.h"
#include "app/gui/effects_panel.h"
#include "app/gui/heatmap_controls.h"
#include "app/gui/intervention_actions.h"
#include "app/gui/interventions_panel.h"
#include "app/gui/main_window.h"
#include "app/gui/match_panel.h"
#include "core/analysis/recording.h"
#include "viz/heatmap_view.h"

namespace lstmscope::app {
namespace {

// The heatmap's quantity, or an attribution to units; returns an error for an unknown name.
QString chooseQuantity(const QString& name, HeatmapControls& controls) {
  const std::pair<const char*, UnitAttributionKind> attributionQuantities[] = {
      {"gxa(h)", UnitAttributionKind::GradientH},
      {"gxa(c)", UnitAttributionKind::GradientC},
      {"lrp(h)", UnitAttributionKind::RelevanceH},
      {"lrp(c)", UnitAttributionKind::RelevanceC}};
  for (const auto& [attributionName, kind] : attributionQuantities)
    if (name == QLatin1String(attributionName)) controls.setAttribution(kind);
  if (name.isEmpty() || controls.attribution() != UnitAttributionKind::None) return {};
  Quantity q = Quantity::C;
  const bool squashed = name == QLatin1String("tanh(c)");
  if (!squashed && !parseQuantity(name.toStdString(), q)) return QObject::tr("unknown quantity “%1”").arg(name);
  controls.setQuantity(q, squashed);
  if (controls.quantity() != q || controls.squashed() != (squashed && q == Quantity::C))
    return QObject::tr("%1 is not recorded in this trace (recorded with --quantities)").arg(name);
  return {};
}

// Lists --set's interventions in the Interventions dock (which runs the text under them) and picks the run
// shown.
QString applyInterventions(const StartupChoices& c, MainWindow& window) {
  for (const QString& spec : c.interventions) {
    if (const QString problem = window.interventionActions()->problemWith(spec); !problem.isEmpty())
      return QObject::tr("--set %1: %2").arg(spec, problem);
    window.interventions()->addSpec(spec);
  }
  if (c.runShown.isEmpty()) return {};
  const QStringList runs{QStringLiteral("intervened"), QStringLiteral("original"), QStringLiteral("difference")};
  if (!runs.contains(c.runShown))
    return QObject::tr("unknown --show-run “%1” (intervened, original or difference)").arg(c.runShown);
  window.interventions()->setRunShown(static_cast<RunShown>(runs.indexOf(c.runShown)));
  return {};
}

// --effects: the Effects dock in front, run for the current step.
QString runEffects(const StartupChoices& c, MainWindow& window) {
  if (c.effects.isEmpty()) return {};
  EffectsPanel* effects = window.effects();
  if (c.effects == QLatin1String("sweep")) {
    effects->setKind(EffectsPanel::Kind::Sweep);
  } else if (c.effects == QLatin1String("map")) {
    effects->setKind(EffectsPanel::Kind::Map);
  } else if (c.effects.startsWith(QLatin1String("patch:"))) {
    effects->setKind(EffectsPanel::Kind::Patch);
    effects->setCorruption(c.effects.mid(6));
  } else {
    return QObject::tr("unknown --effects “%1” (sweep, map or patch:TEXT)").arg(c.effects);
  }
  window.findChild<QDockWidget*>(QStringLiteral("effects"))->raise();
  effects->run();
  return {};
}

// Raises the Attribution dock with a method, all methods side by side or the matrix.
QString chooseAttribution(const QString& what, MainWindow& window) {
  window.findChild<QDockWidget*>(QStringLiteral("attribution"))->raise();
  AttributionMethod method;
  if (what == QLatin1String("all"))
    window.attribution()->setCompareAll(true);
  else if (what == QLatin1String("matrix"))
    window.attribution()->showMatrix();
  else if (parseAttributionMethod(what.toStdString(), method))
    window.attribution()->setMethod(method);
  else
    return QObject::tr("unknown attribution “%1” (saliency, gradxinput, ig, lrp, occlusion, all, matrix)").arg(what);
  return {};
}

}  // namespace

QString applyStartupChoices(const StartupChoices& given, MainWindow& window) {
  const Recording& recording = *window.recording();
  HeatmapControls& controls = *window.controls();
  // A trace's steps are its own (as `lstmscope-cli match` prints them): the window shown holds the first
  // one asked for (MainWindow::openTrace), and views count from the window's first step.
  StartupChoices c = given;
  if (window.session()->trace()) {
    const long first = window.session()->firstTraceStep(), end = first + recording.steps;
    const auto outside = [&](long step) { return step < first || step >= end; };
    if ((c.step >= 0 && outside(c.step)) || (c.brush.size() > 0 && (outside(c.brush.first) || c.brush.end > end)))
      return QObject::tr("--step and --select must lie in one document of the trace (in steps %1–%2 here)")
          .arg(first)
          .arg(end - 1);
    if (c.step >= 0) c.step -= first;
    if (c.brush.size() > 0) c.brush = {c.brush.first - first, c.brush.end - first};
  }
  // A choice beyond the model or the input is refused, not quietly moved to the nearest one: a script that
  // exports figures must not get another figure than it asked for.
  const int layers = static_cast<int>(recording.arch.layers.size());
  if (c.layer >= layers)
    return QObject::tr("--layer %1: the model has %2 layer(s), 0 to %3").arg(c.layer).arg(layers).arg(layers - 1);
  const long steps = recording.steps;
  if (c.step >= steps)
    return QObject::tr("--step %1: the input has %2 steps, 0 to %3").arg(c.step).arg(steps).arg(steps - 1);
  if (c.brush.size() > 0 && (c.brush.first >= steps || c.brush.end > steps))
    return QObject::tr("--select %1:%2: the input has %3 steps, so the range ends at %3 at most")
        .arg(c.brush.first)
        .arg(c.brush.end)
        .arg(steps);
  if (const int units = recording.hidden(c.layer >= 0 ? c.layer : layers - 1); c.unit >= units)
    return QObject::tr("--unit %1: layer %2 has %3 units, 0 to %4")
        .arg(c.unit)
        .arg(c.layer >= 0 ? c.layer : layers - 1)
        .arg(units)
        .arg(units - 1);
  if (c.layer >= 0) controls.setLayer(c.layer);
  QString error = chooseQuantity(c.quantity, controls);
  if (c.brush.size() > 0)
    window.brushSteps({std::min(c.brush.first, recording.steps - 1), std::min(c.brush.end, recording.steps)});
  const ViewState& state = window.state();
  const int unit = c.unit >= 0                    ? c.unit
                   : !state.selectedUnits.empty() ? state.selectedUnits.front()
                                                  : state.currentUnit;
  window.pickCurrent(c.step >= 0 ? c.step : c.brush.size() > 0 ? c.brush.first : state.currentStep, unit);
  if (c.brush.size() > 0) {
    // Frame the brushed range with some context on either side.
    const double context = std::max<double>(20, c.brush.size());
    window.heatmap()->showSteps(c.brush.first - context, c.brush.size() + 2 * context);
  }
  if (!c.dock.isEmpty()) {
    if (auto* d = window.findChild<QDockWidget*>(c.dock)) d->raise();
  }
  if (c.matches > 0 && window.state().selectedUnits.empty())
    return QObject::tr("--match searches for the units --select selects, and none was selected");
  if (c.matches > 0) {
    window.findChild<QDockWidget*>(QStringLiteral("match"))->raise();
    window.match()->setTop(c.matches);
    window.match()->find();
  }
  if (const QString interventionError = applyInterventions(c, window); error.isEmpty()) error = interventionError;
  if (const QString effectsError = runEffects(c, window); error.isEmpty()) error = effectsError;
  if (!c.attribution.isEmpty()) {
    const QString attributionError = chooseAttribution(c.attribution, window);
    if (error.isEmpty()) error = attributionError;  // the first problem, as the user meets it
  }
  return error;
}

}  // namespace lstmscope::app
