#include "viz/figure_export.h"

#include <QFileInfo>
#include <QImage>
#include <QPageSize>
#include <QPainter>
#include <QPdfWriter>
#include <QRegularExpression>
#include <QSaveFile>
#include <QSvgGenerator>
#include <QTextStream>
#include <algorithm>
#include <cmath>

namespace lstmscope::viz {
namespace {

constexpr double kScreenDpi = 96.0;
constexpr double kMillimetresPerInch = 25.4;

double inchesPerUnit(const FigureExportOptions& o) {
  return inchesPerFigureUnit(o.unit, o.dpi);
}

// The options with the height the view's content needs, when asked to fit and the view has one.
FigureExportOptions withFittedHeight(const ExportableView& view, FigureExportOptions o) {
  if (!o.fitHeight) return o;
  const int logicalHeight = view.figureHeightForWidth(figureLogicalSize(o).width());
  if (logicalHeight > 0) o.size.setHeight(logicalHeight / kScreenDpi / inchesPerUnit(o));
  return o;
}

bool writePng(ExportableView& view, QSaveFile& file, const FigureExportOptions& o) {
  const QSize logical = figureLogicalSize(o);
  QImage image(figurePixelSize(o), QImage::Format_ARGB32_Premultiplied);
  // Painted at 96 logical units per inch and scaled to the image's pixels: fonts sized in points then
  // come out at their size on paper. (With the image's dpi set first, Qt would size them for that dpi AND the scale
  // would enlarge them again.) The resolution is recorded afterwards, for the file's metadata.
  image.setDotsPerMeterX(std::lround(kScreenDpi / 0.0254));
  image.setDotsPerMeterY(std::lround(kScreenDpi / 0.0254));
  image.fill(Qt::white);
  {
    QPainter p(&image);
    p.setRenderHint(QPainter::Antialiasing);
    p.scale(static_cast<double>(image.width()) / logical.width(),
            static_cast<double>(image.height()) / logical.height());
    view.renderFigure(p, logical, o.marks);
  }
  image.setDotsPerMeterX(std::lround(o.dpi / 0.0254));
  image.setDotsPerMeterY(std::lround(o.dpi / 0.0254));
  return image.save(&file, "PNG");
}

bool writeSvg(ExportableView& view, QSaveFile& file, const FigureExportOptions& o) {
  QSvgGenerator svg;
  svg.setOutputDevice(&file);
  const QSize logical = figureLogicalSize(o);
  svg.setSize(logical);
  svg.setViewBox(QRect(QPoint(0, 0), logical));
  svg.setResolution(static_cast<int>(kScreenDpi));
  svg.setTitle(view.figureTitle());
  svg.setDescription(QStringLiteral("Made with LSTMScope"));
  QPainter p;
  if (!p.begin(&svg)) return false;
  p.setRenderHints(QPainter::Antialiasing | QPainter::LosslessImageRendering);
  view.renderFigure(p, logical, o.marks);
  return p.end();
}

bool writePdf(ExportableView& view, QSaveFile& file, const FigureExportOptions& o) {
  QPdfWriter pdf(&file);
  pdf.setTitle(view.figureTitle());
  pdf.setCreator(QStringLiteral("LSTMScope"));
  pdf.setResolution(static_cast<int>(kScreenDpi));
  // A page exactly the figure's size (1 logical unit = 1/96 inch), no margins.
  const QSize logical = figureLogicalSize(o);
  pdf.setPageSize(QPageSize(QSizeF(logical.width() * 72.0 / kScreenDpi, logical.height() * 72.0 / kScreenDpi),
                            QPageSize::Point, QString(), QPageSize::ExactMatch));
  pdf.setPageMargins(QMarginsF(0, 0, 0, 0));
  QPainter p;
  if (!p.begin(&pdf)) return false;
  // Images (the heatmap's cells) are stored losslessly: JPEG would blur neighbouring cells into each other.
  p.setRenderHints(QPainter::Antialiasing | QPainter::LosslessImageRendering);
  view.renderFigure(p, logical, o.marks);
  return p.end();
}

bool writeCsv(ExportableView& view, QSaveFile& file) {
  QTextStream out(&file);
  view.writeCsv(out);
  out.flush();
  return out.status() == QTextStream::Ok;
}

}  // namespace

double inchesPerFigureUnit(FigureUnit unit, int dpi) {
  switch (unit) {
    case FigureUnit::Pixels:
      return 1.0 / dpi;
    case FigureUnit::Millimetres:
      return 1.0 / kMillimetresPerInch;
    case FigureUnit::Inches:
      return 1.0;
  }
  return 1.0;
}

QSize figureLogicalSize(const FigureExportOptions& o) {
  const double perUnit = inchesPerUnit(o) * kScreenDpi;
  return QSize(std::max(1L, std::lround(o.size.width() * perUnit)),
               std::max(1L, std::lround(o.size.height() * perUnit)));
}

QSize figurePixelSize(const FigureExportOptions& o) {
  if (o.unit == FigureUnit::Pixels) return QSize(std::lround(o.size.width()), std::lround(o.size.height()));
  const double perUnit = inchesPerUnit(o) * o.dpi;
  return QSize(std::lround(o.size.width() * perUnit), std::lround(o.size.height() * perUnit));
}

bool parseFigureSize(const QString& text, FigureExportOptions& o) {
  // The unit may follow either number: "89x60mm", "89mmx60", "89mmxauto".
  static const QRegularExpression pattern(
      QStringLiteral(R"(^\s*(\d+(?:\.\d+)?)\s*(px|mm|in)?\s*x\s*(\d+(?:\.\d+)?|auto)\s*(px|mm|in)?\s*$)"),
      QRegularExpression::CaseInsensitiveOption);
  const QRegularExpressionMatch m = pattern.match(text);
  if (!m.hasMatch()) return false;
  const QString first = m.captured(2).toLower(), second = m.captured(4).toLower();
  if (!first.isEmpty() && !second.isEmpty() && first != second) return false;
  const QString unit = first.isEmpty() ? second : first;
  o.unit = unit == QLatin1String("mm")   ? FigureUnit::Millimetres
           : unit == QLatin1String("in") ? FigureUnit::Inches
                                         : FigureUnit::Pixels;
  o.fitHeight = m.captured(3).compare(QLatin1String("auto"), Qt::CaseInsensitive) == 0;
  const double width = m.captured(1).toDouble();
  // Before the content is known an "auto" height stands at 9/16 of the width (the figures without one).
  o.size = QSizeF(width, o.fitHeight ? width * 9 / 16 : m.captured(3).toDouble());
  return true;
}

QString exportView(ExportableView& view, const QString& path, const FigureExportOptions& asked) {
  if (const QString why = view.nothingToExport(); !why.isEmpty())
    return path + QStringLiteral(": nothing to export: ") + why;
  const QString suffix = QFileInfo(path).suffix().toLower();
  const bool figure =
      suffix == QLatin1String("png") || suffix == QLatin1String("svg") || suffix == QLatin1String("pdf");
  // Numbers (CSV, JSON) have no size: only figures are fitted and checked.
  const FigureExportOptions options = figure ? withFittedHeight(view, asked) : asked;
  if (figure) {
    if (options.dpi < 36 || options.dpi > 1200) return path + QStringLiteral(": resolution must be 36..1200 dpi");
    // Both the drawing (logical units) and the PNG must be of a sensible size; too small a drawing has no
    // room for its labels, too large an image does not fit in memory.
    const QSize logical = figureLogicalSize(options), pixels = figurePixelSize(options);
    if (logical.width() < 48 || logical.height() < 32)
      return path + QStringLiteral(": figure too small (%1 × %2 mm; at least 13 × 9 mm)")
                        .arg(logical.width() * kMillimetresPerInch / kScreenDpi, 0, 'f', 1)
                        .arg(logical.height() * kMillimetresPerInch / kScreenDpi, 0, 'f', 1);
    if (std::max(logical.width(), logical.height()) > 20000 ||
        (suffix == QLatin1String("png") && (pixels.width() > 20000 || pixels.height() > 20000)))
      return path + QStringLiteral(": figure too large (at most 20000 pixels or 5.2 m on each side)");
  }
  QSaveFile file(path);
  if (!file.open(QIODevice::WriteOnly)) return path + QStringLiteral(": cannot write: ") + file.errorString();
  bool ok = false;
  if (suffix == QLatin1String("png"))
    ok = writePng(view, file, options);
  else if (suffix == QLatin1String("svg"))
    ok = writeSvg(view, file, options);
  else if (suffix == QLatin1String("pdf"))
    ok = writePdf(view, file, options);
  else if (suffix == QLatin1String("csv"))
    ok = writeCsv(view, file);
  else if (suffix == QLatin1String("json")) {
    QByteArray json;
    if (!view.writeJson(json)) {
      file.cancelWriting();
      return path + QStringLiteral(": this view has no JSON export (use .csv)");
    }
    ok = file.write(json) == json.size();
  } else {
    file.cancelWriting();
    return path + QStringLiteral(": unknown export format (use .png, .svg, .pdf, .csv or .json)");
  }
  if (!ok) {
    file.cancelWriting();
    return path + QStringLiteral(": writing failed");
  }
  if (!file.commit()) return path + QStringLiteral(": cannot write: ") + file.errorString();
  return {};
}

}  // namespace lstmscope::viz
