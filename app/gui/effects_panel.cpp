#include "app/gui/effects_panel.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QStackedWidget>
#include <QVBoxLayout>
#include <algorithm>
#include <numeric>

#include "app/gui/job_progress.h"
#include "core/common/error.h"
#include "core/formats/sequence_input.h"
#include "core/intervention/ablation.h"
#include "core/intervention/patching.h"
#include "viz/attribution_bar_chart.h"
#include "viz/heatmap_data.h"
#include "viz/heatmap_view.h"
#include "viz/token_text.h"

namespace lstmscope::app {
namespace {

constexpr long kMapSteps = 60;      // a map's steps without a brush: those up to the target
constexpr long kMaxMapSteps = 250;  // a longer brush is cut to its last steps: each step is a run per unit

// What a finished job shows.
struct EffectsResult {
  QString title, valueLabel, summary;
  std::shared_ptr<const Mat<float>> map;  // (units, steps) for a map; null for the bars
  long firstStep = 0;
  std::vector<double> effects;  // per unit, for the bars
};

// The corrupted input: the clean one with the brushed steps replaced by `corruption`'s tokens.
Inputs<float> corrupted(const EffectsPanel::Subject& s, const std::string& corruption) {
  if (s.model->arch.inputKind != InputKind::Tokens) throw InputError("patching replaces tokens: a model of text only");
  if (s.brushEnd <= s.brushFirst)
    throw InputError("brush the steps to corrupt in the heatmap first, then give what replaces them");
  const EncodedText replacement = encodeText(s.model->arch, corruption, "the corruption", s.brushEnd - s.brushFirst);
  if (replacement.inputs.steps != s.brushEnd - s.brushFirst)
    throw InputError("the corruption has " + std::to_string(replacement.inputs.steps) + " tokens but " +
                     std::to_string(s.brushEnd - s.brushFirst) + " steps are brushed: give as many");
  Inputs<float> out = s.inputs;
  std::copy(replacement.inputs.tokens.begin(), replacement.inputs.tokens.end(), out.tokens.begin() + s.brushFirst);
  if (out.tokens == s.inputs.tokens) throw InputError("the corruption is the text itself: change a token");
  return out;
}

// The steps [first, end) a map covers. Patching: from the first corrupted step to the target when the
// layers up to the one shown read only the past (before it the clean and corrupted runs are the same,
// nothing to restore), else the steps just before the target. Ablation: the brushed steps up to the
// target, or without a brush there, the steps just before the target.
struct MapSteps {
  long first = 0, end = 0;
};
bool layersReadOnlyThePast(const Architecture& arch, int upToLayer) {
  for (int l = 0; l <= upToLayer; ++l)
    if (arch.layers[static_cast<size_t>(l)].looksAhead()) return false;
  return true;
}
MapSteps stepsTheMapCovers(EffectsPanel::Kind kind, const EffectsPanel::Subject& s) {
  const Architecture& arch = s.model->arch;
  const bool brushed = s.brushEnd > s.brushFirst;
  MapSteps r{std::max(0L, s.step - kMapSteps + 1), s.step + 1};
  if (kind == EffectsPanel::Kind::Patch) {
    const bool targetReadsThePast = !arch.looksAhead() && arch.head && arch.head->reads == HeadReads::EachStep;
    if (targetReadsThePast && s.step < s.brushFirst)
      throw InputError("the target (step " + std::to_string(s.step) + ") comes before the corrupted steps (" +
                       std::to_string(s.brushFirst) + "–" + std::to_string(s.brushEnd - 1) +
                       "): pick a step at or after them");
    if (layersReadOnlyThePast(arch, s.layer) && s.brushFirst <= s.step) r.first = s.brushFirst;
  } else if (brushed && s.brushFirst <= s.step) {
    r = {s.brushFirst, std::min(s.brushEnd, s.step + 1)};
  }
  r.first = std::max(r.first, r.end - kMaxMapSteps);
  return r;
}

QString described(const EffectsPanel::Subject& s, const InterventionTarget& t) {
  QString what = QString::fromStdString(describeTarget(s.model->arch, t));
  if (t.kind != ScoreKind::Unit && s.model->arch.predictsNextToken(s.model->headOutputs()))
    what += QStringLiteral(" (“%1”)").arg(  // shown as the heatmap shows it: a newline as ↵, not a line break
        viz::displayToken(s.model->arch.vocab.tokens()[static_cast<size_t>(t.output)]));
  return what;
}

EffectsResult compute(EffectsPanel::Kind kind, bool toMean, const EffectsPanel::Subject& s,
                      const std::string& corruption, const ProgressCallbacks& callbacks) {
  const Model& model = *s.model;
  const InterventionTarget target = defaultTarget(model, s.inputs, s.step);
  const Inputs<float> corruptedInputs = kind == EffectsPanel::Kind::Patch ? corrupted(s, corruption) : Inputs<float>{};
  const auto [first, end] = stepsTheMapCovers(kind, s);
  const QString on = described(s, target);
  EffectsResult r;
  r.firstStep = first;
  if (kind == EffectsPanel::Kind::Patch) {
    PatchRequest request{s.layer, s.direction, s.quantity, first, end};
    const PatchMap p = patchMap(model, s.inputs, corruptedInputs, target, request, callbacks);
    r.map = std::make_shared<const Mat<float>>(p.restored.transpose().cast<float>());
    r.title = QObject::tr("Share of %1 restored by patching one value of %2 from the clean run, steps %3–%4")
                  .arg(on, s.quantityName)
                  .arg(first)
                  .arg(end - 1);
    r.valueLabel = QObject::tr("restored");
    r.summary = QObject::tr("clean %1, corrupted %2").arg(p.cleanScore, 0, 'g', 5).arg(p.corruptScore, 0, 'g', 5);
    return r;
  }
  AblationRequest request{s.layer,
                          s.direction,
                          s.quantity,
                          kind == EffectsPanel::Kind::Map ? first : 0,
                          kind == EffectsPanel::Kind::Map ? end : -1,
                          toMean};
  const QString how = toMean ? QObject::tr("its mean") : QObject::tr("zero");
  if (kind == EffectsPanel::Kind::Map) {
    const AblationEffects e = ablationMap(model, s.inputs, target, request, callbacks);
    r.map = std::make_shared<const Mat<float>>(e.map.cast<float>());
    r.title = QObject::tr("Change in %1 when one unit of %2 is set to %3 at one step, steps %4–%5")
                  .arg(on, s.quantityName, how)
                  .arg(first)
                  .arg(end - 1);
    r.summary = QObject::tr("score %1").arg(e.score, 0, 'g', 5);
  } else {
    const AblationEffects e = ablationSweep(model, s.inputs, target, request, callbacks);
    r.effects = e.effects;
    r.title = QObject::tr("Change in %1 when a unit of %2 is set to %3 at every step (largest first)")
                  .arg(on, s.quantityName, how);
    r.summary = QObject::tr("score %1").arg(e.score, 0, 'g', 5);
  }
  r.valueLabel = QObject::tr("Δ score");
  return r;
}

}  // namespace

EffectsPanel::EffectsPanel(QWidget* parent)
    : QWidget(parent),
      kind_(new QComboBox(this)),
      value_(new QComboBox(this)),
      corruption_(new QLineEdit(this)),
      run_(new QPushButton(tr("Run"), this)),
      rowOrder_(new QComboBox(this)),
      status_(new QLabel(this)),
      views_(new QStackedWidget(this)),
      map_(new viz::HeatmapView(this)),
      bars_(new viz::AttributionBarChart(this)) {
  auto* layout = new QVBoxLayout(this);
  auto* controls = new QHBoxLayout;
  kind_->addItems({tr("Ablate each unit"), tr("Ablate each unit at each step"), tr("Patch each unit at each step")});
  kind_->setToolTip(tr("For the prediction at the current step, on the quantity the heatmap shows"));
  value_->addItems({tr("to zero"), tr("to its mean")});
  corruption_->setPlaceholderText(tr("patching: what replaces the brushed steps"));
  controls->addWidget(kind_);
  controls->addWidget(value_);
  controls->addWidget(corruption_, 1);
  rowOrder_->addItems({tr("units in order"), tr("largest effect first")});
  rowOrder_->setToolTip(tr("The order of the map's rows"));
  controls->addWidget(rowOrder_);
  controls->addWidget(run_);
  controls->addWidget(new JobProgress(job_, this));
  layout->addLayout(controls);
  status_->setWordWrap(true);
  status_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  layout->addWidget(status_);
  views_->addWidget(bars_);
  views_->addWidget(map_);
  layout->addWidget(views_, 1);
  bars_->setLabelCaptions(tr("unit\nrank"));
  bars_->setCsvHeader(QStringLiteral("rank,unit,effect"));  // a row per bar, largest effect first
  bars_->clear(tr("Pick a quantity in the heatmap and a step, then Run."));
  showStatus(tr("Which units does the prediction at the current step depend on? Run ablates or patches the "
                "units of the quantity the heatmap shows."),
             false);
  const auto updateControls = [this] {
    const bool patch = kind_->currentIndex() == static_cast<int>(Kind::Patch);
    value_->setEnabled(!patch);
    corruption_->setEnabled(patch);
  };
  updateControls();
  connect(kind_, &QComboBox::currentIndexChanged, this, updateControls);
  connect(run_, &QPushButton::clicked, this, &EffectsPanel::run);
  connect(rowOrder_, &QComboBox::currentIndexChanged, this, &EffectsPanel::orderMapRows);
  connect(corruption_, &QLineEdit::returnPressed, this, &EffectsPanel::run);
  connect(map_, &viz::HeatmapView::currentPicked, this,
          [this](long step, int unit) { emit picked(mapFirstStep_ + step, unit); });
  connect(bars_, &viz::AttributionBarChart::stepClicked, this, [this](long index) {
    if (index >= 0 && index < static_cast<long>(barUnits_.size()))
      emit picked(-1, barUnits_[static_cast<size_t>(index)]);
  });
  connect(&job_, &LatestJob::failed, this, [this](quint64, const QString& message) {
    showStatus(message, true);
    emit finished();
  });
  connect(&job_, &LatestJob::cancelled, this, [this](quint64) { showStatus(tr("Cancelled."), false); });
}

void EffectsPanel::setKind(Kind kind) {
  kind_->setCurrentIndex(static_cast<int>(kind));
}

void EffectsPanel::setLargestEffectFirst(bool largestFirst) {
  rowOrder_->setCurrentIndex(largestFirst ? 1 : 0);
}

void EffectsPanel::orderMapRows() {
  if (!shownMap_) return;
  std::vector<int> rows(static_cast<size_t>(shownMap_->rows()));
  std::iota(rows.begin(), rows.end(), 0);
  if (rowOrder_->currentIndex() == 1) {
    const Eigen::VectorXf largest = shownMap_->cwiseAbs().rowwise().maxCoeff();
    std::stable_sort(rows.begin(), rows.end(), [&](int a, int b) { return largest[a] > largest[b]; });
  }
  map_->setRowUnits(std::move(rows));
}

void EffectsPanel::setCorruption(const QString& text) {
  corruption_->setText(text);
}

QString EffectsPanel::status() const {
  return status_->text();
}

void EffectsPanel::showStatus(const QString& text, bool error) {
  status_->setText(text);
  status_->setStyleSheet(error ? QStringLiteral("color: #b00020;") : QString());
}

void EffectsPanel::clear() {
  job_.cancel();
  hasResult_ = false;
  shownMap_.reset();
  bars_->clear(tr("Pick a quantity in the heatmap and a step, then Run."));
  views_->setCurrentWidget(bars_);
}

void EffectsPanel::run() {
  const std::optional<Subject> subject = source_ ? source_() : std::nullopt;
  if (!subject || !subject->model) return showStatus(tr("Analyse a text with its model first."), true);
  const Kind kind = static_cast<Kind>(kind_->currentIndex());
  const bool toMean = value_->currentIndex() == 1;
  const QByteArray corruption = corruption_->text().toUtf8();
  showStatus(tr("Running…"), false);
  job_.start([this, kind, toMean, s = *subject,
              corruption = corruption.toStdString()](const ProgressCallbacks& callbacks) -> std::function<void()> {
    EffectsResult r = compute(kind, toMean, s, corruption, callbacks);
    return [this, r = std::move(r), tokens = s.tokens] {
      hasResult_ = true;
      if (r.map) {
        mapFirstStep_ = r.firstStep;
        shownMap_ = r.map;
        map_->setData(std::make_shared<const viz::HeatmapData>(r.map, r.map.get()),
                      tokens.mid(r.firstStep, r.map->cols()));
        orderMapRows();
        const double extent = std::max(1e-12f, r.map->cwiseAbs().maxCoeff());
        map_->setScale(viz::ColourScale(viz::ColourMap::named(QStringLiteral("blue-red")), -extent, extent));
        map_->setTitle(r.title, r.valueLabel);
        map_->setFirstStepNumber(r.firstStep);
        views_->setCurrentWidget(map_);
      } else {
        shownMap_.reset();
        std::vector<int> order(r.effects.size());
        std::iota(order.begin(), order.end(), 0);
        std::stable_sort(order.begin(), order.end(), [&](int a, int b) {
          return std::abs(r.effects[static_cast<size_t>(a)]) > std::abs(r.effects[static_cast<size_t>(b)]);
        });
        order.resize(std::min<size_t>(order.size(), viz::AttributionBarChart::kMaxBars));
        QStringList labels;
        std::vector<double> values;
        for (int u : order) labels << QString::number(u), values.push_back(r.effects[static_cast<size_t>(u)]);
        barUnits_ = order;
        bars_->setContent(labels, values, r.title, r.valueLabel, static_cast<long>(values.size()) - 1);
        views_->setCurrentWidget(bars_);
      }
      showStatus(r.title + QStringLiteral(": ") + r.summary, false);
      emit finished();
    };
  });
}

}  // namespace lstmscope::app
