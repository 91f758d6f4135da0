// File › Export View: pick a view, a size and a resolution, then a file name; the suffix (.png, .svg,
// .pdf, .csv) picks the format.
#pragma once

#include <QComboBox>
#include <QDialog>
#include <QSpinBox>

#include "viz/exportable_view.h"

namespace lstmscope::app {

class ExportDialog : public QDialog {
  Q_OBJECT
 public:
  ExportDialog(std::vector<std::pair<QString, viz::ExportableView*>> views, QWidget* parent = nullptr);

 private:
  void exportTo();

  std::vector<std::pair<QString, viz::ExportableView*>> views_;
  QComboBox* view_;
  QSpinBox* width_;
  QSpinBox* height_;
  QSpinBox* dpi_;
};

}  // namespace lstmscope::app
