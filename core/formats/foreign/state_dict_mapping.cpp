#include "core/formats/foreign/state_dict_mapping.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <regex>
#include <set>

#include "core/common/error.h"

namespace lstmscope {

namespace {

using RowMajor = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

Mat<float> matrixOf(const NamedTensor& t) {
  return Eigen::Map<const RowMajor>(t.values.data(), t.dim(0), t.dim(1));
}
Vec<float> vectorOf(const NamedTensor& t) {
  return Eigen::Map<const Vec<float>>(t.values.data(), t.dim(0));
}

// One nn.LSTM module's tensors: prefix "lstm." and, per layer and direction, the four tensor names. An
// nn.LSTMCell names its four without a layer suffix ("cell.weight_ih"): one layer, one direction.
struct LstmModule {
  std::string prefix;
  size_t firstIndex = 0;  // position of its first tensor in the file
  std::map<std::pair<int, int>, std::map<std::string, const NamedTensor*>> parts;  // (layer, dir) -> kind
  bool cell = false;                                                               // an nn.LSTMCell
};

class Mapper {
 public:
  Mapper(const TensorSet& set, const ImportChoices& choices, const std::optional<LoadedVocabulary>& vocab,
         const std::string& source)
      : set_(set), choices_(choices), vocab_(vocab), source_(source) {}

  ImportedModel run() {
    findLstmModules();
    buildLayers();
    chooseInput();
    buildHead();
    chooseFeaturesOrOneHot();
    chooseTask();
    Network<float> net{arch_, std::move(params_)};
    net.arch.name = std::filesystem::path(source_).stem().string();
    for (const auto& t : set_.tensors) {
      const auto it = roles_.find(t.name);
      report_.tensors.push_back({t.name, t.shapeText(), it == roles_.end() ? "" : it->second});
    }
    reportUnused();
    validateModel(net, source_);
    return {std::move(net), std::move(report_)};
  }

 private:
  [[noreturn]] void fail(const std::string& what) const { throw InputError(source_, what); }
  void assume(const std::string& what) { report_.assumptions.push_back(what); }

  void findLstmModules() {
    static const std::regex kPattern(
        R"(^(.*?)(weight_ih|weight_hh|bias_ih|bias_hh|weight_hr)(?:_l(\d+)(_reverse)?)?$)");
    for (size_t k = 0; k < set_.tensors.size(); ++k) {
      const NamedTensor& t = set_.tensors[k];
      std::smatch m;
      if (!std::regex_match(t.name, m, kPattern)) continue;
      const std::string prefix = m[1], kind = m[2];
      const bool cell = !m[3].matched;
      // Without a suffix the name must be a module's own tensor ("cell.weight_ih"), not any "weight_ih".
      if (cell && !prefix.empty() && prefix.back() != '.') continue;
      if (kind == "weight_hr")
        fail("tensor " + t.name + " is an LSTM projection (proj_size), which LSTMScope does not support");
      checkModuleClass(prefix, cell);
      auto it =
          std::find_if(modules_.begin(), modules_.end(), [&](const LstmModule& mod) { return mod.prefix == prefix; });
      if (it == modules_.end()) it = modules_.insert(modules_.end(), LstmModule{prefix, k, {}, cell});
      if (it->cell != cell) fail("module " + prefix + " names its LSTM tensors both with and without a layer suffix");
      it->parts[{cell ? 0 : std::stoi(m[3]), m[4].matched ? 1 : 0}][kind] = &t;
    }
    if (modules_.empty())
      fail(
          "has no LSTM tensors (weight_ih_l0, weight_hh_l0, … of an nn.LSTM, or weight_ih, weight_hh of an "
          "nn.LSTMCell); LSTMScope reads LSTM weights");
    for (const LstmModule& mod : modules_)
      if (mod.cell)
        assume("module " + mod.prefix.substr(0, mod.prefix.size() - 1) +
               " is an nn.LSTMCell (no layer suffix): it is run over every step as one LSTM layer from a zero "
               "state, as a loop calling it once per step does");
  }

  // A whole-module save names each module's class: a GRU or RNN has the same tensor names as an LSTM.
  void checkModuleClass(const std::string& prefix, bool cell) const {
    const std::string module = prefix.empty() ? "" : prefix.substr(0, prefix.size() - 1);
    const auto it = set_.moduleFacts.find(module.empty() ? "__class__" : module + ".__class__");
    if (it != set_.moduleFacts.end() && !it->second.ends_with(cell ? ".LSTMCell" : ".LSTM"))
      fail("module " + (module.empty() ? std::string("(root)") : module) + " is a " + it->second +
           "; LSTMScope reads LSTM layers only");
  }

