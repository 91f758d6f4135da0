// File › Export View: pick a view, a size and a resolution, then a file name; the suffix (.png, .svg,
// .pdf, .csv) picks the format.
#pragma once

#include <QDialog>
#include <QString>
#include <utility>
#include <vector>

class QComboBox;
class QSpinBox;

namespace lstmscope::viz {
class ExportableView;
}

namespace lstmscope::app {

// A view that exports as a figure: its command-line name (heatmap, trajectories, textColouring, ...), its
// title in the dialog, and the view.
struct ExportEntry {
  QString key, title;
  viz::ExportableView* view = nullptr;
};
std::vector<std::pair<QString, viz::ExportableView*>> exportTitles(const std::vector<ExportEntry>& entries);
viz::ExportableView* findExportView(const std::vector<ExportEntry>& entries, const QString& key);  // or null

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
