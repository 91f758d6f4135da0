// The analysis the window shows, without any widget: which model and input, the recording made from them,
// what is derived from it for the views (tanh(c), gate saturation, unit attributions as heatmap
// quantities) and the jobs that compute them. Lives on the GUI thread (its jobs run on their own threads);
// testable without a window.
#pragma once

#include <QObject>
#include <QString>
#include <QStringList>
#include <array>
#include <memory>
#include <optional>

#include "app/gui/analysis_runner.h"
#include "app/gui/view_state.h"

namespace lstmscope {
class TraceReader;
struct AttributionReport;
struct Projection;
}  // namespace lstmscope

namespace lstmscope::viz {
class HeatmapData;
}

namespace lstmscope::app {

class AnalysisSession : public QObject {
  Q_OBJECT
 public:
  explicit AnalysisSession(QObject* parent = nullptr);
  ~AnalysisSession() override;

  // The model the next analysis runs; loaded then (and kept for the analyses after it). `importChoices`: a
  // foreign model's choices from the import dialog (or remembered in the settings); unset: its sidecar's, if any.
  void setModel(const QString& path, const QString& vocabPath = {},
                std::optional<ImportChoices> importChoices = std::nullopt);
  bool hasModel() const { return !modelPath_.isEmpty() || model_; }
  const QString& modelPath() const { return modelPath_; }
  const QString& vocabPath() const { return vocabPath_; }
  QString modelName() const;  // the model file's name, for titles and labels

  // What the model reads: text, or a CSV table for a model of numeric features. `isSample`: the demo's
  // sample text, put there for a model of text (a model of features then says what to give instead).
  // `source`: the file the text came from, which errors name (empty: "the text").
  void setInput(const QString& text, bool isSample = false, const QString& source = {});
  // A WAV file for a streaming ONNX graph instead of a text (docs/APP.md "Audio"); `chunk` and `hop` in
  // samples, 0 for the graph's own. setInput() goes back to text.
  void setAudio(const QString& path, long chunk, long hop);
  const QString& audioPath() const { return audioPath_; }
  const QString& input() const { return input_; }
  bool inputIsSample() const { return inputIsSample_; }
  // The next analysis replaces the input instead of editing it (a file opened, the sample put in): the
  // views start over rather than follow the edit. setModel() does the same.
  void replaceInput() { startsOver_ = true; }
  // Whether the loaded model can read `text` (tokens all in its vocabulary); false before a model is loaded.
  bool reads(const QString& text) const;
  // A CSV column whose values label the steps from the next analysis on; empty: step numbers.
  void setLabelColumn(const QString& column) { labelColumn_ = column; }
  const QString& labelColumn() const { return labelColumn_; }

  // Opens a trace file instead of analysing a text (docs/APP.md "Traces and corpora"): only its header and
  // document table are read; the views then show windows of it, read on demand, starting with the one
  // around step 0. The model it was recorded with is used when found (the path stored in the trace, or a
  // file of that name beside it). Throws InputError when the file is not a readable trace.
  // `name`: how the views name it (default: the file's name); `withoutModel`: why no model is looked for.
  // `firstStep`: the trace step whose window is shown first.
  void openTrace(const QString& path, const QString& name = {}, const QString& withoutModel = {}, long firstStep = 0);
  const QString& traceName() const { return traceName_; }
  // How the open trace's meta tracks are coloured (null before its first window, or without a trace).
  std::shared_ptr<const std::vector<viz::MetaTrackStyle>> metaStyles() const { return trace_ ? metaStyles_ : nullptr; }
  // Opens an LSTMVis project (its lstm.yml): converted into a trace in the app's cache folder in the
  // background (once: reused while the project's files are unchanged), then opened as a trace without a
  // model (lstmvisOpened(), or failed()).
  void openLstmvisProject(const QString& ymlPath);
  // Shows the window that holds trace step `step` (a new window only when the step is outside the shown one).
  void showTraceStep(long step);
  std::shared_ptr<const TraceReader> trace() const { return trace_; }
  // The trace step that view step 0 is (0 for an analysed text).
  long firstTraceStep() const { return result_ && result_->trace ? result_->window.first : 0; }
  // Steps of a trace shown at once: what fits in this many bytes of memory (docs/APP.md; 256 MB).
  void setTraceWindowBytes(double bytes) { traceWindowBytes_ = bytes; }

