#include "app/gui/select_panel.h"

#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QListWidget>
#include <QSignalBlocker>
#include <QSpinBox>
#include <QVBoxLayout>
#include <cmath>

#include "app/gui/view_state.h"
#include "viz/trajectory_chart.h"

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
  units_ = new QListWidget(this);
  units_->setToolTip(tr("Units selected by the brushed range (ranked by margin) or by clicks"));
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
}

void SelectPanel::showThreshold(double threshold) {
  const QSignalBlocker blocker(threshold_);
  threshold_->setValue(threshold);
}

void SelectPanel::showSelection(const ViewState& state) {
  const QSignalBlocker blocker(units_);
  units_->clear();
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
