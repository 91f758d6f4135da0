#include "app/gui/intervention_actions.h"

#include <QDockWidget>
#include <QInputDialog>
#include <QMenu>

#include "app/gui/analysis_session.h"
#include "app/gui/effects_panel.h"
#include "app/gui/generation_panel.h"
#include "app/gui/interventions_panel.h"
#include "app/gui/view_state.h"
#include "core/common/error.h"
#include "core/intervention/intervention_spec.h"
#include "viz/heatmap_view.h"

namespace lstmscope::app {

InterventionActions::InterventionActions(AnalysisSession* session, viz::HeatmapView* heatmap, InterventionsPanel* panel,
                                         QDockWidget* dock, std::function<const ViewState&()> state, QObject* parent)
    : QObject(parent), session_(session), heatmap_(heatmap), panel_(panel), dock_(dock), state_(std::move(state)) {
  panel_->setValidator([this](const QString& spec) { return problemWith(spec); });
  connect(panel_, &InterventionsPanel::specsChanged, this, &InterventionActions::rerun);
  connect(panel_, &InterventionsPanel::runShownChanged, session_, &AnalysisSession::setRunShown);
  connect(heatmap_, &viz::HeatmapView::contextMenuRequested, this, [this](long step, int unit, QPoint global) {
    if (QMenu* menu = menuFor(step, unit)) {
      menu->setAttribute(Qt::WA_DeleteOnClose);
      menu->popup(global);
    }
  });
  connect(session_, &AnalysisSession::analysed, this, [this] {
    if (!session_->intervened()) return;
    // A long list (an L1 path's steering is one spec per unit) would crowd out the dock: the first three,
    // and every one in the tooltip.
    const std::vector<std::string>& applied = session_->result()->interventions;
    QStringList shown, all;
    for (const std::string& s : applied) all << QString::fromStdString(s);
    shown = all.mid(0, 3);
    QString text = tr("Applied: %1").arg(shown.join(QStringLiteral(", ")));
    if (all.size() > shown.size()) text += tr(" and %n more (hover for all)", nullptr, all.size() - shown.size());
    panel_->showMessage(text, false, all.join(QLatin1Char('\n')));
  });
  panel_->generation()->setSubjectSource([this]() -> std::optional<GenerationPanel::Subject> {
    const std::shared_ptr<const Recording> r = session_->recording();
    if (!r || !session_->model() || session_->trace() || !r->isLanguageModel()) return std::nullopt;
    GenerationPanel::Subject s;
    s.model = session_->model();
    s.prompt.assign(r->ids.begin(), r->ids.begin() + std::min<long>(state_().currentStep + 1, r->steps));
    for (const QString& spec : panel_->enabledSpecs()) s.interventions.push_back(spec.toStdString());
    return s;
  });
  connect(session_, &AnalysisSession::failed, this, [this](const QString& message) {
    if (!session_->interventions().empty()) panel_->showMessage(message, true);
  });
}

QString InterventionActions::unitSpec(int unit) const {
  const ViewState& s = state_();
  const Recording* r = session_->recording().get();
  if (!r || s.attribution != UnitAttributionKind::None || isPreactivation(s.quantity) || unit < 0 ||
      unit >= r->hidden(s.layer))
    return {};
  return QStringLiteral("%1/%2/%3:%4")
      .arg(s.layer)
      .arg(QString::fromLatin1(directionName(r->arch.layers[static_cast<size_t>(s.layer)], s.direction)))
      .arg(QString::fromLatin1(quantityName(s.quantity)))
      .arg(unit);
}

QString InterventionActions::problemWith(const QString& spec) const {
  const Recording* r = session_->recording().get();
  if (!r || !session_->model()) return tr("Interventions run the model on a text: analyse one first.");
  if (session_->trace()) return tr("Interventions run the model on an analysed text, not on a trace's window.");
  try {
    const InterventionSpec parsed = parseInterventionSpec(spec.toStdString());
    resolveIntervention(parsed, r->arch, r->steps, [](int, int, Quantity, int) { return 0.0; });
  } catch (const InputError& e) {
    return QString::fromStdString(e.what());
  }
  return {};
}

QMenu* InterventionActions::menuFor(long step, int unit) {
  const QString target = unitSpec(unit);
  if (target.isEmpty() || session_->trace()) return nullptr;
  auto* menu = new QMenu(heatmap_);
  const QString name = tr("unit %1").arg(unit);
  menu->addAction(tr("Clamp %1…").arg(name), this, [this, unit] { clamp(unit); });
  if (step >= 0)
    menu->addAction(tr("Ablate %1 here (step %2)").arg(name).arg(step), this,
                    [this, target, step] { add(QStringLiteral("%1@%2:%3=zero").arg(target).arg(step).arg(step + 1)); });
  const viz::IndexSpan brush = state_().brush;
  if (brush.size() > 0)
    menu->addAction(
        tr("Ablate %1 over the selection (steps %2–%3)").arg(name).arg(brush.first).arg(brush.end - 1), this,
        [this, target, brush] { add(QStringLiteral("%1@%2:%3=zero").arg(target).arg(brush.first).arg(brush.end)); });
  menu->addAction(tr("Ablate %1 everywhere (to its mean)").arg(name), this,
                  [this, target] { add(target + QStringLiteral("=mean")); });
  return menu;
}

void InterventionActions::connectEffects(EffectsPanel* effects, std::function<void(long, int)> pick) {
  effects->setSubjectSource([this]() -> std::optional<EffectsPanel::Subject> {
    const std::shared_ptr<const Recording> r = session_->recording();
    if (!r || !session_->model() || session_->trace()) return std::nullopt;
    const ViewState& s = state_();
    EffectsPanel::Subject subject;
    subject.model = session_->model();  // the plain model: the Interventions dock's edits are not applied
    subject.inputs.steps = static_cast<int>(r->steps);
    subject.inputs.tokens = r->ids;
    subject.inputs.features = r->features;
    subject.tokens = session_->stepTokens();
    subject.layer = s.layer, subject.direction = s.direction;
    // An attribution or a pre-activation shown: the cell state of that layer is what there is to ablate.
    subject.quantity =
        s.attribution != UnitAttributionKind::None || isPreactivation(s.quantity) ? Quantity::C : s.quantity;
    subject.quantityName =
        QStringLiteral("%1/%2/%3")
            .arg(s.layer)
            .arg(QString::fromLatin1(directionName(r->arch.layers[static_cast<size_t>(s.layer)], s.direction)))
            .arg(QString::fromLatin1(quantityName(subject.quantity)));
    subject.step = s.currentStep;
    subject.brushFirst = s.brush.first, subject.brushEnd = s.brush.end;
    return subject;
  });
  connect(effects, &EffectsPanel::picked, this,
          [pick = std::move(pick), this](long step, int unit) { pick(step >= 0 ? step : state_().currentStep, unit); });
  connect(session_, &AnalysisSession::analysed, effects, [effects, this] {
    if (!session_->previousRecording()) effects->clear();  // a new text: its maps no longer apply
  });
}

void InterventionActions::clamp(int unit) {
  const QString target = unitSpec(unit);
  if (target.isEmpty()) return;
  auto* dialog = new QInputDialog(heatmap_);
  dialog->setAttribute(Qt::WA_DeleteOnClose);
  dialog->setObjectName(QStringLiteral("clampDialog"));
  dialog->setWindowTitle(tr("Clamp %1").arg(target));
  dialog->setLabelText(tr("Hold %1 at this value at every step:").arg(target));
  dialog->setInputMode(QInputDialog::DoubleInput);
  dialog->setDoubleRange(-1e6, 1e6);
  dialog->setDoubleDecimals(4);
  const Quantity q = state_().quantity;
  dialog->setDoubleValue(q == Quantity::I || q == Quantity::F || q == Quantity::O ? 1.0 : 0.0);  // a gate open
  connect(dialog, &QInputDialog::doubleValueSelected, this,
          [this, target](double value) { add(target + QStringLiteral("=") + QString::number(value, 'g', 10)); });
  dialog->open();  // not modal to the event loop: the views stay live
}

void InterventionActions::add(const QString& spec) {
  dock_->show();
  dock_->raise();
  panel_->addSpec(spec);
}

void InterventionActions::rerun() {
  std::vector<std::string> specs;
  for (const QString& s : panel_->enabledSpecs()) specs.push_back(s.toStdString());
  session_->setInterventions(std::move(specs));
  if (session_->interventions().empty()) panel_->showMessage(tr("No interventions applied."), false);
  session_->analyse();
}

}  // namespace lstmscope::app
