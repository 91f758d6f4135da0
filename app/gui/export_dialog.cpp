#include "app/gui/export_dialog.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <algorithm>

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

namespace {

// The units offered, in the unit box's order.
constexpr viz::FigureUnit kUnits[] = {viz::FigureUnit::Pixels, viz::FigureUnit::Millimetres, viz::FigureUnit::Inches};

double inches(double value, viz::FigureUnit unit, int dpi) {
  return value * viz::inchesPerFigureUnit(unit, dpi);
}

double fromInches(double value, viz::FigureUnit unit, int dpi) {
  return value / viz::inchesPerFigureUnit(unit, dpi);
}

}  // namespace

ExportDialog::ExportDialog(std::vector<std::pair<QString, viz::ExportableView*>> views, QWidget* parent)
    : QDialog(parent), views_(std::move(views)) {
  setWindowTitle(tr("Export view"));
  auto* form = new QFormLayout(this);
  view_ = new QComboBox(this);
  view_->setObjectName(QStringLiteral("view"));
  for (const auto& [name, view] : views_) view_->addItem(name);
  width_ = new QDoubleSpinBox(this);
  height_ = new QDoubleSpinBox(this);
  width_->setObjectName(QStringLiteral("width")), height_->setObjectName(QStringLiteral("height"));
  unit_ = new QComboBox(this);
  unit_->setObjectName(QStringLiteral("unit"));
  unit_->addItems({tr("pixels"), tr("mm"), tr("inches")});
  dpi_ = new QSpinBox(this);
  fitHeight_ = new QCheckBox(tr("Height follows the content (views that have a natural height)"), this);
  marks_ = new QCheckBox(tr("Mark the current step and unit"), this);
  outcome_ = new QLabel(this);
  QSettings settings;
  for (QDoubleSpinBox* box : {width_, height_}) box->setRange(1, 20000);
  unit_->setCurrentIndex(std::clamp(settings.value(QStringLiteral("export/unit"), 0).toInt(), 0, 2));
  shownUnit_ = unit_->currentIndex();
  showDecimalsOf(unit_->currentIndex());
  width_->setValue(settings.value(QStringLiteral("export/width"), 1600).toDouble());
  height_->setValue(settings.value(QStringLiteral("export/height"), 900).toDouble());
  dpi_->setRange(36, 1200), dpi_->setValue(settings.value(QStringLiteral("export/dpi"), 300).toInt());
  dpi_->setSuffix(tr(" dpi"));
  fitHeight_->setChecked(settings.value(QStringLiteral("export/fitHeight"), true).toBool());
  marks_->setChecked(settings.value(QStringLiteral("export/marks"), false).toBool());
  auto* size = new QHBoxLayout;
  size->addWidget(width_);
  size->addWidget(new QLabel(QStringLiteral("×"), this));
  size->addWidget(height_);
  size->addWidget(unit_);
  form->addRow(tr("View"), view_);
  form->addRow(tr("Size"), size);
  form->addRow(tr("Resolution"), dpi_);
  form->addRow(QString(), fitHeight_);
  form->addRow(QString(), marks_);
  form->addRow(QString(), outcome_);
  // Where to: typed, or chosen with Browse; the suffix (.png, .svg, .pdf, .csv, .json) picks the format.
  path_ = new QLineEdit(
      settings.value(QStringLiteral("export/path"), QDir::home().filePath(QStringLiteral("figure.pdf"))).toString(),
      this);
  path_->setObjectName(QStringLiteral("path"));
  auto* browse = new QPushButton(tr("Browse…"), this);
  connect(browse, &QPushButton::clicked, this, &ExportDialog::browse);
  auto* where = new QHBoxLayout;
  where->addWidget(path_, 1);
  where->addWidget(browse);
  form->addRow(tr("File"), where);
  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Save | QDialogButtonBox::Cancel, this);
  form->addRow(buttons);
  connect(buttons, &QDialogButtonBox::accepted, this, &ExportDialog::exportTo);
  connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
  connect(unit_, &QComboBox::currentIndexChanged, this, &ExportDialog::unitChanged);
  for (QDoubleSpinBox* box : {width_, height_})
    connect(box, &QDoubleSpinBox::valueChanged, this, &ExportDialog::refresh);
  connect(dpi_, &QSpinBox::valueChanged, this, &ExportDialog::refresh);
  connect(view_, &QComboBox::currentIndexChanged, this, &ExportDialog::refresh);
  connect(fitHeight_, &QCheckBox::toggled, this, &ExportDialog::refresh);
  refresh();
}

