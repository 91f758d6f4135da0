// Linking: every change of the shared ViewState is pushed to all views from here, so that a step, range
// or unit picked in one view shows in all of them.
#include <QStatusBar>
#include <cmath>

#include "app/gui/main_window.h"
#include "app/gui/unit_ordering.h"
#include "core/analysis/selection.h"
#include "viz/token_text.h"

namespace lstmscope::app {
namespace {

bool isGate(Quantity q) {
  return q == Quantity::I || q == Quantity::F || q == Quantity::O;
}

QString quantityName(Quantity q, bool squashed) {
  return squashed && q == Quantity::C ? QStringLiteral("tanh(c)") : QLatin1String(lstmscope::quantityName(q));
}

QString quantityLabel(int layer, int direction, Quantity q, bool squashed, const LayerSpec& spec) {
  QString label = QObject::tr("layer %1").arg(layer);
  // Named when it is not the plain forward direction (bidirectional layers, reverse layers).
  if (spec.looksAhead()) label += QLatin1Char(' ') + QLatin1String(directionName(spec, direction));
  return label + QStringLiteral(" · ") + quantityName(q, squashed);
}

}  // namespace

std::shared_ptr<const viz::HeatmapData> MainWindow::heatmapData(int layer, int direction, Quantity q, bool squashed,
                                                                UnitAttributionKind attribution) const {
  if (attribution != UnitAttributionKind::None) {
    const auto& units = attributionUnits_[static_cast<size_t>(attribution)];
    if (static_cast<int>(units.size()) > layer && static_cast<int>(units[layer].size()) > direction)
      return std::make_shared<const viz::HeatmapData>(units[layer][direction], units[layer][direction].get());
    // Not computed yet (or the model has no head): zeros until the Attribution dock's result arrives.
    auto zeros = std::make_shared<const Mat<float>>(Mat<float>::Zero(recording_->hidden(layer), recording_->steps));
    return std::make_shared<const viz::HeatmapData>(zeros, zeros.get());
  }
  if (!squashed || q != Quantity::C)
    return std::make_shared<const viz::HeatmapData>(recording_, &recording_->values(layer, direction, q));
  const std::shared_ptr<const Mat<float>>& cells = squashedCells_.at(layer).at(direction);
  return std::make_shared<const viz::HeatmapData>(cells, cells.get());
}

void MainWindow::takeUnitAttribution() {
  const auto report = attribution_->report();
  const auto toFloat = [](const UnitAttribution& u, bool cells) {
    std::vector<std::vector<std::shared_ptr<const Mat<float>>>> out;
    for (const auto& layer : cells ? u.c : u.h) {
      out.emplace_back();
      for (const Mat<double>& m : layer) out.back().push_back(std::make_shared<const Mat<float>>(m.cast<float>()));
    }
    return out;
  };
  attributionUnits_[static_cast<size_t>(UnitAttributionKind::GradientH)] = toFloat(report->gradientUnits, false);
  attributionUnits_[static_cast<size_t>(UnitAttributionKind::GradientC)] = toFloat(report->gradientUnits, true);
  attributionUnits_[static_cast<size_t>(UnitAttributionKind::RelevanceH)] = toFloat(report->relevanceUnits, false);
  attributionUnits_[static_cast<size_t>(UnitAttributionKind::RelevanceC)] = toFloat(report->relevanceUnits, true);
  if (state_.attribution != UnitAttributionKind::None) {
    current_.reset();  // the shown quantity belongs to the previous target
    applyHeatmapChoice();
  }
}

void MainWindow::applyRecording() {
  stepTokens_ = viz::displayTokens(recording_->tokens);
  vocabularyDisplay_ = viz::displayTokens(recording_->arch.vocab.tokens());
  {
    const QSignalBlocker blocker(controls_);
    controls_->setArchitecture(recording_->arch);
  }
  const long T = recording_->steps;
  state_.currentStep = std::clamp(state_.currentStep, 0L, T - 1);
  if (state_.brush.end > T) state_.brush = {};
  predictions_->setRecording(recording_, vocabularyDisplay_, stepTokens_);
  saturation_->setStatistics(saturationTable_, recording_->arch.layers);
  current_.reset();
  applyHeatmapChoice();
}

void MainWindow::applyHeatmapChoice() {
  if (!recording_) return;
  const int layer = controls_->layer();
  const int direction = std::min(controls_->direction(), recording_->directions(layer) - 1);
  const Quantity q = controls_->quantity();
  const bool squashed = controls_->squashed();
  const UnitAttributionKind attribution = controls_->attribution();
  const bool dataChanged = !current_ || layer != state_.layer || direction != state_.direction ||
                           q != state_.quantity || squashed != state_.squashed || attribution != state_.attribution;
  state_.layer = layer, state_.direction = direction, state_.quantity = q, state_.squashed = squashed;
  state_.attribution = attribution;
  state_.order = controls_->order();
  state_.selectedOnly = controls_->selectedOnly();
  const int units = recording_->hidden(layer);
  state_.currentUnit = std::clamp(state_.currentUnit, 0, units - 1);
  if (dataChanged) {
    current_ = heatmapData(layer, direction, q, squashed, attribution);
    currentRange_ = viz::robustSymmetricRange(current_->values().data(), current_->values().size());
    currentMoments_.reset();
    std::erase_if(state_.selectedUnits, [units](int u) { return u >= units; });
  }
  QString filterError;
  if (!parseUnitRanges(controls_->unitFilter(), units, allowedUnits_, filterError))
    parseUnitRanges(QString(), units, allowedUnits_, filterError);
  else
    filterError.clear();
  controls_->setFilterError(filterError);

  // Gates live in [0, 1]: a sequential map over exactly that range. Signed quantities get a diverging
  // map centred on zero, automatically over the recorded range unless the user fixed one.
  const bool gate = isGate(q);
  double low = gate ? 0 : -1, high = 1;
  if (!controls_->autoRange())
    std::tie(low, high) = controls_->fixedRange();
  else if (!gate && !(squashed && q == Quantity::C))
    std::tie(low, high) = currentRange_;
  const viz::ColourScale scale(viz::ColourMap::named(gate ? controls_->sequentialMap() : controls_->divergingMap()),
                               low, high);
  QString label = quantityLabel(layer, direction, q, squashed, recording_->arch.layers[layer]);
  QString valueName = quantityName(q, squashed);
  if (attribution != UnitAttributionKind::None) {
    const bool lrp = attribution == UnitAttributionKind::RelevanceH || attribution == UnitAttributionKind::RelevanceC;
    valueName = (lrp ? tr("LRP relevance of ") : tr("gradient × ")) + quantityName(q, false);
    label = quantityLabel(layer, direction, q, false, recording_->arch.layers[layer]) +
            tr(" · attribution: %1 → %2").arg(valueName, attribution_->targetDescription());
  }
  if (dataChanged) {
    heatmap_->setData(current_, stepTokens_);
    trajectories_->setData(current_, label, valueName);
    textColours_->setData(current_, stepTokens_, label);
    saturation_->setLayer(layer);
    requestProjection();
  }
  heatmap_->setTitle(label, valueName);
  heatmap_->setScale(scale);
  textColours_->setScale(scale);
  if (dataChanged && state_.brush.size() > 0)
    runSelectionRule();
  else
    applySelection();
}

void MainWindow::runSelectionRule() {
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
    statusBar()->showMessage(tr("%1 units are on across steps %2–%3 and off around them")
                                 .arg(state_.selectedUnits.size())
                                 .arg(state_.brush.first)
                                 .arg(state_.brush.end - 1),
                             8000);
  }
  applySelection();
}

