// CSV fields for the views' number exports (RFC 4180: text in double quotes, quotes doubled).
#pragma once

#include <QString>

#include "viz/token_text.h"

namespace lstmscope::viz {

inline QString csvText(QString text) {
  return QLatin1Char('"') + text.replace(QLatin1Char('"'), QStringLiteral("\"\"")) + QLatin1Char('"');
}

// A token as shown on screen ("␣", "↵") written as the text it stands for (" ", a line break inside the
// quotes), so that a spreadsheet or pandas reads back the real characters.
inline QString csvToken(const QString& display) {
  return csvText(plainToken(display));
}

}  // namespace lstmscope::viz
