// The analysis job (and the state projection job) on the app's one job rule (docs/DEVELOPING.md, design
// rule 4): each request gets an id, runs on the runner's own threads with a cancel flag,
// reports progress through queued signals, and its result is delivered only if no newer request has been
// made since; stale results are dropped.
#pragma once

#include <QList>
#include <QObject>
#include <QString>
#include <QStringList>
#include <QThreadPool>
#include <array>
#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <utility>

#include "app/gui/latest_job.h"
#include "core/analysis/projection.h"
#include "core/analysis/recording.h"
#include "core/analysis/statistics.h"
#include "core/analysis/text_properties.h"
#include "core/analysis/trace_window.h"
#include "core/formats/foreign/import_report.h"
#include "viz/heatmap_data.h"
#include "viz/meta_strips.h"

namespace lstmscope::app {

struct EncoderView;
struct RawInputRows;

struct AnalysisRequest {
  QString modelPath;  // load this model first, unless `model` is set
  QString vocabPath;  // with this vocabulary file, if given
  // A foreign model's import choices from the import dialog or the settings; unset: the sidecar's, if any.
  std::optional<ImportChoices> importChoices;
  std::shared_ptr<const Model> model;  // reuse an already loaded model
  QString text;                        // UTF-8 text to analyse; a CSV table for a model of numeric features
  QString textSource;                  // a name for error messages
  QString labelColumn;                 // a CSV's steps are labelled by this column; empty: step numbers
  bool textIsSample = false;           // the demo's sample text, put there for a model of text
  // A WAV file for a streaming ONNX graph (docs/APP.md "Audio"), read instead of `text`, with the samples
  // per call and between calls (0: the graph's own).
  QString audioPath;
  long audioChunk = 0, audioHop = 0;
  // Interventions to run the text under (docs/INTERVENTIONS.md), as specs; empty: a plain run.
  std::vector<std::string> interventions;
};

// Which run the views show when the text runs under interventions (docs/APP.md "Interventions").
enum class RunShown { Intervened, Original, Difference };

// One run as the views show it: the recording and what is derived from it.
struct RunViews {
  std::shared_ptr<const Recording> recording;
  PerDirection<std::shared_ptr<const Mat<float>>> squashedCells;
  std::shared_ptr<const SaturationTable> saturation;
};

// A window of a trace file to show (docs/APP.md "Traces and corpora"): read on demand, with the model
// the trace was recorded with when it is found (loaded once, then passed along).
struct TraceWindowRequest {
  std::shared_ptr<const TraceReader> trace;
  TraceWindow window;
  QString modelPath;                   // load this model first (empty: none found), unless `model` is set
  std::shared_ptr<const Model> model;  // reuse an already loaded model
  QString withoutModel;                // why there is no model to look for (then modelPath is empty)
  // The trace's meta tracks' colouring, from an earlier window (null: computed, once, from whole tracks).
  std::shared_ptr<const std::vector<viz::MetaTrackStyle>> metaStyles;
};

struct AnalysisResult {
  QString modelPath;
  std::shared_ptr<const Model> model;
  std::shared_ptr<const ImportReport> importReport;  // when the model was loaded for this request
  std::shared_ptr<const Recording> recording;
  // A features model with a front end: the raw rows before it, which attribution goes back to.
  std::shared_ptr<const RawInputRows> rawInput;
  // An encoder–decoder's encoder on the input's steps (the Encoder dock); null for other models.
  std::shared_ptr<const EncoderView> encoder;
  // tanh(c) of every layer and direction ([layer][direction]), computed with the run so that switching
  // to it never stalls the GUI thread.
  PerDirection<std::shared_ptr<const Mat<float>>> squashedCells;
  std::shared_ptr<const SaturationTable> saturation;  // likewise
  // The last layer's unit (first direction) whose tanh(c) best tracks a structure of the text (bracket
  // depth, strings, line position), or has the widest range: what the window opens on.
  TrackingUnit highlight;
  int highlightLayer = 0;
  // A CSV input's columns that can label the steps (features first, then label columns), and what the
  // reader decided on its own (e.g. a pandas index taken as labels).
  QStringList labelChoices, inputNotes;
  QString labelColumn;  // the column that labels the steps (empty: step numbers)
  // Audio run through a streaming graph: the graph's outputs, computed by the graph once per call and shown
  // as strips (the LSTM opened alone has no head).
  QStringList graphOutputs;
  double seconds = 0;
  // A window of a trace file rather than an analysis of the text: the trace, which steps of it the
  // recording holds (step k of the views is trace step window.first + k), and why the model is not used
  // (not found, not loadable, or of another shape than the trace), empty when it is.
  std::shared_ptr<const TraceReader> trace;
  TraceWindow window;
  QString modelProblem;
  // Under interventions: the specs as applied (canonical), and the intervened run, the original and their
  // difference (intervened − original states, the intervened probabilities), indexed by RunShown. The
  // fields above hold the intervened run until the session picks another.
  std::vector<std::string> interventions;
  std::array<RunViews, 3> runs;
  std::vector<viz::MetaStrip> metaStrips;                              // the trace's meta tracks over the window
  std::shared_ptr<const std::vector<viz::MetaTrackStyle>> metaStyles;  // how they are coloured, whole trace
};

// What is wrong with the input rather than the model (an unknown character, a bad CSV row): the message,
// and the places in the request's text to mark (start and length, in QString positions). The model loaded
// for the request comes along, so that the next analysis does not load it again.
struct InputProblem {
  QString message;
  QList<std::pair<qsizetype, qsizetype>> marks;
  std::shared_ptr<const Model> model;
  std::shared_ptr<const ImportReport> importReport;  // when the model was loaded for this request
};

class AnalysisRunner : public QObject {
  Q_OBJECT
 public:
  explicit AnalysisRunner(QObject* parent = nullptr);
  ~AnalysisRunner() override;

  quint64 start(AnalysisRequest request);     // cancels any running analysis
  quint64 start(TraceWindowRequest request);  // the same, for a window of a trace
  // Converts the LSTMVis project `yml` into a trace in `cacheFolder` (reused while the project's files are
  // unchanged), then emits converted() with the trace's path.
  quint64 startLstmvisConversion(QString yml, QString cacheFolder);
  void cancel();  // the running analysis, if any
  bool busy() const { return job_.busy(); }

  // A state projection job on the same terms (its own id sequence).
  quint64 startProjection(std::shared_ptr<const viz::HeatmapData> states, QString what);

 signals:
  void progress(quint64 id, long done, long total);
  void finished(quint64 id, lstmscope::app::AnalysisResult result);
  void failed(quint64 id, QString message);                              // not emitted for cancelled jobs
  void inputRejected(quint64 id, lstmscope::app::InputProblem problem);  // instead of failed()
  void cancelled(quint64 id);
  void projectionReady(quint64 id, std::shared_ptr<const lstmscope::Projection> projection, QString what);
  void converted(quint64 id, QString tracePath, QString projectName, QStringList notes);
  void busyChanged(bool busy);

 private:
  QThreadPool projections_;  // declared before job_: destroyed after it
  LatestJob job_;
  std::atomic<quint64> latestProjection_{0};
};

}  // namespace lstmscope::app

Q_DECLARE_METATYPE(lstmscope::app::AnalysisResult)
Q_DECLARE_METATYPE(lstmscope::app::InputProblem)
