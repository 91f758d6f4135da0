#include "viz/figure_metrics.h"

#include <QImage>
#include <QPainter>
#include <cmath>

namespace lstmscope::viz {

const QPaintDevice* figureDevice() {
  static const QImage device = [] {
    QImage image(1, 1, QImage::Format_ARGB32_Premultiplied);
    image.setDotsPerMeterX(static_cast<int>(std::lround(96 / 0.0254)));
    image.setDotsPerMeterY(static_cast<int>(std::lround(96 / 0.0254)));
    return image;
  }();
  return &device;
}

QFontMetrics figureFontMetrics(const QFont& font) {
  return QFontMetrics(font, figureDevice());
}

bool paintsVectors(const QPainter& painter) {
  const int type = painter.device()->devType();
  return type != QInternal::Widget && type != QInternal::Image && type != QInternal::Pixmap;
}

}  // namespace lstmscope::viz
