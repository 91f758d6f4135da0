// The Attribution dock: which tokens drove the prediction at the current step. Controls choose the method
// (or all methods side by side), baseline, IG rule, steps and precision (float32 by default); the target follows the
// app's current step (its default target: the actual next token or the predicted class) unless a prediction was picked.
// Tabs show the coloured text, a bar chart and the all-targets matrix (computed when its tab is opened).
// Work runs off the GUI thread with progress and cancel; the unit attributions it computes are offered to
// the heatmap as quantities.
#pragma once

#include <QTimer>
#include <QWidget>
#include <memory>
#include <optional>

#include "app/gui/latest_job.h"
#include "app/gui/raw_input_rows.h"
#include "core/attribution/attribution_report.h"

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QHBoxLayout;
class QLabel;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QTabWidget;

namespace lstmscope::viz {
class AttributionBarChart;
class AttributionMatrixView;
class AttributionTextView;
}  // namespace lstmscope::viz

namespace lstmscope::app {

class AttributionPanel : public QWidget {
  Q_OBJECT
 public:
  explicit AttributionPanel(QWidget* parent = nullptr);

  // A new analysis: the model, its input (token ids or features) and each step's display string; for a model
  // with a front end, its raw rows, which every method but LRP then attributes to (shown row by row).
  void setSubject(std::shared_ptr<const Model> model, const QString& modelName, Inputs<double> inputs,
                  const QStringList& stepTokens, const QStringList& vocabularyDisplay,
                  std::shared_ptr<const RawInputRows> rawInput = nullptr);
  // No subject to explain (a trace window without its model, or one that does not start its document):
  // the dock says why and computes nothing until the next setSubject().
  void setUnavailable(const QString& reason);
  // The target at this step: the output picked in Predictions when the head's outputs are classes (or
  // forecasts) that mean the same at every step, else the step's default (the actual next token).
  void setTargetStep(long step);
  void setTargetOutput(int output);  // a chosen logit at the current target step
  // The unit a "cell/hidden of the current unit" target refers to (the heatmap's current unit).
  void setCurrentUnit(int layer, int direction, int unit);
  void setTargetKind(TargetKind kind);
  void setMethod(AttributionMethod method);
  void setCompareAll(bool compare);
  void setPrecision(Precision precision);  // IG's path (float32 by default)
  void showMatrix();                       // raises the matrix tab (and computes the matrix)
  // Whether each run also computes the units' gradient x activation and LRP relevance (two more passes
  // over the text): only while the heatmap shows one of them. Turning it on re-runs for the target.
  void setUnitAttributionWanted(bool wanted);

  const AttributionTarget& target() const { return target_; }
  QString targetDescription() const;  // "logit of “e” at step 40 “h”"
  std::shared_ptr<const AttributionReport> report() const { return report_; }
  bool busy() const { return job_.busy(); }
  // Nothing waiting to run and nothing running: the views show the latest request's result.
  bool settled() const { return !pause_.isActive() && !job_.busy(); }
  viz::AttributionTextView* textView() const { return text_; }
  viz::AttributionBarChart* barChart() const { return bars_; }
  viz::AttributionMatrixView* matrixView() const { return matrix_; }

 signals:
  void stepClicked(long step);
  void reportReady();  // report() holds the result for target()
  void failed(QString message);
  void hovered(QString description);

 private:
  QHBoxLayout* makeControls();  // the controls' row, with every control made (attribution_panel_controls.cpp)
  void showNoTarget(const QString& reason);  // every tab and the target line say `reason`
  void schedule();                           // re-run after a short pause (controls and targets change in bursts)
  void run();
  void show(std::shared_ptr<const AttributionReport> report);
  QString title(const MethodAttribution& m, const QString& target) const;
  // The methods of a request: the chosen one, or all; all leaves LRP out when it would be shown on other
  // positions than the rest (a front end over windows of rows, where LRP stops at the LSTM's steps).
  std::vector<AttributionMethod> requestedMethods() const;

  std::shared_ptr<const Model> model_;
  std::shared_ptr<const Network<double>> net_;
  QString modelName_;
  Inputs<double> inputs_;  // token ids or features of the analysed input
  QStringList stepTokens_, vocabulary_;
  std::shared_ptr<const RawInputRows> rawInput_;
  bool shownOnRows_ = false;  // the text and bars show rawInput_'s rows, not the steps
  AttributionTarget target_;
  // The output picked in Predictions, kept while the user brushes other steps of the same model: a
  // classifier's "positive" is still the question asked. Next-token heads ignore it (each step's
  // default is that step's actual next token).
  std::optional<int> pickedOutput_;
  std::shared_ptr<const AttributionReport> report_;
  bool matrixWanted_ = false;
  bool unitAttributionWanted_ = false;
  bool matrixShown_ = false;  // the matrix for this subject is on screen (it does not depend on the target)
  long matrixShownFor_ = -1;  // the target step a windowed matrix ends at

  QComboBox* targetKind_ = nullptr;
  int unitLayer_ = 0, unitDirection_ = 0, unit_ = 0;
  QComboBox* method_ = nullptr;
  QCheckBox* compare_ = nullptr;
  QComboBox* baseline_ = nullptr;
  QComboBox* rule_ = nullptr;
  QSpinBox* steps_ = nullptr;
  QComboBox* precision_ = nullptr;
  QDoubleSpinBox* epsilon_ = nullptr;
  QDoubleSpinBox* biasFactor_ = nullptr;
  QLabel* targetLabel_ = nullptr;
  QProgressBar* progress_ = nullptr;
  QPushButton* cancel_ = nullptr;
  QTabWidget* tabs_ = nullptr;
  viz::AttributionTextView* text_ = nullptr;
  viz::AttributionBarChart* bars_ = nullptr;
  viz::AttributionMatrixView* matrix_ = nullptr;
  LatestJob job_;
  QTimer pause_;
};

}  // namespace lstmscope::app
