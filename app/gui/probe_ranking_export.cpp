#include "app/gui/probe_ranking_export.h"

#include <QByteArray>
#include <QTextStream>

#include "core/probing/ranking_export.h"
#include "viz/attribution_bar_chart.h"

namespace lstmscope::app {
namespace {

DirectionNamer namesOf(const ProbeFindings& f) {
  return [&f](int layer, int direction) {
    return f.directionNames[static_cast<size_t>(layer)][static_cast<size_t>(direction)];
  };
}

}  // namespace

QString ProbeRankingExport::figureTitle() const {
  return bars_.figureTitle();
}

void ProbeRankingExport::renderFigure(QPainter& painter, const QSize& size, viz::FigureMarks marks) {
  bars_.renderFigure(painter, size, marks);
}

int ProbeRankingExport::figureHeightForWidth(int width) const {
  return bars_.figureHeightForWidth(width);
}

void ProbeRankingExport::writeCsv(QTextStream& out) const {
  if (!findings_) return bars_.writeCsv(out);  // nothing ranked yet: the chart's (empty) table
  out << QString::fromStdString(
      rankingCsv(findings_->ranking, findings_->label, namesOf(*findings_), findings_->ranking.ranked.size()));
}

bool ProbeRankingExport::writeJson(QByteArray& out) const {
  if (!findings_) return false;
  const ProbeFindings& f = *findings_;
  const nlohmann::ordered_json doc =
      rankingDocument(f.ranking, f.label, f.metric, f.steps, namesOf(f), f.ranking.ranked.size());
  out = QByteArray::fromStdString(doc.dump(1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n");
  return true;
}

}  // namespace lstmscope::app
