// The Match dock (LSTMVis's match view over the whole open trace, or the analysed text): the selected
// units, the threshold and the off-before/after constraints make a query (core/analysis/match.h); the
// search runs in the background with progress and cancel; the ranked runs are shown as rows of tokens
// (viz::MatchRowsView), and a click on one asks the window to go there.
#pragma once

#include <QWidget>
#include <functional>

#include "app/gui/latest_job.h"
#include "app/gui/match_search.h"

class QCheckBox;
class QLabel;
class QPushButton;
class QSpinBox;

namespace lstmscope::app {

class JobProgress;

class MatchPanel : public QWidget {
  Q_OBJECT
 public:
  explicit MatchPanel(QWidget* parent = nullptr);

  // What the next search runs on: the source and the units (from the app's view state), and the threshold.
  struct Setup {
    MatchSource source;
    std::vector<int> units;
    double threshold = 0.3;
  };
  void setSetupProvider(std::function<Setup()> provider) { setup_ = std::move(provider); }

  void find();  // searches with the current setup (cancelling a running search)
  void setConstraints(bool left, bool right);
  void setTop(int top);
  bool busy() const { return job_.busy(); }
  const MatchFound* found() const { return found_ ? &*found_ : nullptr; }
  viz::MatchRowsView* rowsView() const { return rows_; }
  QString summary() const;  // the line above the rows

 signals:
  // Go to a match: its first step and length (steps of the trace, or of the analysed text).
  void jumpRequested(long step, long length);
  void hovered(QString description);
  void searched();  // found() holds the latest search's result

 private:
  std::function<Setup()> setup_;
  LatestJob job_;
  std::optional<MatchFound> found_;
  QLabel* summary_;
  QCheckBox* left_;
  QCheckBox* right_;
  QSpinBox* phrase_;
  QSpinBox* top_;
  QPushButton* find_;
  JobProgress* progress_;
  viz::MatchRowsView* rows_;
};

}  // namespace lstmscope::app
