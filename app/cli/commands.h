// The subcommands of lstmscope-cli. Each returns the process exit code; errors are thrown
// (UsageError -> 2, InputError -> 3) and reported by main.
#pragma once

#include <string>
#include <vector>

#include "core/formats/foreign/import_report.h"

namespace lstmscope::cli {

int runInfo(const std::vector<std::string>& args);
int runConvert(const std::vector<std::string>& args);
int runRecord(const std::vector<std::string>& args);
int runTrain(const std::vector<std::string>& args);
int runAttribute(const std::vector<std::string>& args);
int runMatch(const std::vector<std::string>& args);
int runUnit(const std::vector<std::string>& args);
int runExportLstmvis(const std::vector<std::string>& args);
int runIntervene(const std::vector<std::string>& args);
int runAblate(const std::vector<std::string>& args);
int runPatch(const std::vector<std::string>& args);
int runGenerate(const std::vector<std::string>& args);
int runProbe(const std::vector<std::string>& args);

extern const char* const kInfoHelp;
extern const char* const kConvertHelp;
extern const char* const kRecordHelp;
extern const char* const kTrainHelp;
extern const char* const kAttributeHelp;
extern const char* const kMatchHelp;
extern const char* const kUnitHelp;
extern const char* const kExportLstmvisHelp;
extern const char* const kInterveneHelp;
extern const char* const kAblateHelp;
extern const char* const kPatchHelp;
extern const char* const kGenerateHelp;
extern const char* const kProbeHelp;

// True if args ask for help; prints `help` to stdout.
bool printHelpIfAsked(const std::vector<std::string>& args, const char* help);
// Applies --threads N (0: all cores, the default) to OpenMP and Eigen.
void applyThreads(long threads);
// Opens a model for a command and, when only its LSTM stack opened (Architecture::cutOff), says so on
// stderr: the command still runs, on what opened.
Model importForCommand(const std::string& path, const std::string& vocabPath, const ImportChoices& choices);

}  // namespace lstmscope::cli
