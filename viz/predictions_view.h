// A language model's predictions at the current step: the top-5 next tokens with their probabilities,
// and the probability (and rank) the model gave to the token that actually came next. A classifier's one
// prediction from the whole input: its top-5 classes. A forecaster's values: its outputs (head_values.h).
#pragma once

#include <QStringList>
#include <QWidget>
#include <memory>

#include "core/analysis/statistics.h"
#include "viz/exportable_view.h"

namespace lstmscope {
struct Recording;
}

namespace lstmscope::viz {

class PredictionsView : public QWidget, public ExportableView {
  Q_OBJECT
 public:
  explicit PredictionsView(QWidget* parent = nullptr);

  // `recording` must be a language model's (Recording::isLanguageModel) or a classifier's; otherwise the
  // view says so.
  // `unavailable`: why there are no predictions to show (e.g. a trace opened without its model), said
  // instead of the usual note.
  void setRecording(std::shared_ptr<const Recording> recording, const QStringList& vocabularyDisplay,
                    const QStringList& stepTokens, const QString& unavailable = {});
  // Why nothing is predicted (drawn in place of the predictions), or empty.
  const QString& unavailableReason() const { return unavailable_; }
  void setStep(long step);
  // The same input's run without interventions (null: none): each probability is then shown with its
  // change from that run, in percentage points. Set before setRecording().
  void setBaseline(std::shared_ptr<const Recording> original) { baseline_ = std::move(original); }
  // Token id's probability at the current step minus the baseline's, in percentage points; NaN without one.
  double baselineChange(int id) const;

  struct Summary {
    std::vector<Prediction> top;  // most probable first
    int nextId = -1;              // the token that came next, -1 at the last step
    float nextProbability = 0;
    int nextRank = 0;  // 1 = the model's first choice
  };
  Summary summary() const;  // at the current step

  static constexpr int kTop = 5;
  // The token id of the prediction drawn at `point` (widget coordinates), or -1.
  int predictionAt(const QPoint& point) const;

  QString figureTitle() const override;
  void renderFigure(QPainter& painter, const QSize& size, FigureMarks marks) override;
  int figureHeightForWidth(int width) const override;
  void writeCsv(QTextStream& out) const override;  // every step: next token, its probability and rank, top 5

 signals:
  void predictionClicked(int tokenId);  // "explain this prediction"

 protected:
  void paintEvent(QPaintEvent* event) override;
  void mousePressEvent(QMouseEvent* event) override;

 private:
  Summary summaryAt(long step) const;
  // A classifier's one prediction from the whole input (a per-sequence head with probabilities), rather
  // than a language model's at every step.
  bool wholeInput() const;
  bool predicts() const;  // a language model or wholeInput()
  // A head that gives values (linear: a forecaster's), shown as numbers at the current step or once.
  bool showsValues() const;
  QString outputLabel(int id) const;  // a token, the head's class label, or "output k"
  // The probability of `id` at the current step minus the baseline's, in percentage points; NaN without one.
  void paint(QPainter& p, const QSize& size);

  std::shared_ptr<const Recording> recording_;
  std::shared_ptr<const Recording> baseline_;
  QString unavailable_;
  QStringList vocabulary_, stepTokens_;
  long step_ = 0;
};

}  // namespace lstmscope::viz
