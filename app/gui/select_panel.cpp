#include "app/gui/select_panel.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QEvent>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QListWidget>
#include <QSettings>
#include <QSignalBlocker>
#include <QSpinBox>
#include <QVBoxLayout>
#include <cmath>

#include "app/gui/view_state.h"
#include "viz/trajectory_chart.h"
#include "viz/trajectory_plot.h"

namespace lstmscope::app {

SelectPanel::SelectPanel(const ViewState& initial, QWidget* parent) : QWidget(parent) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(2, 2, 2, 2);
  trajectories_ = new viz::TrajectoryChart(this);
  auto* form = new QFormLayout;
  threshold_ = new QDoubleSpinBox(this);
  threshold_->setRange(-1e6, 1e6), threshold_->setDecimals(3), threshold_->setSingleStep(0.05);
  threshold_->setValue(initial.threshold);
  offBefore_ = new QSpinBox(this);
  offAfter_ = new QSpinBox(this);
  offBefore_->setRange(0, 1000), offAfter_->setRange(0, 1000);
  offBefore_->setValue(int(initial.offBefore)), offAfter_->setValue(int(initial.offAfter));
  form->addRow(tr("Threshold"), threshold_);
  form->addRow(tr("Off before"), offBefore_);
  form->addRow(tr("Off after"), offAfter_);
  addDrawingOptions(form);
  units_ = new QListWidget(this);
  units_->setToolTip(tr("Units selected by the brushed range (ranked by margin) or by clicks"));
  units_->setMouseTracking(true);  // hovering an entry marks its line
  units_->viewport()->installEventFilter(this);
  auto* side = new QVBoxLayout;
  side->addLayout(form);
  side->addWidget(units_, 1);
  auto* row = new QHBoxLayout;
  row->addWidget(trajectories_, 1);
  row->addLayout(side);
  layout->addLayout(row);

  connect(threshold_, &QDoubleSpinBox::valueChanged, this, &SelectPanel::thresholdChanged);
  for (QSpinBox* box : {offBefore_, offAfter_})
    connect(box, &QSpinBox::valueChanged, this,
            [this] { emit marginsChanged(offBefore_->value(), offAfter_->value()); });
  connect(units_, &QListWidget::currentRowChanged, this, [this](int row) {
    if (row >= 0 && row < static_cast<int>(listed_.size())) emit unitPicked(listed_[static_cast<size_t>(row)]);
  });
  connect(units_, &QListWidget::itemEntered, this, [this](QListWidgetItem* item) {
    const int row = units_->row(item);
    trajectories_->setHighlightedUnit(
        row >= 0 && row < static_cast<int>(listed_.size()) ? listed_[static_cast<size_t>(row)] : -1);
  });
}

void SelectPanel::addDrawingOptions(QFormLayout* form) {
  lines_ = new QComboBox(this);
  lines_->addItem(tr("Every unit"), int(viz::TrajectoryBackground::EveryUnit));
  lines_->addItem(tr("Envelope (min–max)"), int(viz::TrajectoryBackground::Envelope));
  lines_->addItem(tr("Selected only"), int(viz::TrajectoryBackground::Nothing));
  lines_->setToolTip(
      tr("What is drawn beneath the selected units: every unit of the layer as a faint line, "
         "the band from the lowest to the highest unit at each step, or nothing"));
  opacity_ = new QSpinBox(this);
  opacity_->setRange(0, 100), opacity_->setSuffix(tr(" %"));
  opacity_->setSpecialValueText(tr("auto"));  // LSTMVis's 1/sqrt(units)
  opacity_->setToolTip(
      tr("Opacity of one faint line; auto: 1/√units, so that the bundle reads the same for "
         "a few units or a thousand"));
  yAxis_ = new QComboBox(this);
  yAxis_->addItem(tr("Fit to window"));
  yAxis_->addItem(tr("Quantity's range"));
  yAxis_->setToolTip(
      tr("Fit the y axis to the lines in the visible steps, or fix it to the colour scale's "
         "range (0 to 1 for gates, -1 to 1 for tanh c)"));
  form->addRow(tr("Lines"), lines_);
  form->addRow(tr("Opacity"), opacity_);
  form->addRow(tr("Y axis"), yAxis_);
  connect(lines_, &QComboBox::currentIndexChanged, this, [this] {
    trajectories_->setBackground(static_cast<viz::TrajectoryBackground>(lines_->currentData().toInt()));
    opacity_->setEnabled(trajectories_->background() != viz::TrajectoryBackground::Nothing);
  });
  connect(opacity_, &QSpinBox::valueChanged, this, [this](int percent) { trajectories_->setOpacity(percent / 100.0); });
  connect(yAxis_, &QComboBox::currentIndexChanged, this,
          [this](int index) { trajectories_->setFitToWindow(index == 0); });
}

void SelectPanel::saveOptions(QSettings& settings) const {
  settings.setValue(QStringLiteral("trajectories/lines"), lines_->currentIndex());
  settings.setValue(QStringLiteral("trajectories/opacityPercent"), opacity_->value());
  settings.setValue(QStringLiteral("trajectories/yAxis"), yAxis_->currentIndex());
}

void SelectPanel::restoreOptions(const QSettings& settings) {
  const auto index = [&](const char* key, const QComboBox* box) {
    return std::clamp(settings.value(QLatin1String(key), 0).toInt(), 0, box->count() - 1);
  };
  lines_->setCurrentIndex(index("trajectories/lines", lines_));
  opacity_->setValue(settings.value(QStringLiteral("trajectories/opacityPercent"), 0).toInt());
  yAxis_->setCurrentIndex(index("trajectories/yAxis", yAxis_));
}

bool SelectPanel::eventFilter(QObject* watched, QEvent* event) {
  if (watched == units_->viewport() && event->type() == QEvent::Leave) trajectories_->setHighlightedUnit(-1);
  return QWidget::eventFilter(watched, event);
}

void SelectPanel::showHoveredUnit(int unit) {
  const auto it = std::find(listed_.begin(), listed_.end(), unit);
  const int row = it == listed_.end() ? -1 : static_cast<int>(it - listed_.begin());
  if (row == hoveredRow_) return;
  if (QListWidgetItem* old = units_->item(hoveredRow_)) old->setBackground(QBrush());
  hoveredRow_ = row;
  if (QListWidgetItem* item = units_->item(row)) {
    item->setBackground(QColor(255, 226, 150));
    units_->scrollToItem(item);
  }
}

void SelectPanel::showThreshold(double threshold) {
  const QSignalBlocker blocker(threshold_);
  threshold_->setValue(threshold);
}

void SelectPanel::showSelection(const ViewState& state) {
  const QSignalBlocker blocker(units_);
  units_->clear();
  hoveredRow_ = -1;
  listed_ = state.selectedUnits;
  for (size_t k = 0; k < listed_.size(); ++k) {
    const double score = k < state.matchScores.size() ? state.matchScores[k] : std::nan("");
    units_->addItem(std::isnan(score) ? tr("unit %1").arg(listed_[k])
                                      : tr("unit %1   margin %2").arg(listed_[k]).arg(score, 0, 'f', 3));
  }
}

void SelectPanel::showCurrentUnit(const ViewState& state) {
  const QSignalBlocker blocker(units_);
  const auto it = std::find(listed_.begin(), listed_.end(), state.currentUnit);
  units_->setCurrentRow(it == listed_.end() ? -1 : static_cast<int>(it - listed_.begin()));
}

}  // namespace lstmscope::app
