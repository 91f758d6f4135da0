#include "app/gui/job_progress.h"

#include <QHBoxLayout>
#include <QProgressBar>
#include <QPushButton>

#include "app/gui/latest_job.h"

namespace lstmscope::app {

JobProgress::JobProgress(LatestJob& job, QWidget* parent) : QWidget(parent) {
  bar_ = new QProgressBar(this);
  bar_->setRange(0, 1000);
  bar_->setMaximumWidth(150);
  auto* cancel = new QPushButton(tr("Cancel"), this);
  auto* layout = new QHBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(bar_);
  layout->addWidget(cancel);
  hide();
  connect(cancel, &QPushButton::clicked, &job, &LatestJob::cancel);
  connect(&job, &LatestJob::busyChanged, this, [this](bool busy) {
    setVisible(busy);
    bar_->setValue(0);
  });
  connect(&job, &LatestJob::progress, this, [this](quint64, long done, long total) {
    bar_->setValue(total > 0 ? static_cast<int>(1000.0 * done / total) : 0);
  });
}

}  // namespace lstmscope::app
