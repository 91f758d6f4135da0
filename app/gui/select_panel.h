// The select view (LSTMVis): the trajectories of the selected units over the heatmap's visible steps, the
// selection rule's threshold and off margins, and the list of selected units with their margins. It shows
// the shared selection and reports what the user changes; the linking applies it.
#pragma once

#include <QWidget>

class QDoubleSpinBox;
class QListWidget;
class QSpinBox;

namespace lstmscope::viz {
class TrajectoryChart;
}

namespace lstmscope::app {

struct ViewState;

class SelectPanel : public QWidget {
  Q_OBJECT
 public:
  explicit SelectPanel(const ViewState& initial, QWidget* parent = nullptr);

  viz::TrajectoryChart* trajectories() const { return trajectories_; }
  void showThreshold(double threshold);  // without emitting thresholdChanged
  // The selected units (with their margins, when the rule chose them) and which of them is current.
  void showSelection(const ViewState& state);
  void showCurrentUnit(const ViewState& state);

 signals:
  void thresholdChanged(double threshold);
  void marginsChanged(long offBefore, long offAfter);
  void unitPicked(int unit);  // a unit of the list became current

 private:
  viz::TrajectoryChart* trajectories_ = nullptr;
  QDoubleSpinBox* threshold_ = nullptr;
  QSpinBox* offBefore_ = nullptr;
  QSpinBox* offAfter_ = nullptr;
  QListWidget* units_ = nullptr;
  std::vector<int> listed_;  // the units in the list, in its order
};

}  // namespace lstmscope::app