  // The interventions the next analysis runs the input under (enabled specs, docs/INTERVENTIONS.md); empty:
  // a plain run. Under interventions the session holds the intervened run, the original and their
  // difference; setRunShown() picks the one the views show (analysed() again, the views staying in place).
  void setInterventions(std::vector<std::string> specs);
  const std::vector<std::string>& interventions() const { return interventions_; }
  void setRunShown(RunShown run);
  RunShown runShown() const { return runShown_; }
  // Whether the latest analysis ran under interventions; its unintervened run (null otherwise).
  bool intervened() const { return result_ && !result_->interventions.empty(); }
  std::shared_ptr<const Recording> originalRecording() const;
  bool showsDifference() const { return intervened() && runShown_ == RunShown::Difference; }
  // The units the applied interventions set directly in layer `layer`, direction `direction` (any quantity).
  std::vector<int> intervenedUnits(int layer, int direction) const;

  // Analyses the input with the model, cancelling a running analysis. False (nothing started) without a
  // model, with an empty input, or while a trace is open.
  bool analyse();
  void cancel();
  bool busy() const { return runner_.busy(); }

  // The latest analysis (GUI thread; null before the first one).
  const AnalysisResult* result() const { return result_ ? &*result_ : nullptr; }
  std::shared_ptr<const Model> model() const { return model_; }
  std::shared_ptr<const Recording> recording() const { return recording_; }
  // The analysis before the latest one when the latest continues it (same model, the input edited or
  // relabelled), so that views can map their positions through the edit; null when it started over, and
  // after the slots of analysed() have run.
  std::shared_ptr<const Recording> previousRecording() const { return previous_; }
  const QStringList& stepTokens() const { return stepTokens_; }         // each step's display text
  const QStringList& vocabularyDisplay() const { return vocabulary_; }  // each token id's display text
  // The values one heatmap shows: a recorded quantity of a layer and direction, tanh(c), or an attribution
  // to the units of the Attribution dock's target (zeros until one has arrived).
  std::shared_ptr<const viz::HeatmapData> heatmapData(
      int layer, int direction, Quantity q, bool squashed,
      UnitAttributionKind attribution = UnitAttributionKind::None) const;
  // The Attribution dock's unit attributions (gradient x activation, LRP relevance) as heatmap quantities.
  void setUnitAttribution(const AttributionReport& report);

  // The state trajectory of `states` on its first two principal components, off the GUI thread.
  void requestProjection(std::shared_ptr<const viz::HeatmapData> states, const QString& what);

 signals:
  void analysisStarted();
  void progress(long done, long total);
  void busyChanged(bool busy);
  void analysed();               // result(), recording() and the derived data belong to the new analysis
  void failed(QString message);  // the model could not be opened or run
  // The input does not suit the model (unknown characters, a bad CSV row): the message and the places in the
  // input to mark (start, length). The previous analysis stays.
  void inputRejected(QString message, QList<std::pair<qsizetype, qsizetype>> marks);
  void cancelled();
  void projectionReady(std::shared_ptr<const lstmscope::Projection> projection, QString what);
  void unitAttributionChanged();
  void lstmvisOpened(QStringList notes);  // what the conversion left out

 private:
  void take(const AnalysisResult& result);
  void showRun();                    // points result_'s recording and derived data at the run shown
  void startTraceWindow(long step);  // the window that holds trace step `step`

  AnalysisRunner runner_;
  QString modelPath_, vocabPath_;
  std::optional<ImportChoices> importChoices_;
  std::shared_ptr<const Model> model_;  // loaded by the first analysis after setModel()
  // A model loaded by an analysis that rejected its input reports its import with the next analysis.
  std::shared_ptr<const ImportReport> pendingImportReport_;
  QString input_, labelColumn_;
  QString audioPath_, inputSource_;
  long audioChunk_ = 0, audioHop_ = 0;
  bool inputIsSample_ = false;
  bool startsOver_ = true;  // since the last analysis shown, the input or the model was replaced
  std::vector<std::string> interventions_;
  RunShown runShown_ = RunShown::Intervened;

  std::shared_ptr<const TraceReader> trace_;  // the open trace, if any (then the input is not analysed)
  QString traceName_;
  QString traceModelPath_;     // the trace's model file when found (and not yet refused)
  QString traceModelProblem_;  // why it is not used, once a window found out
  double traceWindowBytes_ = 256e6;
  std::shared_ptr<const std::vector<viz::MetaTrackStyle>> metaStyles_;  // of the open trace, from its first window

  std::optional<AnalysisResult> result_;
  std::shared_ptr<const Recording> recording_, previous_;
  QStringList stepTokens_, vocabulary_;
  // Unit attributions of the Attribution dock's target, by UnitAttributionKind: (H, T) per layer/direction.
  std::array<PerDirection<std::shared_ptr<const Mat<float>>>, 5> attributionUnits_;
};

}  // namespace lstmscope::app
