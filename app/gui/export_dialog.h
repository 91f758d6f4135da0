// File › Export View: pick a view, a size (pixels, millimetres or inches) and a resolution, whether the
// height follows the content and whether the current step and unit are marked, and the file (typed or
// chosen with Browse, remembered); its suffix (.png, .svg, .pdf, .csv, .json) picks the format. A line under the form
// says what will come out (the PNG's pixels and the physical size).
#pragma once

#include <QDialog>
#include <QString>
#include <utility>
#include <vector>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QSpinBox;

namespace lstmscope::viz {
class ExportableView;
struct FigureExportOptions;
}  // namespace lstmscope::viz

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

  viz::FigureExportOptions options() const;
  QString outcome() const;  // e.g. "PNG 1600 × 900 px · 135 × 76 mm (PDF, SVG)"

 private:
  void browse();
  void exportTo();
  void unitChanged();
  void showDecimalsOf(int unitIndex);
  viz::ExportableView* currentView() const;
  void refresh();

  std::vector<std::pair<QString, viz::ExportableView*>> views_;
  QComboBox* view_;
  QDoubleSpinBox* width_;
  QDoubleSpinBox* height_;
  QComboBox* unit_;
  QSpinBox* dpi_;
  QCheckBox* fitHeight_;
  QCheckBox* marks_;
  QLabel* outcome_;
  QLineEdit* path_;
  int shownUnit_ = 0;
};

}  // namespace lstmscope::app
