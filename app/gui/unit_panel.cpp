#include "app/gui/unit_panel.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QScrollArea>
#include <QVBoxLayout>
#include <cmath>

#include "app/gui/job_progress.h"
#include "core/analysis/recording.h"
#include "viz/token_text.h"
#include "viz/unit_dashboard_view.h"

namespace lstmscope::app {
namespace {

QString number(double v) {
  return std::isfinite(v) ? QString::number(v, 'g', 4) : QStringLiteral("–");
}

std::vector<viz::UnitContextRow> contextRows(const std::vector<UnitContext>& contexts,
                                             const std::vector<std::string>& documentNames) {
  std::vector<viz::UnitContextRow> rows;
  const QLocale locale;
  for (const UnitContext& c : contexts) {
    viz::UnitContextRow row;
    row.step = c.step, row.value = c.value, row.values = c.values, row.at = static_cast<int>(c.step - c.first);
    row.tokens = viz::displayTokens(c.tokens);
    for (const std::string& t : c.tokens) row.text << QString::fromStdString(t);
    const QString document = documentNames.size() > 1
                                 ? QStringLiteral(" · %1").arg(QString::fromStdString(documentNames[c.document]))
                                 : QString();
    row.label = QStringLiteral("%1 · step %2%3")
                    .arg(number(c.value), locale.toString(static_cast<qlonglong>(c.step)), document);
    rows.push_back(std::move(row));
  }
  return rows;
}

viz::UnitDashboardData dashboardData(const UnitDashboard& d, const UnitPanel::Request& r,
                                     const std::vector<std::string>& documentNames, long steps) {
  viz::UnitDashboardData data;
  const QLocale locale;
  data.title =
      QObject::tr("Unit %1 · layer %2 %3 · %4 — over %5")
          .arg(d.unit)
          .arg(r.layer)
          .arg(r.direction == 0 ? QStringLiteral("fwd") : QStringLiteral("bwd"))
          .arg(r.quantity == Quantity::C ? QObject::tr("c (not tanh)") : QString::fromLatin1(quantityName(r.quantity)))
          .arg(r.trace ? QObject::tr("the whole trace (%1 steps)").arg(locale.toString(static_cast<qlonglong>(steps)))
                       : QObject::tr("the text (%1 steps)").arg(locale.toString(static_cast<qlonglong>(steps))));
  data.stats =
      QObject::tr("%1 values%2 · mean %3 · std %4 · min %5 · max %6%7")
          .arg(locale.toString(static_cast<qlonglong>(d.count)))
          .arg(d.nonFinite ? QObject::tr(" (%1 not finite)").arg(d.nonFinite) : QString())
          .arg(number(d.mean), number(d.stddev), number(d.min), number(d.max))
          .arg(r.trace ? (d.stored ? QObject::tr(" · stored in the trace") : QObject::tr(" · computed from the trace"))
                       : QString());
  if (d.count > 0) data.counts = d.histogram;
  data.binStart = d.binStart, data.binWidth = d.binWidth, data.mean = d.mean;
  const double extent = std::max({std::abs(d.min), std::abs(d.max), 1e-6});
  data.scale = viz::ColourScale(viz::ColourMap::named(QStringLiteral("blue-red")), std::isfinite(extent) ? -extent : -1,
                                std::isfinite(extent) ? extent : 1);
  data.highest = contextRows(d.highest, documentNames);
  data.lowest = contextRows(d.lowest, documentNames);
  return data;
}

}  // namespace

UnitPanel::UnitPanel(QWidget* parent) : QWidget(parent) {
  status_ = new QLabel(tr("Click a unit's label in the heatmap to see it over the whole corpus."), this);
  status_->setWordWrap(true);
  progress_ = new JobProgress(job_, this);
  view_ = new viz::UnitDashboardView(this);
  view_->setMessage(tr("No unit yet."));
  auto* scroll = new QScrollArea(this);
  scroll->setWidget(view_);
  scroll->setWidgetResizable(true);
  auto* top = new QHBoxLayout;
  top->addWidget(status_, 1);
  top->addWidget(progress_);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(4, 4, 4, 4);
  layout->addLayout(top);
  layout->addWidget(scroll, 1);

  connect(&job_, &LatestJob::failed, this, [this](quint64, const QString& message) {
    status_->setText(tr("The unit's summary failed: %1").arg(message));
    view_->setMessage({});
    hasShown_ = false;
  });
  connect(&job_, &LatestJob::cancelled, this, [this](quint64) {
    status_->setText(tr("Cancelled. Click a unit label to try again."));
    hasShown_ = false;
  });
  connect(view_, &viz::UnitDashboardView::contextClicked, this, &UnitPanel::jumpRequested);
  connect(view_, &viz::UnitDashboardView::contextHovered, this, &UnitPanel::hovered);
}

QString UnitPanel::status() const {
  return status_->text();
}

UnitPanel::SummaryKey UnitPanel::keyOf(const Request& r) const {
  const void* source = r.trace ? static_cast<const void*>(r.trace.get()) : static_cast<const void*>(r.recording.get());
  return {source, r.layer, r.direction, static_cast<int>(r.quantity)};
}

void UnitPanel::show(const Request& request) {
  if (!request.trace && !request.recording) return;
  if (hasWanted_ && request == wanted_) return;
  // Summaries of another trace or text are never needed again.
  if (hasWanted_ && std::get<0>(keyOf(request)) != std::get<0>(keyOf(wanted_))) summaries_.clear();
  wanted_ = request, hasWanted_ = true;
  if (isVisible()) run();
}

void UnitPanel::showEvent(QShowEvent* event) {
  QWidget::showEvent(event);
  if (hasWanted_ && !(hasShown_ && shownRequest_ == wanted_) && !job_.busy()) run();
}

void UnitPanel::run() {
  const Request r = wanted_;
  if (hasShown_ && shownRequest_ == r) return;
  const auto cached = summaries_.find(keyOf(r));
  std::shared_ptr<const QuantitySummaries> known = cached == summaries_.end() ? nullptr : cached->second;
  status_->setText(
      known ? tr("Reading unit %1's contexts…").arg(r.unit)
      : r.trace
          ? tr("Summarising %1 over the whole trace (once per quantity)…").arg(QLatin1String(quantityName(r.quantity)))
          : tr("Summarising the text…"));
  job_.start([this, r, known](const ProgressCallbacks& progress) -> std::function<void()> {
    std::shared_ptr<const QuantitySummaries> summaries = known;
    if (!summaries)
      summaries =
          r.trace ? std::make_shared<QuantitySummaries>(
                        quantitySummaries(*r.trace, r.layer, r.direction, r.quantity, progress))
                  : std::make_shared<QuantitySummaries>(QuantitySummaries{
                        summarizeUnits(recordingUnitValues(*r.recording, r.layer, r.direction, r.quantity), progress),
                        false});
    const UnitValues values = r.trace ? traceUnitValues(*r.trace, r.layer, r.direction, r.quantity)
                                      : recordingUnitValues(*r.recording, r.layer, r.direction, r.quantity);
    const std::string source = r.trace ? r.trace->path() : std::string("the text");
    const auto dashboard = std::make_shared<UnitDashboard>(unitDashboard(values, *summaries, r.unit, source));
    const std::vector<std::string> names = r.trace ? r.trace->documentNames() : std::vector<std::string>{""};
    const auto data = std::make_shared<viz::UnitDashboardData>(dashboardData(*dashboard, r, names, values.steps));
    return [this, r, summaries, data] {
      summaries_[keyOf(r)] = summaries;
      view_->setData(std::move(*data));
      shownRequest_ = r, hasShown_ = true;
      status_->setText(tr("Click a context to go there; click another unit label to see that unit."));
      emit shown();
    };
  });
}

}  // namespace lstmscope::app
