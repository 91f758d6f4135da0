#include "app/gui/view_linker.h"

#include <QFileInfo>
#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

#include "app/gui/analysis_session.h"
#include "app/gui/attribution_panel.h"
#include "app/gui/encoder_panel.h"
#include "app/gui/heatmap_controls.h"
#include "app/gui/quantity_labels.h"
#include "app/gui/select_panel.h"
#include "app/gui/unit_ordering.h"
#include "core/analysis/selection.h"
#include "core/analysis/statistics.h"
#include "core/analysis/step_mapping.h"
#include "core/formats/trace_file.h"
#include "viz/heatmap_view.h"
#include "viz/predictions_view.h"
#include "viz/projection_view.h"
#include "viz/saturation_view.h"
#include "viz/text_colour_view.h"
#include "viz/trajectory_chart.h"

namespace lstmscope::app {
namespace {

bool isGate(Quantity q) {
  return q == Quantity::I || q == Quantity::F || q == Quantity::O;
}

}  // namespace

ViewLinker::ViewLinker(AnalysisSession* session, const LinkedViews& views, QObject* parent)
    : QObject(parent), session_(session), views_(views) {
  connectViews();
  connect(session_, &AnalysisSession::analysed, this, &ViewLinker::showRecording);
  connect(session_, &AnalysisSession::unitAttributionChanged, this, &ViewLinker::showUnitAttribution);
  connect(session_, &AnalysisSession::projectionReady, this,
          [this](std::shared_ptr<const Projection> p, const QString& what) {
            views_.projection->setProjection(std::move(p), session_->stepTokens(), what);
            applyCurrent();
          });
}

void ViewLinker::connectViews() {
  const auto pickStep = [this](long step) { pickCurrent(step, state_.currentUnit); };
  connect(views_.controls, &HeatmapControls::changed, this, &ViewLinker::applyHeatmapChoice);
  connect(views_.heatmap, &viz::HeatmapView::currentPicked, this, &ViewLinker::pickCurrent);
  connect(views_.heatmap, &viz::HeatmapView::rangeBrushed, this, &ViewLinker::brushSteps);
  connect(views_.heatmap, &viz::HeatmapView::unitToggled, this, &ViewLinker::toggleUnit);
  connect(views_.heatmap, &viz::HeatmapView::hovered, this, [this](long step, int unit, float value) {
    views_.select->trajectories()->setHighlightedUnit(unit);  // the hovered row's line, drawn dark
    hover(step, unit, value);
  });
  connect(views_.heatmap, &viz::HeatmapView::viewportChanged, this, [this] {
    const auto& vp = views_.heatmap->viewport();
    views_.select->trajectories()->setWindow(static_cast<long>(vp.firstStep),
                                             static_cast<long>(std::ceil(vp.firstStep + vp.visibleSteps)));
  });
  connect(views_.select, &SelectPanel::thresholdChanged, this, &ViewLinker::setThreshold);
  connect(views_.select, &SelectPanel::marginsChanged, this, [this](long before, long after) {
    state_.offBefore = before, state_.offAfter = after;
    runSelectionRule();
  });
  connect(views_.select, &SelectPanel::unitPicked, this, [this](int unit) {
    if (unit == state_.currentUnit) return;
    // A unit of the brush's list is shown inside the brush, so that the heatmap stays where the user is.
    const viz::IndexSpan& brush = state_.brush;
    const bool inBrush = state_.currentStep >= brush.first && state_.currentStep < brush.end;
    pickCurrent(brush.size() > 0 && !inBrush ? brush.first : state_.currentStep, unit);
  });
  connect(views_.select->trajectories(), &viz::TrajectoryChart::thresholdDragged, this, &ViewLinker::setThreshold);
  connect(views_.select->trajectories(), &viz::TrajectoryChart::stepClicked, this, pickStep);
  connect(views_.select->trajectories(), &viz::TrajectoryChart::unitClicked, this, &ViewLinker::pickCurrent);
  connect(views_.select->trajectories(), &viz::TrajectoryChart::unitHovered, this,
          [this](long step, int unit, float value) {
            // The line under the pointer is marked in the heatmap and the list, and named in the status bar.
            views_.heatmap->setHoveredUnit(unit);
            views_.select->showHoveredUnit(unit);
            hover(unit >= 0 ? step : -1, unit, value);
          });
  connect(views_.textColours, &viz::TextColourView::stepClicked, this, pickStep);
  connect(views_.textColours, &viz::TextColourView::unitStepped, this, [this](int delta) {
    // Flip through units in the heatmap's order, so sorting by match score flips through the best first.
    const auto& rows = views_.heatmap->rowUnits();
    const auto it = std::find(rows.begin(), rows.end(), state_.currentUnit);
    const long row = it == rows.end() ? 0 : std::clamp<long>((it - rows.begin()) + delta, 0, long(rows.size()) - 1);
    if (!rows.empty()) pickCurrent(state_.currentStep, rows[static_cast<size_t>(row)]);
  });
  connect(views_.saturation, &viz::SaturationView::unitPicked, this,
          [this](int unit) { pickCurrent(state_.currentStep, unit); });
  connect(views_.projection, &viz::ProjectionView::stepClicked, this, pickStep);
  connect(views_.projection, &viz::ProjectionView::stepHovered, this, [this](long s) {
    if (s >= 0) emit hoverText(tr("step %1  “%2”").arg(s).arg(session_->stepTokens().value(s)));
  });
  connect(views_.attribution, &AttributionPanel::stepClicked, this, pickStep);
  connect(views_.attribution, &AttributionPanel::hovered, this, &ViewLinker::hoverText);
  connect(views_.attribution, &AttributionPanel::reportReady, this,
          [this] { session_->setUnitAttribution(*views_.attribution->report()); });
  connect(views_.predictions, &viz::PredictionsView::predictionClicked, this, [this](int id) {
    views_.attribution->setTargetOutput(id);
    emit attributionRequested();
  });
}

void ViewLinker::showRecording() {
  const std::shared_ptr<const Recording> recording = session_->recording();
  const std::shared_ptr<const Recording> previous = session_->previousRecording();
  const bool hadRecording = current_ != nullptr;
  const viz::HeatmapViewport before = views_.heatmap->viewport();
  double firstStep = 0;
  const AnalysisResult& result = *session_->result();
  // Another window of the trace already shown keeps the selected units: they are what a match jumps with.
  const bool sameTrace = result.trace && result.trace == shownTrace_;
  shownTrace_ = result.trace;
  if (previous) {
    firstStep = followEdit(*previous, *recording, before.firstStep);
  } else if (sameTrace) {
    state_.brush = {}, state_.currentStep = 0;
  } else {
    state_.brush = {}, state_.selectedUnits.clear(), state_.matchScores.clear(), state_.currentStep = 0;
    // What was said about the old input's brush and best unit no longer holds.
    emit withdrawn(std::exchange(brushMessage_, QString()));
    emit withdrawn(std::exchange(unitHint_, QString()));
  }
  const Architecture& arch = recording->arch;
  // Words and table rows are shown apart; characters (spaces included) run on as the text does.
  views_.textColours->setSeparateTokens(arch.inputKind == InputKind::Features ||
                                        arch.vocab.level() == TokenLevel::Word);
  {
    const QSignalBlocker blocker(views_.controls);
    // A new input starts on the last layer (where its best unit is looked for); an edit keeps the user's.
    views_.controls->setArchitecture(arch, previous || sameTrace);
    views_.controls->setAvailable([&](Quantity q) { return recording->has(0, 0, q); }, session_->model() != nullptr);
  }
  if (!previous && !sameTrace) openOnHighlight();
  const long T = recording->steps;
  state_.currentStep = std::clamp(state_.currentStep, 0L, T - 1);
  if (state_.brush.end > T) state_.brush = {};
  // Under interventions the predictions show the change from the original run beside each probability.
  views_.predictions->setBaseline(session_->runShown() != RunShown::Original ? session_->originalRecording() : nullptr);
  // A model opened without its head (the LSTM stack of a larger model) has no predictions: say why.
  const QString unavailable =
      !result.modelProblem.isEmpty() ? tr("Predictions need the model: %1.").arg(result.modelProblem)
      : !arch.head && !result.graphOutputs.isEmpty()
          ? tr("The model's graph computes its outputs itself, once per call: %1, drawn as strips above the "
               "heatmap. Its LSTM, opened alone, gives no predictions of its own.")
                .arg(result.graphOutputs.join(QStringLiteral(", ")))
      : !arch.head && !arch.cutOff.empty()
          ? tr("This model was opened in part, without its head, so it gives no predictions: %1")
                .arg(QString::fromStdString(arch.cutOff))
          : QString();
  views_.predictions->setRecording(recording, session_->vocabularyDisplay(), session_->stepTokens(), unavailable);
  views_.saturation->setStatistics(result.saturation, arch.layers);
  views_.heatmap->setMetaStrips(result.metaStrips);
  current_.reset();
  applyHeatmapChoice();
  // The heatmap opens new data at its start; an edited input is shown where the user was.
  if (hadRecording) views_.heatmap->showSteps(firstStep, before.visibleSteps);
  views_.encoder->setEncoder(result.encoder);
  if (const QString why = attributionUnavailable(result); !why.isEmpty())
    return views_.attribution->setUnavailable(why);
  Inputs<double> inputs;
  inputs.steps = static_cast<int>(T);
  inputs.tokens = recording->ids;
  inputs.features = recording->features.cast<double>();
  views_.attribution->setSubject(session_->model(), session_->modelName(), std::move(inputs), session_->stepTokens(),
                                 session_->vocabularyDisplay(), result.rawInput);
  // A new subject starts at its last step: explain the current step instead, as the other views show it.
  views_.attribution->setTargetStep(state_.currentStep);
}

QString ViewLinker::attributionUnavailable(const AnalysisResult& result) {
  if (!result.trace) return {};
  if (!result.model) return tr("Attribution needs the model: %1.").arg(result.modelProblem);
  const TraceReader& trace = *result.trace;
  const auto& offsets = trace.documentOffsets();
  const long first = offsets[static_cast<size_t>(result.window.document)];
  const long end = offsets[static_cast<size_t>(result.window.document) + 1];
  // Attribution runs the model again from a zero state: only a window that is its whole document has one.
  if (result.window.first == first && result.window.end() == end) return {};
  return tr("Attribution runs the model from a document's first step, and document %1 (%2 steps) is longer than "
            "a window (steps %3–%4 are shown).")
      .arg(result.window.document)
      .arg(end - first)
      .arg(result.window.first)
      .arg(result.window.end() - 1);
}

void ViewLinker::openOnHighlight() {
  const AnalysisResult& result = *session_->result();
  const TrackingUnit& best = result.highlight;
  // Only where the heatmap shows the layer it was found in (the last, which new windows open on).
  if (best.unit < 0 || views_.controls->layer() != result.highlightLayer) return;
  const Mat<float>& values = *result.squashedCells.back().front();
  state_.currentUnit = best.unit;
  // A step with context that the heatmap's first window shows: where the unit is farthest from its mean.
  const long T = values.cols(), first = std::min(10L, T - 1), end = std::min(T, 40L);
  const float mean = values.row(best.unit).mean();
  long step = first;
  for (long t = first; t < end; ++t)
    if (std::abs(values(best.unit, t) - mean) > std::abs(values(best.unit, step) - mean)) step = t;
  state_.currentStep = step;
  const QString what =
      best.property.empty()
          ? tr("Unit %1 of layer %2 has the widest range of tanh(c).").arg(best.unit).arg(result.highlightLayer)
          : tr("Unit %1 of layer %2 tracks %3 (r = %4).")
                .arg(best.unit)
                .arg(result.highlightLayer)
                .arg(QString::fromStdString(best.property))
                .arg(best.correlation, 0, 'f', 2);
  unitHint_ = what + tr(" Drag across steps in the heatmap to find the units that are on there.");
  emit hint(unitHint_, 30000);
}

double ViewLinker::followEdit(const Recording& before, const Recording& after, double firstStep) {
  // Token inputs compare ids and surface text (an unknown word keeps its id); tables compare their rows,
  // so that relabelling the steps moves nothing.
  const bool tokens = !before.ids.empty() && !after.ids.empty();
  const StepMapping edit = mapSteps(before.steps, after.steps, [&](long a, long b) {
    if (tokens)
      return before.ids[static_cast<size_t>(a)] == after.ids[static_cast<size_t>(b)] &&
             before.tokens[static_cast<size_t>(a)] == after.tokens[static_cast<size_t>(b)];
    return before.features.rows() == after.features.rows() && before.features.col(a) == after.features.col(b);
  });
  if (state_.brush.size() > 0) {
    const StepMapping::Span brush = edit.mapSpan(state_.brush.first, state_.brush.end);
    state_.brush = {brush.first, brush.end};
    if (brush.first < 0) state_.brush = {}, state_.selectedUnits.clear(), state_.matchScores.clear();
  }
  // A current step that was edited away goes to the edit: its last new token, or the one after a deletion.
  long step = edit.map(state_.currentStep);
  if (step < 0) step = edit.editedEnd() > edit.prefix ? edit.editedEnd() - 1 : edit.prefix;
  state_.currentStep = std::clamp(step, 0L, after.steps - 1);
  const long first = static_cast<long>(std::floor(firstStep));
  const long mapped = edit.map(first);
  return mapped >= 0 ? mapped + (firstStep - first) : firstStep;
}

void ViewLinker::showUnitAttribution() {
  if (state_.attribution == UnitAttributionKind::None) return;
  current_.reset();  // the shown quantity belongs to the previous target
  applyHeatmapChoice();
}

void ViewLinker::applyHeatmapChoice() {
  const std::shared_ptr<const Recording> recording = session_->recording();
  if (!recording) return;
  HeatmapControls& controls = *views_.controls;
  const int layer = controls.layer();
  const int direction = std::min(controls.direction(), recording->directions(layer) - 1);
  const Quantity q = controls.quantity();
  const bool squashed = controls.squashed();
  const UnitAttributionKind attribution = controls.attribution();
  const bool dataChanged = !current_ || layer != state_.layer || direction != state_.direction ||
                           q != state_.quantity || squashed != state_.squashed || attribution != state_.attribution;
  state_.layer = layer, state_.direction = direction, state_.quantity = q, state_.squashed = squashed;
  state_.attribution = attribution;
  views_.attribution->setUnitAttributionWanted(attribution != UnitAttributionKind::None);
  state_.order = controls.order();
  state_.selectedOnly = controls.selectedOnly();
  const int units = recording->hidden(layer);
  state_.currentUnit = std::clamp(state_.currentUnit, 0, units - 1);
  if (dataChanged) {
    current_ = session_->heatmapData(layer, direction, q, squashed, attribution);
    currentRange_ = symmetricPercentileRange(current_->values());
    if (session_->showsDifference())  // mostly exact zeros: a percentile would hide the changes
      currentRange_ = differenceRange(current_->values(), session_->intervenedUnits(layer, direction));
    currentMoments_.reset();
    std::erase_if(state_.selectedUnits, [units](int u) { return u >= units; });
  }
  QString filterError;
  if (!parseUnitRanges(controls.unitFilter(), units, allowedUnits_, filterError))
    parseUnitRanges(QString(), units, allowedUnits_, filterError);
  else
    filterError.clear();
  controls.setFilterError(filterError);

  // Gates live in [0, 1]: a sequential map over exactly that range. Signed quantities get a diverging
  // map centred on zero, automatically over the recorded range unless the user fixed one.
  // The difference of an intervention is signed whatever the quantity: diverging, over its own range.
  const bool difference = session_->showsDifference();
  const bool gate = isGate(q) && !difference;
  double low = gate ? 0 : -1, high = 1;
  if (!controls.autoRange()) {
    std::tie(low, high) = controls.fixedRange();
  } else if (!gate) {
    std::tie(low, high) = currentRange_;
    // tanh(c) never leaves [-1, 1]: its auto range is the percentile range, up to that (a model whose cells
    // stay within ±0.05 is not left a white field).
    if (squashed && q == Quantity::C && !difference) low = std::max(low, -1.0), high = std::min(high, 1.0);
  }
  const viz::ColourScale scale(viz::ColourMap::named(gate ? controls.sequentialMap() : controls.divergingMap()), low,
                               high);
  const LayerSpec& spec = recording->arch.layers[layer];
  QString label = quantityLabel(layer, direction, q, squashed, spec);
  QString valueName = quantityTitle(q, squashed);
  if (attribution != UnitAttributionKind::None) {
    const bool lrp = attribution == UnitAttributionKind::RelevanceH || attribution == UnitAttributionKind::RelevanceC;
    valueName = (lrp ? tr("LRP relevance of ") : tr("gradient × ")) + quantityTitle(q, false);
    label = quantityLabel(layer, direction, q, false, spec) +
            tr(" · attribution: %1 → %2").arg(valueName, views_.attribution->targetDescription());
  }
  if (dataChanged) {
    views_.heatmap->setData(current_, session_->stepTokens());
    views_.select->trajectories()->setData(current_, session_->stepTokens(), label, valueName);
    views_.textColours->setData(current_, session_->stepTokens(), label);
    views_.saturation->setLayer(layer);
    requestProjection();
  }
  if (session_->intervened()) {
    static const char* const kRunNames[] = {"intervened", "original", "intervened − original"};
    label = tr(kRunNames[static_cast<int>(session_->runShown())]) + QStringLiteral(" · ") + label;
    if (difference) valueName = tr("Δ ") + valueName;
  }
  views_.heatmap->setTitle(label, valueName);
  views_.heatmap->setScale(scale);
  views_.select->trajectories()->setQuantityRange(low, high);
  views_.textColours->setScale(scale);
  if (dataChanged && state_.brush.size() > 0)
    runSelectionRule();
  else
    applySelection();
}

void ViewLinker::runSelectionRule() {
  if (!current_) return;
  state_.selectedUnits.clear(), state_.matchScores.clear();
  if (state_.brush.size() > 0) {
    BrushQuery query;
    query.first = state_.brush.first, query.end = state_.brush.end;
    query.offBefore = state_.offBefore, query.offAfter = state_.offAfter;
    query.threshold = state_.threshold;
    for (const SelectedUnit& s : selectUnits(current_->values(), query)) {
      state_.selectedUnits.push_back(s.unit);
      state_.matchScores.push_back(s.margin);
    }
    const auto found = static_cast<int>(state_.selectedUnits.size());
    brushMessage_ = (found == 1 ? tr("1 unit is on across steps %1–%2 and off around it")
                                : tr("%1 units are on across steps %2–%3 and off around them").arg(found))
                        .arg(state_.brush.first)
                        .arg(state_.brush.end - 1);
    emit statusMessage(brushMessage_, 8000);
  }
  applySelection();
}

void ViewLinker::applySelection() {
  if (!session_->recording()) return;
  if (!currentMoments_ && (state_.order == UnitOrder::Mean || state_.order == UnitOrder::Variance))
    currentMoments_ = unitMoments(current_->values());
  views_.heatmap->setRowUnits(orderUnits(currentMoments_.value_or(UnitMoments{}), state_, allowedUnits_));
  views_.heatmap->setSelection(state_.brush);
  views_.heatmap->setHighlightedUnits(state_.selectedUnits);
  views_.select->trajectories()->setBrush(state_.brush, state_.offBefore, state_.offAfter);
  views_.select->trajectories()->setThreshold(state_.threshold);
  views_.textColours->setSelection(state_.brush.first, state_.brush.end);
  views_.projection->setSelection(state_.brush);
  views_.saturation->setHighlightedUnits(state_.selectedUnits);
  views_.select->showSelection(state_);
  applyCurrent();
}

void ViewLinker::applyCurrent() {
  if (!session_->recording()) return;
  views_.heatmap->setCurrent(state_.currentStep, state_.currentUnit);
  views_.select->trajectories()->setUnits(state_.selectedUnits, state_.currentUnit);
  views_.textColours->setUnit(state_.currentUnit);
  views_.textColours->setCurrentStep(state_.currentStep);
  views_.predictions->setStep(state_.currentStep);
  views_.projection->setCurrentStep(state_.currentStep);
  AttributionPanel& attribution = *views_.attribution;
  attribution.setCurrentUnit(state_.layer, state_.direction, state_.currentUnit);
  if (attribution.target().step != state_.currentStep) attribution.setTargetStep(state_.currentStep);
  views_.select->showCurrentUnit(state_);
  emit currentChanged();
}

void ViewLinker::pickCurrent(long step, int unit) {
  const std::shared_ptr<const Recording> recording = session_->recording();
  if (!recording) return;
  state_.currentStep = std::clamp(step, 0L, recording->steps - 1);
  const int before = state_.currentUnit;
  state_.currentUnit = std::clamp(unit, 0, recording->hidden(state_.layer) - 1);
  if (state_.currentUnit != before) emit withdrawn(std::exchange(unitHint_, QString()));
  applyCurrent();
}

void ViewLinker::brushSteps(viz::IndexSpan steps) {
  state_.brush = steps;
  runSelectionRule();
}

void ViewLinker::toggleUnit(int unit) {
  emit withdrawn(std::exchange(unitHint_, QString()));
  const auto it = std::find(state_.selectedUnits.begin(), state_.selectedUnits.end(), unit);
  if (it != state_.selectedUnits.end()) {
    const auto k = it - state_.selectedUnits.begin();
    state_.selectedUnits.erase(it);
    if (k < static_cast<long>(state_.matchScores.size())) state_.matchScores.erase(state_.matchScores.begin() + k);
  } else {
    state_.selectedUnits.push_back(unit);
    state_.matchScores.push_back(std::nan(""));  // picked by hand, not by the rule
  }
  state_.currentUnit = unit;
  applySelection();
}

void ViewLinker::setThreshold(double threshold) {
  if (threshold == state_.threshold) return;
  state_.threshold = threshold;
  views_.select->showThreshold(threshold);
  runSelectionRule();
}

void ViewLinker::clearSelection() {
  state_.brush = {}, state_.selectedUnits.clear(), state_.matchScores.clear();
  applySelection();
}

void ViewLinker::requestProjection() {
  // The state trajectory follows the heatmap: the cell state (or tanh(c)) when that is shown, else the
  // hidden state of the same layer and direction.
  const bool cell = state_.quantity == Quantity::C && state_.attribution == UnitAttributionKind::None;
  const auto data = cell ? current_ : session_->heatmapData(state_.layer, state_.direction, Quantity::H, false);
  session_->requestProjection(data, quantityLabel(state_.layer, state_.direction, cell ? Quantity::C : Quantity::H,
                                                  state_.squashed, session_->recording()->arch.layers[state_.layer]));
}

void ViewLinker::hover(long step, int unit, float value) {
  if (step < 0) return emit hoverText(QString());
  // In a window of a trace, also the step of the trace: what `lstmscope-cli match` and the Match dock print.
  const QString traceStep =
      session_->trace() ? tr(" (trace step %L1)").arg(session_->firstTraceStep() + step) : QString();
  emit hoverText(tr("step %1%2  “%3”   unit %4   %5 = %6")
                     .arg(step)
                     .arg(traceStep)
                     .arg(session_->stepTokens().value(step))
                     .arg(unit)
                     .arg(quantityTitle(state_.quantity, state_.squashed))
                     .arg(QString::number(value, 'g', 7)));
}

}  // namespace lstmscope::app
