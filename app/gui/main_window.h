// The main window: puts the views together (the heatmap in the centre, panels in docks), the menus, the
// status bar, files, drag and drop and settings. The analysis lives in AnalysisSession, the linking of the
// views in ViewLinker; each dock's content is a class of its own.
#pragma once

#include <QList>
#include <QMainWindow>
#include <QString>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "app/gui/startup_choices.h"
#include "app/gui/view_state.h"
#include "core/formats/foreign/import_report.h"  // ImportChoices, held by value in openModel's optional

class QComboBox;
class QPlainTextEdit;

namespace lstmscope {
struct Recording;
}

namespace lstmscope::viz {
class ExportableView;
class HeatmapView;
class PredictionsView;
class ProjectionView;
class SaturationView;
class TextColourView;
class TrajectoryChart;
}  // namespace lstmscope::viz

namespace lstmscope::app {

class AnalysisSession;
class AttributionPanel;
class EncoderPanel;
class CorpusPanel;
class HeatmapControls;
class MatchPanel;
class UnitPanel;
class InterventionsPanel;
class EffectsPanel;
class ProbesPanel;
class InterventionActions;
class InputPane;
class RecentFiles;
class SelectPanel;
class StatusArea;
class ViewLinker;

// An LSTMVis project's lstm.yml (by its extension, .yml or .yaml): opened by converting it into a trace.
bool isLstmvisProject(const QString& path);

class MainWindow : public QMainWindow {
  Q_OBJECT
 public:
  explicit MainWindow(QWidget* parent = nullptr);
  ~MainWindow() override;

  // Errors about the input are shown in the Text dock; others go to a dialog when interactive (never the same
  // one twice in a row), else only to lastError() and the status bar (tests, --screenshot).
  void setInteractive(bool interactive);
  // Whether opened files go to File › Open Recent (off for --screenshot and --export runs).
  void setRemembersRecentFiles(bool remembers);
  void setStartupChoices(const StartupChoices& choices) { startup_ = choices; }

  // Window layout and colour maps from the last session (not for --screenshot, which must be reproducible).
  void restoreSettings();
  void saveSettings() const;

  void openDemo(bool withSampleText = true);
  // Re-analyses the current text with the model. `importChoices`: a foreign model's choices from the import
  // dialog or the settings; unset: its sidecar's, if any.
  void openModel(const QString& path, const QString& vocabPath = {},
                 std::optional<ImportChoices> importChoices = std::nullopt);
  // Opens a model the user picked: a foreign model without remembered choices goes through the import
  // dialog first.
  void openModelInteractively(const QString& path);
  void importSettings();  // the import dialog for the current (foreign) model
  // Opens a trace file: the views show windows of it, the Corpus dock lists its documents and the Match
  // dock searches all of it (docs/APP.md "Traces and corpora"). False, with the error shown, when the file
  // is not a readable trace. Shows the window that holds trace step `firstStep` first.
  bool openTrace(const QString& path, long firstStep = 0);
  // Shows trace step `step` (the window that holds it, loaded when needed) with `length` steps in view;
  // for an analysed text, its step `step`.
  void goToStep(long step, long length = 1);
  bool openTextFile(const QString& path);  // a WAV file (by its content) goes to openAudioFile
  // A WAV file as the input of a streaming ONNX graph (docs/APP.md "Audio"), with the calls' samples and
  // hop from setAudioCalls (--chunk, --hop; 0: the graph's own).
  bool openAudioFile(const QString& path);
  void setAudioCalls(long chunk, long hop);
  void setText(const QString& text);  // analysed after a short pause (as if typed)
  void analyseNow();
  // A CSV's column that labels the steps from the next analysis on; empty: step numbers.
  void setStepLabelColumn(const QString& column);

  // Linked selection, as the views do it (ViewLinker).
  void pickCurrent(long step, int unit);
  void brushSteps(viz::IndexSpan steps);
  void toggleUnit(int unit);
  void setThreshold(double threshold);

  const ViewState& state() const;
  const Recording* recording() const;
  AnalysisSession* session() const { return session_; }
  QString lastError() const { return lastError_; }
  HeatmapControls* controls() const { return controls_; }
  viz::HeatmapView* heatmap() const { return heatmap_; }
  viz::TrajectoryChart* trajectories() const;
  viz::TextColourView* textColours() const { return textColours_; }
  viz::PredictionsView* predictions() const { return predictions_; }
  viz::SaturationView* saturation() const { return saturation_; }
  viz::ProjectionView* projection() const { return projection_; }
  AttributionPanel* attribution() const { return attribution_; }
  EncoderPanel* encoder() const { return encoder_; }
  CorpusPanel* corpus() const { return corpus_; }
  MatchPanel* match() const { return match_; }
  UnitPanel* unit() const { return unit_; }
  InterventionsPanel* interventions() const { return interventions_; }
  EffectsPanel* effects() const { return effects_; }
  ProbesPanel* probes() const { return probes_; }
  InterventionActions* interventionActions() const { return interventionActions_; }
  QPlainTextEdit* textEditor() const;
  QComboBox* stepLabelChoice() const;

  std::vector<std::pair<QString, viz::ExportableView*>> exportableViews() const;  // titles and views
  viz::ExportableView* exportableView(const QString& key) const;                  // null for an unknown key

 signals:
  void analysisShown();                  // a new analysis is in every view and the heatmap frame is drawn
  void analysisFailed(QString message);  // also for input the model cannot read (shown in the Text dock)

 protected:
  void closeEvent(QCloseEvent* event) override;
  void dragEnterEvent(QDragEnterEvent* event) override;
  void dropEvent(QDropEvent* event) override;

 private:
  void buildDocks();
  void buildMenus();
  void connectSession();
  void showError(const QString& message);
  void showInputProblem(const QString& message, const QList<std::pair<qsizetype, qsizetype>>& marks);
  void onAnalysed();
  void showTraceWindow();                   // onAnalysed() for a window of a trace
  void showOpenedTrace();                   // the Corpus dock for the trace just opened
  void focusSteps(long step, long length);  // steps of the views: in view, the first one current

  AnalysisSession* session_ = nullptr;
  ViewLinker* linker_ = nullptr;
  StatusArea* status_ = nullptr;
  RecentFiles* recent_ = nullptr;
  bool interactive_ = true;
  bool announcePending_ = false;  // analysisShown() is due with the heatmap's next frame
  std::optional<StartupChoices> startup_;
  QString lastError_;
  long audioChunk_ = 0, audioHop_ = 0;  // samples per call and between calls for audio (0: the graph's)

  HeatmapControls* controls_ = nullptr;
  viz::HeatmapView* heatmap_ = nullptr;
  InputPane* input_ = nullptr;
  SelectPanel* select_ = nullptr;
  viz::TextColourView* textColours_ = nullptr;
  viz::PredictionsView* predictions_ = nullptr;
  viz::SaturationView* saturation_ = nullptr;
  viz::ProjectionView* projection_ = nullptr;
  AttributionPanel* attribution_ = nullptr;
  EncoderPanel* encoder_ = nullptr;
  CorpusPanel* corpus_ = nullptr;
  MatchPanel* match_ = nullptr;
  UnitPanel* unit_ = nullptr;
  InterventionsPanel* interventions_ = nullptr;
  EffectsPanel* effects_ = nullptr;
  ProbesPanel* probes_ = nullptr;
  InterventionActions* interventionActions_ = nullptr;
  std::optional<std::pair<long, long>> pendingFocus_;  // trace steps to show once their window arrives
};

}  // namespace lstmscope::app