  void buildLayers() {
    int width = 0;  // output width of the previous layer; 0 before the first
    for (const LstmModule& mod : modules_) {
      int layers = 0;
      for (const auto& [key, parts] : mod.parts) layers = std::max(layers, key.first + 1);
      for (int l = 0; l < layers; ++l) {
        const bool bidirectional = mod.parts.count({l, 1}) > 0;
        LayerSpec spec;
        spec.bidirectional = bidirectional;
        std::vector<DirectionParams<float>> dirs;
        for (int d = 0; d < spec.directions(); ++d) dirs.push_back(direction(mod, l, d, spec.hidden, width));
        params_.lstm.push_back(std::move(dirs));
        arch_.layers.push_back(spec);
        width = spec.outputWidth();
      }
    }
  }

  DirectionParams<float> direction(const LstmModule& mod, int l, int d, int& hidden, int inputWidth) {
    const std::string suffix = mod.cell ? std::string() : "_l" + std::to_string(l) + (d ? "_reverse" : "");
    const auto partsIt = mod.parts.find({l, d});
    const auto get = [&](const std::string& kind) -> const NamedTensor* {
      if (partsIt == mod.parts.end()) return nullptr;
      const auto it = partsIt->second.find(kind);
      return it == partsIt->second.end() ? nullptr : it->second;
    };
    const NamedTensor* wih = get("weight_ih");
    const NamedTensor* whh = get("weight_hh");
    if (!wih || !whh) fail("tensor " + mod.prefix + (wih ? "weight_hh" : "weight_ih") + suffix + " is missing");
    if (whh->shape.size() != 2 || wih->shape.size() != 2) fail("tensor " + whh->name + " is not a matrix");
    const int64_t H = whh->dim(1);
    if (whh->dim(0) == 3 * H)
      fail("tensor " + whh->name + " " + whh->shapeText() +
           " has 3 gate blocks: a GRU, which LSTMScope does not support");
    if (H <= 0 || whh->dim(0) != 4 * H) fail("tensor " + whh->name + " " + whh->shapeText() + " is not (4H, H)");
    if (wih->dim(0) != 4 * H)
      fail("tensor " + wih->name + " " + wih->shapeText() + " does not have 4H = " + std::to_string(4 * H) + " rows");
    if (inputWidth && wih->dim(1) != inputWidth)
      fail("tensor " + wih->name + " " + wih->shapeText() + " expects inputs of width " + std::to_string(wih->dim(1)) +
           " but the layer before gives " + std::to_string(inputWidth));
    if (d == 1 && hidden != H) fail("tensor " + whh->name + " has a different width than its forward direction");
    hidden = static_cast<int>(H);
    const std::string role = "lstm " + std::to_string(arch_.layers.size()) + " " + (d ? "bwd" : "fwd") + " ";
    DirectionParams<float> p{matrixOf(*wih), matrixOf(*whh), Vec<float>::Zero(4 * H), Vec<float>::Zero(4 * H), {}};
    roles_[wih->name] = role + "W_ih";
    roles_[whh->name] = role + "W_hh";
    for (const auto& [kind, target] : {std::pair{"bias_ih", &p.b_ih}, std::pair{"bias_hh", &p.b_hh}}) {
      const NamedTensor* b = get(kind);
      if (!b) continue;
      if (b->shape.size() != 1 || b->dim(0) != 4 * H)
        fail("tensor " + b->name + " " + b->shapeText() + " is not (4H,)");
      *target = vectorOf(*b);
      roles_[b->name] = role + (kind == std::string("bias_ih") ? "b_ih" : "b_hh");
    }
    return p;
  }

  // 2-D "<name>.weight" tensors not yet used, in file order.
  std::vector<const NamedTensor*> freeMatrices() const {
    std::vector<const NamedTensor*> out;
    for (const auto& t : set_.tensors)
      if (t.shape.size() == 2 && !roles_.count(t.name) && (t.name == "weight" || t.name.ends_with(".weight")))
        out.push_back(&t);
    return out;
  }

