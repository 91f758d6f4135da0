// Linking in one place: the shared ViewState (layer, direction and quantity shown; current step and unit;
// brushed range; selected units) changes here, from any view's signal, and every change is pushed to all
// views, so that a step, range or unit picked in one view shows in all of them.
#pragma once

#include <QObject>
#include <QString>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "app/gui/view_state.h"
#include "core/analysis/statistics.h"

namespace lstmscope {
struct Recording;
class TraceReader;
}  // namespace lstmscope

namespace lstmscope::viz {
class HeatmapData;
class HeatmapView;
class PredictionsView;
class ProjectionView;
class SaturationView;
class TextColourView;
class TrajectoryChart;
}  // namespace lstmscope::viz

namespace lstmscope::app {

class AnalysisSession;
struct AnalysisResult;
class AttributionPanel;
class EncoderPanel;
class HeatmapControls;
class SelectPanel;

// The views that show the session's analysis; they must outlive the linker.
struct LinkedViews {
  HeatmapControls* controls = nullptr;
  viz::HeatmapView* heatmap = nullptr;
  SelectPanel* select = nullptr;
  viz::TextColourView* textColours = nullptr;
  viz::PredictionsView* predictions = nullptr;
  viz::SaturationView* saturation = nullptr;
  viz::ProjectionView* projection = nullptr;
  AttributionPanel* attribution = nullptr;
  EncoderPanel* encoder = nullptr;
};

class ViewLinker : public QObject {
  Q_OBJECT
 public:
  ViewLinker(AnalysisSession* session, const LinkedViews& views, QObject* parent = nullptr);

  const ViewState& state() const { return state_; }

  // Linked selection, as the views do it.
  void pickCurrent(long step, int unit);
  void brushSteps(viz::IndexSpan steps);
  void toggleUnit(int unit);
  void setThreshold(double threshold);
  void clearSelection();

 signals:
  void statusMessage(QString message, int timeoutMs);
  void hint(QString message, int timeoutMs);  // gives way to a status message being shown
  void withdrawn(QString message);            // a message or hint said before no longer holds (empty: none)
  void hoverText(QString text);               // empty: nothing under the pointer
  void attributionRequested();                // a prediction was picked as the Attribution dock's target
  void currentChanged();                      // the current step or unit, or the quantity shown, may have changed

 private:
  void connectViews();
  void showRecording();  // a new analysis: every view gets its data
  // Maps the brush and the current step through the edit from `before` to `after` (a brush over the edit
  // is cleared); returns where the heatmap's first visible step `firstStep` went.
  double followEdit(const Recording& before, const Recording& after, double firstStep);
  void applyHeatmapChoice();  // layer, direction, quantity, colours, order, filter
  void applySelection();      // brush, selected units, current step/unit, threshold
  void applyCurrent();
  void runSelectionRule();
  void requestProjection();
  // A new input (not an edit): the current unit becomes the one that best tracks a structure of the text,
  // at a step with context, and the status bar says so with a hint for brushing.
  void openOnHighlight();
  // Why the Attribution dock cannot explain a trace window (no model, or a window that does not start its
  // document); empty when it can, and for an analysed text.
  static QString attributionUnavailable(const AnalysisResult& result);
  void showUnitAttribution();  // the Attribution dock's new result, when an attribution quantity is shown
  void hover(long step, int unit, float value);

  AnalysisSession* session_;
  LinkedViews views_;
  ViewState state_;
  std::shared_ptr<const viz::HeatmapData> current_;  // what the heatmap shows
  // Derived from current_ once per data change (not on every colour or selection change).
  std::pair<double, double> currentRange_{-1, 1};
  std::optional<UnitMoments> currentMoments_;  // computed when a sort first needs it
  std::vector<int> allowedUnits_;
  std::shared_ptr<const TraceReader> shownTrace_;  // the trace whose window the views show, if any
  QString unitHint_, brushMessage_;                // what was said about the best unit and the brush, until withdrawn
};

}  // namespace lstmscope::app
