// A background job's progress bar and Cancel button (docs/DEVELOPING.md, design rule 4), shown only while
// the job runs: what every dock with a LatestJob puts beside its controls.
#pragma once

#include <QWidget>

class QProgressBar;

namespace lstmscope::app {

class LatestJob;

class JobProgress : public QWidget {
  Q_OBJECT
 public:
  JobProgress(LatestJob& job, QWidget* parent = nullptr);

 private:
  QProgressBar* bar_;
};

}  // namespace lstmscope::app
