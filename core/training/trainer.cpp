#include "core/training/trainer.h"

#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <numeric>
#include <random>
#include <set>

#include "core/common/error.h"
#include "core/formats/native_model.h"
#include "core/text/utf8.h"
#include "core/training/adam.h"
#include "core/training/init.h"
#include "core/training/objective.h"

namespace lstmscope {
namespace {

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

void checkOptions(const TrainOptions& o) {
  if (o.layers < 1 || o.hidden < 1 || o.embedding < 0 || o.epochs < 1 || o.batch < 1 || o.bptt < 1)
    throw InputError("training options must be positive (layers, hidden, epochs, batch, bptt)");
  if (!(o.learningRate > 0)) throw InputError("the learning rate must be positive");
  if (!(o.validFraction > 0 && o.validFraction < 0.5)) throw InputError("--valid must be in (0, 0.5)");
}

Architecture baseArchitecture(const TrainOptions& o, Vocabulary vocab, bool bidirectional) {
  Architecture a;
  a.name = o.name;
  a.task = o.task;
  a.inputKind = InputKind::Tokens;
  a.vocab = std::move(vocab);
  for (int l = 0; l < o.layers; ++l)
    a.layers.push_back({o.hidden, bidirectional, GateActivation::Sigmoid, CellActivation::Tanh});
  return a;
}

void saveCheckpoint(const Model& m, const TrainOptions& o, int epoch) {
  if (!o.checkpointPrefix.empty()) saveNativeModel(m, o.checkpointPrefix + "-epoch" + std::to_string(epoch) + ".h5");
}

}  // namespace

double evaluateLanguageModel(const Model& net, const std::vector<int32_t>& ids) {
  const long chunk = 1024;
  double total = 0;
  long count = 0;
  State<float> state;
  for (long s = 0; s + 1 < static_cast<long>(ids.size()); s += chunk) {
    const long n = std::min<long>(chunk, static_cast<long>(ids.size()) - 1 - s);
    Inputs<float> in;
    in.steps = static_cast<int>(n);
    in.tokens.assign(ids.begin() + s, ids.begin() + s + n);
    std::vector<int32_t> targets(ids.begin() + s + 1, ids.begin() + s + 1 + n);
    State<float> next;
    total +=
        languageModelLoss<float>(net, in, targets, s == 0 ? nullptr : &state, &next, nullptr) * static_cast<double>(n);
    state = std::move(next);
    count += n;
  }
  return count ? total / static_cast<double>(count) : 0.0;
}

namespace {

// What every step and epoch ends with: report; at an epoch's end also checkpoint, keep the best model and
// decay the learning rate.
struct TrainingBookkeeping {
  const TrainOptions& options;
  const TrainingLog& log;
  const ProgressCallbacks& callbacks;
  Adam<float>& adam;
  TrainResult& result;
  double learningRate = options.learningRate;
  double bestLoss = INFINITY;

  // After step `step` (1-based) of `steps` in epoch `epoch`: its figures, then progress over the whole run.
  void stepDone(int epoch, long step, long steps, double trainLoss, double tokensPerSecond) const {
    if (log.step) log.step({epoch, trainLoss, tokensPerSecond});
    reportProgress(callbacks, (epoch - 1) * steps + step, options.epochs * steps);
  }

