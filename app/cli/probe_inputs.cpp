#include "app/cli/probe_inputs.h"

#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include "app/cli/commands.h"
#include "app/cli/meta_tracks.h"
#include "core/common/error.h"
#include "core/formats/temp_files.h"

namespace lstmscope::cli {

TemporaryTrace::TemporaryTrace(const std::vector<std::string>& recordArgs, const std::vector<Quantity>& quantities) {
  static int made = 0;
  path_ = (std::filesystem::temp_directory_path() /
           ("lstmscope-probe-" + std::to_string(getpid()) + "-" + std::to_string(made++) + ".h5"))
              .string();
  std::string list;
  for (const Quantity q : quantities) list += (list.empty() ? "" : ",") + std::string(quantityName(q));
  std::vector<std::string> args = recordArgs;
  args.insert(args.end(), {"--out", path_, "--quantities", list, "--no-outputs", "--quiet"});
  registerTempFile(path_);
  try {
    runRecord(args);
  } catch (...) {
    std::error_code ignored;
    std::filesystem::remove(path_, ignored);
    forgetTempFile(path_);
    throw;
  }
}

TemporaryTrace::~TemporaryTrace() {
  std::error_code ignored;
  std::filesystem::remove(path_, ignored);
  forgetTempFile(path_);
}

std::string tokenSeparator(const std::vector<std::string>& tokens) {
  const auto onePoint = [](const std::string& token) {
    return std::count_if(token.begin(), token.end(),
                         [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }) <= 1;
  };
  return std::all_of(tokens.begin(), tokens.end(), onePoint) ? "" : " ";
}

ProbeLabel readProbeLabel(const std::string& spec, const TraceReader& trace) {
  MetaTrack track;
  if (spec.rfind("meta:", 0) == 0) {
    const std::string name = spec.substr(5);
    const std::vector<std::string> names = trace.metaNames();
    if (std::find(names.begin(), names.end(), name) == names.end())
      throw InputError(trace.path(),
                       "has no meta track '" + name + "'" + (names.empty() ? std::string(" (it has none)") : ""));
    track = trace.meta(name);
  } else {
    MetaSpec m;
    m.name = "label";
    if (spec.rfind("builtin:", 0) == 0)
      m.builtin = spec.substr(8);
    else if (spec.rfind("regex:", 0) == 0)
      m.regex = spec.substr(6);
    else
      m.file = spec.substr(5);
    const std::vector<std::string> tokens = trace.tokenText();
    std::vector<int64_t> offsets = trace.documentOffsets();
    if (offsets.empty()) offsets = {0, trace.steps()};
    track = std::move(buildMetaTracks({m}, tokens, offsets, tokenSeparator(tokens)).front());
  }
  return makeProbeLabel(spec, {track.values.begin(), track.values.end()}, track.categories);
}

}  // namespace lstmscope::cli
