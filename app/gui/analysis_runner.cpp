#include "app/gui/analysis_runner.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QPointer>
#include <QtConcurrent/QtConcurrentRun>
#include <algorithm>

#include "app/gui/audio_analysis.h"
#include "app/gui/encoder_panel.h"
#include "app/gui/raw_input_rows.h"
#include "core/common/error.h"
#include "core/formats/feature_csv.h"
#include "core/formats/lstmvis_project.h"
#include "core/formats/model_loader.h"
#include "core/intervention/intervention_spec.h"

namespace lstmscope::app {
namespace {

// The largest text the app analyses in one go (the CLI records longer inputs to trace files).
constexpr long kMaxSteps = 5'000'000;

AnalysisResult loadModel(const AnalysisRequest& request) {
  AnalysisResult result;
  result.modelPath = request.modelPath;
  result.model = request.model;
  if (!result.model) {
    // Audio's --chunk reaches the import probe, as record's does: a streaming graph that leaves the length open
    // and runs with none of the probe's usual lengths opens with the chunk given.
    ImportChoices choices = request.importChoices.value_or(ImportChoices{});
    if (!request.audioPath.isEmpty()) choices.audioChunk = request.audioChunk;
    ImportedModel imported = importModel(request.modelPath.toStdString(), request.vocabPath.toStdString(), choices,
                                         !request.importChoices.has_value());
    result.model = std::make_shared<const Model>(std::move(imported.model));
    result.importReport = std::make_shared<const ImportReport>(std::move(imported.report));
  }
  return result;
}

// The request's text as the model's inputs. What is wrong with the text is a TextInputError.
EncodedText readInput(const AnalysisRequest& request, AnalysisResult& result) {
  const QByteArray utf8 = request.text.toUtf8();
  const std::string text(utf8.constData(), static_cast<size_t>(utf8.size()));
  if (result.model->arch.readsText())
    return encodeText(result.model->arch, text, request.textSource.toStdString(), kMaxSteps);
  // A model of numeric features reads the text as a CSV table; its steps are labelled as asked.
  const Architecture& arch = result.model->arch;
  const std::string expected = "this model reads " + std::to_string(arch.rawFeatureDim()) +
                               " numeric feature(s) per step: paste or open a CSV table, one row per step and one "
                               "column per feature (header optional)";
  FeatureSequence table;
  if (request.textIsSample)  // no table given yet: say what to give, not what is wrong with Python code
    throw TextInputError(request.modelPath.toStdString(), expected);
  try {
    table = parseFeatureCsv(arch, text, request.textSource.toStdString(), kMaxSteps);
  } catch (const InputError& e) {
    // What the model reads comes first: to someone who pasted prose, the parse error alone means nothing.
    throw TextInputError("", "T" + expected.substr(1) + ". Not read as one: " + e.what());
  }
  for (const auto& name : table.labelChoices()) result.labelChoices << QString::fromStdString(name);
  for (const auto& note : table.notes) result.inputNotes << QString::fromStdString(note);
  const int column =
      request.labelColumn.isEmpty() ? -1 : static_cast<int>(result.labelChoices.indexOf(request.labelColumn));
  if (column >= 0) result.labelColumn = request.labelColumn;
  if (column < 0 && !request.labelColumn.isEmpty())  // --label-column, or a column of the table opened before
    result.inputNotes << QStringLiteral("the table has no column '%1': its steps are labelled by their numbers")
                             .arg(request.labelColumn);
  return encodeTable(table, column);
}

// What the views derive from a recording, computed with it so that showing them never stalls the GUI
// thread: tanh(c) and gate saturation.
RunViews deriveRun(std::shared_ptr<const Recording> recording) {
  RunViews run;
  run.recording = std::move(recording);
  const Recording& r = *run.recording;
  for (size_t l = 0; l < r.states.size(); ++l) {
    run.squashedCells.emplace_back();
    for (int d = 0; d < r.directions(static_cast<int>(l)); ++d)
      run.squashedCells.back().push_back(
          r.has(static_cast<int>(l), d, Quantity::C)
              ? std::make_shared<const Mat<float>>(
                    r.values(static_cast<int>(l), d, Quantity::C).array().tanh().matrix())
              : std::make_shared<const Mat<float>>());
  }
  run.saturation = std::make_shared<const SaturationTable>(gateSaturationTable(r));
  return run;
}

// The views of a run, and the unit the window opens on: the last layer's unit whose tanh(c) best tracks
// a structure of the text.
void deriveViews(const std::vector<std::string>& surface, AnalysisResult& result) {
  RunViews run = deriveRun(result.recording);
  result.squashedCells = run.squashedCells;
  result.saturation = run.saturation;
  result.highlightLayer = static_cast<int>(result.squashedCells.size()) - 1;
  const bool text = result.recording->arch.inputKind == InputKind::Tokens;
  if (result.squashedCells.back().front()->cols() > 0)
    result.highlight = bestTrackingUnit(*result.squashedCells.back().front(),
                                        text ? textProperties(surface) : std::vector<TextProperty>{});
}

// The interventions resolved against the model and the original run (`mean` is a unit's mean over it).
InterventionPlan interventionPlan(const std::vector<std::string>& specs, const Recording& original,
                                  std::vector<std::string>& canonical) {
  const UnitMean mean = [&](int layer, int direction, Quantity q, int unit) {
    return static_cast<double>(original.values(layer, direction, q).row(unit).mean());
  };
  const std::vector<InterventionSpec> parsed = parseInterventionSpecs(specs);
  for (const InterventionSpec& spec : parsed) canonical.push_back(spec.text());
  return InterventionPlan(resolveInterventions(parsed, original.arch, original.steps, mean), original.arch);
}

// An attention-pooling head's weight of each step as a strip above the heatmap, shaded from 0 to the largest.
void addAttentionStrip(const Recording& shown, AnalysisResult& result) {
  if (shown.headAttention.empty()) return;
  viz::MetaTrackStyle style;
  style.name = QObject::tr("attention");
  style.high = std::max(1e-30f, *std::max_element(shown.headAttention.begin(), shown.headAttention.end()));
  result.metaStrips.push_back({style, shown.headAttention});
}

// The run of the text, or under interventions the original and intervened runs and their difference.
void record(const EncodedText& encoded, const std::vector<std::string>& interventions,
            const ProgressCallbacks& callbacks, AnalysisResult& result) {
  result.recording = std::make_shared<const Recording>(recordInMemory(*result.model, encoded, callbacks));
  if (interventions.empty()) {
    addAttentionStrip(*result.recording, result);
    return deriveViews(encoded.surface, result);
  }
  const auto original = result.recording;
  const InterventionPlan plan = interventionPlan(interventions, *original, result.interventions);
  const auto intervened = std::make_shared<const Recording>(recordInMemory(*result.model, encoded, callbacks, &plan));
  result.runs[static_cast<size_t>(RunShown::Original)] = deriveRun(original);
  result.runs[static_cast<size_t>(RunShown::Intervened)] = deriveRun(intervened);
  RunViews difference = deriveRun(std::make_shared<const Recording>(stateDifference(*intervened, *original)));
  const auto& ivCells = result.runs[static_cast<size_t>(RunShown::Intervened)].squashedCells;
  const auto& originalCells = result.runs[static_cast<size_t>(RunShown::Original)].squashedCells;
  for (size_t l = 0; l < difference.squashedCells.size(); ++l)  // tanh(c) intervened − tanh(c) original
    for (size_t d = 0; d < difference.squashedCells[l].size(); ++d)
      difference.squashedCells[l][d] = std::make_shared<const Mat<float>>(*ivCells[l][d] - *originalCells[l][d]);
  result.runs[static_cast<size_t>(RunShown::Difference)] = std::move(difference);
  deriveViews(encoded.surface, result);  // the unit the window opens on, from the original run
  const RunViews& shown = result.runs[static_cast<size_t>(RunShown::Intervened)];
  result.recording = shown.recording, result.squashedCells = shown.squashedCells, result.saturation = shown.saturation;
  addAttentionStrip(*intervened, result);
}

// The model a trace was recorded with, when it is found, loads and fits the trace; else why not.
void loadTraceModel(const TraceWindowRequest& request, AnalysisResult& result) {
  result.model = request.model;
  result.modelPath = request.modelPath;
  if (!result.model && !request.modelPath.isEmpty()) {
    try {
      AnalysisRequest load;
      load.modelPath = request.modelPath;
      AnalysisResult loaded = loadModel(load);
      result.model = loaded.model;
      result.importReport = loaded.importReport;
    } catch (const std::exception& e) {
      result.modelProblem = QString::fromStdString(e.what());
    }
  }
  if (!result.model) {
    if (result.modelProblem.isEmpty()) result.modelProblem = request.withoutModel;
    if (result.modelProblem.isEmpty())
      result.modelProblem =
          QObject::tr("the model file the trace was recorded with was not found (%1)")
              .arg(QString::fromStdString(request.trace->modelPath().empty() ? request.trace->modelName()
                                                                             : request.trace->modelPath()));
    return;
  }
  const std::string mismatch = modelMismatch(*request.trace, result.model->arch);
  if (mismatch.empty()) return;
  result.modelProblem =
      QObject::tr("%1 does not fit the trace: %2").arg(request.modelPath, QString::fromStdString(mismatch));
  result.model.reset();
}

// The trace's meta tracks over the window. Their colouring spans the whole trace: worked out from whole
// tracks for the first window only, then passed along from window to window.
void readMetaStrips(const TraceWindowRequest& request, AnalysisResult& result) {
  const TraceReader& trace = *request.trace;
  result.metaStyles = request.metaStyles;
  if (!result.metaStyles) {
    auto styles = std::make_shared<std::vector<viz::MetaTrackStyle>>();
    for (const std::string& name : trace.metaNames()) styles->push_back(viz::metaTrackStyle(trace.meta(name)));
    result.metaStyles = std::move(styles);
  }
  for (const viz::MetaTrackStyle& style : *result.metaStyles)
    result.metaStrips.push_back(
        {style, trace.meta(style.name.toStdString(), request.window.first, request.window.count).values});
}

// The error's byte ranges of the UTF-8 text as QString positions (spans come in order: one pass over the text).
InputProblem describeProblem(const TextInputError& error, const QString& text, const AnalysisResult& loaded) {
  InputProblem problem{QString::fromStdString(error.what()), {}, loaded.model, loaded.importReport};
  const QByteArray utf8 = text.toUtf8();
  size_t byte = 0;
  qsizetype position = 0;
  for (const TextSpan& span : error.spans()) {
    if (span.byteOffset < byte || span.byteOffset + span.byteLength > static_cast<size_t>(utf8.size())) continue;
    position += QString::fromUtf8(utf8.constData() + byte, static_cast<qsizetype>(span.byteOffset - byte)).size();
    const qsizetype length =
        QString::fromUtf8(utf8.constData() + span.byteOffset, static_cast<qsizetype>(span.byteLength)).size();
    problem.marks.append({position, length});
    byte = span.byteOffset + span.byteLength;
    position += length;
  }
  return problem;
}

}  // namespace

AnalysisRunner::AnalysisRunner(QObject* parent) : QObject(parent) {
  qRegisterMetaType<AnalysisResult>();
  qRegisterMetaType<InputProblem>();
  qRegisterMetaType<std::shared_ptr<const Projection>>();
  connect(&job_, &LatestJob::progress, this, &AnalysisRunner::progress);
  connect(&job_, &LatestJob::failed, this, &AnalysisRunner::failed);
  connect(&job_, &LatestJob::cancelled, this, &AnalysisRunner::cancelled);
  connect(&job_, &LatestJob::busyChanged, this, &AnalysisRunner::busyChanged);
}

AnalysisRunner::~AnalysisRunner() {
  cancel();
  projections_.waitForDone();  // the analysis job waits for its own pool
}

void AnalysisRunner::cancel() {
  job_.cancel();
}

quint64 AnalysisRunner::start(AnalysisRequest request) {
  return job_.start([this, request = std::move(request)](const ProgressCallbacks& callbacks) -> std::function<void()> {
    QElapsedTimer clock;
    clock.start();
    AnalysisResult result = loadModel(request);
    EncodedText encoded;
    try {
      encoded =
          request.audioPath.isEmpty() ? readInput(request, result) : readAudioForAnalysis(request, result, callbacks);
    } catch (const TextInputError& e) {
      // About the text, not the model: the views keep the previous analysis and the editor marks the places.
      return [this, problem = describeProblem(e, request.text, result)] { emit inputRejected(job_.latest(), problem); };
    }
    record(encoded, request.interventions, callbacks, result);
    result.rawInput = rawInputRowsOf(encoded);
    result.encoder = encoderViewOf(result.model->arch, result.rawInput.get());
    result.seconds = clock.nsecsElapsed() / 1e9;
    // Runs on the GUI thread, and only while this job is the latest (LatestJob drops it otherwise).
    return [this, result] { emit finished(job_.latest(), result); };
  });
}

quint64 AnalysisRunner::start(TraceWindowRequest request) {
  return job_.start([this, request = std::move(request)](const ProgressCallbacks& callbacks) -> std::function<void()> {
    QElapsedTimer clock;
    clock.start();
    AnalysisResult result;
    result.trace = request.trace;
    result.window = request.window;
    loadTraceModel(request, result);
    checkCancelled(callbacks);
    const Architecture arch = result.model ? result.model->arch : architectureOfTrace(*request.trace);
    auto recording = std::make_shared<Recording>(readTraceWindow(*request.trace, arch, request.window));
    result.recording = recording;
    deriveViews(recording->tokens, result);
    readMetaStrips(request, result);
    result.seconds = clock.nsecsElapsed() / 1e9;
    return [this, result] { emit finished(job_.latest(), result); };
  });
}

quint64 AnalysisRunner::startLstmvisConversion(QString yml, QString cacheFolder) {
  return job_.start([this, yml, cacheFolder](const ProgressCallbacks& callbacks) -> std::function<void()> {
    const LstmvisProject project = readLstmvisProject(yml.toStdString());
    // The trace is named by the project's files as they are now: an edited project is converted again.
    QCryptographicHash key(QCryptographicHash::Sha1);
    QStringList files{QFileInfo(yml).absoluteFilePath(), QString::fromStdString(project.wordFile),
                      QString::fromStdString(project.dictFile)};
    for (const LstmvisStates& s : project.states) files << QString::fromStdString(s.file + "::" + s.path);
    for (const LstmvisMeta& m : project.meta) files << QString::fromStdString(m.file + "::" + m.path);
    for (const QString& file : files) {
      const QFileInfo info(file.section(QStringLiteral("::"), 0, 0));
      key.addData((info.absoluteFilePath() + file + QString::number(info.size()) +
                   QString::number(info.lastModified().toMSecsSinceEpoch()))
                      .toUtf8());
    }
    QDir().mkpath(cacheFolder);
    const QString trace = QDir(cacheFolder).filePath(QString::fromLatin1(key.result().toHex()) + QStringLiteral(".h5"));
    if (!QFileInfo::exists(trace)) convertLstmvisProject(project, trace.toStdString(), callbacks);
    QStringList notes;
    for (const std::string& note : project.notes) notes << QString::fromStdString(note);
    // Named as the user knows it: the project's folder and file.
    const QString name = QFileInfo(yml).absoluteDir().dirName() + QLatin1Char('/') + QFileInfo(yml).fileName();
    return [this, trace, name, notes] { emit converted(job_.latest(), trace, name, notes); };
  });
}

quint64 AnalysisRunner::startProjection(std::shared_ptr<const viz::HeatmapData> states, QString what) {
  const quint64 id = ++latestProjection_;
  QPointer<AnalysisRunner> self(this);
  (void)QtConcurrent::run(&projections_, [states, what, self, id] {
    auto projection = std::make_shared<const Projection>(principalComponents(states->values(), 2));
    QMetaObject::invokeMethod(self.data(), [self, id, projection, what] {
      if (self && id == self->latestProjection_) emit self->projectionReady(id, projection, what);
    });
  });
  return id;
}

}  // namespace lstmscope::app
