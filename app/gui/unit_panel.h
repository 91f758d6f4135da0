// The Unit dock (docs/APP.md "Unit dashboard"): the current unit over the whole open trace — or the
// analysed text when no trace is open — as a histogram and the contexts where it is highest and lowest
// (viz::UnitDashboardView). It follows the current unit (a click on a unit label or a cell of the
// heatmap). Summaries come from the trace when `record` stored them, else from one pass over the values
// in the background (progress, Cancel); they are kept per quantity, so flipping through units is quick.
#pragma once

#include <QWidget>
#include <map>
#include <memory>
#include <tuple>

#include "app/gui/latest_job.h"
#include "core/analysis/unit_dashboard.h"

class QLabel;

namespace lstmscope {
struct Recording;
}

namespace lstmscope::viz {
class UnitDashboardView;
}

namespace lstmscope::app {

class JobProgress;

class UnitPanel : public QWidget {
  Q_OBJECT
 public:
  explicit UnitPanel(QWidget* parent = nullptr);

  // What to show: a trace (every document), or else the analysed recording.
  struct Request {
    std::shared_ptr<const TraceReader> trace;
    std::shared_ptr<const Recording> recording;
    int layer = 0, direction = 0;
    Quantity quantity = Quantity::C;
    int unit = 0;
    bool operator==(const Request& o) const {
      return trace == o.trace && recording == o.recording && layer == o.layer && direction == o.direction &&
             quantity == o.quantity && unit == o.unit;
    }
  };
  // Shows `request` (at once while the dock is visible, else when it is shown); the same request again
  // does nothing.
  void show(const Request& request);
  bool busy() const { return job_.busy(); }
  viz::UnitDashboardView* dashboard() const { return view_; }
  QString status() const;

 signals:
  void jumpRequested(long step);  // a step of the trace, or of the analysed text
  void hovered(QString description);
  void shown();  // the dashboard of the latest request is drawn

 protected:
  void showEvent(QShowEvent* event) override;

 private:
  using SummaryKey = std::tuple<const void*, int, int, int>;  // source, layer, direction, quantity
  void run();
  SummaryKey keyOf(const Request& r) const;

  Request wanted_, shownRequest_;
  bool hasWanted_ = false, hasShown_ = false;
  std::map<SummaryKey, std::shared_ptr<const QuantitySummaries>> summaries_;  // of the current source only
  LatestJob job_;
  QLabel* status_;
  JobProgress* progress_;
  viz::UnitDashboardView* view_;
};

}  // namespace lstmscope::app