viz::FigureExportOptions ExportDialog::options() const {
  viz::FigureExportOptions o;
  o.size = QSizeF(width_->value(), height_->value());
  o.unit = kUnits[std::clamp(unit_->currentIndex(), 0, 2)];
  o.dpi = dpi_->value();
  o.fitHeight = fitHeight_->isChecked();
  o.marks = marks_->isChecked() ? viz::FigureMarks::Drawn : viz::FigureMarks::Omitted;
  return o;
}

QString ExportDialog::outcome() const {
  const viz::FigureExportOptions o = options();
  const viz::ExportableView* view = currentView();
  const bool fits = o.fitHeight && view && view->figureHeightForWidth(viz::figureLogicalSize(o).width()) > 0;
  const auto millimetres = [&](double v) {
    return fromInches(inches(v, o.unit, o.dpi), viz::FigureUnit::Millimetres, o.dpi);
  };
  const QSizeF mm(millimetres(o.size.width()), millimetres(o.size.height()));
  const QSize pixels = viz::figurePixelSize(o);
  if (fits)
    return tr("PNG %1 px wide · %2 mm wide (PDF, SVG) · height: as the content needs")
        .arg(pixels.width())
        .arg(mm.width(), 0, 'f', 0);
  return tr("PNG %1 × %2 px · %3 × %4 mm (PDF, SVG)")
      .arg(pixels.width())
      .arg(pixels.height())
      .arg(mm.width(), 0, 'f', 0)
      .arg(mm.height(), 0, 'f', 0);
}

void ExportDialog::unitChanged() {
  // The same physical size in the new unit.
  const viz::FigureUnit from = kUnits[shownUnit_], to = kUnits[unit_->currentIndex()];
  const double w = fromInches(inches(width_->value(), from, dpi_->value()), to, dpi_->value());
  const double h = fromInches(inches(height_->value(), from, dpi_->value()), to, dpi_->value());
  showDecimalsOf(unit_->currentIndex());
  width_->setValue(w), height_->setValue(h);
  shownUnit_ = unit_->currentIndex();
  refresh();
}

void ExportDialog::showDecimalsOf(int unitIndex) {
  // Whole pixels, tenths of a millimetre, hundredths of an inch.
  static constexpr int kDecimals[] = {0, 1, 2};
  for (QDoubleSpinBox* box : {width_, height_}) box->setDecimals(kDecimals[std::clamp(unitIndex, 0, 2)]);
}

viz::ExportableView* ExportDialog::currentView() const {
  const int index = view_->currentIndex();
  return index >= 0 && index < static_cast<int>(views_.size()) ? views_[static_cast<size_t>(index)].second : nullptr;
}

void ExportDialog::refresh() {
  const viz::ExportableView* view =
      views_.empty() ? nullptr : views_[static_cast<size_t>(view_->currentIndex())].second;
  const bool natural = view && view->figureHeightForWidth(100) > 0;
  fitHeight_->setEnabled(natural);
  height_->setEnabled(!(natural && fitHeight_->isChecked()));
  outcome_->setText(outcome());
}

void ExportDialog::browse() {
  const QString chosen =
      QFileDialog::getSaveFileName(this, tr("Export to"), path_->text(),
                                   tr("PNG image (*.png);;SVG (*.svg);;PDF (*.pdf);;CSV numbers (*.csv);;JSON numbers, "
                                      "attribution views and the probe ranking (*.json)"));
  if (!chosen.isEmpty()) path_->setText(chosen);
}

void ExportDialog::exportTo() {
  const QString path = path_->text().trimmed();
  if (path.isEmpty()) return void(QMessageBox::warning(this, tr("Export"), tr("Name the file to export to.")));
  viz::ExportableView* view = currentView();
  if (!view) return;
  const QString error = viz::exportView(*view, path, options());
  if (!error.isEmpty()) return void(QMessageBox::critical(this, tr("Export"), error));
  QSettings settings;
  settings.setValue(QStringLiteral("export/width"), width_->value());
  settings.setValue(QStringLiteral("export/height"), height_->value());
  settings.setValue(QStringLiteral("export/unit"), unit_->currentIndex());
  settings.setValue(QStringLiteral("export/dpi"), dpi_->value());
  settings.setValue(QStringLiteral("export/fitHeight"), fitHeight_->isChecked());
  settings.setValue(QStringLiteral("export/marks"), marks_->isChecked());
  settings.setValue(QStringLiteral("export/path"), path);
  accept();
}

}  // namespace lstmscope::app
