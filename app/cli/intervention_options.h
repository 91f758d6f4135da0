// Options of the intervention commands: intervene, ablate, patch and generate (docs/CLI.md). Parsed and
// checked before any file is opened, like every command's options (command_options.h).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "app/cli/command_options.h"
#include "core/intervention/intervention_spec.h"

namespace lstmscope::cli {

// The model every intervention command opens.
struct ModelOption {
  std::string path, vocabPath;
  ImportChoices importChoices;
};

// --target-step, --target, --target-unit and --score: what an ablation or a patch is measured by.
struct TargetOption {
  std::optional<long> step;            // default: the last step
  std::optional<int> output;           // default: a language model's next token, else the most probable
  std::optional<QuantityOption> unit;  // --target-unit Q:L/DIR/U
  int unitIndex = 0;
  std::optional<bool> logProbability;  // --score logprob | logit (default: logprob unless the head is linear)
};

struct InterveneOptions {
  ModelOption model;
  InputOptions input;
  std::vector<InterventionSpec> specs;
  std::string out;
  bool doublePrecision = false, float16 = false;
  RecordRequest request;  // quantities and outputs
  bool quiet = false;
};
InterveneOptions parseInterveneOptions(const std::vector<std::string>& args);

struct AblateOptions {
  ModelOption model;
  InputOptions input;
  QuantityOption what;
  std::optional<long> firstStep, endStep;  // --steps A:B
  bool toMean = false;                     // --value mean
  bool map = false;                        // --map: unit x step
  TargetOption target;
  std::string out;
  bool doublePrecision = false;
};
AblateOptions parseAblateOptions(const std::vector<std::string>& args);

struct PatchOptions {
  ModelOption model;
  std::string clean, corrupt;
  QuantityOption what;
  TargetOption target;
  std::string out;
  bool doublePrecision = false;
};
PatchOptions parsePatchOptions(const std::vector<std::string>& args);

struct GenerateOptions {
  ModelOption model;
  std::string prompt;
  std::vector<InterventionSpec> specs;
  int tokens = 100;
  double temperature = 0;
  uint64_t seed = 1;
  std::string out;  // optional .json; else the two generations on stdout
  bool doublePrecision = false;
};
GenerateOptions parseGenerateOptions(const std::vector<std::string>& args);

}  // namespace lstmscope::cli
