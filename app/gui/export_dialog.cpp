#include "app/gui/export_dialog.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QMessageBox>
#include <QSettings>
#include <QSpinBox>

#include "viz/figure_export.h"

namespace lstmscope::app {

std::vector<std::pair<QString, viz::ExportableView*>> exportTitles(const std::vector<ExportEntry>& entries) {
  std::vector<std::pair<QString, viz::ExportableView*>> titles;
  for (const ExportEntry& e : entries) titles.emplace_back(e.title, e.view);
  return titles;
}

viz::ExportableView* findExportView(const std::vector<ExportEntry>& entries, const QString& key) {
  for (const ExportEntry& e : entries)
    if (e.key == key) return e.view;
  return nullptr;
}

ExportDialog::ExportDialog(std::vector<std::pair<QString, viz::ExportableView*>> views, QWidget* parent)
    : QDialog(parent), views_(std::move(views)) {
  setWindowTitle(tr("Export view"));
  auto* form = new QFormLayout(this);
  view_ = new QComboBox(this);
  for (const auto& [name, view] : views_) view_->addItem(name);
  width_ = new QSpinBox(this);
  height_ = new QSpinBox(this);
  dpi_ = new QSpinBox(this);
  QSettings settings;
  width_->setRange(16, 20000), width_->setValue(settings.value(QStringLiteral("export/width"), 1600).toInt());
  height_->setRange(16, 20000), height_->setValue(settings.value(QStringLiteral("export/height"), 900).toInt());
  dpi_->setRange(36, 1200), dpi_->setValue(settings.value(QStringLiteral("export/dpi"), 300).toInt());
  width_->setSuffix(tr(" px")), height_->setSuffix(tr(" px")), dpi_->setSuffix(tr(" dpi"));
  form->addRow(tr("View"), view_);
  form->addRow(tr("Width"), width_);
  form->addRow(tr("Height"), height_);
  form->addRow(tr("PNG resolution"), dpi_);
  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Save | QDialogButtonBox::Cancel, this);
  form->addRow(buttons);
  connect(buttons, &QDialogButtonBox::accepted, this, &ExportDialog::exportTo);
  connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
}

void ExportDialog::exportTo() {
  const QString path =
      QFileDialog::getSaveFileName(this, tr("Export to"), QString(),
                                   tr("PNG image (*.png);;SVG (*.svg);;PDF (*.pdf);;CSV numbers (*.csv);;"
                                      "JSON numbers, attribution views (*.json)"));
  if (path.isEmpty()) return;
  viz::FigureExportOptions options;
  options.size = QSize(width_->value(), height_->value());
  options.dpi = dpi_->value();
  const QString error = viz::exportView(*views_[static_cast<size_t>(view_->currentIndex())].second, path, options);
  if (!error.isEmpty()) return void(QMessageBox::critical(this, tr("Export"), error));
  QSettings settings;
  settings.setValue(QStringLiteral("export/width"), width_->value());
  settings.setValue(QStringLiteral("export/height"), height_->value());
  settings.setValue(QStringLiteral("export/dpi"), dpi_->value());
  accept();
}

}  // namespace lstmscope::app
