#include "viz/token_text.h"

#include <cmath>

namespace lstmscope::viz {

QString displayToken(const std::string& token) {
  if (token.empty()) return QStringLiteral("\u2205");  // an empty token (Keras' padding id 0) must still show
  QString out;
  for (const QChar c : QString::fromStdString(token)) {
    if (c == QLatin1Char(' '))
      out += QChar(0x2423);
    else if (c == QLatin1Char('\n'))
      out += QChar(0x21B5);
    else if (c == QLatin1Char('\t'))
      out += QChar(0x21E5);
    else if (c.category() == QChar::Other_Control)
      out += QChar(0x00B7);
    else
      out += c;
  }
  return out;
}

QStringList displayTokens(const std::vector<std::string>& tokens) {
  QStringList out;
  out.reserve(static_cast<qsizetype>(tokens.size()));
  for (const std::string& t : tokens) out.push_back(displayToken(t));
  return out;
}

QString plainToken(const QString& display) {
  if (display == QStringLiteral("\u2205")) return {};
  QString out = display;
  out.replace(QChar(0x2423), QLatin1Char(' '));
  out.replace(QChar(0x21B5), QLatin1Char('\n'));
  out.replace(QChar(0x21E5), QLatin1Char('\t'));
  return out;
}

QStringList plainTokens(const QStringList& display) {
  QStringList out;
  out.reserve(display.size());
  for (const QString& t : display) out.push_back(plainToken(t));
  return out;
}

double niceTickStep(double pixelsPerUnit, double minPixels) {
  if (!(pixelsPerUnit > 0)) return 1;
  const double raw = std::max(1.0, minPixels / pixelsPerUnit);
  const double decade = std::pow(10.0, std::floor(std::log10(raw)));
  for (const double m : {1.0, 2.0, 5.0, 10.0})
    if (m * decade >= raw) return m * decade;
  return 10 * decade;
}

double niceDecimalStep(double raw) {
  if (!(raw > 0)) return 1;
  const double decade = std::pow(10.0, std::floor(std::log10(raw)));
  for (const double m : {1.0, 2.0, 5.0})
    if (m * decade >= raw) return m * decade;
  return 10 * decade;
}

}  // namespace lstmscope::viz
