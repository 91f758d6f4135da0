#include "app/gui/encoder_panel.h"

#include <QComboBox>
#include <QDockWidget>
#include <QHBoxLayout>
#include <QLabel>
#include <QVBoxLayout>
#include <numeric>

#include "app/gui/raw_input_rows.h"
#include "core/model/encoder_lstm.h"
#include "viz/colour_map.h"
#include "viz/heatmap_data.h"
#include "viz/heatmap_view.h"

namespace lstmscope::app {

std::shared_ptr<const EncoderView> encoderViewOf(const Architecture& arch, const RawInputRows* rows) {
  if (!rows || !repeatsAState(arch.frontEnd)) return nullptr;
  auto view = std::make_shared<EncoderView>();
  for (const EncoderStates& layer : encoderStates(arch.frontEnd, rows->values)) {
    view->names.push_back(layer.name);
    view->h.push_back(layer.h.cast<float>());
    view->c.push_back(layer.c.cast<float>());
  }
  view->tokens = rows->tokens;
  return view;
}

EncoderPanel::EncoderPanel(QWidget* parent) : QWidget(parent) {
  layer_ = new QComboBox(this);
  quantity_ = new QComboBox(this);
  quantity_->addItem(tr("h (hidden state)"));
  quantity_->addItem(tr("c (cell state)"));
  note_ = new QLabel(this);
  note_->setWordWrap(true);
  heatmap_ = new viz::HeatmapView(this);
  auto* controls = new QHBoxLayout();
  controls->addWidget(new QLabel(tr("Encoder layer"), this));
  controls->addWidget(layer_);
  controls->addWidget(quantity_);
  controls->addWidget(note_, 1);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(4, 4, 4, 4);
  layout->addLayout(controls);
  layout->addWidget(heatmap_, 1);
  connect(layer_, &QComboBox::currentIndexChanged, this, &EncoderPanel::showChosen);
  connect(quantity_, &QComboBox::currentIndexChanged, this, &EncoderPanel::showChosen);
  setEncoder(nullptr);
}

QString EncoderPanel::note() const {
  return note_->text();
}

void EncoderPanel::setEncoder(std::shared_ptr<const EncoderView> encoder) {
  encoder_ = std::move(encoder);
  const bool has = encoder_ && !encoder_->names.empty();
  layer_->blockSignals(true);
  const int chosen = layer_->currentIndex();
  layer_->clear();
  if (has)
    for (const std::string& name : encoder_->names) layer_->addItem(QString::fromStdString(name));
  // The last layer by default: its last state is what the decoder reads.
  layer_->setCurrentIndex(has ? (chosen >= 0 && chosen < layer_->count() ? chosen : layer_->count() - 1) : -1);
  layer_->blockSignals(false);
  layer_->setEnabled(has), quantity_->setEnabled(has);
  // The dock is there only for a model with an encoder: shown when one opens, hidden when another model
  // opens, and otherwise left as the user put it.
  if (auto* dock = qobject_cast<QDockWidget*>(parentWidget()); dock && has != hadEncoder_) dock->setVisible(has);
  hadEncoder_ = has;
  heatmap_->setVisible(has);
  if (!has) {
    note_->setText(
        tr("This model has no encoder before its LSTMs. An encoder–decoder's encoder (LSTM → "
           "RepeatVector → LSTM) shows here on the input's own steps."));
    return;
  }
  showChosen();
}

void EncoderPanel::showChosen() {
  const int layer = layer_->currentIndex();
  if (!encoder_ || layer < 0) return;
  const bool cell = quantity_->currentIndex() == 1;
  // The matrix lives as long as the view that owns it: the data keeps the view alive.
  const Mat<float>& values = cell ? encoder_->c[static_cast<size_t>(layer)] : encoder_->h[static_cast<size_t>(layer)];
  heatmap_->setData(std::make_shared<const viz::HeatmapData>(encoder_, &values), encoder_->tokens);
  std::vector<int> units(static_cast<size_t>(values.rows()));
  std::iota(units.begin(), units.end(), 0);
  heatmap_->setRowUnits(std::move(units));
  const double extent = std::max(1e-6, static_cast<double>(values.cwiseAbs().maxCoeff()));
  heatmap_->setScale(viz::ColourScale(viz::ColourMap::named(QStringLiteral("blue-red")), -extent, extent));
  const QString name = layer_->currentText(), what = cell ? QStringLiteral("c") : QStringLiteral("h");
  heatmap_->setTitle(tr("%1 · %2 over the input's %3 steps").arg(name, what).arg(values.cols()), what);
  note_->setText(
      tr("The encoder on the input's own time axis; the main heatmap shows the decoder's steps, which "
         "read the last encoder layer's final state, repeated."));
}

}  // namespace lstmscope::app