  void chooseInput() {
    const int width = static_cast<int>(params_.lstm[0][0].W_ih.cols());
    const NamedTensor* embedding = nullptr;
    if (choices_.embedding) {
      if (!choices_.embedding->empty() && !(embedding = set_.find(*choices_.embedding)))
        fail("has no tensor " + *choices_.embedding + " (chosen as the embedding)");
    } else {
      std::vector<const NamedTensor*> candidates;
      for (const NamedTensor* t : freeMatrices())
        if (t->dim(1) == width) candidates.push_back(t);
      // Prefer a name that says so, then the one stored before the LSTM (models declare it first).
      const auto score = [&](const NamedTensor* t) {
        const bool named = t->name.find("emb") != std::string::npos || t->name.find("encoder") != std::string::npos ||
                           t->name.find("wte") != std::string::npos;
        return 2 * named + (t - set_.tensors.data() < static_cast<long>(modules_[0].firstIndex));
      };
      std::stable_sort(candidates.begin(), candidates.end(), [&](auto* a, auto* b) { return score(a) > score(b); });
      if (!candidates.empty()) {
        embedding = candidates[0];
        if (candidates.size() > 1)
          assume("the embedding is " + embedding->name + " (also possible: " + candidates[1]->name + ")");
      }
    }
    if (embedding) {
      if (embedding->shape.size() != 2 || embedding->dim(1) != width)
        fail("tensor " + embedding->name + " " + embedding->shapeText() + " cannot feed layer 0, which reads width " +
             std::to_string(width));
      arch_.inputKind = InputKind::Tokens;
      arch_.hasEmbedding = true;
      params_.embedding = Eigen::Map<const Mat<float>>(embedding->values.data(), width, embedding->dim(0));
      roles_[embedding->name] = "embedding";
      arch_.vocab = vocabularyOfSize(static_cast<int>(embedding->dim(0)));
    } else if (vocab_ && vocab_->vocab.size() == width) {
      arch_.inputKind = InputKind::Tokens;  // one-hot characters, as in Karpathy's char-rnn
      arch_.vocab = vocab_->vocab;
      assume("no embedding: tokens are one-hot vectors of the vocabulary's " + std::to_string(width) + " entries");
    } else {
      inputUndecided_ = true;  // numeric features or one-hot tokens: the head tells (chooseFeaturesOrOneHot)
    }
  }

  // An input without embedding or vocabulary is numeric features, unless the head has one output per input:
  // a model that predicts its next input from one-hot vectors is a language model (char-rnn), and a
  // regression onto as many outputs as it has features is much less common. The user's task wins.
  void chooseFeaturesOrOneHot() {
    if (!inputUndecided_) return;
    const int width = static_cast<int>(params_.lstm[0][0].W_ih.cols());
    const bool headAsWide = arch_.head && params_.head.weight.rows() == width;
    const bool taskAllows = !choices_.task || *choices_.task == Task::LanguageModel;
    if (headAsWide && taskAllows) {
      arch_.inputKind = InputKind::Tokens;
      oneHotGuess_ = true;
      assume("input width = output width: taken as a one-hot language model of " + std::to_string(width) +
             " tokens (choose the task regression for numeric features)");
      arch_.vocab = vocabularyOfSize(width);
      return;
    }
    arch_.inputKind = InputKind::Features;
    arch_.featureDim = width;
    assume("no embedding: the input is " + std::to_string(width) +
           " numeric features per step (for a one-hot token model give a vocabulary of that size)");
  }

  Vocabulary vocabularyOfSize(int size) {
    if (vocab_) {
      std::vector<std::string> notes;
      Vocabulary v = fitVocabulary(*vocab_, size, source_, &notes);
      for (const auto& note : notes) assume(note);
      return v;
    }
    assume(
        "no vocabulary given: token k is written as the number k (give a vocabulary, --vocab on the command line, for "
        "real tokens)");
    return placeholderVocabulary(size);
  }

