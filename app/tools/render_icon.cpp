// Build-time tool: renders the SVG icon to a square PNG of the given size, for the icon theme's fixed
// sizes (docs/PACKAGING.md "Desktop integration"). usage: lstmscope-render-icon ICON.svg OUT.png SIZE
#include <QGuiApplication>
#include <QImage>
#include <QPainter>
#include <QSvgRenderer>
#include <cstdio>
#include <cstdlib>

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fputs("usage: lstmscope-render-icon ICON.svg OUT.png SIZE\n", stderr);
    return 2;
  }
  qputenv("QT_QPA_PLATFORM", "offscreen");  // a build machine has no display
  QGuiApplication app(argc, argv);
  const int size = std::atoi(argv[3]);
  QSvgRenderer svg(QString::fromLocal8Bit(argv[1]));
  if (!svg.isValid() || size < 1 || size > 4096) {
    std::fprintf(stderr, "lstmscope-render-icon: cannot render %s at %s pixels\n", argv[1], argv[3]);
    return 3;
  }
  QImage image(size, size, QImage::Format_ARGB32_Premultiplied);
  image.fill(Qt::transparent);
  QPainter painter(&image);
  painter.setRenderHint(QPainter::Antialiasing);
  svg.render(&painter);
  painter.end();
  if (!image.save(QString::fromLocal8Bit(argv[2]), "PNG")) {
    std::fprintf(stderr, "lstmscope-render-icon: cannot write %s\n", argv[2]);
    return 3;
  }
  return 0;
}