  void close(const EpochStats& stats, const Model& model) {
    result.history.push_back(stats);
    if (log.epoch) log.epoch(stats);
    saveCheckpoint(model, options, stats.epoch);
    if (stats.validLoss < bestLoss) bestLoss = stats.validLoss, result.model = model;
    learningRate *= options.learningRateDecay;
    adam.setLearningRate(learningRate);
  }
};

}  // namespace

std::vector<LabelledText> parseLabelledText(const std::string& bytes, const std::string& source) {
  const Utf8Issue issue = validateUtf8(bytes);
  if (!issue.ok)
    throw InputError(
        source, "not valid UTF-8 at line " + std::to_string(issue.line) + ", column " + std::to_string(issue.column));
  std::vector<LabelledText> out;
  size_t start = 0;
  int lineNo = 0;
  while (start < bytes.size()) {
    size_t end = bytes.find('\n', start);
    if (end == std::string::npos) end = bytes.size();
    std::string line = bytes.substr(start, end - start);
    start = end + 1;
    ++lineNo;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    const size_t tab = line.find('\t');
    if (tab == std::string::npos || tab == 0 || tab + 1 == line.size())
      throw InputError(source, "line " + std::to_string(lineNo) + " is not 'label<TAB>text'");
    out.push_back({line.substr(0, tab), line.substr(tab + 1)});
  }
  if (out.size() < 2) throw InputError(source, "need at least two labelled lines to train a classifier");
  return out;
}

Vocabulary buildVocabulary(const std::vector<std::string>& texts, TokenLevel level, bool lowercase, int minCount) {
  std::map<std::string, long> counts;
  for (const std::string& raw : texts) {
    const Utf8Issue issue = validateUtf8(raw);
    if (!issue.ok)
      throw InputError("training text is not valid UTF-8 at line " + std::to_string(issue.line) + ", column " +
                       std::to_string(issue.column));
    const std::string text = lowercase ? lowercaseUtf8(raw) : raw;
    if (level == TokenLevel::Char) {
      for (auto& cp : splitCodePoints(text)) ++counts[cp];
    } else {
      std::string word;
      for (char ch : text + " ") {
        if (ch == ' ' || ch == '\n' || ch == '\t' || ch == '\r' || ch == '\v' || ch == '\f') {
          if (!word.empty()) ++counts[word];
          word.clear();
        } else {
          word += ch;
        }
      }
    }
  }
  std::vector<std::string> tokens;
  bool dropped = false;
  for (const auto& [tok, n] : counts) {  // std::map: sorted by bytes, so reproducible
    if (level == TokenLevel::Word && n < minCount)
      dropped = true;
    else
      tokens.push_back(tok);
  }
  std::string unk;
  if (dropped || level == TokenLevel::Word) {
    unk = "<unk>";
    if (std::find(tokens.begin(), tokens.end(), unk) == tokens.end()) tokens.push_back(unk);
  }
  if (tokens.empty()) throw InputError("the training text is empty");
  return Vocabulary(level, std::move(tokens), lowercase, unk);
}

TrainResult trainLanguageModel(const std::string& text, const TrainOptions& o, const TrainingLog& log,
                               const ProgressCallbacks& callbacks) {
  checkOptions(o);
  const Vocabulary vocab = o.resume ? o.resume->arch.vocab : buildVocabulary({text}, o.level, o.lowercase, o.minCount);
  const std::vector<int32_t> ids = tokenize(vocab, text, "training text").ids;
  const long nValid = std::max<long>(2, static_cast<long>(static_cast<double>(ids.size()) * o.validFraction));
  const long nTrain = static_cast<long>(ids.size()) - nValid;
  const long B = o.batch;
  const long streamLength = (nTrain - 1) / B;
  if (streamLength < 2)
    throw InputError("the training text has " + std::to_string(ids.size()) + " tokens: too few for batch " +
                     std::to_string(B) + " (use a longer text or a smaller --batch)");
  const std::vector<int32_t> valid(ids.end() - nValid, ids.end());

  Architecture arch = baseArchitecture(o, vocab, false);
  arch.head = HeadSpec{{}, HeadActivation::Softmax, HeadReads::EachStep, {}, {}, 0};
  Model model = o.resume ? *o.resume : initialiseModel(arch, {o.embedding, {}, vocab.size()}, o.seed);
  if (o.resume &&
      (model.arch.inputKind != InputKind::Tokens || !model.arch.head || model.arch.head->reads != HeadReads::EachStep ||
       model.arch.head->activation != HeadActivation::Softmax))
    throw InputError("the model to resume is not a language model (tokens in, softmax at every step)");
  if (o.resume) model.arch.name = o.name;
  Adam<float> adam(model.params, o.learningRate);
  TrainResult result;
  TrainingBookkeeping bookkeeping{o, log, callbacks, adam, result};
  const long chunks = (streamLength + o.bptt - 1) / o.bptt;

  for (int epoch = 1; epoch <= o.epochs; ++epoch) {
    const auto start = Clock::now();
    State<float> state;
    double lossSum = 0;
    long tokens = 0;
    for (long c = 0; c < chunks; ++c) {
      checkCancelled(callbacks);
      const long s = c * o.bptt, n = std::min<long>(o.bptt, streamLength - s);
      Inputs<float> in;
      in.steps = static_cast<int>(n);
      in.batch = static_cast<int>(B);
      in.tokens.resize(n * B);
      std::vector<int32_t> targets(n * B);
      for (long t = 0; t < n; ++t)
        for (long b = 0; b < B; ++b) {
          in.tokens[t * B + b] = ids[b * streamLength + s + t];
          targets[t * B + b] = ids[b * streamLength + s + t + 1];
        }
      Gradients<float> grads;
      State<float> next;
      const double loss = languageModelLoss(model, in, targets, c == 0 ? nullptr : &state, &next, &grads);
      state = std::move(next);
      clipGradientNorm(grads.params, o.clip);
      adam.step(model.params, grads.params);
      lossSum += loss * static_cast<double>(n * B);
      tokens += n * B;
      bookkeeping.stepDone(epoch, c + 1, chunks, lossSum / static_cast<double>(tokens),
                           static_cast<double>(tokens) / secondsSince(start));
    }
    EpochStats stats;
    stats.epoch = epoch;
    stats.trainLoss = lossSum / static_cast<double>(tokens);
    stats.validLoss = evaluateLanguageModel(model, valid);
    stats.validBits = stats.validLoss / std::log(2.0);
    stats.seconds = secondsSince(start);
    stats.tokens = tokens;
    bookkeeping.close(stats, model);
  }
  return result;
}

TrainResult trainClassifier(const std::vector<LabelledText>& examples, const TrainOptions& o, const TrainingLog& log,
                            const ProgressCallbacks& callbacks) {
  checkOptions(o);
  std::vector<std::string> texts;
  std::set<std::string> labelSet;
  for (const auto& e : examples) texts.push_back(e.text), labelSet.insert(e.label);
  if (labelSet.size() < 2) throw InputError("a classifier needs at least two different labels");
  const std::vector<std::string> labels(labelSet.begin(), labelSet.end());
  Vocabulary vocab = buildVocabulary(texts, o.level, o.lowercase, o.minCount);

  struct Example {
    std::vector<int32_t> ids;
    int label;
  };
  std::vector<Example> data;
  for (const auto& e : examples) {
    Example x{tokenize(vocab, e.text, "training example").ids,
              static_cast<int>(std::lower_bound(labels.begin(), labels.end(), e.label) - labels.begin())};
    data.push_back(std::move(x));
  }
  std::mt19937_64 rng(o.seed);
  std::shuffle(data.begin(), data.end(), rng);
  const long nValid = std::max<long>(1, static_cast<long>(static_cast<double>(data.size()) * o.validFraction));
  std::vector<Example> valid(data.end() - nValid, data.end());
  data.resize(data.size() - nValid);

  Architecture arch = baseArchitecture(o, vocab, o.bidirectional);
  arch.task = Task::Classifier;
  arch.head = HeadSpec{{}, HeadActivation::Softmax, HeadReads::FinalStates, labels, {}, 0};
  Model model = initialiseModel(arch, {o.embedding, {}, static_cast<int>(labels.size())}, o.seed);
  Adam<float> adam(model.params, o.learningRate);
  TrainResult result;
  TrainingBookkeeping bookkeeping{o, log, callbacks, adam, result};
  auto asInputs = [](const Example& e) {
    Inputs<float> in;
    in.steps = static_cast<int>(e.ids.size());
    in.tokens = e.ids;
    return in;
  };
  const long batches = (static_cast<long>(data.size()) + o.batch - 1) / o.batch;
  for (int epoch = 1; epoch <= o.epochs; ++epoch) {
    const auto start = Clock::now();
    std::shuffle(data.begin(), data.end(), rng);
    double lossSum = 0;
    long tokens = 0;
    for (long bi = 0; bi < batches; ++bi) {
      checkCancelled(callbacks);
      const long first = bi * o.batch, count = std::min<long>(o.batch, static_cast<long>(data.size()) - first);
      // Examples have different lengths, so each runs on its own; the batch is spread over the cores and
      // the per-thread gradient sums are added in a fixed order (deterministic for a given thread count).
      const int threads = std::max(1, omp_get_max_threads());
      std::vector<Params<float>> sums(threads, model.params.zerosLike());
      std::vector<double> losses(threads, 0.0);
#pragma omp parallel for schedule(static) num_threads(threads)
      for (long k = 0; k < count; ++k) {
        const int tid = omp_get_thread_num();
        Gradients<float> g;
        losses[tid] += classifierLoss(model, asInputs(data[first + k]), data[first + k].label, &g);
        auto dst = sums[tid].flat();
        auto src = g.params.flat();
        for (size_t i = 0; i < dst.size(); ++i) dst[i] += src[i];
      }
      Params<float>& total = sums[0];
      auto dst = total.flat();
      for (int t = 1; t < threads; ++t) {
        auto src = sums[t].flat();
        for (size_t i = 0; i < dst.size(); ++i) dst[i] += src[i];
      }
      total.forEachTensor([&](auto& m) { m /= static_cast<float>(count); });
      clipGradientNorm(total, o.clip);
      adam.step(model.params, total);
      for (double l : losses) lossSum += l;
      for (long k = 0; k < count; ++k) tokens += static_cast<long>(data[first + k].ids.size());
      bookkeeping.stepDone(epoch, bi + 1, batches, lossSum / static_cast<double>(first + count),
                           static_cast<double>(tokens) / secondsSince(start));
    }
    EpochStats stats;
    stats.epoch = epoch;
    stats.trainLoss = lossSum / static_cast<double>(data.size());
    long correct = 0;
    for (const Example& e : valid) {
      Tape<float> tape;
      forward(model, asInputs(e), tape);
      stats.validLoss -= std::log(std::max(1e-30, static_cast<double>(tape.probs(e.label, 0))));
      long arg;
      tape.probs.col(0).maxCoeff(&arg);
      correct += arg == e.label;
    }
    stats.validLoss /= static_cast<double>(valid.size());
    stats.validBits = stats.validLoss / std::log(2.0);
    stats.validAccuracy = static_cast<double>(correct) / static_cast<double>(valid.size());
    stats.seconds = secondsSince(start);
    stats.tokens = tokens;
    bookkeeping.close(stats, model);
  }
  return result;
}

}  // namespace lstmscope
