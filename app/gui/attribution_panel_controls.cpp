// The Attribution dock's controls: what to explain, the method and each method's settings (attribution_panel.h).
#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>

#include "app/gui/attribution_panel.h"
#include "core/attribution/attribution_rules.h"

namespace lstmscope::app {

QHBoxLayout* AttributionPanel::makeControls() {
  targetKind_ = new QComboBox(this);
  targetKind_->addItem(tr("explain the prediction"), static_cast<int>(TargetKind::Logit));
  targetKind_->addItem(tr("explain the current cell"), static_cast<int>(TargetKind::Cell));
  targetKind_->addItem(tr("explain the current hidden unit"), static_cast<int>(TargetKind::Hidden));
  targetKind_->setToolTip(
      tr("The score to attribute: the logit of the next token (or class), or the heatmap's "
         "current unit at the current step"));
  method_ = new QComboBox(this);
  for (const AttributionMethod m : kAllAttributionMethods)
    method_->addItem(QString::fromUtf8(attributionMethodTitle(m)), static_cast<int>(m));
  method_->setCurrentIndex(static_cast<int>(AttributionMethod::IntegratedGradients));
  compare_ = new QCheckBox(tr("Compare all methods"), this);
  baseline_ = new QComboBox(this);
  rule_ = new QComboBox(this);
  for (const QuadratureRule r : kQuadratureRules) rule_->addItem(QString::fromLatin1(quadratureRuleName(r)));
  rule_->setCurrentText(QString::fromLatin1(quadratureRuleName(kDefaultQuadratureRule)));
  steps_ = new QSpinBox(this);
  steps_->setRange(1, kMaxInteractiveIgSteps);  // lower than the CLI's limit: see attribution_rules.h
  steps_->setValue(kDefaultIgSteps);
  steps_->setToolTip(tr("Integrated Gradients: quadrature intervals, run in batches (the bar moves per batch)"));
  precision_ = new QComboBox(this);
  precision_->addItem(tr("float32"), static_cast<int>(Precision::Float32));
  precision_->addItem(tr("float64"), static_cast<int>(Precision::Float64));
  precision_->setToolTip(
      tr("Integrated Gradients' path: float32 (about twice as fast) or float64. The scores and δ are float64 "
         "either way, so δ shows float32's rounding too"));
  epsilon_ = new QDoubleSpinBox(this);
  epsilon_->setDecimals(4);
  epsilon_->setRange(0, 10);
  epsilon_->setSingleStep(0.001);
  // The app's default, not the CLI's: the authors' ε = 0.001 with bias factor 0 blows up on trained models
  // (attribution_rules.h, docs/ATTRIBUTION.md).
  epsilon_->setValue(kAppLrpEpsilon);
  epsilon_->setToolTip(
      tr("LRP: the ε-rule's stabiliser. Larger: small denominators amplify less, and (with bias factor < 1) "
         "more relevance is absorbed"));
  biasFactor_ = new QDoubleSpinBox(this);
  biasFactor_->setDecimals(2);
  biasFactor_->setRange(0, 1);
  biasFactor_->setSingleStep(0.1);
  biasFactor_->setValue(kAppLrpBiasFactor);
  biasFactor_->setToolTip(
      tr("LRP: the share of the biases' and ε's relevance handed down (0: they absorb it, 1: conserved)"));
  targetLabel_ = new QLabel(this);
  targetLabel_->setWordWrap(true);
  progress_ = new QProgressBar(this);
  progress_->setMaximumWidth(160);
  cancel_ = new QPushButton(tr("Cancel"), this);
  progress_->hide(), cancel_->hide();

  auto* controls = new QHBoxLayout();
  controls->addWidget(targetKind_);
  controls->addWidget(method_);
  controls->addWidget(compare_);
  controls->addWidget(new QLabel(tr("baseline"), this));
  controls->addWidget(baseline_);
  controls->addWidget(new QLabel(tr("IG"), this));
  controls->addWidget(rule_);
  controls->addWidget(steps_);
  controls->addWidget(precision_);
  controls->addWidget(new QLabel(tr("LRP ε"), this));
  controls->addWidget(epsilon_);
  controls->addWidget(new QLabel(tr("bias"), this));
  controls->addWidget(biasFactor_);
  controls->addStretch(1);
  return controls;
}

}  // namespace lstmscope::app
