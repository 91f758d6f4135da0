// The options every lstmscope-cli command takes to open a foreign model where its file is silent: the
// vocabulary file and the import choices (CLI.md "Foreign models"). They override the model's sidecar.
#pragma once

#include <set>
#include <string>

#include "app/cli/cli_args.h"
#include "core/formats/foreign/import_report.h"

namespace lstmscope::cli {

// `valued` plus --vocab, --task, --head-reads, --head-activation, --embedding, --dense-activations,
// --token-level, --lowercase and --unk.
std::set<std::string> withImportOptions(std::set<std::string> valued);

// The choices the options name; a value that is not one of the allowed words is a UsageError.
ImportChoices importChoicesFrom(const Args& args);

extern const char* const kImportOptionsHelp;

}  // namespace lstmscope::cli
