// Generation with interventions in the Interventions dock (docs/APP.md "Interventions"): the text up to the
// current step continued N tokens, greedily or sampled at a temperature with a seed, without and with the
// ticked interventions, side by side, with where they part marked; in the background with progress and
// Cancel.
#pragma once

#include <QWidget>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "app/gui/latest_job.h"
#include "core/model/model.h"

class QDoubleSpinBox;
class QLabel;
class QPushButton;
class QSpinBox;
class QTextEdit;

namespace lstmscope::app {

class GenerationPanel : public QWidget {
  Q_OBJECT
 public:
  explicit GenerationPanel(QWidget* parent = nullptr);

  struct Subject {
    std::shared_ptr<const Model> model;
    std::vector<int32_t> prompt;             // the tokens up to and with the current step
    std::vector<std::string> interventions;  // the ticked specs
  };
  void setSubjectSource(std::function<std::optional<Subject>()> source) { source_ = std::move(source); }
  void setTokens(int tokens);
  void setTemperature(double temperature);  // 0: greedy
  void setSeed(int seed);
  void run();
  bool busy() const { return job_.busy(); }
  QString plainText() const { return plain_; }
  QString intervenedText() const { return intervened_; }
  QString status() const;

 signals:
  void finished();

 private:
  LatestJob job_;
  QSpinBox* tokens_;
  QDoubleSpinBox* temperature_;
  QSpinBox* seed_;
  QPushButton* run_;
  QLabel* status_;
  QTextEdit* output_;
  QString plain_, intervened_;
  std::function<std::optional<Subject>()> source_;
};

}  // namespace lstmscope::app