  // Linear layers chained from the last LSTM's output: every one but the last is a hidden dense layer.
  void buildHead() {
    int width = arch_.layers.back().outputWidth();
    std::vector<const NamedTensor*> chain;
    for (;;) {
      std::vector<const NamedTensor*> next;
      for (const NamedTensor* t : freeMatrices())
        if (t->dim(1) == width && std::find(chain.begin(), chain.end(), t) == chain.end()) next.push_back(t);
      if (next.empty()) break;
      if (next.size() > 1)
        assume("the layer after width " + std::to_string(width) + " is " + next[0]->name +
               " (also possible: " + next[1]->name + ")");
      chain.push_back(next[0]);
      roles_[next[0]->name] = "(head)";
      width = static_cast<int>(next[0]->dim(0));
    }
    if (chain.empty()) return;
    HeadSpec head;
    for (size_t k = 0; k < chain.size(); ++k) {
      const NamedTensor& w = *chain[k];
      const std::string module = w.name.substr(0, w.name.size() - std::string("weight").size());
      const NamedTensor* b = set_.find(module + "bias");
      if (b && (b->shape.size() != 1 || b->dim(0) != w.dim(0)))
        fail("tensor " + b->name + " " + b->shapeText() + " does not match " + w.name + " " + w.shapeText());
      DenseParams<float> dense{matrixOf(w), b ? vectorOf(*b) : Vec<float>::Zero(w.dim(0))};
      const bool last = k + 1 == chain.size();
      const std::string role = last ? "head " : "head pre " + std::to_string(k) + " ";
      roles_[w.name] = role + "weight";
      if (b) roles_[b->name] = role + "bias";
      if (last)
        params_.head = std::move(dense);
      else
        params_.headPre.push_back(std::move(dense));
    }
    const size_t pre = params_.headPre.size();
    if (choices_.preActivations && choices_.preActivations->size() == pre) {
      head.preActivations = *choices_.preActivations;
    } else if (pre) {
      head.preActivations.assign(pre, DenseActivation::Relu);
      assume("the " + std::to_string(pre) + " dense layer(s) before the head use ReLU (a state dict does not say)");
    }
    arch_.head = head;
  }

  void chooseTask() {
    if (!arch_.head) {
      arch_.task = choices_.task.value_or(Task::LanguageModel);
      assume("no output layer found: only the LSTM states are shown");
      return;
    }
    HeadSpec& head = *arch_.head;
    const int K = static_cast<int>(params_.head.weight.rows());
    const bool tokens = arch_.inputKind == InputKind::Tokens;
    Task task = tokens && K == arch_.vocab.size() ? Task::LanguageModel : tokens ? Task::Classifier : Task::Regression;
    if (choices_.task)
      task = *choices_.task;
    else if (!oneHotGuess_)  // that assumption already names the task
      assume("the task is " + toString(task) +
             (task == Task::LanguageModel ? " (the head has one output per token)" : ""));
    arch_.task = task;
    const bool sequenceLevel = task == Task::Classifier || task == Task::Regression;
    head.reads = choices_.headReads.value_or(sequenceLevel ? HeadReads::FinalStates : HeadReads::EachStep);
    if (!choices_.headReads && sequenceLevel)
      assume("the head reads the final states (h_n: forward at the last step, backward at the first)");
    HeadActivation activation = task == Task::Regression ? HeadActivation::Linear
                                : K == 1                 ? HeadActivation::Sigmoid
                                                         : HeadActivation::Softmax;
    if (choices_.headActivation)
      activation = *choices_.headActivation;
    else
      assume("the head's activation is " + toString(activation));
    head.activation = activation;
  }

  // Tensors nothing used. A training checkpoint's optimizer and scheduler state is expected to be unused
  // and is summarised; anything else may be a layer this mapping does not know, which changes outputs.
  void reportUnused() {
    std::vector<std::string> unused;
    size_t trainingState = 0;
    for (const auto& t : report_.tensors) {
      if (!t.role.empty()) continue;
      const std::string top = t.name.substr(0, t.name.find('.'));
      if (top.find("optim") != std::string::npos || top.find("scheduler") != std::string::npos)
        ++trainingState;
      else
        unused.push_back(t.name + " " + t.shape);
    }
    if (trainingState)
      assume("ignored " + std::to_string(trainingState) + " tensors of training state (optimizer, scheduler)");
    if (unused.empty()) return;
    std::string list;
    for (size_t k = 0; k < unused.size() && k < 12; ++k) list += (k ? ", " : "") + unused[k];
    if (unused.size() > 12) list += ", … (" + std::to_string(unused.size()) + " in all)";
    assume("not used: " + list +
           ". If these belong to layers between the LSTM and the head, this model's "
           "outputs will differ from yours");
  }

  const TensorSet& set_;
  const ImportChoices& choices_;
  const std::optional<LoadedVocabulary>& vocab_;
  const std::string& source_;
  std::vector<LstmModule> modules_;
  bool inputUndecided_ = false;  // no embedding and no vocabulary of the input's width
  bool oneHotGuess_ = false;     // taken as one-hot tokens because the head is as wide as the input
  std::map<std::string, std::string> roles_;
  Architecture arch_;
  Params<float> params_;
  ImportReport report_;
};

}  // namespace

ImportedModel mapStateDict(const TensorSet& tensors, const ImportChoices& choices,
                           const std::optional<LoadedVocabulary>& vocab, const std::string& source) {
  return Mapper(tensors, choices, vocab, source).run();
}

}  // namespace lstmscope
