#include "viz/figure_export.h"

#include <QFileInfo>
#include <QImage>
#include <QPageSize>
#include <QPainter>
#include <QPdfWriter>
#include <QSaveFile>
#include <QSvgGenerator>
#include <QTextStream>
#include <cmath>

namespace lstmscope::viz {
namespace {

constexpr double kScreenDpi = 96.0;

bool writePng(ExportableView& view, QSaveFile& file, const FigureExportOptions& o) {
  const double scale = o.dpi / kScreenDpi;
  QImage image(QSize(std::lround(o.size.width() * scale), std::lround(o.size.height() * scale)),
               QImage::Format_ARGB32_Premultiplied);
  // Painted at the screen's 96 dpi and scaled up: fonts sized in points then come out as on screen, only
  // sharper. (With the image's dpi set first, Qt would size them for that dpi AND the scale would
  // enlarge them again.) The resolution is recorded afterwards, for the file's metadata.
  image.setDotsPerMeterX(std::lround(kScreenDpi / 0.0254));
  image.setDotsPerMeterY(std::lround(kScreenDpi / 0.0254));
  image.fill(Qt::white);
  {
    QPainter p(&image);
    p.setRenderHint(QPainter::Antialiasing);
    p.scale(scale, scale);
    view.renderFigure(p, o.size);
  }
  image.setDotsPerMeterX(std::lround(o.dpi / 0.0254));
  image.setDotsPerMeterY(std::lround(o.dpi / 0.0254));
  return image.save(&file, "PNG");
}

bool writeSvg(ExportableView& view, QSaveFile& file, const FigureExportOptions& o) {
  QSvgGenerator svg;
  svg.setOutputDevice(&file);
  svg.setSize(o.size);
  svg.setViewBox(QRect(QPoint(0, 0), o.size));
  svg.setResolution(static_cast<int>(kScreenDpi));
  svg.setTitle(view.figureTitle());
  svg.setDescription(QStringLiteral("Made with LSTMScope"));
  QPainter p;
  if (!p.begin(&svg)) return false;
  p.setRenderHints(QPainter::Antialiasing | QPainter::LosslessImageRendering);
  view.renderFigure(p, o.size);
  return p.end();
}

bool writePdf(ExportableView& view, QSaveFile& file, const FigureExportOptions& o) {
  QPdfWriter pdf(&file);
  pdf.setTitle(view.figureTitle());
  pdf.setCreator(QStringLiteral("LSTMScope"));
  pdf.setResolution(static_cast<int>(kScreenDpi));
  // A page exactly the figure's size (1 logical pixel = 1/96 inch), no margins.
  pdf.setPageSize(QPageSize(QSizeF(o.size.width() * 72.0 / kScreenDpi, o.size.height() * 72.0 / kScreenDpi),
                            QPageSize::Point, QString(), QPageSize::ExactMatch));
  pdf.setPageMargins(QMarginsF(0, 0, 0, 0));
  QPainter p;
  if (!p.begin(&pdf)) return false;
  // Images (the heatmap's cells) are stored losslessly: JPEG would blur neighbouring cells into each other.
  p.setRenderHints(QPainter::Antialiasing | QPainter::LosslessImageRendering);
  view.renderFigure(p, o.size);
  return p.end();
}

bool writeCsv(ExportableView& view, QSaveFile& file) {
  QTextStream out(&file);
  view.writeCsv(out);
  out.flush();
  return out.status() == QTextStream::Ok;
}

}  // namespace

QString exportView(ExportableView& view, const QString& path, const FigureExportOptions& options) {
  const QString suffix = QFileInfo(path).suffix().toLower();
  if (options.size.width() < 16 || options.size.height() < 16 || options.size.width() > 20000 ||
      options.size.height() > 20000)
    return path + QStringLiteral(": figure size must be between 16 and 20000 on each side");
  if (options.dpi < 36 || options.dpi > 1200) return path + QStringLiteral(": resolution must be 36..1200 dpi");
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
