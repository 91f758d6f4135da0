// The select view (LSTMVis): the trajectories of every unit over the heatmap's visible steps with the
// selected ones on top, how they are drawn (lines, envelope or the selection alone; opacity; y axis), the
// selection rule's threshold and off margins, and the list of selected units with their margins. It shows
// the shared selection and reports what the user changes; the linking applies it.
#pragma once

#include <QWidget>

class QComboBox;
class QDoubleSpinBox;
class QFormLayout;
class QListWidget;
class QSettings;
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
  // How the trajectories are drawn (lines, opacity, y axis), kept between sessions.
  void saveOptions(QSettings& settings) const;
  void restoreOptions(const QSettings& settings);
  // The unit under the pointer in another view, marked in the list (-1 for none).
  void showHoveredUnit(int unit);
  int hoveredRow() const { return hoveredRow_; }

 signals:
  void thresholdChanged(double threshold);
  void marginsChanged(long offBefore, long offAfter);
  void unitPicked(int unit);  // a unit of the list became current

 protected:
  bool eventFilter(QObject* watched, QEvent* event) override;  // leaving the list ends its hover

 private:
  viz::TrajectoryChart* trajectories_ = nullptr;
  QDoubleSpinBox* threshold_ = nullptr;
  QSpinBox* offBefore_ = nullptr;
  QSpinBox* offAfter_ = nullptr;
  QListWidget* units_ = nullptr;
  QComboBox* lines_ = nullptr;
  QSpinBox* opacity_ = nullptr;
  QComboBox* yAxis_ = nullptr;
  std::vector<int> listed_;  // the units in the list, in its order
  int hoveredRow_ = -1;

  void addDrawingOptions(QFormLayout* form);
};

}  // namespace lstmscope::app
