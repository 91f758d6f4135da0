// The app's job rule in one place (docs/DEVELOPING.md, design rule 4): each start() gets an id, cancels
// the previous job, runs on this job's own thread pool with a cancel flag and progress, and its outcome
// reaches the GUI thread only if no newer job has been started since; stale outcomes are dropped.
#pragma once

#include <QObject>
#include <QString>
#include <QThreadPool>
#include <atomic>
#include <functional>
#include <memory>

#include "core/common/progress.h"

namespace lstmscope::app {

class LatestJob : public QObject {
  Q_OBJECT
 public:
  explicit LatestJob(QObject* parent = nullptr) : QObject(parent) {}
  ~LatestJob() override;  // cancels, then waits for this job's own work only (not for other pools)

  // `work` runs off the GUI thread and returns what to do on the GUI thread with its result (called only
  // while its id is the latest). Exceptions become failed(), Cancelled becomes cancelled().
  using Work = std::function<std::function<void()>(const ProgressCallbacks&)>;
  quint64 start(Work work);
  void cancel();
  bool busy() const { return running_ > 0; }
  quint64 latest() const { return latest_; }

 signals:
  void progress(quint64 id, long done, long total);
  void failed(quint64 id, QString message);
  void cancelled(quint64 id);
  void busyChanged(bool busy);

 private:
  QThreadPool pool_;  // this job's own threads, so that waiting for them never waits for anyone else's
  std::atomic<quint64> latest_{0};
  std::shared_ptr<std::atomic<bool>> cancelFlag_;
  int running_ = 0;
};

}  // namespace lstmscope::app
