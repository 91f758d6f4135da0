// The main window: the heatmap in the centre, linked views in docks, menus, the analysis job's progress
// and cancel button in the status bar. Opening files and settings live here; pushing the shared view
// state into every view lives in main_window_sync.cpp.
#pragma once

#include <QComboBox>
#include <QLabel>
#include <QListWidget>
#include <QMainWindow>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>
#include <QTimer>
#include <array>
#include <map>
#include <memory>
#include <optional>

#include "app/gui/analysis_runner.h"
#include "app/gui/attribution_panel.h"
#include "app/gui/heatmap_controls.h"
#include "app/gui/view_state.h"
#include "viz/heatmap_view.h"
#include "viz/predictions_view.h"
#include "viz/projection_view.h"
#include "viz/saturation_view.h"
#include "viz/text_colour_view.h"
#include "viz/trajectory_chart.h"

namespace lstmscope::app {

// What to show once the first analysis arrives (command line: reproducible screenshots and figures).
struct StartupChoices {
  int layer = -1;        // -1: the last layer
  QString quantity;      // i f g o c h or tanh(c); empty: tanh(c)
  viz::IndexSpan brush;  // a range to select units with
  long step = -1;        // current step
  int unit = -1;         // current unit; -1: the best unit of the brush, if any
  QString dock;          // object name of a dock to bring to the front
  QString attribution;   // a method name (ig, lrp, ...), "all" (side by side) or "matrix"; raises its dock
};

class MainWindow : public QMainWindow {
  Q_OBJECT
 public:
  explicit MainWindow(QWidget* parent = nullptr);
  ~MainWindow() override;

  // Errors go to a dialog when interactive, else only to lastError() and the status bar (tests, --screenshot).
  void setInteractive(bool interactive) { interactive_ = interactive; }
  void setStartupChoices(const StartupChoices& choices) { startup_ = choices; }

  // Window layout and colour maps from the last session (not for --screenshot, which must be reproducible).
  void restoreSettings();
  void saveSettings() const;

  void openDemo(bool withSampleText = true);
  // Re-analyses the current text with the model. `importChoices`: a foreign model's choices from the import
  // dialog when they are not remembered in its sidecar.
  void openModel(const QString& path, const QString& vocabPath = {},
                 std::optional<ImportChoices> importChoices = std::nullopt);
  // Opens a model the user picked: a foreign model without remembered choices goes through the import
  // dialog first (main_window_import.cpp).
  void openModelInteractively(const QString& path);
  // The model label's tooltip lists what was read and assumed; assumptions are announced once per load.
  void showImportReport(const ImportReport& report);
  void importSettings();  // the import dialog for the current (foreign) model
  bool openTextFile(const QString& path);
  void setText(const QString& text);  // analysed after a short pause (as if typed)
  void analyseNow();

  // Linked selection, as the views do it.
  void pickCurrent(long step, int unit);
  void brushSteps(viz::IndexSpan steps);
  void toggleUnit(int unit);
  void setThreshold(double threshold);

  const ViewState& state() const { return state_; }
  const Recording* recording() const { return recording_.get(); }
  QString lastError() const { return lastError_; }
  HeatmapControls* controls() const { return controls_; }
  viz::HeatmapView* heatmap() const { return heatmap_; }
  viz::TrajectoryChart* trajectories() const { return trajectories_; }
  viz::TextColourView* textColours() const { return textColours_; }
  viz::PredictionsView* predictions() const { return predictions_; }
  viz::SaturationView* saturation() const { return saturation_; }
  viz::ProjectionView* projection() const { return projection_; }
  AttributionPanel* attribution() const { return attribution_; }
  QPlainTextEdit* textEditor() const { return textEdit_; }
  QComboBox* stepLabelChoice() const { return stepLabels_; }
  // A CSV's column that labels the steps from the next analysis on; empty: step numbers.
  void setStepLabelColumn(const QString& column) { stepLabelColumn_ = column; }
  std::vector<std::pair<QString, viz::ExportableView*>> exportableViews() const;
  viz::ExportableView* exportableView(const QString& key) const;  // heatmap, trajectories, textColouring, ...

