// What ties interventions into the window (docs/APP.md "Interventions"): the heatmap's right-click menu
// (clamp a unit, ablate it at a step, over the brushed steps or everywhere), the Interventions dock's
// specs checked against the model and the text, and the session re-run under them.
#pragma once

#include <QObject>
#include <QPoint>
#include <functional>

class QDockWidget;
class QMenu;

namespace lstmscope::viz {
class HeatmapView;
}

namespace lstmscope::app {

class AnalysisSession;
class EffectsPanel;
class InterventionsPanel;
struct ViewState;

class InterventionActions : public QObject {
  Q_OBJECT
 public:
  // `state` gives what the heatmap shows (layer, direction, quantity, brushed steps); `dock` holds the panel.
  InterventionActions(AnalysisSession* session, viz::HeatmapView* heatmap, InterventionsPanel* panel, QDockWidget* dock,
                      std::function<const ViewState&()> state, QObject* parent = nullptr);

  // The menu for a right click on step `step` (-1: a unit's label) of unit `unit` of the quantity shown;
  // null when there is nothing to intervene on (no analysed text, an attribution shown, outside the units).
  // Owned by the caller; the window pops it up.
  QMenu* menuFor(long step, int unit);
  // "L/DIR/Q:U" of the quantity shown (c for tanh(c)), or empty when it is not a recorded state.
  QString unitSpec(int unit) const;
  // Empty, or why `spec` cannot apply to the model and the text.
  QString problemWith(const QString& spec) const;
  // The Effects dock computes on the analysed text and the quantity and step shown; `pick` makes a unit
  // (and step, unless -1) current in every view when the user clicks one of its cells or bars.
  void connectEffects(EffectsPanel* effects, std::function<void(long step, int unit)> pick);

 private:
  void add(const QString& spec);  // to the dock, which re-runs the text
  void clamp(int unit);           // asks for the value
  void rerun();

  AnalysisSession* session_;
  viz::HeatmapView* heatmap_;
  InterventionsPanel* panel_;
  QDockWidget* dock_;
  std::function<const ViewState&()> state_;
};

}  // namespace lstmscope::app
