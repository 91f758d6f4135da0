#include "app/cli/probe_inputs.h"

#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include "app/cli/commands.h"
#include "core/common/error.h"
#include "core/formats/temp_files.h"
#include "core/probing/label_sources.h"

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

ProbeLabel readProbeLabel(const std::string& spec, const TraceReader& trace) {
  if (spec.rfind("meta:", 0) == 0) {
    const std::string name = spec.substr(5);
    const std::vector<std::string> names = trace.metaNames();
    if (std::find(names.begin(), names.end(), name) == names.end())
      throw InputError(trace.path(),
                       "has no meta track '" + name + "'" + (names.empty() ? std::string(" (it has none)") : ""));
    const MetaTrack track = trace.meta(name);
    return makeProbeLabel(spec, {track.values.begin(), track.values.end()}, track.categories);
  }
  requireTokenPerStep(spec, trace.stepsReadTokenWindows(), trace.path());
  const std::vector<std::string> tokens = trace.tokenText();
  try {
    return probeLabelFromSpec(spec, tokens, trace.documentOffsets(), tokenSeparator(tokens));
  } catch (const std::invalid_argument& e) {  // the options were checked: nothing but the label file gets here
    throw InputError(trace.path(), e.what());
  }
}

}  // namespace lstmscope::cli
