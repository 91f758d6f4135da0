#include "core/formats/sequence_input.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/common/error.h"

namespace lstmscope {

std::string readFileBytes(const std::string& path, size_t maxBytes) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) throw InputError(path, "no such file");
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) throw InputError(path, "cannot read the file size: " + ec.message());
  if (size > maxBytes)
    throw InputError(
        path, "the file has " + std::to_string(size) + " bytes, more than the limit of " + std::to_string(maxBytes));
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path, "cannot open the file for reading");
  std::string bytes(size, '\0');
  in.read(bytes.data(), static_cast<std::streamsize>(size));
  if (static_cast<size_t>(in.gcount()) != size) throw InputError(path, "could not read the whole file");
  return bytes;
}

EncodedText encodeText(const Architecture& arch, const std::string& text, const std::string& sourceName,
                       long maxSteps) {
  if (arch.inputKind != InputKind::Tokens)
    throw InputError(sourceName, "the model reads numeric features, not text: give a CSV file with --csv");
  TokenizedText tok = tokenize(arch.vocab, text, sourceName);
  if (static_cast<long>(tok.ids.size()) > maxSteps)
    throw InputError(sourceName, "the text has " + std::to_string(tok.ids.size()) + " tokens, more than the limit of " +
                                     std::to_string(maxSteps) + " (raise it with --max-steps)");
  EncodedText out;
  out.inputs.steps = static_cast<int>(tok.ids.size());
  out.inputs.batch = 1;
  out.inputs.tokens = std::move(tok.ids);
  out.surface = std::move(tok.surface);
  return out;
}

namespace {

std::vector<std::string> splitCsvLine(const std::string& line) {
  std::vector<std::string> cells;
  std::string cell;
  std::istringstream s(line);
  while (std::getline(s, cell, ',')) cells.push_back(cell);
  if (!line.empty() && line.back() == ',') cells.emplace_back();
  return cells;
}

bool parseNumber(const std::string& cell, double& value) {
  const char* begin = cell.c_str();
  while (*begin == ' ' || *begin == '\t') ++begin;
  if (!*begin) return false;
  char* end = nullptr;
  errno = 0;
  value = std::strtod(begin, &end);
  while (*end == ' ' || *end == '\t' || *end == '\r') ++end;
  return *end == '\0' && errno == 0;
}

}  // namespace

Inputs<float> readFeatureCsv(const Architecture& arch, const std::string& path, long maxSteps) {
  if (arch.inputKind != InputKind::Features)
    throw InputError(path, "the model reads text, not numeric features: give --text or --text-file");
  const std::string bytes = readFileBytes(path, size_t(1) << 32);
  std::istringstream in(bytes);
  std::string line;
  std::vector<float> values;
  long rows = 0, lineNo = 0;
  const int D = arch.featureDim;
  while (std::getline(in, line)) {
    ++lineNo;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    const auto cells = splitCsvLine(line);
    std::vector<double> row;
    bool numeric = true;
    for (const auto& c : cells) {
      double v;
      if (!parseNumber(c, v)) {
        numeric = false;
        break;
      }
      row.push_back(v);
    }
    if (!numeric) {
      if (rows == 0 && values.empty() && lineNo == 1) continue;  // header
      throw InputError(path, "line " + std::to_string(lineNo) + " has a value that is not a number");
    }
    if (static_cast<int>(row.size()) != D)
      throw InputError(path, "line " + std::to_string(lineNo) + " has " + std::to_string(row.size()) +
                                 " values but the model expects " + std::to_string(D) + " features per step");
    for (double v : row) {
      if (!std::isfinite(v)) throw InputError(path, "line " + std::to_string(lineNo) + " has a NaN or infinite value");
      values.push_back(static_cast<float>(v));
    }
    if (++rows > maxSteps)
      throw InputError(path, "more than " + std::to_string(maxSteps) + " rows (raise the limit with --max-steps)");
  }
  if (rows == 0) throw InputError(path, "the CSV file has no data rows");
  Inputs<float> out;
  out.steps = static_cast<int>(rows);
  out.batch = 1;
  out.features = Eigen::Map<const Mat<float>>(values.data(), D, rows);
  return out;
}

}  // namespace lstmscope
