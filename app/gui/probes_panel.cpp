#include "app/gui/probes_panel.h"

#include <QComboBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QTabWidget>
#include <QTableWidget>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>

#include "app/gui/job_progress.h"
#include "core/analysis/recording.h"
#include "core/analysis/regex_track.h"
#include "core/analysis/text_labels.h"
#include "core/formats/trace_file.h"
#include "viz/attribution_bar_chart.h"
#include "viz/probe_charts.h"
#include "viz/ranking_chart.h"
#include "viz/score_lines_chart.h"

namespace lstmscope::app {
namespace {

QString threeDecimals(double v) {
  return std::isfinite(v) ? QString::number(v, 'f', 3) : QStringLiteral("–");
}

// "Probe (logistic), best on layer 1 · c: test accuracy 0.892, control 0.472, selectivity 0.420 (train …). L1
// path: 12 of the 256 units reach 95 % of its gain in accuracy over the majority class." (The curve is the
// Probing curve tab.)
QString summaryOf(const ProbeFindings& f) {
  if (f.best < 0) return {};
  const ProbeOutcome& b = f.curve[static_cast<size_t>(f.best)];
  QString text = QObject::tr("Probe (%1), best on %2: test %3 %4, control %5, selectivity %6 (train %7).")
                     .arg(QLatin1String(probeKindName(b.probe.kind)), viz::probeName(b.layer, b.quantity),
                          viz::probeScoreName(f.label.kind), threeDecimals(b.testScore), threeDecimals(b.controlScore),
                          threeDecimals(b.selectivity()), threeDecimals(b.trainScore));
  QString l1;
  if (f.l1.unitsFor95 > 0)
    l1 = (f.label.kind == LabelKind::Scalar
              ? QObject::tr("L1 path: %1 of the %2 units reach 95 % of its test R².")
              : QObject::tr("L1 path: %1 of the %2 units reach 95 % of its gain in accuracy over the majority class."))
             .arg(f.l1.unitsFor95)
             .arg(b.features);
  else if (!f.l1.points.empty())
    l1 = QObject::tr("L1 path: no point reaches the target.");
  return text + (l1.isEmpty() ? QString() : QStringLiteral(" ") + l1);
}

viz::MetaTrackStyle labelStyle(const ProbeLabel& label, const QString& name) {
  viz::MetaTrackStyle style;
  style.name = name;
  for (const std::string& c : label.categories) style.categories << QString::fromStdString(c);
  if (label.categories.empty() && !label.values.empty()) {
    const auto [low, high] = std::minmax_element(label.values.begin(), label.values.end());
    style.low = static_cast<float>(*low), style.high = static_cast<float>(*high > *low ? *high : *low + 1);
  }
  return style;
}

}  // namespace

ProbesPanel::ProbesPanel(QWidget* parent) : QWidget(parent) {
  label_ = new QComboBox(this);
  for (const BuiltinLabel& b : builtinLabels())
    label_->addItem(QString::fromStdString(b.name), QString::fromStdString("builtin:" + b.name));
  label_->addItem(tr("regular expression…"), QStringLiteral("regex:"));
  label_->addItem(tr("labels from a file…"), QStringLiteral("file:"));
  label_->setCurrentIndex(label_->findData(QStringLiteral("builtin:quote")));
  for (int k = 0; k < static_cast<int>(builtinLabels().size()); ++k)
    label_->setItemData(k, QString::fromStdString(builtinLabels()[static_cast<size_t>(k)].description),
                        Qt::ToolTipRole);
  pattern_ = new QLineEdit(this);
  pattern_->setPlaceholderText(tr("pattern, e.g. def [a-z_]+"));
  pattern_->setVisible(false);
  quantity_ = new QComboBox(this);
  quantity_->addItem(tr("quantity shown"), -1);
  for (const Quantity q : kRecordedQuantities) quantity_->addItem(QLatin1String(quantityName(q)), static_cast<int>(q));
  quantity_->addItem(tr("all six"), -2);
  run_ = new QPushButton(tr("Rank units"), this);
  run_->setToolTip(tr("Score every unit of every layer against the label, and train a linear probe per layer"));
  interventionButtons_ = new ProbeInterventionButtons(this);
  status_ = new QLabel(tr("Choose a property of the text and rank the units that carry it."), this);
  status_->setWordWrap(true);
  summary_ = new QLabel(this);
  summary_->setWordWrap(true);
  summary_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  table_ = new QTableWidget(0, 5, this);
  table_->setHorizontalHeaderLabels({tr("rank"), tr("unit"), tr("score"), tr("sign"), tr("category / threshold")});
  table_->verticalHeader()->hide();
  table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  table_->setSelectionBehavior(QAbstractItemView::SelectRows);
  table_->setSelectionMode(QAbstractItemView::SingleSelection);
  table_->horizontalHeader()->setStretchLastSection(true);
  table_->setSortingEnabled(true);
  bars_ = new viz::AttributionBarChart(this);
  bars_->setLabelCaptions(tr("unit\nrank"));
  bars_->clear(tr("Rank the units to see the strongest here."));
  rankingExport_ = std::make_unique<ProbeRankingExport>(*bars_);
  curve_ = new viz::ScoreLinesChart(this);
  curve_->clear(tr("Rank the units to see the probing curve here."));
  l1_ = new viz::ScoreLinesChart(this);
  l1_->clear(tr("Rank the units to see how few of them carry the label."));
  views_ = new QTabWidget(this);
  views_->addTab(table_, tr("List"));
  views_->addTab(bars_, tr("Chart"));
  views_->addTab(curve_, tr("Probing curve"));
  views_->addTab(l1_, tr("L1 path"));

  auto* controls = new QHBoxLayout;
  controls->addWidget(new QLabel(tr("Label:"), this));
  controls->addWidget(label_);
  controls->addWidget(pattern_, 1);
  controls->addWidget(new QLabel(tr("of"), this));
  controls->addWidget(quantity_);
  controls->addWidget(run_);
  controls->addWidget(interventionButtons_->ablate());
  controls->addWidget(interventionButtons_->steer());
  controls->addWidget(interventionButtons_->steerFull());
  controls->addWidget(new JobProgress(job_, this));
  controls->addStretch();
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(4, 4, 4, 4);
  layout->addLayout(controls);
  layout->addWidget(status_);
  layout->addWidget(summary_);
  layout->addWidget(views_, 1);

  connect(label_, &QComboBox::currentIndexChanged, this,
          [this] { pattern_->setVisible(label_->currentData().toString() == QStringLiteral("regex:")); });
  connect(label_, &QComboBox::activated, this, [this] {
    if (label_->currentData().toString() != QStringLiteral("file:") || !fileDialogs_) return;
    const QString path = QFileDialog::getOpenFileName(this, tr("Labels, one per token"), filePath_,
                                                      tr("Labels (*.tsv *.csv *.txt);;All files (*)"));
    if (!path.isEmpty()) setLabel(QStringLiteral("file:") + path);
  });
  connect(pattern_, &QLineEdit::returnPressed, this, &ProbesPanel::run);
  connect(run_, &QPushButton::clicked, this, &ProbesPanel::run);
  connect(interventionButtons_, &ProbeInterventionButtons::proposed, this, &ProbesPanel::interventionsProposed);
  connect(table_, &QTableWidget::cellClicked, this, [this](int row, int) {
    const QTableWidgetItem* item = table_->item(row, 1);
    if (!item) return;
    const QList<QVariant> where = item->data(Qt::UserRole).toList();
    emit picked(where[0].toInt(), where[1].toInt(), static_cast<Quantity>(where[2].toInt()), where[3].toInt());
  });
  connect(bars_, &viz::AttributionBarChart::stepClicked, this, [this](long index) {
    if (!findings_ || index < 0 || index >= static_cast<long>(findings_->ranking.ranked.size())) return;
    const RankedUnit& u = findings_->ranking.ranked[static_cast<size_t>(index)];
    emit picked(u.where.layer, u.where.direction, u.where.quantity, u.unit);
  });
  connect(&job_, &LatestJob::failed, this,
          [this](quint64, const QString& message) { showStatus(tr("Ranking failed: %1").arg(message), true); });
  connect(&job_, &LatestJob::cancelled, this, [this](quint64) { showStatus(tr("Cancelled."), false); });
}

void ProbesPanel::setMetaTracks(const QStringList& names) {
  for (int k = label_->count() - 1; k >= 0; --k)
    if (label_->itemData(k).toString().startsWith(QStringLiteral("meta:"))) label_->removeItem(k);
  for (const QString& name : names) label_->addItem(tr("meta track %1").arg(name), QStringLiteral("meta:") + name);
}

bool ProbesPanel::setLabel(const QString& spec) {
  const auto prefixed = [&](const QString& prefix) { return spec.startsWith(prefix); };
  const QString choice = prefixed(QStringLiteral("regex:"))  ? QStringLiteral("regex:")
                         : prefixed(QStringLiteral("file:")) ? QStringLiteral("file:")
                                                             : spec;
  const int index = label_->findData(choice);
  if (index < 0) return false;
  label_->setCurrentIndex(index);
  if (choice == QStringLiteral("regex:")) pattern_->setText(spec.mid(6));
  if (choice == QStringLiteral("file:")) {
    filePath_ = spec.mid(5);
    label_->setItemText(index, tr("labels from %1").arg(QFileInfo(filePath_).fileName()));
  }
  return true;
}

QString ProbesPanel::labelSpec() const {
  const QString choice = label_->currentData().toString();
  if (choice == QStringLiteral("regex:")) return choice + pattern_->text();
  if (choice == QStringLiteral("file:")) return choice + filePath_;
  return choice;
}

QString ProbesPanel::label() const {
  return labelSpec();
}

QString ProbesPanel::status() const {
  return status_->text();
}

QString ProbesPanel::summary() const {
  return summary_->text();
}

ProbeInputKey traceInputKey(const TraceReader* trace) {
  return {trace, 0};
}

ProbeInputKey textInputKey(const void* model, const std::vector<std::string>& tokens) {
  size_t h = tokens.size();
  for (const std::string& t : tokens) h = h * 1'000'003u ^ std::hash<std::string>{}(t);
  return {model, h};
}

void ProbesPanel::setShownSource(ProbeInputKey source, bool isTrace) {
  shownSource_ = source, shownIsTrace_ = isTrace;
  updateInterventionButtons();
}

void ProbesPanel::updateInterventionButtons() {
  interventionButtons_->setState(findings_.get(), findings_ && findingsSource_ == shownSource_, shownIsTrace_);
}

QStringList ProbesPanel::l1Ablation() const {
  return findings_ ? l1AblationSpecs(*findings_) : QStringList();
}

QStringList ProbesPanel::l1Steering() const {
  return findings_ ? l1SteeringSpecs(*findings_) : QStringList();
}

void ProbesPanel::showStatus(const QString& text, bool error) {
  status_->setText(text);
  status_->setStyleSheet(error ? QStringLiteral("color: #b00020;") : QString());
}

void ProbesPanel::run() {
  const std::optional<Source> source = source_ ? source_() : std::nullopt;
  if (!source || (!source->trace && !source->recording))
    return showStatus(tr("Nothing to rank yet: analyse a text or open a trace."), true);
  const QString choice = label_->currentData().toString();
  if (choice == QStringLiteral("regex:")) {
    if (pattern_->text().isEmpty()) return showStatus(tr("Type a regular expression first."), true);
    if (const std::string problem = regexProblem(pattern_->text().toStdString()); !problem.empty())
      return showStatus(tr("The regular expression is invalid: %1").arg(QString::fromStdString(problem)), true);
  }
  if (choice == QStringLiteral("file:") && filePath_.isEmpty())
    return showStatus(tr("Choose the file of labels first (one per token)."), true);
  ProbeRequest request;
  request.trace = source->trace;
  request.recording = source->trace ? nullptr : source->recording;
  request.label = labelSpec().toStdString();
  const int q = quantity_->currentData().toInt();
  if (q == -2)
    request.quantities.assign(kRecordedQuantities.begin(), kRecordedQuantities.end());
  else
    request.quantities = {q == -1 ? source->shownQuantity : static_cast<Quantity>(q)};
  if (isPreactivation(request.quantities.front())) request.quantities = {Quantity::C};
  const ProbeInputKey key = source->key;
  showStatus(request.trace ? tr("Ranking every unit over the whole trace…") : tr("Ranking every unit over the text…"),
             false);
  job_.start([this, request, key](const ProgressCallbacks& progress) -> std::function<void()> {
    auto findings = std::make_shared<const ProbeFindings>(runProbeRequest(request, progress));
    return [this, findings, key] { showFindings(findings, key); };
  });
}

void ProbesPanel::showFindings(std::shared_ptr<const ProbeFindings> findings, ProbeInputKey source) {
  findings_ = std::move(findings), findingsSource_ = source;
  const ProbeFindings& f = *findings_;
  table_->setSortingEnabled(false);
  const int rows = static_cast<int>(std::min<size_t>(f.ranking.ranked.size(), 1000));
  table_->setRowCount(rows);
  for (int r = 0; r < rows; ++r) {
    const RankedUnit& u = f.ranking.ranked[static_cast<size_t>(r)];
    const QString direction = QString::fromStdString(f.directionNames[u.where.layer][u.where.direction]);
    auto* rank = new QTableWidgetItem;
    rank->setData(Qt::DisplayRole, r + 1);
    auto* unit = new QTableWidgetItem(QStringLiteral("%1/%2/%3 · %4")
                                          .arg(u.where.layer)
                                          .arg(direction, QLatin1String(quantityName(u.where.quantity)))
                                          .arg(u.unit));
    unit->setData(Qt::UserRole,
                  QList<QVariant>{u.where.layer, u.where.direction, static_cast<int>(u.where.quantity), u.unit});
    auto* score = new QTableWidgetItem;
    score->setData(Qt::DisplayRole, u.score.score);
    auto* sign = new QTableWidgetItem(u.score.sign > 0 ? QStringLiteral("+") : QStringLiteral("−"));
    QString extra;
    if (u.score.category >= 0)
      extra = QString::fromStdString(f.label.categories[static_cast<size_t>(u.score.category)]);
    if (std::isfinite(u.score.threshold))
      extra = (u.score.sign > 0 ? QStringLiteral("on ≥ ") : QStringLiteral("on ≤ ")) +
              QString::number(u.score.threshold, 'g', 4);
    table_->setItem(r, 0, rank), table_->setItem(r, 1, unit), table_->setItem(r, 2, score);
    table_->setItem(r, 3, sign), table_->setItem(r, 4, new QTableWidgetItem(extra));
  }
  table_->setSortingEnabled(true);
  table_->sortByColumn(0, Qt::AscendingOrder);
  // Categories name theirs, IoU gives its threshold; other metrics have nothing for the last column.
  table_->setColumnHidden(4, f.metric != RankingMetric::Iou && f.label.kind != LabelKind::Categorical);
  table_->resizeColumnsToContents();
  summary_->setText(summaryOf(f));
  viz::showUnitRanking(*bars_, f.ranking, f.metric, f.label.source);
  rankingExport_->setFindings(findings_);
  updateInterventionButtons();
  if (f.best >= 0) {
    viz::showProbingCurve(*curve_, f.curve, static_cast<int>(f.directionNames.size()), f.label.kind, f.label.source);
    viz::showL1Path(*l1_, f.l1, f.curve[static_cast<size_t>(f.best)], f.label.kind, f.label.source);
  } else {
    curve_->clear(tr("No probe was trained."));
    l1_->clear(tr("No probe was trained."));
  }
  showStatus(
      tr("%1 label, %2 units ranked by %3 over %4 steps%5. Click a unit to show it.")
          .arg(QLatin1String(labelKindName(f.label.kind)))
          .arg(f.ranking.ranked.size())
          .arg(QLatin1String(rankingMetricName(f.metric)))
          .arg(f.steps)
          .arg(f.ranking.unscored ? tr(" (%1 constant or not finite: not ranked)").arg(f.ranking.unscored) : QString()),
      false);
  emit resultChanged();
}

std::vector<viz::MetaStrip> ProbesPanel::strips(ProbeInputKey source, long first, long count) const {
  if (!findings_ || source != findingsSource_ || first < 0 || first + count > findings_->steps) return {};
  const ProbeFindings& f = *findings_;
  const auto slice = [&](const std::vector<double>& values) {
    return std::vector<float>(values.begin() + first, values.begin() + first + count);
  };
  std::vector<viz::MetaStrip> out{{labelStyle(f.label, tr("label")), slice(f.label.values)}};
  if (f.best >= 0 && !f.curve[static_cast<size_t>(f.best)].predictions.empty())
    out.push_back({labelStyle(f.label, tr("probe")), slice(f.curve[static_cast<size_t>(f.best)].predictions)});
  return out;
}

}  // namespace lstmscope::app
