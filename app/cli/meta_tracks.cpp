#include "app/cli/meta_tracks.h"

#include "core/analysis/regex_track.h"
#include "core/analysis/text_labels.h"
#include "core/probing/label_sources.h"

namespace lstmscope::cli {

std::vector<MetaTrack> buildMetaTracks(const std::vector<MetaSpec>& specs, const std::vector<std::string>& surface,
                                       const std::vector<int64_t>& offsets, const std::string& separator) {
  std::vector<MetaTrack> tracks;
  for (const MetaSpec& spec : specs) {
    if (!spec.regex.empty()) {
      tracks.push_back({spec.name, "regex:" + spec.regex, regexTrack(spec.regex, surface, offsets, separator), {}});
    } else if (spec.builtin.empty()) {
      tracks.push_back(labelFileTrack(spec.file, spec.name, static_cast<long>(surface.size()), offsets));
    } else {
      const std::vector<double> values = builtinLabel(spec.builtin, surface, offsets, separator);
      tracks.push_back({spec.name, "builtin:" + spec.builtin, {values.begin(), values.end()}, {}});
    }
  }
  return tracks;
}

}  // namespace lstmscope::cli
