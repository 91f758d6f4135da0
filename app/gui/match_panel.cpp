#include "app/gui/match_panel.h"

#include <QCheckBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QScrollArea>
#include <QSpinBox>
#include <QVBoxLayout>

#include "app/gui/job_progress.h"
#include "core/common/error.h"
#include "core/formats/trace_file.h"

namespace lstmscope::app {

MatchPanel::MatchPanel(QWidget* parent) : QWidget(parent) {
  summary_ = new QLabel(tr("Select units (brush the heatmap or click unit labels), then Find."), this);
  summary_->setWordWrap(true);
  left_ = new QCheckBox(tr("off before"), this);
  left_->setToolTip(tr("The matched units must be off at the step before the run (LSTMVis's left constraint)."));
  right_ = new QCheckBox(tr("off after"), this);
  right_->setToolTip(tr("The matched units must be off at the step after the run."));
  phrase_ = new QSpinBox(this);
  phrase_->setRange(0, 1000);
  phrase_->setSpecialValueText(tr("any length"));
  phrase_->setPrefix(tr("length "));
  phrase_->setToolTip(tr("Only runs of exactly this many steps (any length: 2 steps or more)."));
  top_ = new QSpinBox(this);
  top_->setRange(1, 1000);
  top_->setValue(50);
  top_->setPrefix(tr("top "));
  find_ = new QPushButton(tr("Find"), this);
  progress_ = new JobProgress(job_, this);
  auto* controls = new QHBoxLayout;
  for (QWidget* w : std::initializer_list<QWidget*>{left_, right_, phrase_, top_, find_, progress_})
    controls->addWidget(w);
  controls->addStretch(1);
  rows_ = new viz::MatchRowsView(this);
  rows_->setMessage(
      tr("Matches are the places where the selected units are on together: each row shows one, "
         "with the number of selected units on at each token."));
  auto* scroll = new QScrollArea(this);
  scroll->setWidget(rows_);
  scroll->setWidgetResizable(true);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(4, 4, 4, 4);
  layout->addLayout(controls);
  layout->addWidget(summary_);
  layout->addWidget(scroll, 1);

  connect(find_, &QPushButton::clicked, this, &MatchPanel::find);
  connect(&job_, &LatestJob::failed, this, [this](quint64, const QString& message) {
    summary_->setText(tr("The search failed: %1").arg(message));
    rows_->setMessage({});
  });
  connect(&job_, &LatestJob::cancelled, this, [this](quint64) { summary_->setText(tr("Search cancelled.")); });
  connect(rows_, &viz::MatchRowsView::rowClicked, this, [this](int row) {
    if (!found_ || row < 0 || row >= static_cast<int>(found_->result.matches.size())) return;
    const Match& m = found_->result.matches[static_cast<size_t>(row)];
    emit jumpRequested(m.start, m.length);
  });
  connect(rows_, &viz::MatchRowsView::rowHovered, this, &MatchPanel::hovered);
}

void MatchPanel::setConstraints(bool left, bool right) {
  left_->setChecked(left), right_->setChecked(right);
}

void MatchPanel::setTop(int top) {
  top_->setValue(top);
}

QString MatchPanel::summary() const {
  return summary_->text();
}

void MatchPanel::find() {
  if (!setup_) return;
  const Setup setup = setup_();
  if (setup.units.empty() || (!setup.source.trace && !setup.source.recording)) {
    job_.cancel();
    summary_->setText(tr("Select units first: brush a range of steps in the heatmap, or click unit labels."));
    return;
  }
  MatchQuery query;
  query.units = setup.units;
  query.threshold = setup.threshold;
  query.tanh = setup.source.quantity == Quantity::C;  // LSTMVis compares tanh(c), as the index does
  query.constrainLeft = left_->isChecked(), query.constrainRight = right_->isChecked();
  query.phraseLength = phrase_->value();
  query.top = top_->value();
  summary_->setText(tr("Searching %1 for %n selected unit(s)…", nullptr, static_cast<int>(query.units.size()))
                        .arg(setup.source.trace ? tr("the whole trace") : tr("the text")));
  job_.start([this, setup, query](const ProgressCallbacks& progress) -> std::function<void()> {
    auto found = std::make_shared<MatchFound>(searchMatches(setup.source, query, progress));
    return [this, found] {
      found_ = std::move(*found);
      const MatchResult& r = found_->result;
      summary_->setText(
          tr("%1 of %L2 runs over %L3 steps, best first (|selected ∩ on| more, |selected ∪ on| fewer)%4. Click a row "
             "to go there.")
              .arg(r.matches.size())
              .arg(r.candidates)
              .arg(r.steps)
              .arg(found_->fromIndex ? tr(", from the trace's match index") : QString()));
      if (r.matches.empty())
        rows_->setMessage(tr("No run of the selected units is on at this threshold."));
      else
        rows_->setRows(found_->rows, found_->selected, found_->meta);
      emit searched();
    };
  });
}

}  // namespace lstmscope::app
