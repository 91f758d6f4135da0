#include <unistd.h>

#include <cstdio>

#include "app/cli/command_options.h"
#include "app/cli/commands.h"
#include "core/common/error.h"
#include "core/formats/native_model.h"
#include "core/formats/sequence_input.h"
#include "core/training/trainer.h"

namespace lstmscope::cli {

const char* const kTrainHelp =
    "usage: lstmscope-cli train (--text-file F | --labelled F) --out MODEL.h5 [options]\n"
    "\n"
    "Trains a language model on a text file (--text-file), or a sequence classifier on a file with one\n"
    "'label<TAB>text' per line (--labelled), and writes the epoch with the best validation loss to MODEL.h5.\n"
    "\n"
    "data:\n"
    "  --level char|word      tokens are characters (default) or whitespace-separated words\n"
    "  --lowercase            lowercase the text first\n"
    "  --min-count N          word level: words seen fewer than N times become <unk> (default 1)\n"
    "  --max-chars N          use only the first N bytes of the text (default: all)\n"
    "  --valid X              fraction held out for validation (default 0.05: the text's end; shuffled lines)\n"
    "model:\n"
    "  --layers N             stacked LSTM layers (default 2)\n"
    "  --hidden N             units per layer (default 128)\n"
    "  --embedding N          embedding width; 0 = one-hot input (default 0)\n"
    "  --bidirectional        bidirectional layers (classifiers only)\n"
    "  --name NAME            model name stored in the file (default: the output file's stem)\n"
    "optimisation:\n"
    "  --epochs N             passes over the data (default 10)\n"
    "  --batch N              parallel streams (language model) or sequences per step (default 32)\n"
    "  --bptt N               truncated backpropagation length in steps (default 64)\n"
    "  --lr X                 Adam learning rate (default 0.002)\n"
    "  --lr-decay X           multiply the learning rate by X after each epoch (default 1)\n"
    "  --clip X               clip the global gradient norm to X; 0 = off (default 5)\n"
    "  --seed N               random seed for initialisation and shuffling (default 1)\n"
    "  --threads N            worker threads (default: all cores); results are reproducible for a fixed N\n"
    "  --checkpoint PREFIX    also write PREFIX-epochN.h5 after every epoch\n"
    "  --resume MODEL.h5      language model: continue training MODEL's weights (its vocabulary and layers\n"
    "                         are kept; the model options above are ignored; Adam's moments restart)\n"
    "  --quiet                no progress line\n";

namespace {

// Prints a progress line to stderr (with the epoch's running loss) and each epoch's summary to stdout.
class ConsoleReport {
 public:
  ConsoleReport(bool quiet, int epochs) : quiet_(quiet), epochs_(epochs), tty_(isatty(2)) {}

  TrainingLog log() {
    return {[this](const StepStats& s) { lastStep_ = s; }, [this](const EpochStats& s) { printEpoch(s); }};
  }
  ProgressCallbacks progress() {
    return {{}, [this](long done, long total) { printProgress(done, total); }};
  }

 private:
  // Progress counts steps over all epochs; the line shows the step within the current epoch.
  void printProgress(long done, long total) const {
    if (quiet_) return;
    const long steps = total / epochs_, step = done - (lastStep_.epoch - 1) * steps;
    // On a terminal, one line that updates in place; in a log, about twenty lines per epoch.
    if (!tty_ && step != steps && step % std::max<long>(1, steps / 20) != 0) return;
    std::fprintf(stderr, "%sepoch %d/%d  step %ld/%ld  loss %.4f  %.0f tokens/s%s", tty_ ? "\r" : "", lastStep_.epoch,
                 epochs_, step, steps, lastStep_.trainLoss, lastStep_.tokensPerSecond, tty_ ? "   " : "\n");
  }
  void printEpoch(const EpochStats& s) const {
    if (tty_ && !quiet_) std::fputc('\n', stderr);
    std::printf("epoch %d: train loss %.4f nats, validation loss %.4f nats (%.4f bits)", s.epoch, s.trainLoss,
                s.validLoss, s.validBits);
    if (s.validAccuracy > 0) std::printf(", validation accuracy %.2f%%", 100 * s.validAccuracy);
    std::printf(", %.1f s\n", s.seconds);
    std::fflush(stdout);
  }

  bool quiet_;
  int epochs_;
  bool tty_;
  StepStats lastStep_;
};

}  // namespace

int runTrain(const std::vector<std::string>& args) {
  if (printHelpIfAsked(args, kTrainHelp)) return 0;
  const TrainCommandOptions c = parseTrainOptions(args);
  applyThreads(c.threads);
  TrainOptions o = c.train;
  ConsoleReport report(c.quiet, o.epochs);
  TrainResult result;
  if (c.languageModel) {
    std::string text = readFileBytes(c.textFile, size_t(1) << 32);
    if (c.maxChars > 0 && static_cast<long>(text.size()) > c.maxChars) {
      text.resize(c.maxChars);
      while (!text.empty() && (static_cast<unsigned char>(text.back()) & 0xC0) == 0x80) text.pop_back();
      if (!text.empty() && static_cast<unsigned char>(text.back()) >= 0xC0) text.pop_back();  // cut lead byte
    }
    if (text.empty()) throw InputError(c.textFile, "the text is empty");
    o.task = Task::LanguageModel;
    if (!c.resumePath.empty()) o.resume = std::make_shared<const Model>(loadNativeModel(c.resumePath));
    try {
      result = trainLanguageModel(text, o, report.log(), report.progress());
    } catch (const InputError& e) {
      throw InputError(c.textFile, e.what());
    }
  } else {
    o.task = Task::Classifier;
    const auto examples = parseLabelledText(readFileBytes(c.labelledFile, size_t(1) << 32), c.labelledFile);
    try {
      result = trainClassifier(examples, o, report.log(), report.progress());
    } catch (const InputError& e) {
      throw InputError(c.labelledFile, e.what());
    }
  }
  saveNativeModel(result.model, c.out);
  std::fprintf(stderr, "wrote %s\n", c.out.c_str());
  return 0;
}

}  // namespace lstmscope::cli
