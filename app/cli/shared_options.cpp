// The options and checks several commands share: the input, the output path, the thread count, and the
// model commands info and convert, whose options are only these.
#include <filesystem>

#include "app/cli/cli_args.h"
#include "app/cli/command_options.h"
#include "app/cli/import_options.h"

namespace lstmscope::cli {
namespace {

// The model: the one positional argument, or --model as the other commands take it.
std::string onlyModel(const Args& a) {
  if (a.has("model")) {
    if (!a.positional().empty()) throw UsageError("give the model once: as MODEL or as --model MODEL");
    return a.get("model");
  }
  if (a.positional().size() != 1) throw UsageError("expected exactly one MODEL argument (or --model MODEL)");
  return a.positional()[0];
}

}  // namespace

InputOptions inputOptionsFrom(const Args& a, bool acceptsAudio) {
  if ((a.has("chunk") || a.has("hop")) && !a.has("wav")) throw UsageError("--chunk and --hop apply to --wav only");
  if (a.has("wav") && a.has("text") + a.has("text-file") + a.has("csv") + a.has("corpus") > 0)
    throw UsageError("give exactly one of --text, --text-file, --csv or --wav");
  if (a.has("wav")) {
    InputOptions in;
    in.wavFile = a.get("wav");
    if (in.wavFile.empty()) throw UsageError("--wav is empty; give a WAV file");
    if (a.has("chunk")) in.chunk = a.getLong("chunk", 0, 1, 1 << 24);
    if (a.has("hop")) in.hop = a.getLong("hop", 0, 1, 1 << 24);
    if (in.chunk > 0 && in.hop > in.chunk)
      throw UsageError("--hop " + std::to_string(in.hop) + " is longer than --chunk " + std::to_string(in.chunk) +
                       ": the samples between chunks would be skipped");
    return in;
  }
  if (a.has("text") + a.has("text-file") + a.has("csv") + a.has("corpus") != 1)
    throw UsageError(a.has("corpus") || a.all("text-file").size() > 1
                         ? "give exactly one of --text, --text-file or --csv, or a corpus (--corpus, or --text-file "
                           "repeated)"
                     : acceptsAudio ? "give exactly one of --text, --text-file, --csv or --wav"
                                    : "give exactly one of --text, --text-file or --csv");
  if (a.has("label-column") && !a.has("csv") && !a.has("corpus"))
    throw UsageError("--label-column applies to --csv only (and to a --corpus of CSV tables)");
  InputOptions in;
  if (a.has("text")) in.text = a.get("text");
  in.textFile = a.get("text-file"), in.csvFile = a.get("csv"), in.labelColumn = a.get("label-column");
  in.textFiles = a.all("text-file");
  in.corpus = a.get("corpus");
  if (a.has("corpus") && in.corpus.empty())
    throw UsageError("--corpus is empty; give a folder or a .jsonl or .txt file");
  return in;
}

ModelCommandOptions parseInfoOptions(const std::vector<std::string>& args) {
  const Args a(args, withImportOptions({"model"}), {"remember"});
  ModelCommandOptions o;
  o.modelPath = onlyModel(a);
  o.vocabPath = a.get("vocab");
  o.importChoices = importChoicesFrom(a);
  o.remember = a.has("remember");
  return o;
}

ModelCommandOptions parseConvertOptions(const std::vector<std::string>& args) {
  const Args a(args, withImportOptions({"out", "model"}), {});
  ModelCommandOptions o;
  o.out = a.require("out");
  o.modelPath = onlyModel(a);
  o.vocabPath = a.get("vocab");
  checkOutputPath(o.out, {o.modelPath, o.vocabPath});
  o.importChoices = importChoicesFrom(a);
  return o;
}

void checkOutputPath(const std::string& out, const std::vector<std::string>& inputs) {
  namespace fs = std::filesystem;
  // An empty path, or one ending in '/', could only fail at the end of the job, when the finished file is
  // renamed into place.
  if (out.empty()) throw UsageError("--out is empty; give the path of a file to write");
  if (out.back() == '/') throw UsageError("--out " + out + " names a directory; give the path of a file to write");
  std::error_code ec;
  // Checked before any work: the output replaces a regular file only. Renaming onto a device node, a FIFO
  // or a symbolic link to one (/dev/null, /proc/self/fd/1) would replace it with a regular file; a
  // directory would fail only at the end of the job.
  const fs::file_status status = fs::status(out, ec);
  if (fs::exists(status) && !fs::is_regular_file(status)) {
    const char* what = fs::is_directory(status)                                     ? "a directory"
                       : fs::is_fifo(status)                                        ? "a FIFO (named pipe)"
                       : fs::is_socket(status)                                      ? "a socket"
                       : fs::is_block_file(status) || fs::is_character_file(status) ? "a device"
                                                                                    : "not a regular file";
    throw UsageError("--out " + out + " is " + what + "; give the path of a file to write");
  }
  for (const std::string& in : inputs)
    if (!in.empty() && fs::equivalent(out, in, ec))
      throw UsageError("--out " + out + " is also an input; writing it would destroy " + in);
}

long parseThreads(long threads) {
  if (threads < 0 || threads > 4096) throw UsageError("--threads must be 0..4096 (0: every core)");
  return threads;
}

}  // namespace lstmscope::cli