 signals:
  void analysisShown();  // a new analysis is in every view and the heatmap frame is drawn
  void analysisFailed(QString message);

 protected:
  void closeEvent(QCloseEvent* event) override;
  void dragEnterEvent(QDragEnterEvent* event) override;
  void dropEvent(QDropEvent* event) override;

 private:
  void buildDocks();
  // main_window_input.cpp: the Text dock, which holds text or, for a model of numeric features, a CSV table.
  QWidget* buildInputPane();
  void showInputKind(const AnalysisResult& result);  // placeholder, step-label choices, the reader's notes
  void buildMenus();
  void addRecent(const QString& key, const QString& path);
  void rebuildRecentMenu();
  void showError(const QString& message);
  void setTextQuietly(const QString& text);  // without re-running the analysis after a pause
  void showSampleText();                     // the demo's sample text (compiled in), put in quietly
  void onFinished(quint64 id, const AnalysisResult& result);
  void onProgress(quint64 id, long done, long total);
  void exportDialog();

  // main_window_sync.cpp: state -> views.
  void applyRecording();
  void applyHeatmapChoice();  // layer, direction, quantity, colours, order, filter
  void applySelection();      // brush, selected units, current step/unit, threshold
  void applyCurrent();
  void runSelectionRule();
  void requestProjection();
  void updateUnitList();
  void updateHoverText(long step, int unit, float value);
  std::shared_ptr<const viz::HeatmapData> heatmapData(
      int layer, int direction, Quantity q, bool squashed,
      UnitAttributionKind attribution = UnitAttributionKind::None) const;
  void takeUnitAttribution();  // the Attribution dock's new result, as heatmap quantities

  AnalysisRunner runner_;
  std::shared_ptr<const Model> model_;
  QString modelPath_, vocabPath_;
  std::optional<ImportChoices> importChoices_;
  std::shared_ptr<const Recording> recording_;
  QStringList stepTokens_, vocabularyDisplay_;
  std::shared_ptr<const viz::HeatmapData> current_;
  // Derived from current_ once per data change (not on every colour or selection change).
  std::pair<double, double> currentRange_{-1, 1};
  std::optional<UnitMoments> currentMoments_;  // computed when a sort first needs it
  std::vector<std::vector<std::shared_ptr<const Mat<float>>>> squashedCells_;
  // Unit attributions of the Attribution dock's target, by UnitAttributionKind, [layer][direction] (H, T).
  std::array<std::vector<std::vector<std::shared_ptr<const Mat<float>>>>, 5> attributionUnits_;
  std::shared_ptr<const SaturationTable> saturationTable_;  // tanh(c) [layer][direction]
  ViewState state_;
  std::vector<int> allowedUnits_;
  bool interactive_ = true;
  bool announcePending_ = false;
  bool textIsSample_ = false;  // the editor holds the sample text, untouched
  std::optional<StartupChoices> startup_;
  void applyStartupChoices();
  QString lastError_;
  quint64 job_ = 0;

  HeatmapControls* controls_ = nullptr;
  viz::HeatmapView* heatmap_ = nullptr;
  viz::TrajectoryChart* trajectories_ = nullptr;
  viz::TextColourView* textColours_ = nullptr;
  viz::PredictionsView* predictions_ = nullptr;
  viz::SaturationView* saturation_ = nullptr;
  viz::ProjectionView* projection_ = nullptr;
  AttributionPanel* attribution_ = nullptr;
  QPlainTextEdit* textEdit_ = nullptr;
  QWidget* stepLabelRow_ = nullptr;  // shown for CSV input only
  QComboBox* stepLabels_ = nullptr;  // step numbers, or one of the CSV's columns
  QString stepLabelColumn_;
  QListWidget* unitList_ = nullptr;
  QDoubleSpinBox* thresholdBox_ = nullptr;
  QSpinBox* offBeforeBox_ = nullptr;
  QSpinBox* offAfterBox_ = nullptr;
  QLabel* hoverLabel_ = nullptr;
  QLabel* modelLabel_ = nullptr;
  QProgressBar* progress_ = nullptr;
  QPushButton* cancel_ = nullptr;
  QMenu* recentMenu_ = nullptr;
  QTimer editPause_;
};

}  // namespace lstmscope::app
