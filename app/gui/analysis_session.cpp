#include "app/gui/analysis_session.h"

#include <QDir>
#include <QFileInfo>
#include <QStandardPaths>

#include "core/attribution/attribution_report.h"
#include "core/common/error.h"
#include "core/formats/trace_file.h"
#include "core/intervention/intervention_spec.h"
#include "core/text/vocabulary.h"
#include "viz/heatmap_data.h"
#include "viz/token_text.h"

namespace lstmscope::app {

AnalysisSession::AnalysisSession(QObject* parent) : QObject(parent) {
  connect(&runner_, &AnalysisRunner::progress, this,
          [this](quint64, long done, long total) { emit progress(done, total); });
  connect(&runner_, &AnalysisRunner::busyChanged, this, &AnalysisSession::busyChanged);
  connect(&runner_, &AnalysisRunner::finished, this, [this](quint64, const AnalysisResult& result) { take(result); });
  connect(&runner_, &AnalysisRunner::failed, this, [this](quint64, const QString& message) { emit failed(message); });
  connect(&runner_, &AnalysisRunner::inputRejected, this, [this](quint64, const InputProblem& problem) {
    model_ = problem.model;  // loaded, and kept for the corrected input
    if (problem.importReport) pendingImportReport_ = problem.importReport;
    emit inputRejected(problem.message, problem.marks);
  });
  connect(&runner_, &AnalysisRunner::cancelled, this, [this](quint64) { emit cancelled(); });
  connect(&runner_, &AnalysisRunner::converted, this,
          [this](quint64, const QString& trace, const QString& name, const QStringList& notes) {
            try {
              openTrace(trace, name, tr("an LSTMVis project holds no model"));
            } catch (const InputError& e) {
              return emit failed(QString::fromStdString(e.what()));
            }
            emit lstmvisOpened(notes);
          });
  connect(&runner_, &AnalysisRunner::projectionReady, this,
          [this](quint64, std::shared_ptr<const Projection> projection, const QString& what) {
            emit projectionReady(std::move(projection), what);
          });
}

AnalysisSession::~AnalysisSession() = default;

void AnalysisSession::setModel(const QString& path, const QString& vocabPath,
                               std::optional<ImportChoices> importChoices) {
  trace_.reset();  // a model opened leaves the trace: the text is analysed again
  model_.reset();  // loaded by the next analysis
  startsOver_ = true;
  pendingImportReport_.reset();
  modelPath_ = path, vocabPath_ = vocabPath, importChoices_ = std::move(importChoices);
}

QString AnalysisSession::modelName() const {
  return QFileInfo(modelPath_).fileName();
}

bool AnalysisSession::reads(const QString& text) const {
  if (!model_ || !model_->arch.readsText()) return false;
  try {
    const QByteArray utf8 = text.toUtf8();
    tokenize(model_->arch.vocab, std::string_view(utf8.constData(), static_cast<size_t>(utf8.size())), {});
    return true;
  } catch (const InputError&) {
    return false;
  }
}

void AnalysisSession::setInput(const QString& text, bool isSample, const QString& source) {
  input_ = text;
  inputSource_ = source;
  inputIsSample_ = isSample;
  audioPath_.clear();
}

void AnalysisSession::setAudio(const QString& path, long chunk, long hop) {
  input_.clear();
  inputIsSample_ = false;
  // Another chunk is another import probe (a streaming graph that leaves its length open opens with the chunk
  // given): the model is loaded again by the next analysis.
  if (chunk != audioChunk_) model_.reset();
  audioPath_ = path, audioChunk_ = chunk, audioHop_ = hop;
}

namespace {

// The model a trace was recorded with: the path stored in it, else a file of that name (or of the model's
// name with .h5) in the trace's folder; empty when none exists.
QString findTraceModel(const TraceReader& trace, const QString& tracePath) {
  const QString stored = QString::fromStdString(trace.modelPath());
  const QDir folder = QFileInfo(tracePath).absoluteDir();
  QStringList candidates;
  if (!stored.isEmpty()) candidates << stored << folder.filePath(QFileInfo(stored).fileName());
  if (!trace.modelName().empty())
    candidates << folder.filePath(QString::fromStdString(trace.modelName()) + QStringLiteral(".h5"));
  for (const QString& candidate : candidates)
    if (QFileInfo(candidate).isFile() && candidate != QFileInfo(tracePath).absoluteFilePath()) return candidate;
  return {};
}

}  // namespace

void AnalysisSession::openTrace(const QString& path, const QString& name, const QString& withoutModel, long firstStep) {
  auto trace = std::make_shared<const TraceReader>(path.toStdString());
  runner_.cancel();
  trace_ = std::move(trace);
  traceName_ = name.isEmpty() ? QFileInfo(path).fileName() : name;
  traceModelPath_ = withoutModel.isEmpty() ? findTraceModel(*trace_, path) : QString();
  traceModelProblem_ = withoutModel;
  metaStyles_.reset();
  model_.reset();
  modelPath_ = traceModelPath_, vocabPath_.clear(), importChoices_.reset();
  startsOver_ = true;
  startTraceWindow(firstStep);
}

void AnalysisSession::openLstmvisProject(const QString& ymlPath) {
  runner_.startLstmvisConversion(
      ymlPath,
      QDir(QStandardPaths::writableLocation(QStandardPaths::CacheLocation)).filePath(QStringLiteral("lstmvis")));
  emit analysisStarted();
}

void AnalysisSession::showTraceStep(long step) {
  if (!trace_) return;
  if (result_ && result_->trace == trace_ && result_->window.contains(step)) return;
  startsOver_ = true;
  startTraceWindow(step);
}

void AnalysisSession::startTraceWindow(long step) {
  TraceWindowRequest request;
  request.trace = trace_;
  request.window = windowAround(*trace_, step, windowStepBudget(*trace_, traceWindowBytes_));
  request.modelPath = traceModelPath_;
  request.model = model_;
  request.withoutModel = traceModelProblem_;
  request.metaStyles = metaStyles_;
  runner_.start(std::move(request));
  emit analysisStarted();
}

bool AnalysisSession::analyse() {
  if (trace_ || !hasModel() || (input_.isEmpty() && audioPath_.isEmpty())) return false;
  AnalysisRequest request;
  request.modelPath = modelPath_;
  request.vocabPath = vocabPath_;
  request.importChoices = importChoices_;
  request.model = model_;
  request.text = input_;
  request.textSource = inputSource_.isEmpty() ? tr("the text") : inputSource_;
  request.labelColumn = labelColumn_;
  request.textIsSample = inputIsSample_;
  request.audioPath = audioPath_;
  request.audioChunk = audioChunk_, request.audioHop = audioHop_;
  if (!audioPath_.isEmpty()) request.textSource = QFileInfo(audioPath_).fileName();
  request.interventions = interventions_;
  runner_.start(std::move(request));
  emit analysisStarted();
  return true;
}

void AnalysisSession::cancel() {
  runner_.cancel();
}

void AnalysisSession::take(const AnalysisResult& result) {
  result_ = result;
  if (result.trace && !result.model && !traceModelPath_.isEmpty()) {
    traceModelPath_.clear();  // not loadable or not the trace's: not tried again for the next window
    traceModelProblem_ = result.modelProblem;
  }
  if (result.trace) metaStyles_ = result.metaStyles;
  if (!result_->importReport) result_->importReport = std::exchange(pendingImportReport_, nullptr);
  model_ = result.model;
  previous_ = startsOver_ ? nullptr : recording_;
  startsOver_ = false;
  showRun();
  recording_ = result_->recording;
  // Tokens show their spaces and line breaks; a table's or an audio file's step labels ("2021-03-04 10:00",
  // "0.032 s") are names, shown as written.
  if (recording_->arch.readsText()) {
    stepTokens_ = viz::displayTokens(recording_->tokens);
  } else {
    stepTokens_.clear();
    for (const std::string& label : recording_->tokens)
      stepTokens_ << QString::fromStdString(label).replace(QLatin1Char('\n'), QLatin1Char(' '));
  }
  vocabulary_ = viz::displayTokens(recording_->arch.vocab.tokens());
  for (auto& units : attributionUnits_) units.clear();  // they belong to the previous input
  emit analysed();
  previous_.reset();  // only for the slots of analysed(): a recording can take gigabytes
}

void AnalysisSession::setInterventions(std::vector<std::string> specs) {
  interventions_ = std::move(specs);
}

void AnalysisSession::showRun() {
  if (!result_ || result_->interventions.empty()) return;
  const RunViews& run = result_->runs[static_cast<size_t>(runShown_)];
  result_->recording = run.recording;
  result_->squashedCells = run.squashedCells;
  result_->saturation = run.saturation;
}

void AnalysisSession::setRunShown(RunShown run) {
  if (run == runShown_) return;
  runShown_ = run;
  if (!result_ || result_->interventions.empty()) return;
  showRun();
  previous_ = recording_;  // the same input: the views stay where they are
  recording_ = result_->recording;
  emit analysed();
  previous_.reset();
}

std::vector<int> AnalysisSession::intervenedUnits(int layer, int direction) const {
  std::vector<int> units;
  if (!intervened() || !result_->recording) return units;
  for (const InterventionSpec& spec : parseInterventionSpecs(result_->interventions))  // as applied: valid
    if (spec.layer == layer && directionIndex(result_->recording->arch, layer, spec.direction) == direction)
      units.insert(units.end(), spec.units.begin(), spec.units.end());
  return units;
}

std::shared_ptr<const Recording> AnalysisSession::originalRecording() const {
  if (!result_ || result_->interventions.empty()) return nullptr;
  return result_->runs[static_cast<size_t>(RunShown::Original)].recording;
}

std::shared_ptr<const viz::HeatmapData> AnalysisSession::heatmapData(int layer, int direction, Quantity q,
                                                                     bool squashed,
                                                                     UnitAttributionKind attribution) const {
  if (attribution != UnitAttributionKind::None) {
    const auto& units = attributionUnits_[static_cast<size_t>(attribution)];
    if (static_cast<int>(units.size()) > layer && static_cast<int>(units[layer].size()) > direction)
      return std::make_shared<const viz::HeatmapData>(units[layer][direction], units[layer][direction].get());
    // Not computed yet (or the model has no head): zeros until the Attribution dock's result arrives.
    auto zeros = std::make_shared<const Mat<float>>(Mat<float>::Zero(recording_->hidden(layer), recording_->steps));
    return std::make_shared<const viz::HeatmapData>(zeros, zeros.get());
  }
  if (!squashed || q != Quantity::C)
    return std::make_shared<const viz::HeatmapData>(recording_, &recording_->values(layer, direction, q));
  const std::shared_ptr<const Mat<float>>& cells = result_->squashedCells.at(layer).at(direction);
  return std::make_shared<const viz::HeatmapData>(cells, cells.get());
}

void AnalysisSession::setUnitAttribution(const AttributionReport& report) {
  const auto toFloat = [](const UnitAttribution& u, bool cells) {
    PerDirection<std::shared_ptr<const Mat<float>>> out;
    for (const auto& layer : cells ? u.c : u.h) {
      out.emplace_back();
      for (const Mat<double>& m : layer) out.back().push_back(std::make_shared<const Mat<float>>(m.cast<float>()));
    }
    return out;
  };
  attributionUnits_[static_cast<size_t>(UnitAttributionKind::GradientH)] = toFloat(report.gradientUnits, false);
  attributionUnits_[static_cast<size_t>(UnitAttributionKind::GradientC)] = toFloat(report.gradientUnits, true);
  attributionUnits_[static_cast<size_t>(UnitAttributionKind::RelevanceH)] = toFloat(report.relevanceUnits, false);
  attributionUnits_[static_cast<size_t>(UnitAttributionKind::RelevanceC)] = toFloat(report.relevanceUnits, true);
  emit unitAttributionChanged();
}

void AnalysisSession::requestProjection(std::shared_ptr<const viz::HeatmapData> states, const QString& what) {
  runner_.startProjection(std::move(states), what);
}

}  // namespace lstmscope::app
