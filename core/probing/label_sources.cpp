#include "core/probing/label_sources.h"

#include <cmath>
#include <cstdlib>
#include <map>
#include <stdexcept>

#include "core/analysis/regex_track.h"
#include "core/analysis/text_labels.h"
#include "core/common/error.h"
#include "core/formats/sequence_input.h"

namespace lstmscope {
namespace {

bool asNumber(const std::string& label, float& value) {
  if (label.empty()) return false;
  char* end = nullptr;
  const double v = std::strtod(label.c_str(), &end);
  if (*end != '\0' || !std::isfinite(v)) return false;
  value = static_cast<float>(v);
  return true;
}

}  // namespace

MetaTrack labelFileTrack(const std::string& file, const std::string& name, long steps,
                         const std::vector<int64_t>& offsets) {
  const std::string bytes = readFileBytes(file, size_t(1) << 30);
  std::vector<std::string> labels;
  for (size_t at = 0; at < bytes.size();) {
    size_t end = bytes.find('\n', at);
    if (end == std::string::npos) end = bytes.size();
    std::string line = bytes.substr(at, end - at);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    // A table row (token<TAB>label, as CoNLL-style files have): its label is the last field.
    const char separator = file.ends_with(".tsv") ? '\t' : file.ends_with(".csv") ? ',' : '\0';
    if (const size_t last = line.rfind(separator); separator != '\0' && last != std::string::npos)
      line.erase(0, last + 1);
    labels.push_back(std::move(line));
    at = end + 1;
  }
  const long documents = static_cast<long>(offsets.size()) - 1;
  const long n = static_cast<long>(labels.size());
  if (n != steps && n != documents)
    throw InputError(file, "has " + std::to_string(n) + " labels, but the input has " + std::to_string(steps) +
                               " steps" + (documents > 1 ? " and " + std::to_string(documents) + " documents" : "") +
                               " (one label per line, for each step, a token or a window of them, or each "
                               "document)");
  if (n != steps) {  // one per document: every step of the document gets it
    std::vector<std::string> perStep;
    for (long d = 0; d < documents; ++d) perStep.insert(perStep.end(), offsets[d + 1] - offsets[d], labels[d]);
    labels = std::move(perStep);
  }
  MetaTrack track;
  track.name = name, track.source = "file:" + file;
  std::vector<float> numbers(labels.size());
  bool numeric = true;
  for (size_t k = 0; k < labels.size() && numeric; ++k) numeric = asNumber(labels[k], numbers[k]);
  if (numeric) {
    track.values = std::move(numbers);
    return track;
  }
  std::map<std::string, float> index;
  for (const std::string& label : labels) {
    const auto [it, added] = index.emplace(label, static_cast<float>(track.categories.size()));
    if (added) track.categories.push_back(label);
    track.values.push_back(it->second);
  }
  return track;
}

std::string tokenSeparator(const std::vector<std::string>& tokens) {
  const auto oneCharacter = [](const std::string& token) {
    long characters = 0;
    for (const char c : token) characters += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
    return characters <= 1;
  };
  return std::all_of(tokens.begin(), tokens.end(), oneCharacter) ? "" : " ";
}

ProbeLabel probeLabelFromSpec(const std::string& spec, const std::vector<std::string>& tokens,
                              const std::vector<int64_t>& offsets, const std::string& separator) {
  if (spec.rfind("builtin:", 0) == 0)
    return makeProbeLabel(spec, builtinLabel(spec.substr(8), tokens, offsets, separator), {});
  if (spec.rfind("regex:", 0) == 0) {
    if (regexGroups(spec.substr(6)) > 0) {  // categories: the first group's text
      RegexCategories track = regexGroupTrack(spec.substr(6), tokens, offsets, separator);
      return makeProbeLabel(spec, {track.values.begin(), track.values.end()}, std::move(track.categories));
    }
    const std::vector<float> marks = regexTrack(spec.substr(6), tokens, offsets, separator);
    return makeProbeLabel(spec, {marks.begin(), marks.end()}, {});
  }
  if (spec.rfind("file:", 0) == 0) {
    MetaTrack track = labelFileTrack(spec.substr(5), "label", static_cast<long>(tokens.size()), offsets);
    return makeProbeLabel(spec, {track.values.begin(), track.values.end()}, std::move(track.categories));
  }
  throw std::invalid_argument("a label is builtin:NAME, regex:PATTERN or file:PATH, not '" + spec + "'");
}

void requireTokenPerStep(const std::string& spec, bool stepsReadTokenWindows, const std::string& where) {
  if (!stepsReadTokenWindows || (spec.rfind("builtin:", 0) != 0 && spec.rfind("regex:", 0) != 0)) return;
  throw InputError(where,
                   spec +
                       " is computed from the text token by token, and each step of this input reads a window "
                       "of several tokens (the model's front end): give one label per step in a file (file:PATH)");
}

}  // namespace lstmscope
