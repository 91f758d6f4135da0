// How tokens are shown on screen: whitespace and control characters made visible.
#pragma once

#include <QString>
#include <QStringList>
#include <string>
#include <vector>

namespace lstmscope::viz {

// " " -> "␣", "\n" -> "↵", "\t" -> "⇥", other control characters -> "·"; invalid UTF-8 never reaches
// here (the tokenizer rejects it).
QString displayToken(const std::string& token);
QStringList displayTokens(const std::vector<std::string>& tokens);
// The text a displayed token stands for, for number exports: "␣" -> " ", "↵" -> "\n", "⇥" -> "\t", "∅" -> "".
// (A text that itself contains these symbols comes back with whitespace in their place; other control
// characters stay "·".)
QString plainToken(const QString& display);
QStringList plainTokens(const QStringList& display);

// "Nice" tick spacing (1, 2 or 5 x 10^k) so that ticks are at least minPixels apart at pixelsPerUnit.
double niceTickStep(double pixelsPerUnit, double minPixels);

// The nice number (1, 2 or 5 x 10^k, k may be negative) nearest above `raw` > 0.
double niceDecimalStep(double raw);

}  // namespace lstmscope::viz
