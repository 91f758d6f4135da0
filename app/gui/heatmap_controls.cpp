#include "app/gui/heatmap_controls.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QLabel>
#include <QLineEdit>
#include <QSignalBlocker>
#include <QStandardItemModel>

#include "core/analysis/recording.h"
#include "viz/colour_map.h"

namespace lstmscope::app {
namespace {

constexpr int kSquashedCell = 100;     // item data of tanh(c), beside the Quantity values
constexpr int kAttributionBase = 200;  // item data of the unit attribution quantities

QLabel* label(const QString& text, QWidget* parent) {
  auto* l = new QLabel(text, parent);
  l->setContentsMargins(8, 0, 2, 0);
  return l;
}

}  // namespace

HeatmapControls::HeatmapControls(QWidget* parent) : QToolBar(tr("Heatmap"), parent) {
  setObjectName(QStringLiteral("heatmapControls"));
  layer_ = new QComboBox(this);
  direction_ = new QComboBox(this);
  quantity_ = new QComboBox(this);
  const QStringList quantityNames{tr("i (input gate)"),  tr("f (forget gate)"), tr("g (cell candidate)"),
                                  tr("o (output gate)"), tr("c (cell state)"),  tr("h (hidden state)")};
  for (size_t k = 0; k < kRecordedQuantities.size(); ++k) {
    quantity_->addItem(quantityNames[static_cast<qsizetype>(k)], static_cast<int>(kRecordedQuantities[k]));
    // Cell states are unbounded (counters reach hundreds): tanh(c) is what Karpathy et al. colour by.
    if (kRecordedQuantities[k] == Quantity::C) quantity_->addItem(tr("tanh(c) (squashed cell)"), kSquashedCell);
  }
  // Attribution to hidden units for the Attribution dock's target (item data kAttributionBase + kind).
  quantity_->insertSeparator(quantity_->count());
  quantity_->addItem(tr("attribution: gradient × h"),
                     kAttributionBase + static_cast<int>(UnitAttributionKind::GradientH));
  quantity_->addItem(tr("attribution: gradient × c"),
                     kAttributionBase + static_cast<int>(UnitAttributionKind::GradientC));
  quantity_->addItem(tr("attribution: LRP relevance of h"),
                     kAttributionBase + static_cast<int>(UnitAttributionKind::RelevanceH));
  quantity_->addItem(tr("attribution: LRP relevance of c"),
                     kAttributionBase + static_cast<int>(UnitAttributionKind::RelevanceC));
  setQuantity(Quantity::C, true);
  sequentialMap_ = new QComboBox(this);
  sequentialMap_->addItems(viz::ColourMap::sequentialNames());
  sequentialMap_->setToolTip(tr("Sequential colour map, for gates (values in [0, 1])"));
  divergingMap_ = new QComboBox(this);
  divergingMap_->addItems(viz::ColourMap::divergingNames());
  divergingMap_->setToolTip(tr("Diverging colour map, for signed values (g, c, h), centred on zero"));
  autoRange_ = new QCheckBox(tr("auto range"), this);
  autoRange_->setChecked(true);
  low_ = new QDoubleSpinBox(this);
  high_ = new QDoubleSpinBox(this);
  for (QDoubleSpinBox* s : {low_, high_}) {
    s->setRange(-1e6, 1e6), s->setDecimals(3), s->setSingleStep(0.1), s->setEnabled(false);
    s->setToolTip(tr("Fixed colour range (turn off auto range)"));
  }
  low_->setValue(-1), high_->setValue(1);
  order_ = new QComboBox(this);
  order_->addItems({tr("index"), tr("mean"), tr("variance"), tr("match score")});
  filter_ = new QLineEdit(this);
  filter_->setPlaceholderText(tr("all units (e.g. 0-31, 40)"));
  filter_->setClearButtonEnabled(true);
  filter_->setMaximumWidth(170);
  selectedOnly_ = new QCheckBox(tr("selected only"), this);

  addWidget(label(tr("Layer"), this));
  addWidget(layer_);
  directionAction_ = addWidget(direction_);
  addWidget(label(tr("Quantity"), this));
  addWidget(quantity_);
  addWidget(label(tr("Sequential"), this));
  addWidget(sequentialMap_);
  addWidget(label(tr("Diverging"), this));
  addWidget(divergingMap_);
  addWidget(autoRange_);
  addWidget(low_);
  addWidget(high_);
  addWidget(label(tr("Sort"), this));
  addWidget(order_);
  addWidget(label(tr("Units"), this));
  addWidget(filter_);
  addWidget(selectedOnly_);

  for (QComboBox* c : {layer_, direction_, quantity_, sequentialMap_, divergingMap_, order_})
    connect(c, &QComboBox::currentIndexChanged, this, &HeatmapControls::changed);
  connect(autoRange_, &QCheckBox::toggled, this, [this](bool on) {
    low_->setEnabled(!on), high_->setEnabled(!on);
    emit changed();
  });
  for (QDoubleSpinBox* s : {low_, high_}) connect(s, &QDoubleSpinBox::valueChanged, this, &HeatmapControls::changed);
  connect(filter_, &QLineEdit::editingFinished, this, &HeatmapControls::changed);
  // Emptied (by its clear button or by deleting): all units at once, and no longer marked as wrong.
  connect(filter_, &QLineEdit::textChanged, this, [this](const QString& text) {
    if (text.isEmpty()) emit changed();
  });
  connect(selectedOnly_, &QCheckBox::toggled, this, &HeatmapControls::changed);
}

void HeatmapControls::setArchitecture(const Architecture& arch, bool keepLayer) {
  const QSignalBlocker b1(layer_), b2(direction_);
  const int oldLayer = layer_->currentIndex();
  layer_->clear();
  for (size_t l = 0; l < arch.layers.size(); ++l) {
    layer_->addItem(QString::number(l));
    layer_->setItemData(layer_->count() - 1, tr("layer %1: %2 units").arg(l).arg(arch.layers[l].hidden),
                        Qt::ToolTipRole);
  }
  layer_->setCurrentIndex(keepLayer && oldLayer >= 0 && oldLayer < layer_->count() ? oldLayer : layer_->count() - 1);
  const bool bidirectional =
      std::any_of(arch.layers.begin(), arch.layers.end(), [](const LayerSpec& s) { return s.bidirectional; });
  direction_->clear();
  direction_->addItem(tr("forward"));
  if (bidirectional) direction_->addItem(tr("backward"));
  directionAction_->setVisible(bidirectional);
}

void HeatmapControls::setAvailable(const std::function<bool(Quantity)>& recorded, bool attribution) {
  auto* items = qobject_cast<QStandardItemModel*>(quantity_->model());
  const QSignalBlocker blocker(quantity_);
  const auto available = [&](int data) {
    if (data > kAttributionBase) return attribution;
    return recorded(data == kSquashedCell ? Quantity::C : static_cast<Quantity>(data));
  };
  for (int k = 0; k < quantity_->count(); ++k)
    if (QStandardItem* item = items->item(k); item && !quantity_->itemText(k).isEmpty())  // not the separator
      item->setEnabled(available(quantity_->itemData(k).toInt()));
  if (available(quantity_->currentData().toInt())) return;
  for (int data : {kSquashedCell, static_cast<int>(Quantity::H), static_cast<int>(Quantity::I),
                   static_cast<int>(Quantity::F), static_cast<int>(Quantity::G), static_cast<int>(Quantity::O)})
    if (available(data)) {
      quantity_->setCurrentIndex(quantity_->findData(data));
      return;
    }
}

int HeatmapControls::layer() const {
  return std::max(0, layer_->currentIndex());
}
void HeatmapControls::setLayer(int layer) {
  layer_->setCurrentIndex(layer);
}
void HeatmapControls::setDirection(int direction) {
  direction_->setCurrentIndex(direction);
}
int HeatmapControls::direction() const {
  return std::max(0, direction_->currentIndex());
}
Quantity HeatmapControls::quantity() const {
  switch (attribution()) {
    case UnitAttributionKind::GradientH:
    case UnitAttributionKind::RelevanceH:
      return Quantity::H;
    case UnitAttributionKind::GradientC:
    case UnitAttributionKind::RelevanceC:
      return Quantity::C;
    case UnitAttributionKind::None:
      break;
  }
  return squashed() ? Quantity::C : static_cast<Quantity>(quantity_->currentData().toInt());
}
UnitAttributionKind HeatmapControls::attribution() const {
  const int data = quantity_->currentData().toInt();
  return data > kAttributionBase ? static_cast<UnitAttributionKind>(data - kAttributionBase)
                                 : UnitAttributionKind::None;
}
void HeatmapControls::setAttribution(UnitAttributionKind kind) {
  chooseQuantityItem(quantity_->findData(kAttributionBase + static_cast<int>(kind)));
}
void HeatmapControls::chooseQuantityItem(int index) {
  // A quantity made unavailable (setAvailable) cannot be chosen in code either.
  const auto* items = qobject_cast<const QStandardItemModel*>(quantity_->model());
  if (index >= 0 && items->item(index) && items->item(index)->isEnabled()) quantity_->setCurrentIndex(index);
}
bool HeatmapControls::squashed() const {
  return quantity_->currentData().toInt() == kSquashedCell;
}
void HeatmapControls::setQuantity(Quantity q, bool squashed) {
  chooseQuantityItem(quantity_->findData(squashed && q == Quantity::C ? kSquashedCell : static_cast<int>(q)));
}
UnitOrder HeatmapControls::order() const {
  return static_cast<UnitOrder>(order_->currentIndex());
}
void HeatmapControls::setOrder(UnitOrder order) {
  order_->setCurrentIndex(static_cast<int>(order));
}

void HeatmapControls::setFilterError(const QString& error) {
  filter_->setStyleSheet(error.isEmpty() ? QString() : QStringLiteral("QLineEdit { background: #fdd; }"));
  filter_->setToolTip(error);
}

void HeatmapControls::setColourMaps(const QString& sequential, const QString& diverging) {
  if (const int i = sequentialMap_->findText(sequential); i >= 0) sequentialMap_->setCurrentIndex(i);
  if (const int i = divergingMap_->findText(diverging); i >= 0) divergingMap_->setCurrentIndex(i);
}

void HeatmapControls::setFixedRange(double low, double high) {
  const QSignalBlocker b1(low_), b2(high_), b3(autoRange_);
  low_->setValue(low), high_->setValue(high);
  autoRange_->setChecked(false);
  low_->setEnabled(true), high_->setEnabled(true);
  emit changed();
}

bool HeatmapControls::selectedOnly() const {
  return selectedOnly_->isChecked();
}

QString HeatmapControls::unitFilter() const {
  return filter_->text();
}

void HeatmapControls::setUnitFilter(const QString& text) {
  filter_->setText(text);
}

QString HeatmapControls::sequentialMap() const {
  return sequentialMap_->currentText();
}

QString HeatmapControls::divergingMap() const {
  return divergingMap_->currentText();
}

bool HeatmapControls::autoRange() const {
  return autoRange_->isChecked();
}

std::pair<double, double> HeatmapControls::fixedRange() const {
  return {low_->value(), high_->value()};
}

}  // namespace lstmscope::app
