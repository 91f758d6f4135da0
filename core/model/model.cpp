#include "core/model/model.h"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "core/common/error.h"
#include "core/model/window_layers.h"

namespace lstmscope {

std::string toString(Task t) {
  switch (t) {
    case Task::LanguageModel:
      return "language_model";
    case Task::Classifier:
      return "classifier";
    case Task::Tagger:
      return "tagger";
    case Task::Regression:
      return "regression";
  }
  return "?";
}

bool parse(const std::string& s, Task& out) {
  for (Task t : {Task::LanguageModel, Task::Classifier, Task::Tagger, Task::Regression})
    if (toString(t) == s) return out = t, true;
  return false;
}

std::string toString(HeadReads r) {
  switch (r) {
    case HeadReads::EachStep:
      return "each_step";
    case HeadReads::FinalStates:
      return "final_states";
    case HeadReads::AveragePool:
      return "average_pool";
    case HeadReads::MaxPool:
      return "max_pool";
    case HeadReads::AttentionPool:
      return "attention_pool";
    case HeadReads::Flatten:
      return "flatten";
  }
  return "?";
}

bool parse(const std::string& s, HeadReads& out) {
  for (HeadReads r : {HeadReads::EachStep, HeadReads::FinalStates, HeadReads::AveragePool, HeadReads::MaxPool,
                      HeadReads::AttentionPool, HeadReads::Flatten})
    if (toString(r) == s) return out = r, true;
  return false;
}

std::vector<int> Architecture::headSources() const {
  if (head && !head->sources.empty()) return head->sources;
  return {static_cast<int>(layers.size())};
}

bool Architecture::looksAhead() const {
  return std::any_of(layers.begin(), layers.end(), [](const LayerSpec& l) { return l.looksAhead(); });
}

int Architecture::inputWidth() const {
  if (inputKind == InputKind::Features) return featureDim;
  return vocab.size();  // one-hot; with an embedding the caller uses the embedding's rows
}

int Architecture::rawFeatureDim() const {
  for (const StepLayer& s : frontEnd)
    if (s.inputWidth() >= 0) return static_cast<int>(s.inputWidth());
  return featureDim;
}

namespace {

std::string shapeString(long r, long c) {
  return "(" + std::to_string(r) + ", " + std::to_string(c) + ")";
}

void expectShape(const std::string& source, const std::string& name, long rows, long cols, long wantRows,
                 long wantCols) {
  if (rows != wantRows || cols != wantCols)
    throw InputError(source, name + " has shape " + shapeString(rows, cols) + " but the architecture needs " +
                                 shapeString(wantRows, wantCols));
}

// The width of what the head's first layer reads: its sources' widths added up (times the steps of a Flatten).
// Checks the sources.
int headInputWidth(const Model& model, const std::string& source) {
  const Architecture& a = model.arch;
  const HeadSpec& h = *a.head;
  if (!h.sources.empty() && !h.pools())
    throw InputError(source, "the head reads several sources but does not pool them over time (/head sources)");
  if (h.sources.size() > 4 * (a.layers.size() + 1))  // a layer input may be read twice, not without end
    throw InputError(source, "/head sources lists " + std::to_string(h.sources.size()) +
                                 " layer inputs for a model of " + std::to_string(a.layers.size()) + " layers");
  int width = 0;
  for (int s : a.headSources()) {
    if (s < 0 || s > static_cast<int>(a.layers.size()))
      throw InputError(source, "/head sources names layer input " + std::to_string(s) + ", which the model lacks");
    if (s > 0) {
      width += a.layers[static_cast<size_t>(s - 1)].outputWidth();
    } else if (a.inputKind == InputKind::Features) {
      width += a.featureDim;
    } else if (a.hasEmbedding) {
      width += static_cast<int>(model.params.embedding.rows());
    } else {
      throw InputError(source, "/head sources reads the one-hot input, which LSTMScope does not materialise");
    }
  }
  if (h.reads == HeadReads::AttentionPool) {
    if (model.params.headAttention.size() != width)
      throw InputError(source, "head/attention has " + std::to_string(model.params.headAttention.size()) +
                                   " weights but the head reads " + std::to_string(width) + " values per step");
    if (!(h.attentionEpsilon >= 0) || !std::isfinite(h.attentionEpsilon))
      throw InputError(source, "/head attention_epsilon must be a finite number >= 0");
  } else if (model.params.headAttention.size()) {
    throw InputError(source, "head/attention is present but the head does not pool by attention");
  }
  if (h.reads == HeadReads::Flatten) {  // every step's values side by side
    constexpr int kMaxSteps = 1 << 20;
    if (h.steps < 1 || h.steps > kMaxSteps || static_cast<long>(width) * h.steps > (1L << 31) - 1)
      throw InputError(source, "/head flattens " + std::to_string(h.steps) + " steps; it needs 1 to 1048576");
    width *= h.steps;
  } else if (h.steps != 0) {
    throw InputError(source, "/head steps is set but the head does not flatten");
  }
  return width;
}

}  // namespace

namespace {

// The front end's widths chain from the raw features to what the first LSTM reads, its numbers are finite and
// its activations known (a crafted file must not reach the arithmetic).
void validateFrontEnd(const Architecture& a, const std::string& source) {
  if (a.frontEnd.empty()) return;
  if (a.inputKind != InputKind::Features) throw InputError(source, "only a features model has a front end");
  long width = a.rawFeatureDim();
  if (width <= 0) throw InputError(source, "the front end reads no feature");
  for (const StepLayer& s : a.frontEnd) {
    const auto bad = [&](const std::string& what) {
      throw InputError(source, "front end layer " + s.name + " " + what);
    };
    if (s.inputWidth() >= 0 && s.inputWidth() != width)
      bad("reads " + std::to_string(s.inputWidth()) + " features but receives " + std::to_string(width));
    if (s.kind == StepLayer::Kind::Affine && s.shift.size() != s.scale.size()) bad("has a shift of the wrong length");
    if (s.kind == StepLayer::Kind::Dense && s.bias.size() != s.weight.rows()) bad("has a bias of the wrong length");
    if (s.kind == StepLayer::Kind::LayerNorm &&
        ((s.scale.size() && s.scale.size() != width) || (s.shift.size() && s.shift.size() != width)))
      bad("has gamma or beta of the wrong length");
    if (s.kind == StepLayer::Kind::LayerNorm && !(s.epsilon >= 0)) bad("has a negative epsilon");
    if (s.kind == StepLayer::Kind::Lookup) {
      if (&s != &a.frontEnd.front()) bad("is an embedding lookup after another layer; only the first may be one");
      if (s.weight.size() == 0 || s.weight.cols() != a.vocab.size())
        bad("has a table of " + std::to_string(s.weight.cols()) + " tokens for a vocabulary of " +
            std::to_string(a.vocab.size()));
    }
    if (s.mixesSteps()) {
      constexpr int kMaxWindow = 1 << 16;  // a crafted file's huge window or stride is not a front end
      if (s.window < 1 || s.stride < 1 || s.dilation < 1 || s.window > kMaxWindow || s.stride > kMaxWindow ||
          s.dilation > kMaxWindow)
        bad("has a window, stride or dilation outside 1 to 65536");
      if (static_cast<long>(s.window - 1) * s.dilation + 1 > (1L << 24))
        bad("has a dilated window wider than 16777216 steps");
      if (s.kind != StepLayer::Kind::Conv && s.dilation != 1)
        bad("pools with a dilation, which only a convolution has");
      if (s.kind == StepLayer::Kind::Conv && (s.weight.size() == 0 || s.weight.cols() % s.window != 0 ||
                                              (s.bias.size() && s.bias.size() != s.weight.rows())))
        bad("has a kernel or bias of the wrong shape");
      if (s.padding == StepLayer::Padding::Causal && s.kind != StepLayer::Kind::Conv)
        bad("pools with causal padding, which only a convolution has");
    }
    if (s.kind == StepLayer::Kind::Recurrent) {  // an encoder LSTM: W_ih (4H, in), W_hh (4H, H), b (4H)
      const long H = s.recurrent.cols();
      if (H < 1 || s.recurrent.rows() != 4 * H || s.weight.rows() != 4 * H || s.weight.cols() < 1 ||
          s.bias.size() != 4 * H)
        bad("has LSTM weights of the wrong shapes");
      if (s.gateActivation != "sigmoid" && s.gateActivation != "hard_sigmoid")
        bad("uses gate activation '" + s.gateActivation + "', not sigmoid or hard_sigmoid");
      if (s.activation != "tanh" && s.activation != "relu" && s.activation != "linear")
        bad("uses cell activation '" + s.activation + "', not tanh, relu or linear");
    }
    if (s.kind == StepLayer::Kind::Repeat && (s.repeats < 1 || s.repeats > (1 << 20)))
      bad("repeats its step " + std::to_string(s.repeats) + " times; it needs 1 to 1048576");
    // An encoder's shape: its last LSTM gives the last state, which one Repeat makes the decoder's steps.
    const size_t k = static_cast<size_t>(&s - a.frontEnd.data());
    const bool lastState = s.kind == StepLayer::Kind::Recurrent && !s.returnSequences;
    const bool repeatNext = k + 1 < a.frontEnd.size() && a.frontEnd[k + 1].kind == StepLayer::Kind::Repeat;
    if (s.kind == StepLayer::Kind::Repeat && k == 0) bad("comes first; a repeat follows an encoder LSTM");
    if (lastState != repeatNext)
      bad(lastState ? "gives an LSTM's last state, which no repeat follows"
                    : "is followed by a repeat, which repeats an encoder LSTM's last state only");
    if (s.kind == StepLayer::Kind::Repeat &&
        std::count_if(a.frontEnd.begin(), a.frontEnd.end(),
                      [](const StepLayer& x) { return x.kind == StepLayer::Kind::Repeat; }) > 1)
      bad("is one of several repeats; an encoder-decoder has one");
    if (s.generation < 1 || s.generation > 3) bad("has generation " + std::to_string(s.generation) + ", not 1, 2 or 3");
    if ((s.kind == StepLayer::Kind::Dense || s.kind == StepLayer::Kind::Activation ||
         s.kind == StepLayer::Kind::Conv) &&
        !isStepActivation(s.activation))
      bad("uses activation '" + s.activation + "', which LSTMScope does not know");
    if (!s.scale.allFinite() || !s.shift.allFinite() || !s.weight.allFinite() || !s.bias.allFinite() ||
        !s.recurrent.allFinite() || !std::isfinite(s.epsilon))
      bad("holds a value that is not finite");
    width = s.outputWidth(width);
  }
  if (width != a.featureDim)
    throw InputError(source, "the front end gives " + std::to_string(width) + " features but the first LSTM reads " +
                                 std::to_string(a.featureDim));
}

}  // namespace

void validateModel(const Model& model, const std::string& source) {
  const Architecture& a = model.arch;
  const Params<float>& p = model.params;
  if (a.layers.empty()) throw InputError(source, "the model has no LSTM layer");
  int width = 0;
  if (a.inputKind == InputKind::Tokens) {
    if (a.vocab.size() == 0) throw InputError(source, "the model's vocabulary is empty");
    if (a.hasEmbedding) {
      if (p.embedding.cols() != a.vocab.size())
        throw InputError(source, "input/embedding has " + std::to_string(p.embedding.cols()) +
                                     " rows but the vocabulary has " + std::to_string(a.vocab.size()) + " tokens");
      width = static_cast<int>(p.embedding.rows());
    } else {
      width = a.vocab.size();
    }
  } else {
    if (a.featureDim <= 0) throw InputError(source, "the feature input has no width (attribute dim)");
    width = a.featureDim;
  }
  validateFrontEnd(a, source);
  if (a.maskValue && a.inputKind == InputKind::Tokens && (*a.maskValue < 0 || *a.maskValue >= a.vocab.size()))
    throw InputError(source, "/input's mask_value is not an id of the vocabulary");
  if (p.lstm.size() != a.layers.size()) throw InputError(source, "the number of LSTM weight groups is wrong");
  for (size_t l = 0; l < a.layers.size(); ++l) {
    const LayerSpec& spec = a.layers[l];
    if (spec.hidden <= 0) throw InputError(source, "lstm/" + std::to_string(l) + " has no units");
    if (!(spec.clip >= 0) || !std::isfinite(spec.clip))
      throw InputError(source, "lstm/" + std::to_string(l) + " has clip " + std::to_string(spec.clip) +
                                   "; it must be a finite threshold > 0 (or 0 for none)");
    if (static_cast<int>(p.lstm[l].size()) != spec.directions())
      throw InputError(source, "lstm/" + std::to_string(l) + " has the wrong number of directions");
    for (int d = 0; d < spec.directions(); ++d) {
      const auto& w = p.lstm[l][d];
      const std::string base = "lstm/" + std::to_string(l) + "/" + directionName(spec, d) + "/";
      const long g = 4L * spec.hidden;
      expectShape(source, base + "W_ih", w.W_ih.rows(), w.W_ih.cols(), g, width);
      expectShape(source, base + "W_hh", w.W_hh.rows(), w.W_hh.cols(), g, spec.hidden);
      expectShape(source, base + "b_ih", w.b_ih.rows(), 1, g, 1);
      expectShape(source, base + "b_hh", w.b_hh.rows(), 1, g, 1);
      if (spec.peepholes)
        expectShape(source, base + "peephole", w.peephole.rows(), 1, 3L * spec.hidden, 1);
      else if (w.peephole.size())
        throw InputError(source, base + "peephole is present but layer " + std::to_string(l) + " has no peepholes");
    }
    width = spec.outputWidth();
  }
  if (a.head) {
    width = headInputWidth(model, source);
    if (p.headPre.size() != a.head->preActivations.size())
      throw InputError(source, "head/pre layer count does not match its activations");
    for (size_t k = 0; k < p.headPre.size(); ++k) {
      const auto& d = p.headPre[k];
      const std::string base = "head/pre/" + std::to_string(k) + "/";
      expectShape(source, base + "weight", d.weight.rows(), d.weight.cols(), d.weight.rows(), width);
      expectShape(source, base + "bias", d.bias.rows(), 1, d.weight.rows(), 1);
      width = static_cast<int>(d.weight.rows());
    }
    if (p.head.weight.rows() == 0) throw InputError(source, "head/weight is empty");
    expectShape(source, "head/weight", p.head.weight.rows(), p.head.weight.cols(), p.head.weight.rows(), width);
    expectShape(source, "head/bias", p.head.bias.rows(), 1, p.head.weight.rows(), 1);
    if (!a.head->labels.empty() && static_cast<long>(a.head->labels.size()) != p.head.weight.rows())
      throw InputError(source, "head labels count " + std::to_string(a.head->labels.size()) +
                                   " differs from the head's " + std::to_string(p.head.weight.rows()) + " outputs");
  }
  p.forEach(a, [&](const std::string& name, const auto& m) {
    if (!m.allFinite()) {
      long bad = 0;
      for (long i = 0; i < m.size(); ++i)
        if (!std::isfinite(m.data()[i])) ++bad;
      throw InputError(source, name + " contains " + std::to_string(bad) + " NaN or infinite value(s)");
    }
  });
}

std::string describeLayerInputs(const std::vector<int>& sources, bool featuresInput) {
  std::string text;
  for (int s : sources)
    text += (text.empty() ? "" : " + ") + (s == 0 ? std::string(featuresInput ? "the input features" : "the embedding")
                                                  : "lstm " + std::to_string(s - 1));
  return text;
}

std::string describeHeadInput(const Architecture& a) {
  const HeadSpec& h = *a.head;
  if (h.reads == HeadReads::EachStep) return "each step";
  if (h.reads == HeadReads::FinalStates) return "final states";
  const std::string what = describeLayerInputs(a.headSources(), a.inputKind == InputKind::Features);
  if (h.reads == HeadReads::Flatten)
    return "every step, flattened (exactly " + std::to_string(h.steps) + " steps): " + what;
  const char* pooling = h.reads == HeadReads::AveragePool ? "averaged"
                        : h.reads == HeadReads::MaxPool   ? "max-pooled"
                                                          : "attention-pooled";
  return std::string("every step, ") + pooling + ": " + what;
}

void requireStepsTheHeadReads(const Architecture& a, long steps, const std::string& source) {
  if (!a.head || a.head->reads != HeadReads::Flatten || steps == a.head->steps) return;
  const std::string unit = a.readsText() ? " tokens" : " rows";
  std::string give = "give exactly that many" + unit;
  if (!a.frontEnd.empty()) {  // the front end decides how many rows give that many steps
    const auto [first, last] = rowsGivingSteps(a.frontEnd, a.head->steps);
    give = first > last    ? "no input length gives that many steps through the front end"
           : first == last ? "give " + std::to_string(first) + unit + ", which the front end turns into that many"
                           : "give " + std::to_string(first) + " to " + std::to_string(last) + unit +
                                 ", which the front end turns into that many";
  }
  throw InputError(source, "the model's head flattens exactly " + std::to_string(a.head->steps) +
                               (a.head->steps == 1 ? " step" : " steps") +
                               " (a Keras Flatten after the LSTM), and this input gives " + std::to_string(steps) +
                               "; " + give);
}

bool Architecture::stepsReadTokenWindows() const {
  return frontEndReadsTokens() && readsWindows(frontEnd);
}

std::string describeModel(const Model& model, bool withCutOff) {
  const Architecture& a = model.arch;
  std::ostringstream s;
  s << "name: " << a.name << "\n";
  // A model whose head was cut off has no outputs, whatever task its file was trained for.
  s << "task: " << (a.head ? toString(a.task) : "none (no head: the targets are units)") << "\n";
  if (a.readsText()) {
    s << "input: " << (a.vocab.level() == TokenLevel::Char ? "characters" : "words") << ", vocabulary "
      << a.vocab.size() << (a.vocab.lowercase() ? ", lowercased" : "")
      << (a.vocab.unk().empty() ? ", no UNK" : ", UNK '" + a.vocab.unk() + "'")
      << (a.vocab.wordSeparators().empty() ? "" : ", Keras filters")
      << (a.vocab.dropsUnknown() ? ", unknown words dropped" : "") << ", ";
    if (a.frontEndReadsTokens())
      s << "through the front end\n";
    else if (a.hasEmbedding)
      s << "embedding " << model.params.embedding.rows() << "\n";
    else
      s << "one-hot\n";
    if (const std::vector<int> never = a.vocab.unreachableTokens(); !never.empty()) {
      s << "note: " << never.size() << " vocabulary token(s) can never be read from text:";
      for (size_t k = 0; k < never.size() && k < 8; ++k)
        s << (k ? ", id " : " id ") << never[k] << " "
          << describeToken(a.vocab.tokens()[static_cast<size_t>(never[k])], 40);
      s << (never.size() > 8 ? ", …" : "") << "\n";
    }
  }
  if (a.inputKind == InputKind::Features) {
    if (!a.frontEndReadsTokens())
      s << "input: " << a.rawFeatureDim() << (a.rawFeatureDim() == 1 ? " numeric feature" : " numeric features")
        << " per step\n";
    if (!a.frontEnd.empty())
      s << "front end: " << describeStepLayers(a.frontEnd) << ", computed before the LSTMs (" << a.featureDim
        << " features for lstm 0, where the engine's gradients start; attribution goes back through it"
        << (a.frontEndReadsTokens() ? " to the tokens" : " to the rows") << ", LRP's aside)\n";
    if (repeatsAState(a.frontEnd))
      s << "time: two axes: the encoder reads the input's " << (a.frontEndReadsTokens() ? "tokens" : "rows")
        << ", and its last state, repeated, makes the decoder's steps, which the LSTMs below run over\n";
    else if (readsWindows(a.frontEnd))
      s << "time: the front end reads windows of " << (a.frontEndReadsTokens() ? "tokens (" : "rows (")
        << fewestRows(a.frontEnd) << " at least); each LSTM step is computed from a span of them\n";
  }
  if (a.maskValue)
    s << "masked: " << (a.inputKind == InputKind::Tokens ? "id " : "steps whose every feature is ") << *a.maskValue
      << " (Keras skips them; input holding one is refused)\n";
  long count = 0;
  model.params.forEachTensor([&](const auto& m) { count += m.size(); });
  for (size_t l = 0; l < a.layers.size(); ++l) {
    const LayerSpec& L = a.layers[l];
    s << "lstm " << l << ": " << L.hidden << " units"
      << (L.bidirectional ? ", bidirectional"
          : L.reverse     ? ", reverse (last step first)"
                          : "")
      << ", gates " << toString(L.gate) << ", cell " << toString(L.cell) << (L.peepholes ? ", peepholes" : "");
    if (L.clip > 0) s << ", clip " << L.clip;
    if (L.coupledForget) s << ", forget = 1 - input";
    s << "\n";
  }
  if (a.head) {
    for (size_t k = 0; k < a.head->preActivations.size(); ++k)
      s << "dense " << k << ": " << model.params.headPre[k].weight.rows() << " units, "
        << toString(a.head->preActivations[k]) << "\n";
    s << "head: " << model.params.head.weight.rows()
      << (model.params.head.weight.rows() == 1 ? " output, " : " outputs, ") << toString(a.head->activation)
      << ", reads " << describeHeadInput(a) << "\n";
  } else {
    s << "head: none\n";
  }
  long frontEndCount = 0;  // its numbers are float64 and outside the engine: told apart
  for (const StepLayer& l : a.frontEnd)
    frontEndCount += l.scale.size() + l.shift.size() + l.weight.size() + l.bias.size();
  s << "parameters: " << count;
  if (frontEndCount) s << " (and " << frontEndCount << " in the front end)";
  s << "\n";
  if (withCutOff && !a.cutOff.empty()) s << "opened in part: " << a.cutOff << "\n";
  return s.str();
}

}  // namespace lstmscope
