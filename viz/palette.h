// Qualitative colours for lines and points that must be told apart (Tableau 10).
#pragma once

#include <QColor>

namespace lstmscope::viz {

inline QColor categoricalColour(int k) {
  static const QRgb colours[] = {0x1f77b4, 0xff7f0e, 0x2ca02c, 0xd62728, 0x9467bd,
                                 0x8c564b, 0xe377c2, 0x7f7f7f, 0xbcbd22, 0x17becf};
  return QColor(colours[((k % 10) + 10) % 10]);
}

}  // namespace lstmscope::viz
