#include "app/gui/generation_panel.h"

#include <QDoubleSpinBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QSpinBox>
#include <QTextEdit>
#include <QVBoxLayout>

#include "app/gui/job_progress.h"
#include "core/common/error.h"
#include "core/engine/forward.h"
#include "core/intervention/ablation.h"
#include "core/intervention/generation.h"
#include "core/intervention/intervention_spec.h"
#include "viz/token_text.h"

namespace lstmscope::app {
namespace {

QString textOf(const Architecture& arch, const std::vector<int32_t>& ids) {
  std::vector<std::string> tokens;
  for (int32_t id : ids) tokens.push_back(arch.vocab.tokens()[static_cast<size_t>(id)]);
  return viz::displayTokens(tokens).join(arch.vocab.level() == TokenLevel::Char ? QString() : QStringLiteral(" "));
}

}  // namespace

GenerationPanel::GenerationPanel(QWidget* parent)
    : QWidget(parent),
      tokens_(new QSpinBox(this)),
      temperature_(new QDoubleSpinBox(this)),
      seed_(new QSpinBox(this)),
      run_(new QPushButton(tr("Continue from the current step"), this)),
      status_(new QLabel(this)),
      output_(new QTextEdit(this)) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  auto* row = new QHBoxLayout;
  tokens_->setRange(1, 2000);
  tokens_->setValue(80);
  tokens_->setSuffix(tr(" tokens"));
  tokens_->setToolTip(tr("How many tokens to generate"));
  temperature_->setRange(0, 5);
  temperature_->setSingleStep(0.1);
  temperature_->setDecimals(2);
  temperature_->setPrefix(tr("temperature "));
  temperature_->setSpecialValueText(tr("greedy"));  // shown at 0: the most probable token each time
  temperature_->setToolTip(
      tr("0: greedy (the most probable token each time); above 0: sampled, the "
         "higher the more random"));
  seed_->setRange(1, 1000000000);
  seed_->setPrefix(tr("seed "));
  seed_->setToolTip(
      tr("Sampling draws the same random numbers with and without the interventions: the "
         "two continuations differ only where the model does"));
  const auto updateSeed = [this] { seed_->setEnabled(temperature_->value() > 0); };
  updateSeed();
  connect(temperature_, &QDoubleSpinBox::valueChanged, this, updateSeed);
  row->addWidget(run_, 1);
  row->addWidget(tokens_);
  row->addWidget(temperature_);
  row->addWidget(seed_);
  row->addWidget(new JobProgress(job_, this));
  layout->addLayout(row);
  status_->setWordWrap(true);
  layout->addWidget(status_);
  output_->setReadOnly(true);
  output_->setMinimumHeight(3 * fontMetrics().height());
  layout->addWidget(output_, 1);
  connect(run_, &QPushButton::clicked, this, &GenerationPanel::run);
  connect(&job_, &LatestJob::failed, this, [this](quint64, const QString& message) {
    status_->setText(message);
    status_->setStyleSheet(QStringLiteral("color: #b00020;"));
    emit finished();
  });
}

void GenerationPanel::setTokens(int tokens) {
  tokens_->setValue(tokens);
}

void GenerationPanel::setTemperature(double temperature) {
  temperature_->setValue(temperature);
}

void GenerationPanel::setSeed(int seed) {
  seed_->setValue(seed);
}

QString GenerationPanel::status() const {
  return status_->text();
}

void GenerationPanel::run() {
  const std::optional<Subject> subject = source_ ? source_() : std::nullopt;
  status_->setStyleSheet(QString());
  if (!subject || !subject->model) return status_->setText(tr("Analyse a text with a language model first."));
  GenerationRequest request;
  request.tokens = tokens_->value();
  request.temperature = temperature_->value();
  request.seed = static_cast<uint64_t>(seed_->value());
  status_->setText(tr("Generating…"));
  job_.start([this, s = *subject, request](const ProgressCallbacks& callbacks) -> std::function<void()> {
    const Model& model = *s.model;
    Inputs<double> prompt;
    prompt.steps = static_cast<int>(s.prompt.size());
    prompt.tokens = s.prompt;
    const Network<double> net = model.cast<double>();
    const InterventionPlan plan(
        resolveInterventions(parseInterventionSpecs(s.interventions), model.arch,
                             prompt.steps + static_cast<long>(request.tokens), meanOverPlainRun(net, prompt)),
        model.arch);
    const Generation plain = generate(model, s.prompt, InterventionPlan(), request, callbacks);
    const Generation intervened = generate(model, s.prompt, plan, request, callbacks);
    size_t parts = 0;
    while (parts < plain.tokens.size() && plain.tokens[parts] == intervened.tokens[parts]) ++parts;
    return [this, a = textOf(model.arch, plain.tokens), b = textOf(model.arch, intervened.tokens), parts,
            same = parts == plain.tokens.size(), none = s.interventions.empty()] {
      plain_ = a, intervened_ = b;
      const auto marked = [&](const QString& text) {
        return text.left(static_cast<qsizetype>(parts)).toHtmlEscaped() +
               QStringLiteral("<b style=\"color:#b00020\">") + text.mid(static_cast<qsizetype>(parts)).toHtmlEscaped() +
               QStringLiteral("</b>");
      };
      output_->setHtml(QStringLiteral("<p><i>%1</i><br><tt>%2</tt></p><p><i>%3</i><br><tt>%4</tt></p>")
                           .arg(tr("without the interventions"), marked(a), tr("with them"), marked(b)));
      status_->setText(none   ? tr("No intervention is ticked: both runs are the plain model.")
                       : same ? tr("The interventions changed no generated token.")
                              : tr("The two part at generated token %1 (in red from there).").arg(parts));
      emit finished();
    };
  });
}

}  // namespace lstmscope::app
