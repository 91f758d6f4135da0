// The Effects dock (docs/APP.md "Interventions"): causal maps of the quantity the heatmap shows, for the
// prediction at the current step, computed in the background with progress and Cancel:
// - ablation, unit by unit: each unit set to zero or its mean at every step, the change in the target
//   (bars, largest first);
// - ablation, unit × step: each unit at each brushed step up to the target (without a brush there: the 60
//   steps up to the target), alone (a heatmap);
// - patching: the text with the brushed steps replaced (same number of tokens) is the corrupted input;
//   each unit at each step from the first corrupted one to the target copied from the clean run, the share
//   of the score it restores (a heatmap).
// A map covers at most 250 steps (the last ones of a longer range).
// Click a cell or bar to make it the current unit (and step) of every view; export like any view.
#pragma once

#include <QStringList>
#include <QWidget>
#include <functional>
#include <memory>
#include <optional>

#include "app/gui/latest_job.h"
#include "core/engine/record.h"
#include "core/engine/tape.h"

class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QStackedWidget;

namespace lstmscope {
struct Architecture;
}

namespace lstmscope::viz {
class AttributionBarChart;
class HeatmapView;
}  // namespace lstmscope::viz

namespace lstmscope::app {

class EffectsPanel : public QWidget {
  Q_OBJECT
 public:
  explicit EffectsPanel(QWidget* parent = nullptr);

  enum class Kind { Sweep, Map, Patch };
  // What the next computation runs on: the analysed text and the quantity and step the views show.
  struct Subject {
    std::shared_ptr<const Model> model;
    Inputs<float> inputs;
    QStringList tokens;  // each step's display text
    int layer = 0, direction = 0;
    Quantity quantity = Quantity::C;
    QString quantityName;  // "1/fwd/c"
    long step = 0;
    long brushFirst = 0, brushEnd = 0;  // the brushed steps (the corrupted ones for patching)
  };
  // Where run() takes its subject from when it starts (nothing: no analysed text).
  void setSubjectSource(std::function<std::optional<Subject>()> source) { source_ = std::move(source); }
  void clear();  // the result belongs to a text no longer shown
  void setKind(Kind kind);
  void setCorruption(const QString& text);  // what replaces the brushed steps
  void run();
  void cancel() { job_.cancel(); }
  bool busy() const { return job_.busy(); }
  QString status() const;
  bool hasResult() const { return hasResult_; }
  viz::HeatmapView* map() const { return map_; }
  // The map's rows: units in order, or the largest effect (at any of its steps) first.
  void setLargestEffectFirst(bool largestFirst);
  viz::AttributionBarChart* bars() const { return bars_; }

 signals:
  void picked(long step, int unit);  // a cell or bar clicked (step -1 for a bar)
  void finished();                   // a result is shown, or why not

 private:
  void showStatus(const QString& text, bool error);
  void orderMapRows();

  LatestJob job_;
  QComboBox* kind_;
  QComboBox* value_;
  QLineEdit* corruption_;
  QPushButton* run_;
  QComboBox* rowOrder_;
  QLabel* status_;
  QStackedWidget* views_;
  viz::HeatmapView* map_;
  viz::AttributionBarChart* bars_;
  std::function<std::optional<Subject>()> source_;
  bool hasResult_ = false;
  long mapFirstStep_ = 0;
  std::shared_ptr<const Mat<float>> shownMap_;  // (units, steps), or null while the bars are shown
  std::vector<int> barUnits_;                   // the unit of each bar
};

}  // namespace lstmscope::app
