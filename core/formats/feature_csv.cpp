#include "core/formats/feature_csv.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <optional>
#include <string_view>

#include "core/common/error.h"
#include "core/formats/front_end_input.h"
#include "core/text/vocabulary.h"

namespace lstmscope {
namespace {

std::string_view trimmed(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

// std::from_chars, not strtod: the app runs with the user's locale, whose decimal comma must not change
// what a file means.
bool parseNumber(std::string_view cell, double& value) {
  cell = trimmed(cell);
  if (!cell.empty() && cell.front() == '+') cell.remove_prefix(1);
  if (cell.empty()) return false;
  const auto [end, error] = std::from_chars(cell.data(), cell.data() + cell.size(), value);
  return error == std::errc() && end == cell.data() + cell.size();
}

bool isNumber(std::string_view cell) {
  double ignored;
  return parseNumber(cell, ignored);
}

// One line's cells; double quotes protect delimiters ("" is a quote). Empty optional: an unclosed quote.
std::optional<std::vector<std::string>> splitLine(std::string_view line, char delimiter) {
  std::vector<std::string> cells(1);
  bool quoted = false;
  for (size_t k = 0; k < line.size(); ++k) {
    const char c = line[k];
    std::string& cell = cells.back();
    if (quoted) {
      if (c != '"')
        cell += c;
      else if (k + 1 < line.size() && line[k + 1] == '"')
        cell += '"', ++k;
      else
        quoted = false;
    } else if (c == '"' && trimmed(cell).empty()) {
      cell.clear(), quoted = true;
    } else if (c == delimiter) {
      cells.emplace_back();
    } else {
      cell += c;
    }
  }
  if (quoted) return std::nullopt;
  for (auto& cell : cells) cell = std::string(trimmed(cell));
  return cells;
}

char delimiterOf(std::string_view firstLine) {
  for (char d : {',', ';', '\t'})
    if (firstLine.find(d) != std::string_view::npos) return d;
  return ',';
}

std::string limitMessage(long maxSteps, const std::string& limitAdvice) {
  return "more than " + std::to_string(maxSteps) + " rows" + (limitAdvice.empty() ? "" : " (" + limitAdvice + ")");
}

struct Line {
  long number;  // 1-based, as an editor shows it
  std::vector<std::string> cells;
};

// The non-blank lines, split.
std::vector<Line> splitLines(const std::string& text, const std::string& source, long maxSteps,
                             const std::string& limitAdvice) {
  std::string_view rest(text);
  if (rest.starts_with("\xEF\xBB\xBF")) rest.remove_prefix(3);  // a byte-order mark
  std::vector<Line> lines;
  char delimiter = 0;
  for (long number = 1; !rest.empty(); ++number) {
    const size_t end = rest.find('\n');
    const std::string_view line = rest.substr(0, end);
    rest.remove_prefix(end == std::string_view::npos ? rest.size() : end + 1);
    if (trimmed(line).empty()) continue;
    if (!delimiter) delimiter = delimiterOf(line);
    auto cells = splitLine(line, delimiter);
    if (!cells) throw InputError(source, "line " + std::to_string(number) + " has a quote that is never closed");
    lines.push_back({number, std::move(*cells)});
    if (static_cast<long>(lines.size()) > maxSteps + 1) throw InputError(source, limitMessage(maxSteps, limitAdvice));
  }
  return lines;
}

// The first line names the columns if none of it is a number, or if it has a word where the next line
// has a number.
bool startsWithHeader(const std::vector<Line>& lines) {
  const auto& first = lines[0].cells;
  bool anyNumber = false;
  for (const auto& c : first) anyNumber = anyNumber || isNumber(c);
  if (!anyNumber) return true;
  if (lines.size() < 2) return false;
  const auto& next = lines[1].cells;
  for (size_t j = 0; j < first.size() && j < next.size(); ++j)
    if (isNumber(next[j]) && !isNumber(first[j])) return true;
  return false;
}

// A cell or a column name as a message quotes it: short, and with no byte that could garble a terminal.
std::string inQuotes(std::string_view cell) {
  return describeToken(cell, 40);
}

// The first few names: a table of five million columns used to give an 89 MB message.
std::string quotedList(const std::vector<std::string>& names) {
  constexpr size_t kShown = 6;
  std::string out;
  for (size_t k = 0; k < names.size() && k < kShown; ++k) out += (k ? ", " : "") + inQuotes(names[k]);
  if (names.size() > kShown) out += ", … (" + std::to_string(names.size()) + " in all)";
  return out;
}

}  // namespace

std::vector<std::string> FeatureSequence::labelChoices() const {
  std::vector<std::string> out = featureNames;
  out.insert(out.end(), labelNames.begin(), labelNames.end());
  return out;
}

std::string FeatureSequence::rowLabel(int column, long row) const {
  if (column < 0) return std::to_string(row);
  const int D = static_cast<int>(featureNames.size());
  if (column >= D) return labelCells.at(static_cast<size_t>(column - D))[static_cast<size_t>(row)];
  char buffer[32];
  const Mat<float>& table = rawFeatures.size() ? rawFeatures : inputs.features;
  std::snprintf(buffer, sizeof buffer, "%g", static_cast<double>(table(column, row)));
  return buffer;
}

std::vector<std::string> FeatureSequence::rowLabels(int column) const {
  const long rows = rawFeatures.size() ? rawFeatures.cols() : steps();
  std::vector<std::string> out(static_cast<size_t>(rows));
  for (long r = 0; r < rows; ++r) out[static_cast<size_t>(r)] = rowLabel(column, r);
  return out;
}

std::vector<std::string> FeatureSequence::stepLabels(int column) const {
  std::vector<std::string> out(static_cast<size_t>(steps()));
  for (long t = 0; t < steps(); ++t) {
    const RowSpan rows = rowsOfStep.empty() ? RowSpan{t, t} : rowsOfStep[static_cast<size_t>(t)];
    if (!stepNames.empty()) {
      out[t] = stepNames[static_cast<size_t>(t)];  // a decoder's step, which reads every row whatever the column
    } else if (rows.empty()) {
      out[t] = "(padding)";  // the step reads padding only
    } else if (column < 0) {
      out[t] = rows.first == rows.last ? std::to_string(rows.last)
                                       : std::to_string(rows.first) + "–" + std::to_string(rows.last);
    } else {
      out[t] = rowLabel(column, rows.last);
    }
  }
  return out;
}

namespace {
std::string formatMaskValue(float v) {
  char text[32];
  std::snprintf(text, sizeof text, "%g", static_cast<double>(v));
  return text;
}
}  // namespace

FeatureSequence parseFeatureCsv(const Architecture& arch, const std::string& text, const std::string& source,
                                long maxSteps, const std::string& limitAdvice, bool noStepAllowed) {
  if (arch.readsText())
    throw InputError(source, "the model reads text, not numeric features: give it text, not a CSV table");
  const std::vector<Line> lines = splitLines(text, source, maxSteps, limitAdvice);
  if (lines.empty()) throw InputError(source, "the CSV has no data rows");
  const bool header = startsWithHeader(lines);
  const size_t firstData = header ? 1 : 0;
  if (lines.size() <= firstData) throw InputError(source, "the CSV has a header but no data rows");
  const size_t columns = lines[firstData].cells.size();
  std::vector<std::string> names(columns);
  for (size_t j = 0; j < columns; ++j)
    names[j] = header && j < lines[0].cells.size() ? lines[0].cells[j] : "column " + std::to_string(j + 1);
  if (header && lines[0].cells.size() != columns)
    throw InputError(source, "the header has " + std::to_string(lines[0].cells.size()) + " columns but line " +
                                 std::to_string(lines[firstData].number) + " has " + std::to_string(columns));

  // Features are the columns whose first data cell is a number; the others label the steps.
  std::vector<bool> isFeature(columns);
  std::vector<std::string> featureNames;
  for (size_t j = 0; j < columns; ++j) isFeature[j] = isNumber(lines[firstData].cells[j]);
  for (size_t j = 0; j < columns; ++j)
    if (isFeature[j]) featureNames.push_back(names[j]);
  FeatureSequence out;
  const int D = arch.rawFeatureDim();
  // pandas' DataFrame.to_csv writes the row index first, under an empty name.
  if (static_cast<int>(featureNames.size()) == D + 1 && isFeature[0] && header &&
      (names[0].empty() || names[0] == "Unnamed: 0" || names[0] == "index")) {
    isFeature[0] = false;
    featureNames.erase(featureNames.begin());
    if (names[0].empty()) names[0] = "index";
    out.notes.push_back("the first column (" + inQuotes(names[0]) + ") looks like a row index: it labels the steps");
  }
  if (static_cast<int>(featureNames.size()) != D) {
    std::vector<std::string> labels;
    for (size_t j = 0; j < columns; ++j)
      if (!isFeature[j]) labels.push_back(names[j]);
    throw InputError(source, "has " + std::to_string(featureNames.size()) + " numeric column(s)" +
                                 (featureNames.empty() ? std::string() : " (" + quotedList(featureNames) + ")") +
                                 " but the model expects " + std::to_string(D) + " features per step" +
                                 (labels.empty() ? std::string() : "; not numbers: " + quotedList(labels)));
  }

  const long steps = static_cast<long>(lines.size() - firstData);
  if (steps > maxSteps) throw InputError(source, limitMessage(maxSteps, limitAdvice));
  out.inputs.steps = static_cast<int>(steps);
  out.inputs.batch = 1;
  out.inputs.features.resize(D, steps);
  for (size_t j = 0; j < columns; ++j)
    if (!isFeature[j]) out.labelNames.push_back(names[j]);
  out.labelCells.assign(out.labelNames.size(), std::vector<std::string>(static_cast<size_t>(steps)));
  for (long t = 0; t < steps; ++t) {
    const Line& line = lines[firstData + static_cast<size_t>(t)];
    if (line.cells.size() != columns) {
      const std::string count = "line " + std::to_string(line.number) + " has " + std::to_string(line.cells.size());
      throw InputError(source, static_cast<long>(columns) == D
                                   ? count + " values but the model expects " + std::to_string(D) + " features per step"
                                   : count + " cells but line " + std::to_string(lines[firstData].number) + " has " +
                                         std::to_string(columns));
    }
    int feature = 0, label = 0;
    for (size_t j = 0; j < columns; ++j) {
      if (!isFeature[j]) {
        out.labelCells[static_cast<size_t>(label++)][static_cast<size_t>(t)] = line.cells[j];
        continue;
      }
      double v = 0;
      const auto where = [&] { return "line " + std::to_string(line.number) + ", column " + inQuotes(names[j]); };
      if (!parseNumber(line.cells[j], v))
        throw InputError(source, where() + ": " + inQuotes(line.cells[j]) + " is not a number");
      if (!std::isfinite(v) || std::abs(v) > 3.4e38)
        throw InputError(source, where() + ": " + inQuotes(line.cells[j]) + " is not a finite float value");
      out.inputs.features(feature++, t) = static_cast<float>(v);
    }
    if (arch.maskValue && (out.inputs.features.col(t).array() == *arch.maskValue).all())
      throw InputError(source, "line " + std::to_string(line.number) + ": every feature is " +
                                   formatMaskValue(*arch.maskValue) +
                                   ", the model's mask value: Keras skips such a step (its Masking layer), which "
                                   "LSTMScope does not model; remove the padding rows");
  }
  out.featureNames = std::move(featureNames);
  if (arch.frontEnd.empty()) {
    requireStepsTheHeadReads(arch, out.inputs.steps, source);
    return out;
  }
  out.rawFeatures = std::move(out.inputs.features);
  FrontEndRun run = runFrontEnd(arch, out.rawFeatures.cast<double>(), source, noStepAllowed, {maxSteps, limitAdvice});
  if (!run.noStep.empty()) out.noStep = source + ": " + run.noStep;
  out.inputs.features = std::move(run.features);
  out.inputs.steps = static_cast<int>(out.inputs.features.cols());
  out.rowsOfStep = std::move(run.spans);
  out.stepNames = std::move(run.stepNames);
  return out;
}

}  // namespace lstmscope
