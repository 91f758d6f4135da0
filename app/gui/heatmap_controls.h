// The tool bar above the heatmap (widgets that do not fit fold into its overflow menu): which layer, direction and
// quantity; colour map and range; unit order and filter. It only edits settings and emits changed(); the main window
// applies them.
#pragma once

#include <QToolBar>
#include <functional>
#include <utility>

#include "app/gui/view_state.h"
#include "core/model/model.h"

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLineEdit;

namespace lstmscope::app {

class HeatmapControls : public QToolBar {
  Q_OBJECT
 public:
  explicit HeatmapControls(QWidget* parent = nullptr);

  // Fills the layer and direction choices, keeping valid picks; `keepLayer` false: the last layer.
  void setArchitecture(const Architecture& arch, bool keepLayer = true);
  // Which quantities can be chosen: those `recorded` (a trace recorded with --quantities holds a subset),
  // and the attribution quantities only with `attribution` (they need the model). A chosen quantity that
  // is no longer available turns into tanh(c), or the first one available.
  void setAvailable(const std::function<bool(Quantity)>& recorded, bool attribution);
  int layer() const;
  int direction() const;
  Quantity quantity() const;
  void setQuantity(Quantity q, bool squashed = false);
  bool squashed() const;  // tanh(c) chosen
  // An attribution quantity chosen (quantity() is then H or C, the state it attributes).
  UnitAttributionKind attribution() const;
  void setAttribution(UnitAttributionKind kind);
  void setLayer(int layer);
  void setDirection(int direction);
  UnitOrder order() const;
  void setOrder(UnitOrder order);
  bool selectedOnly() const;
  QString unitFilter() const;
  void setUnitFilter(const QString& text);
  void setFilterError(const QString& error);

  QString sequentialMap() const;
  QString divergingMap() const;
  void setColourMaps(const QString& sequential, const QString& diverging);
  bool autoRange() const;
  std::pair<double, double> fixedRange() const;
  void setFixedRange(double low, double high);  // also turns automatic range off

 signals:
  void changed();

 private:
  void chooseQuantityItem(int index);

  QComboBox* layer_;
  QComboBox* direction_;
  QAction* directionAction_ = nullptr;  // a tool bar shows or hides its widgets through their actions
  QComboBox* quantity_;
  QComboBox* sequentialMap_;
  QComboBox* divergingMap_;
  QCheckBox* autoRange_;
  QDoubleSpinBox* low_;
  QDoubleSpinBox* high_;
  QComboBox* order_;
  QLineEdit* filter_;
  QCheckBox* selectedOnly_;
};

}  // namespace lstmscope::app
