// CSV fields for the views' number exports (RFC 4180: text in double quotes, quotes doubled).
#pragma once

#include <QString>

namespace lstmscope::viz {

inline QString csvText(QString text) {
  return QLatin1Char('"') + text.replace(QLatin1Char('"'), QStringLiteral("\"\"")) + QLatin1Char('"');
}

}  // namespace lstmscope::viz
