// What `probe` reads before it scores anything (docs/CLI.md "probe"): the trace (given, or recorded from
// the model into a temporary file that never outlives the command) and the label over its steps.
#pragma once

#include <string>
#include <vector>

#include "app/cli/command_options.h"
#include "core/formats/trace_file.h"
#include "core/probing/probe_label.h"

namespace lstmscope::cli {

// The model's run on the input, recorded by `record` with `recordArgs` into a temporary trace that the
// destructor (or a SIGINT/SIGTERM) removes.
class TemporaryTrace {
 public:
  TemporaryTrace(const std::vector<std::string>& recordArgs, const std::vector<Quantity>& quantities);
  ~TemporaryTrace();
  TemporaryTrace(const TemporaryTrace&) = delete;
  TemporaryTrace& operator=(const TemporaryTrace&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// The label `spec` (builtin:, regex:, file:, meta:) over every step of the trace. InputError for a label
// file whose count of rows is neither the steps' nor the documents', or a meta track the trace lacks.
ProbeLabel readProbeLabel(const std::string& spec, const TraceReader& trace);

}  // namespace lstmscope::cli
