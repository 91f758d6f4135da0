#include "app/cli/meta_tracks.h"

#include <cmath>
#include <cstdlib>
#include <map>

#include "core/analysis/regex_track.h"
#include "core/analysis/text_labels.h"
#include "core/common/error.h"
#include "core/formats/sequence_input.h"

namespace lstmscope::cli {
namespace {

bool asNumber(const std::string& label, float& value) {
  if (label.empty()) return false;
  char* end = nullptr;
  const double v = std::strtod(label.c_str(), &end);
  if (*end != '\0' || !std::isfinite(v)) return false;
  value = static_cast<float>(v);
  return true;
}

// A file of labels, one per line (of a .tsv or .csv table: the last field): numbers become a number track,
// anything else a category track.
MetaTrack fileTrack(const MetaSpec& spec, long steps, const std::vector<int64_t>& offsets) {
  const std::string bytes = readFileBytes(spec.file, size_t(1) << 30);
  std::vector<std::string> labels;
  for (size_t at = 0; at < bytes.size();) {
    size_t end = bytes.find('\n', at);
    if (end == std::string::npos) end = bytes.size();
    std::string line = bytes.substr(at, end - at);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    // A table row (token<TAB>label, as CoNLL-style files have): its label is the last field.
    const char separator = spec.file.ends_with(".tsv") ? '\t' : spec.file.ends_with(".csv") ? ',' : '\0';
    if (const size_t last = line.rfind(separator); separator != '\0' && last != std::string::npos)
      line.erase(0, last + 1);
    labels.push_back(std::move(line));
    at = end + 1;
  }
  const long documents = static_cast<long>(offsets.size()) - 1;
  const long n = static_cast<long>(labels.size());
  if (n != steps && n != documents)
    throw InputError(spec.file, "has " + std::to_string(n) + " labels, but the input has " + std::to_string(steps) +
                                    " tokens" +
                                    (documents > 1 ? " and " + std::to_string(documents) + " documents" : "") +
                                    " (one label per line, for each token or each document)");
  if (n != steps) {  // one per document: every step of the document gets it
    std::vector<std::string> perStep;
    for (long d = 0; d < documents; ++d) perStep.insert(perStep.end(), offsets[d + 1] - offsets[d], labels[d]);
    labels = std::move(perStep);
  }
  MetaTrack track;
  track.name = spec.name, track.source = "file:" + spec.file;
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

}  // namespace

std::vector<MetaTrack> buildMetaTracks(const std::vector<MetaSpec>& specs, const std::vector<std::string>& surface,
                                       const std::vector<int64_t>& offsets, const std::string& separator) {
  std::vector<MetaTrack> tracks;
  for (const MetaSpec& spec : specs) {
    if (!spec.regex.empty()) {
      tracks.push_back({spec.name, "regex:" + spec.regex, regexTrack(spec.regex, surface, offsets, separator), {}});
    } else if (spec.builtin.empty()) {
      tracks.push_back(fileTrack(spec, static_cast<long>(surface.size()), offsets));
    } else {
      const std::vector<double> values = builtinLabel(spec.builtin, surface, offsets, separator);
      tracks.push_back({spec.name, "builtin:" + spec.builtin, {values.begin(), values.end()}, {}});
    }
  }
  return tracks;
}

}  // namespace lstmscope::cli
