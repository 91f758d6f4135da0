#include "app/gui/attribution_panel.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDockWidget>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QMainWindow>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollArea>
#include <QSpinBox>
#include <QTabWidget>
#include <QVBoxLayout>

#include "app/gui/attribution_texts.h"
#include "core/common/error.h"
#include "viz/attribution_bar_chart.h"
#include "viz/attribution_matrix_view.h"
#include "viz/attribution_text_view.h"

namespace lstmscope::app {
namespace {

// The longest text for the all-targets matrix (its cost grows with the square of the length).
constexpr long kMatrixMaxSteps = 1000;

// Each matrix row's target, as defaultTargetsOfEveryStep picks it, in the words of the model's task.
QString matrixTargetsName(const Model& model) {
  if (model.arch.predictsNextToken(model.headOutputs())) return AttributionPanel::tr("actual next token");
  if (model.arch.task != Task::Regression) return AttributionPanel::tr("most probable output");
  return model.headOutputs() == 1 ? AttributionPanel::tr("the forecast") : AttributionPanel::tr("largest output");
}
// Longer texts get the matrix of this many steps up to the target.
constexpr long kMatrixWindow = 150;

// Square cells with readable labels need height, which a bottom dock rarely has: grows the dock holding
// `panel` until `content` gets its preferred height, up to about half the window.
void giveRoom(QWidget* panel, const QWidget* content) {
  auto* dock = qobject_cast<QDockWidget*>(panel->parentWidget());
  auto* window = dock ? qobject_cast<QMainWindow*>(dock->parentWidget()) : nullptr;
  const int missing = content->sizeHint().height() - content->height();
  if (!window || dock->isFloating() || missing <= 0) return;
  window->resizeDocks({dock}, {std::min(dock->height() + missing, window->height() * 11 / 20)}, Qt::Vertical);
}

}  // namespace

AttributionPanel::AttributionPanel(QWidget* parent) : QWidget(parent) {
  QHBoxLayout* controls = makeControls();

  text_ = new viz::AttributionTextView();
  auto* scroll = new QScrollArea(this);
  scroll->setWidgetResizable(true);
  scroll->setWidget(text_);
  bars_ = new viz::AttributionBarChart(this);
  matrix_ = new viz::AttributionMatrixView(this);
  tabs_ = new QTabWidget(this);
  tabs_->addTab(scroll, tr("Text"));
  tabs_->addTab(bars_, tr("Bars"));
  tabs_->addTab(matrix_, tr("All targets"));

  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(4, 4, 4, 4);
  layout->addLayout(controls);
  // The job's progress and Cancel sit beside the target line, so that the controls fit a 1280-pixel window.
  auto* status = new QHBoxLayout();
  status->addWidget(targetLabel_, 1);
  status->addWidget(progress_);
  status->addWidget(cancel_);
  layout->addLayout(status);
  layout->addWidget(tabs_, 1);

  pause_.setSingleShot(true);
  pause_.setInterval(150);
  connect(&pause_, &QTimer::timeout, this, &AttributionPanel::run);
  connect(targetKind_, &QComboBox::currentIndexChanged, this, [this] { setTargetStep(target_.step); });
  for (QComboBox* box : {method_, baseline_, rule_, precision_})
    connect(box, &QComboBox::currentIndexChanged, this, &AttributionPanel::schedule);
  connect(steps_, &QSpinBox::valueChanged, this, &AttributionPanel::schedule);
  for (QDoubleSpinBox* box : {epsilon_, biasFactor_})
    connect(box, &QDoubleSpinBox::valueChanged, this, &AttributionPanel::schedule);
  connect(compare_, &QCheckBox::toggled, this, &AttributionPanel::schedule);
  connect(tabs_, &QTabWidget::currentChanged, this, [this](int index) {
    if (tabs_->widget(index) != matrix_) return;
    giveRoom(this, matrix_);
    if (!matrixWanted_) matrixWanted_ = true, schedule();
  });
  connect(cancel_, &QPushButton::clicked, &job_, &LatestJob::cancel);
  connect(&job_, &LatestJob::busyChanged, this, [this](bool busy) {
    progress_->setVisible(busy), cancel_->setVisible(busy);
    progress_->setValue(0);
  });
  connect(&job_, &LatestJob::progress, this, [this](quint64, long done, long total) {
    progress_->setMaximum(static_cast<int>(total));
    progress_->setValue(static_cast<int>(done));
  });
  connect(&job_, &LatestJob::failed, this, [this](quint64, const QString& message) {
    text_->clear(tr("Attribution failed: %1").arg(message));
    emit failed(message);
  });
  connect(&job_, &LatestJob::cancelled, this, [this](quint64) {
    // A run stopped because a newer request is waiting is not news; one the user cancelled is.
    if (!pause_.isActive()) targetLabel_->setText(targetLabel_->text() + tr("  (cancelled)"));
  });
  // A click on a row of the raw input goes to the first step that reads it.
  const auto clicked = [this](long position) {
    emit stepClicked(shownOnRows_ && rawInput_ ? rawInput_->firstStepReading(position) : position);
  };
  connect(text_, &viz::AttributionTextView::stepClicked, this, clicked);
  connect(bars_, &viz::AttributionBarChart::stepClicked, this, clicked);
  connect(matrix_, &viz::AttributionMatrixView::stepClicked, this, &AttributionPanel::stepClicked);
  connect(matrix_, &viz::AttributionMatrixView::hovered, this, &AttributionPanel::hovered);
}

void AttributionPanel::setSubject(std::shared_ptr<const Model> model, const QString& modelName, Inputs<double> inputs,
                                  const QStringList& stepTokens, const QStringList& vocabularyDisplay,
                                  std::shared_ptr<const RawInputRows> rawInput) {
  // The same model with a new input (the usual case) keeps its float64 copy.
  if (model != model_ || !net_) {
    net_ = std::make_shared<const Network<double>>(model->cast<double>());
    pickedOutput_.reset();  // another model's outputs mean other things
  }
  model_ = std::move(model);
  modelName_ = modelName;
  inputs_ = std::move(inputs);
  text_->setSeparateTokens(model_->arch.inputKind == InputKind::Features ||
                           model_->arch.vocab.level() == TokenLevel::Word);
  stepTokens_ = stepTokens;
  vocabulary_ = vocabularyDisplay;
  rawInput_ = std::move(rawInput);
  shownOnRows_ = false;  // until this subject's first result is shown
  report_.reset();
  matrixWanted_ = tabs_->currentWidget() == matrix_;
  matrixShown_ = false;
  const QString current = baseline_->currentText();
  baseline_->blockSignals(true);
  baseline_->clear();
  for (const char* name : kBaselineNames) {
    try {
      (void)baselineTokenNamed(model_->arch, name, "model");
      baseline_->addItem(QString::fromLatin1(name));
    } catch (const InputError&) {  // the vocabulary has no such token: not offered
    }
  }
  baseline_->setCurrentIndex(std::max(0, baseline_->findText(current)));
  baseline_->blockSignals(false);
  target_ = AttributionTarget{};
  target_.step = static_cast<long>(inputs_.steps) - 1;
  setTargetStep(target_.step);
}

void AttributionPanel::showNoTarget(const QString& reason) {
  // Every tab says it: none may keep the chart or target of the input (or model) before.
  pause_.stop();
  job_.cancel();
  report_.reset();
  targetLabel_->setText(reason);
  text_->clear(reason);
  bars_->clear(reason);
  matrix_->clear(reason);
}

void AttributionPanel::setUnavailable(const QString& reason) {
  pause_.stop();
  job_.cancel();
  model_.reset(), net_.reset();
  inputs_ = {};
  showNoTarget(reason);
}

void AttributionPanel::setTargetStep(long step) {
  if (!net_ || inputs_.steps == 0) return;
  const Inputs<double>& in = inputs_;
  step = std::clamp<long>(step, 0, in.steps - 1);
  const auto kind = static_cast<TargetKind>(targetKind_->currentData().toInt());
  // A model that predicts once does so after the last step, whichever step was clicked.
  if (kind == TargetKind::Logit && model_->arch.head && model_->arch.head->perSequence()) step = in.steps - 1;
  try {
    if (kind != TargetKind::Logit) {
      target_ = stateTarget(kind, unitLayer_, unitDirection_, unit_, step);
    } else if (defaultTargetIsNextToken(*net_, in, step)) {
      target_ = defaultTarget(*net_, in, step);
    } else if (pickedOutput_) {
      target_ = AttributionTarget{step, *pickedOutput_};
      validateTarget(*net_, in.steps, target_);
    } else {
      // The most probable output needs a forward pass (over 100,000 steps it took 28 s on the GUI
      // thread): the run resolves it in the background.
      validateTarget(*net_, in.steps, {step, 0});
      target_ = AttributionTarget{step, kUnresolvedOutput};
    }
  } catch (const InputError& e) {  // e.g. a model without a head
    showNoTarget(tr("No attribution: %1").arg(QString::fromStdString(e.what())));
    return;
  }
  // The matrix shows (and exports) the new target at once: marked in it, or marked as outdated until
  // the matrix of the steps up to the target arrives.
  matrix_->setCurrentStep(target_.step);
  if (target_.step < matrix_->firstStep() || target_.step >= matrix_->firstStep() + matrix_->size())
    matrix_->setOutdated(tr("Computing the matrix up to step %1…").arg(target_.step));
  schedule();
}

void AttributionPanel::setTargetOutput(int output) {
  target_.output = output;
  pickedOutput_ = output;
  schedule();
}

void AttributionPanel::setCurrentUnit(int layer, int direction, int unit) {
  if (layer == unitLayer_ && direction == unitDirection_ && unit == unit_) return;
  unitLayer_ = layer, unitDirection_ = direction, unit_ = unit;
  if (target_.kind != TargetKind::Logit) setTargetStep(target_.step);
}

void AttributionPanel::setTargetKind(TargetKind kind) {
  targetKind_->setCurrentIndex(targetKind_->findData(static_cast<int>(kind)));
}

void AttributionPanel::setMethod(AttributionMethod method) {
  method_->setCurrentIndex(method_->findData(static_cast<int>(method)));
}

void AttributionPanel::setCompareAll(bool compare) {
  compare_->setChecked(compare);
}

void AttributionPanel::setPrecision(Precision precision) {
  precision_->setCurrentIndex(precision_->findData(static_cast<int>(precision)));
}

void AttributionPanel::setUnitAttributionWanted(bool wanted) {
  if (wanted == unitAttributionWanted_) return;
  unitAttributionWanted_ = wanted;
  if (wanted && (busy() || !report_ || report_->gradientUnits.h.empty())) schedule();
}

void AttributionPanel::showMatrix() {
  tabs_->setCurrentWidget(matrix_);
}

void AttributionPanel::schedule() {
  if (!net_) return;
  // Whatever runs now answers an older request: stop it at once (within one batch of work) rather than
  // when the pause is over, so that it neither holds the threads nor keeps the bar up.
  job_.cancel();
  pause_.start();
}

QString AttributionPanel::targetDescription() const {
  return model_ ? describeTarget(*model_, target_, stepTokens_, vocabulary_) : QString();
}

void AttributionPanel::run() {
  if (!net_ || (!model_->arch.head && target_.kind == TargetKind::Logit)) return;
  AttributionRequest request;
  request.target = target_;
  request.unitAttribution = unitAttributionWanted_;
  request.methods = requestedMethods();
  if (rawInput_) request.rawInput = rawInput_->values;
  request.settings.baselineName = baseline_->currentText().toStdString();
  try {
    request.settings.baselineToken = baselineTokenNamed(model_->arch, request.settings.baselineName, "model");
  } catch (const InputError&) {
  }
  parseQuadratureRule(rule_->currentText().toStdString(), request.settings.rule);
  request.settings.steps = steps_->value();
  request.settings.precision = static_cast<Precision>(precision_->currentData().toInt());
  request.settings.lrp.epsilon = epsilon_->value();
  request.settings.lrp.biasFactor = biasFactor_->value();
  const bool perStep = model_->arch.head && model_->arch.head->reads == HeadReads::EachStep;
  // Long texts: the matrix of the steps leading up to the target (it must be recomputed as that moves).
  const long T = inputs_.steps;
  const bool windowed = T > kMatrixMaxSteps;
  if (windowed && matrixShownFor_ != target_.step) matrixShown_ = false;
  request.allTargetsMatrix = matrixWanted_ && !matrixShown_ && perStep;
  if (windowed)
    request.matrixEnd = target_.step + 1, request.matrixFirst = std::max(0L, target_.step + 1 - kMatrixWindow);
  if (matrixWanted_ && !perStep)
    matrix_->clear(model_->arch.head ? tr("This model predicts once per text: there is one target, not one per step.")
                                     : tr("This model has no head: there are no predictions to explain."));
  targetLabel_->setText(tr("Target: %1").arg(targetDescription()));
  const Inputs<double> in = inputs_;
  auto net = net_;
  progress_->setValue(0);  // the bar may still show a dropped run's share
  job_.start([this, net, in, request](const ProgressCallbacks& callbacks) -> std::function<void()> {
    AttributionRequest resolved = request;
    if (resolved.target.kind == TargetKind::Logit && resolved.target.output == kUnresolvedOutput)
      resolved.target = defaultTarget(*net, in, resolved.target.step);
    auto report = std::make_shared<const AttributionReport>(computeAttribution(*net, in, resolved, callbacks));
    return [this, report] {
      target_ = report->target;  // the resolved output (only the latest request's result arrives)
      targetLabel_->setText(tr("Target: %1").arg(targetDescription()));
      show(report);
    };
  });
}

QString AttributionPanel::title(const MethodAttribution& m, const QString& target) const {
  // Through a front end IG runs in float64 whatever the control says (docs/ATTRIBUTION.md).
  const QString precision = m.onRawInput ? QStringLiteral("float64") : precision_->currentText();
  return attributionTitle(m, modelName_, target,
                          {baseline_->currentText(), rule_->currentText(), precision, steps_->value()});
}

std::vector<AttributionMethod> AttributionPanel::requestedMethods() const {
  if (!compare_->isChecked()) return {static_cast<AttributionMethod>(method_->currentData().toInt())};
  std::vector<AttributionMethod> all(std::begin(kAllAttributionMethods), std::end(kAllAttributionMethods));
  if (rawInput_ && !rawInput_->rowsOfStep.empty()) std::erase(all, AttributionMethod::Lrp);
  return all;
}

void AttributionPanel::show(std::shared_ptr<const AttributionReport> report) {
  report_ = std::move(report);
  // On the raw rows when the methods went through the front end (all but LRP do), else on the steps.
  shownOnRows_ = rawInput_ && report_->methods.front().onRawInput;
  const QStringList& tokens = shownOnRows_ ? rawInput_->tokens : stepTokens_;
  text_->setBoxedMeaning(shownOnRows_ ? tr("the last row the target's step reads") : tr("the target step"));
  const PositionWords words = positionWords(model_->arch, shownOnRows_);
  text_->setPositionsAreRows(words.rows);
  bars_->setLabelCaptions(words.captions, false);
  bars_->setCsvHeader(words.csvHeader);
  std::vector<viz::AttributionRow> rows;
  for (const MethodAttribution& m : report_->methods) {
    viz::AttributionRow row;
    row.label = QString::fromUtf8(attributionMethodTitle(m.method));
    row.values.assign(m.values.perToken.data(), m.values.perToken.data() + m.values.perToken.size());
    if (static_cast<qsizetype>(row.values.size()) != tokens.size()) continue;  // another axis: not drawn
    row.note = attributionNote(m, epsilon_->value(), biasFactor_->value(), &row.warning);
    if (!m.onRawInput && !model_->arch.frontEnd.empty())
      row.note = tr("at the LSTM's input features, after the front end") +
                 (row.note.isEmpty() ? QString() : QStringLiteral(" · ") + row.note);
    rows.push_back(std::move(row));
  }
  if (rows.empty()) return text_->clear(tr("No attribution to show for this input."));
  const MethodAttribution& first = report_->methods.front();
  const bool lrpLeftOut = compare_->isChecked() && rawInput_ && !rawInput_->rowsOfStep.empty();
  const QString heading = rows.size() > 1
                              ? tr("%1 · all methods%3 · %2")
                                    .arg(modelName_, targetDescription(),
                                         lrpLeftOut ? tr(" but LRP (it stops at the LSTM's steps)") : QString())
                              : title(first, targetDescription());
  const std::vector<double> firstValues = rows.front().values;
  // The target's context: what a forward model can have read, and a little after it.
  const long step = shownOnRows_ ? rawInput_->lastRowOf(report_->target.step) : report_->target.step;
  text_->setContent(tokens, std::move(rows), heading, step, step - kFigureContextBefore, step + kFigureContextAfter);
  bars_->setContent(tokens, firstValues, title(first, targetDescription()),
                    QString::fromUtf8(attributionMethodTitle(first.method)), step);
  bars_->setToolTip(title(first, targetDescription()));  // the chart elides a title wider than the dock
  if (report_->matrix) {
    matrixShown_ = true, matrixShownFor_ = report_->target.step;
    const long first = report_->matrixFirst, n = report_->matrix->values.rows();
    matrix_->setMatrix(report_->matrix->values.middleCols(first, n), stepTokens_,
                       tr("%1 · gradient × input of every step's target (%4) · steps %2–%3")
                           .arg(modelName_)
                           .arg(first)
                           .arg(first + n - 1)
                           .arg(matrixTargetsName(*model_)),
                       first);
  }
  matrix_->setCurrentStep(report_->target.step);
  emit reportReady();
}

}  // namespace lstmscope::app
