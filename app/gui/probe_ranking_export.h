// What `probeRanking` exports (docs/APP.md "Probes"): the Chart tab's figure of the strongest units, and,
// as numbers, the whole ranking — every scored unit, strongest first — in the CSV and JSON layout of
// `lstmscope-cli probe` (core/probing/ranking_export.h), not only the bars drawn.
#pragma once

#include <memory>

#include "app/gui/probe_job.h"
#include "viz/exportable_view.h"

namespace lstmscope::viz {
class AttributionBarChart;
}

namespace lstmscope::app {

class ProbeRankingExport : public viz::ExportableView {
 public:
  explicit ProbeRankingExport(viz::AttributionBarChart& bars) : bars_(bars) {}
  void setFindings(std::shared_ptr<const ProbeFindings> findings) { findings_ = std::move(findings); }

  QString figureTitle() const override;
  void renderFigure(QPainter& painter, const QSize& size, viz::FigureMarks marks) override;
  int figureHeightForWidth(int width) const override;
  void writeCsv(QTextStream& out) const override;
  bool writeJson(QByteArray& out) const override;

 private:
  viz::AttributionBarChart& bars_;
  std::shared_ptr<const ProbeFindings> findings_;
};

}  // namespace lstmscope::app
