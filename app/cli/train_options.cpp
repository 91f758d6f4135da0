#include <cmath>
#include <filesystem>
#include <limits>

#include "app/cli/cli_args.h"
#include "app/cli/command_options.h"

namespace lstmscope::cli {
namespace {

// A finite number that `acceptable` allows, else a usage error naming the option and the `range`: a
// learning rate of inf or nan would train into NaN weights without a word.
template <class Acceptable>
double checkedNumber(const Args& a, const std::string& name, double fallback, Acceptable acceptable,
                     const std::string& range) {
  const double v = a.getDouble(name, fallback);
  if (!std::isfinite(v) || !acceptable(v))
    throw UsageError("--" + name + " must be " + range + ", not '" + a.get(name) + "'");
  return v;
}

}  // namespace

TrainCommandOptions parseTrainOptions(const std::vector<std::string>& args) {
  const Args a(args, {"text-file", "labelled", "out",       "level", "min-count", "max-chars",  "valid",
                      "layers",    "hidden",   "embedding", "name",  "epochs",    "batch",      "bptt",
                      "lr",        "lr-decay", "clip",      "seed",  "threads",   "checkpoint", "resume"},
               {"lowercase", "bidirectional", "quiet"});
  if (!a.positional().empty()) throw UsageError("unexpected argument '" + a.positional()[0] + "'");
  if (a.has("text-file") == a.has("labelled")) throw UsageError("give exactly one of --text-file or --labelled");
  TrainCommandOptions c;
  c.textFile = a.get("text-file"), c.labelledFile = a.get("labelled"), c.out = a.require("out");
  checkOutputPath(c.out, {c.textFile, c.labelledFile, a.get("resume")});
  TrainOptions& o = c.train;
  const std::string level = a.get("level", "char");
  if (level != "char" && level != "word") throw UsageError("--level must be char or word");
  o.level = level == "word" ? TokenLevel::Word : TokenLevel::Char;
  o.lowercase = a.has("lowercase");
  // Sizes within what a machine can hold, checked before anything is allocated.
  o.minCount = a.getInt("min-count", 1, 1, std::numeric_limits<int>::max());
  o.validFraction = checkedNumber(
      a, "valid", o.validFraction, [](double v) { return v > 0 && v < 0.5; }, "a fraction in (0, 0.5)");
  o.layers = a.getInt("layers", 2, 1, 64);
  o.hidden = a.getInt("hidden", 128, 1, 1 << 16);
  o.embedding = a.getInt("embedding", 0, 0, 1 << 16);
  o.bidirectional = a.has("bidirectional");
  o.epochs = a.getInt("epochs", 10, 1, 1'000'000);
  o.batch = a.getInt("batch", 32, 1, 1 << 16);
  o.bptt = a.getInt("bptt", 64, 1, 1 << 20);
  const auto positive = [](double v) { return v > 0; };
  o.learningRate = checkedNumber(a, "lr", o.learningRate, positive, "a number > 0");
  o.learningRateDecay = checkedNumber(a, "lr-decay", o.learningRateDecay, positive, "a number > 0");
  o.clip = checkedNumber(
      a, "clip", o.clip, [](double v) { return v >= 0; }, "a number >= 0 (0: off)");
  o.seed = static_cast<uint64_t>(a.getLong("seed", 1, 0, std::numeric_limits<long>::max()));
  o.checkpointPrefix = a.get("checkpoint");
  o.name = a.get("name", std::filesystem::path(c.out).stem().string());
  c.threads = parseThreads(a.getLong("threads", 0));
  c.maxChars = a.getLong("max-chars", 0, 0, std::numeric_limits<long>::max());
  c.quiet = a.has("quiet");
  c.resumePath = a.get("resume");
  c.languageModel = a.has("text-file");
  if (c.languageModel) {
    if (o.bidirectional) throw UsageError("--bidirectional is for classifiers (a language model cannot see ahead)");
  } else if (a.has("resume")) {
    throw UsageError("--resume is for language models");
  }
  return c;
}

}  // namespace lstmscope::cli
