#include "app/gui/analysis_runner.h"

#include <QElapsedTimer>
#include <QPointer>
#include <QThreadPool>
#include <QtConcurrent/QtConcurrentRun>

#include "core/common/error.h"
#include "core/formats/model_loader.h"

namespace lstmscope::app {
namespace {

// The largest text the app analyses in one go (the CLI records longer inputs to trace files).
constexpr long kMaxSteps = 5'000'000;

AnalysisResult analyse(const AnalysisRequest& request, const RecordingCallbacks& callbacks) {
  QElapsedTimer clock;
  clock.start();
  AnalysisResult result;
  result.modelPath = request.modelPath;
  result.model = request.model;
  if (!result.model)
    result.model =
        std::make_shared<const Model>(loadModel(request.modelPath.toStdString(), request.vocabPath.toStdString()));
  if (result.model->arch.inputKind != InputKind::Tokens)
    throw InputError(request.modelPath.toStdString(),
                     "this model reads numeric features; the app analyses text (use lstmscope-cli record --csv)");
  const QByteArray utf8 = request.text.toUtf8();
  const EncodedText encoded = encodeText(result.model->arch, std::string(utf8.constData(), utf8.size()),
                                         request.textSource.toStdString(), kMaxSteps);
  result.recording = std::make_shared<const Recording>(recordInMemory(*result.model, encoded, callbacks));
  for (size_t l = 0; l < result.recording->states.size(); ++l) {
    result.squashedCells.emplace_back();
    for (int d = 0; d < result.recording->directions(static_cast<int>(l)); ++d)
      result.squashedCells.back().push_back(std::make_shared<const Mat<float>>(
          result.recording->values(static_cast<int>(l), d, Quantity::C).array().tanh().matrix()));
  }
  result.saturation = std::make_shared<const SaturationTable>(gateSaturationTable(*result.recording));
  result.seconds = clock.nsecsElapsed() / 1e9;
  return result;
}

}  // namespace

AnalysisRunner::AnalysisRunner(QObject* parent) : QObject(parent) {
  qRegisterMetaType<AnalysisResult>();
  qRegisterMetaType<std::shared_ptr<const Projection>>();
}

AnalysisRunner::~AnalysisRunner() {
  cancel();
  QThreadPool::globalInstance()->waitForDone();
}

void AnalysisRunner::cancel() {
  if (cancelFlag_) cancelFlag_->store(true);
}

quint64 AnalysisRunner::start(AnalysisRequest request) {
  cancel();
  const quint64 id = ++latest_;
  auto flag = std::make_shared<std::atomic<bool>>(false);
  cancelFlag_ = flag;
  if (running_++ == 0) emit busyChanged(true);
  QPointer<AnalysisRunner> self(this);
  // Delivery is queued to this object's thread; a result whose id is no longer the latest is dropped.
  const auto deliver = [self, id](auto&& emitter) {
    QMetaObject::invokeMethod(self.data(), [self, id, emitter] {
      if (!self) return;
      if (--self->running_ == 0) emit self->busyChanged(false);
      if (id == self->latest_) emitter(self.data());
    });
  };
  (void)QtConcurrent::run([request = std::move(request), flag, self, id, deliver] {
    RecordingCallbacks callbacks;
    callbacks.cancelled = [flag] { return flag->load(); };
    callbacks.progress = [self, id](long done, long total) {
      QMetaObject::invokeMethod(self.data(), [self, id, done, total] {
        if (self && id == self->latest_) emit self->progress(id, done, total);
      });
    };
    try {
      AnalysisResult result = analyse(request, callbacks);
      deliver([id, result](AnalysisRunner* r) { emit r->finished(id, result); });
    } catch (const Cancelled&) {
      deliver([id](AnalysisRunner* r) { emit r->cancelled(id); });
    } catch (const std::bad_alloc&) {
      deliver([id](AnalysisRunner* r) { emit r->failed(id, tr("out of memory: analyse a shorter text")); });
    } catch (const std::exception& e) {
      const QString message = QString::fromStdString(e.what());
      deliver([id, message](AnalysisRunner* r) { emit r->failed(id, message); });
    }
  });
  return id;
}

quint64 AnalysisRunner::startProjection(std::shared_ptr<const viz::HeatmapData> states, QString what) {
  const quint64 id = ++latestProjection_;
  QPointer<AnalysisRunner> self(this);
  (void)QtConcurrent::run([states, what, self, id] {
    auto projection = std::make_shared<const Projection>(principalComponents(states->values(), 2));
    QMetaObject::invokeMethod(self.data(), [self, id, projection, what] {
      if (self && id == self->latestProjection_) emit self->projectionReady(id, projection, what);
    });
  });
  return id;
}

}  // namespace lstmscope::app
