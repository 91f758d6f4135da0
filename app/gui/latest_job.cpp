#include "app/gui/latest_job.h"

#include <QPointer>
#include <QtConcurrent/QtConcurrentRun>

#include "core/common/error.h"

namespace lstmscope::app {

LatestJob::~LatestJob() {
  cancel();
  pool_.waitForDone();
}

void LatestJob::cancel() {
  if (cancelFlag_) cancelFlag_->store(true);
}

quint64 LatestJob::start(Work work) {
  cancel();
  const quint64 id = ++latest_;
  auto flag = std::make_shared<std::atomic<bool>>(false);
  cancelFlag_ = flag;
  if (running_++ == 0) emit busyChanged(true);
  QPointer<LatestJob> self(this);
  // Delivery is queued to this object's thread; an outcome whose id is no longer the latest is dropped.
  const auto deliver = [self, id](std::function<void()> outcome) {
    QMetaObject::invokeMethod(self.data(), [self, id, outcome = std::move(outcome)] {
      if (!self) return;
      if (--self->running_ == 0) emit self->busyChanged(false);
      if (id == self->latest_) outcome();
    });
  };
  (void)QtConcurrent::run(&pool_, [work = std::move(work), flag, self, id, deliver] {
    ProgressCallbacks callbacks;
    callbacks.cancelled = [flag] { return flag->load(); };
    callbacks.progress = [self, id](long done, long total) {
      QMetaObject::invokeMethod(self.data(), [self, id, done, total] {
        if (self && id == self->latest_) emit self->progress(id, done, total);
      });
    };
    try {
      deliver(work(callbacks));
    } catch (const Cancelled&) {
      deliver([self, id] { emit self->cancelled(id); });
    } catch (const std::bad_alloc&) {
      deliver([self, id] { emit self->failed(id, tr("out of memory: try a shorter text")); });
    } catch (const std::exception& e) {
      const QString message = QString::fromStdString(e.what());
      deliver([self, id, message] { emit self->failed(id, message); });
    }
  });
  return id;
}

}  // namespace lstmscope::app