void MainWindow::applySelection() {
  if (!recording_) return;
  if (!currentMoments_ && (state_.order == UnitOrder::Mean || state_.order == UnitOrder::Variance))
    currentMoments_ = unitMoments(current_->values());
  heatmap_->setRowUnits(orderUnits(currentMoments_.value_or(UnitMoments{}), state_, allowedUnits_));
  heatmap_->setSelection(state_.brush);
  heatmap_->setHighlightedUnits(state_.selectedUnits);
  trajectories_->setBrush(state_.brush);
  trajectories_->setThreshold(state_.threshold);
  textColours_->setSelection(state_.brush.first, state_.brush.end);
  projection_->setSelection(state_.brush);
  saturation_->setHighlightedUnits(state_.selectedUnits);
  updateUnitList();
  applyCurrent();
}

void MainWindow::applyCurrent() {
  if (!recording_) return;
  heatmap_->setCurrent(state_.currentStep, state_.currentUnit);
  trajectories_->setUnits(state_.selectedUnits, state_.currentUnit);
  textColours_->setUnit(state_.currentUnit);
  textColours_->setCurrentStep(state_.currentStep);
  predictions_->setStep(state_.currentStep);
  projection_->setCurrentStep(state_.currentStep);
  attribution_->setCurrentUnit(state_.layer, state_.direction, state_.currentUnit);
  if (attribution_->target().step != state_.currentStep) attribution_->setTargetStep(state_.currentStep);
  const QSignalBlocker blocker(unitList_);
  const auto it = std::find(state_.selectedUnits.begin(), state_.selectedUnits.end(), state_.currentUnit);
  unitList_->setCurrentRow(it == state_.selectedUnits.end() ? -1 : static_cast<int>(it - state_.selectedUnits.begin()));
}

void MainWindow::pickCurrent(long step, int unit) {
  if (!recording_) return;
  state_.currentStep = std::clamp(step, 0L, recording_->steps - 1);
  state_.currentUnit = std::clamp(unit, 0, recording_->hidden(state_.layer) - 1);
  applyCurrent();
}

void MainWindow::brushSteps(viz::IndexSpan steps) {
  state_.brush = steps;
  runSelectionRule();
}

void MainWindow::toggleUnit(int unit) {
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

void MainWindow::setThreshold(double threshold) {
  if (threshold == state_.threshold) return;
  state_.threshold = threshold;
  const QSignalBlocker blocker(thresholdBox_);
  thresholdBox_->setValue(threshold);
  runSelectionRule();
}

void MainWindow::requestProjection() {
  // The state trajectory follows the heatmap: the cell state (or tanh(c)) when that is shown, else the
  // hidden state of the same layer and direction.
  const bool cell = state_.quantity == Quantity::C && state_.attribution == UnitAttributionKind::None;
  const auto data = cell ? current_ : heatmapData(state_.layer, state_.direction, Quantity::H, false);
  runner_.startProjection(data, quantityLabel(state_.layer, state_.direction, cell ? Quantity::C : Quantity::H,
                                              state_.squashed, recording_->arch.layers[state_.layer]));
}

void MainWindow::updateUnitList() {
  const QSignalBlocker blocker(unitList_);
  unitList_->clear();
  for (size_t k = 0; k < state_.selectedUnits.size(); ++k) {
    const double score = k < state_.matchScores.size() ? state_.matchScores[k] : std::nan("");
    unitList_->addItem(std::isnan(score)
                           ? tr("unit %1").arg(state_.selectedUnits[k])
                           : tr("unit %1   margin %2").arg(state_.selectedUnits[k]).arg(score, 0, 'f', 3));
  }
}

void MainWindow::updateHoverText(long step, int unit, float value) {
  if (step < 0) return hoverLabel_->clear();
  hoverLabel_->setText(tr("step %1  “%2”   unit %3   %4 = %5")
                           .arg(step)
                           .arg(stepTokens_.value(step))
                           .arg(unit)
                           .arg(quantityName(state_.quantity, state_.squashed))
                           .arg(QString::number(value, 'g', 7)));
}

}  // namespace lstmscope::app
