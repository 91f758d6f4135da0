#include <algorithm>

#include "core/formats/foreign/keras_mapper.h"
#include "core/formats/foreign/keras_pooling.h"
#include "core/formats/foreign/keras_weights.h"

namespace lstmscope {

void KerasMapper::refusePendingBefore(const KerasLayer& l) const {
  if (!held_.empty())
    fail("layer " + held_.layers().front().name + " (" + held_.layers().front().className +
         ") acts on each step before " + l.name + " (" + l.className +
         "); LSTMScope folds per-step layers only into a following LSTM or Dense");
}

void KerasMapper::concatenate(const KerasLayer& l) {
  refusePendingBefore(l);
  if (arch_.layers.empty() || !head_.empty() || join_)
    fail("layer " + l.name +
         " (Concatenate) is not between the LSTMs and a pooling layer; LSTMScope reads a "
         "Concatenate only of the embedding and LSTM outputs, pooled over time");
  if (l.config.is_object() && l.config.contains("axis") && l.config["axis"] != -1 && l.config["axis"] != 2)
    fail("layer " + l.name + " concatenates along axis " + l.config["axis"].dump() +
         "; LSTMScope joins features (axis -1)");
  join_.emplace();
  joinName_ = l.name;
  for (const std::string& input : l.inputs) {
    const auto it = sourceOf_.find(input);
    if (it == sourceOf_.end() || it->second < 0)
      fail("layer " + l.name + " joins " + input + ", which is neither the embedding nor an LSTM's output");
    if (it->second > 0 && !sequenceOut_.count(it->second))
      fail("layer " + l.name + " joins " + input + ", which returns only its last state");
    join_->push_back(it->second);
  }
  chainSource_ = -1;
}

void KerasMapper::pool(const KerasLayer& l, HeadReads reads) {
  refusePendingBefore(l);
  if (arch_.layers.empty() || !head_.empty() || pooling_)
    fail("layer " + l.name + " (" + l.className + ") does not follow the LSTMs; LSTMScope pools only their outputs");
  if (!join_ && !returnsSequences_)
    fail("layer " + l.name + " pools over time an LSTM that returns only its last state");
  if (l.config.is_object() && l.config.value("data_format", std::string("channels_last")) != "channels_last")
    fail("layer " + l.name + " pools with data_format " + l.config["data_format"].dump() +
         "; LSTMScope pools over time (channels_last)");
  pooling_ = reads;
  if (reads == HeadReads::AttentionPool) {
    attention_ = kerasAttentionVector(l.weights, where(l));
    role(l.weights[0], l, "attention pooling");
    assume("layer " + l.name +
           " is taken as AttentionWeightedAverage (DeepMoji, textgenrnn): a softmax over "
           "time of x·w, with Keras' epsilon 1e-7 added to its denominator, weights the steps");
  }
  if (join_ && join_->empty()) resolveJoin(static_cast<int>(attention_.size()), l);
  returnsSequences_ = false;
}

void KerasMapper::checkJoinOrder() const {
  if (!join_ || join_->size() < 2) return;
  for (int s : *join_)
    if (reversedSources_.count(s) != reversedSources_.count(join_->front()))
      fail("layer " + joinName_ +
           " joins sequences that go_backwards left in different orders, which LSTMScope "
           "does not model");
}

void KerasMapper::resolveJoin(int width, const KerasLayer& reader) {
  if (width <= 0) return;  // no weights yet (a global pooling): the Dense after it decides
  *join_ = kerasJoinOfWidth(width, widths_);
  if (join_->empty())
    fail("layer " + reader.name + " reads " + std::to_string(width) +
         " values per step, which no join of the "
         "embedding and the LSTM outputs gives");
  assume("weights-only file: layer " + joinName_ + " is taken to join " +
         describeLayerInputs(*join_, !arch_.hasEmbedding) + " (their widths add up to the " + std::to_string(width) +
         " that " + reader.name + " reads)");
}

// A weights-only file's Flatten after the LSTMs: the Dense after it reads the LSTM's width (the LSTM returned
// its last state, and the Flatten is the identity) or a whole number of times it (every step, flattened).
void KerasMapper::weightsOnlyFlatten(const KerasLayer& dense) {
  const long reads = dense.weights[0].dim(0), width = arch_.layers.back().outputWidth();
  if (reads % width != 0)
    fail("layer " + dense.name + " after the Flatten " + flattenName_ + " reads " + std::to_string(reads) +
         " values, which is no whole number of steps of the last LSTM's " + std::to_string(width));
  if (reads == width) {
    returnsSequences_ = false;
    return assume("weights-only file: layer " + flattenName_ +
                  " (Flatten) follows an LSTM that returns its last state (" + dense.name + " reads its width)");
  }
  pooling_ = HeadReads::Flatten;
  returnsSequences_ = false;
  assume("weights-only file: layer " + flattenName_ + " (Flatten) is taken to flatten every step of the last LSTM (" +
         dense.name + " reads " + std::to_string(reads / width) + " steps of its " + std::to_string(width) + ")");
}

void KerasMapper::dense(const KerasLayer& l, const json& config) {
  if (!flattenName_.empty() && head_.empty() && !l.weights.empty() && l.weights[0].shape.size() == 2)
    weightsOnlyFlatten(l);
  if (arch_.layers.empty()) fail("layer " + l.name + ": a Dense layer before the LSTM is not supported");
  if (l.weights.empty() || l.weights.size() > 2) fail("layer " + l.name + " (Dense) does not hold a kernel and bias");
  DenseParams<float> params = kerasDense(l.weights[0], l.weights.size() == 2 ? &l.weights[1] : nullptr, where(l));
  if (!held_.empty()) {
    std::optional<long> incoming;  // unknown after a join or a pooling, which the held layers' widths then say
    if (!head_.empty())
      incoming = head_.back().weight.rows();
    else if (!join_ && !pooling_)
      incoming = arch_.layers.back().outputWidth();
    foldBefore(held_.affine(incoming, params.weight.cols(), "layer " + l.name, source_), params.weight, params.bias);
    assume(held_.subject() + " folded into " + l.name + " (W A, b + W c): exact at inference");
    held_.settle(report_.tensors, l.name);
  }
  if (head_.empty() && join_ && join_->empty()) resolveJoin(static_cast<int>(params.weight.cols()), l);
  head_.push_back(std::move(params));
  headNames_.push_back(l.name);
  headActivations_.push_back(file_.hasArchitecture ? kerasActivationName(config, "activation", "linear") : "");
  for (const auto& w : l.weights) role(w, l, "dense " + std::to_string(head_.size() - 1));
}

void KerasMapper::activationLayer(const KerasLayer& l) {
  if (head_.empty() || headActivations_.back() != "linear")
    fail("layer " + l.name + " (" + l.className + ") does not follow a linear Dense layer");
  // Its options (a ReLU's max_value, slope or threshold; a Softmax's axis; the activation's name) as for a
  // per-step layer; which activation it is then goes to the Dense before it.
  (void)kerasStepLayer(l, l.config, file_.generation, returnsSequences_ ? 3 : 2, where(l));
  foldPendingIntoLastDense();
  headActivations_.back() = l.className == "Softmax" ? "softmax"
                            : l.className == "ReLU"  ? "relu"
                                                     : kerasActivationName(l.config, "activation", "linear");
}

void KerasMapper::foldPendingIntoLastDense() {
  if (held_.empty()) return;
  if (headActivations_.back() != "linear")
    fail("layer " + held_.layers().front().name + " (" + held_.layers().front().className + ") ends the model after " +
         headNames_.back() + "'s activation; LSTMScope folds it only into a linear Dense");
  const long rows = head_.back().weight.rows();
  foldAfter(held_.affine(rows, rows, "the end of the model", source_), head_.back());
  assume(held_.subject() + " folded into " + headNames_.back() +
         " before its activation (A W, A b + c): exact at inference");
  held_.settle(report_.tensors, headNames_.back());
}

void KerasMapper::finishHead() {
  if (head_.empty() && !held_.empty()) {
    assume(held_.subject() +
           " not shown: they follow the last LSTM and the model has no Dense head, so only "
           "the LSTM states are");
    held_.settle(report_.tensors, "nothing (not shown)");
  }
  if (!head_.empty()) foldPendingIntoLastDense();
  if (head_.empty()) {
    arch_.task = choices_.task.value_or(Task::LanguageModel);
    assume("no Dense layer: only the LSTM states are shown");
    return;
  }
  HeadSpec spec;
  for (size_t k = 0; k + 1 < head_.size(); ++k) {
    DenseActivation a = DenseActivation::Relu;
    if (choices_.preActivations && choices_.preActivations->size() == head_.size() - 1)
      a = (*choices_.preActivations)[k];
    else if (headActivations_[k].empty())
      assume("weights-only file: Dense layer " + headNames_[k] + " uses ReLU");
    else if (!parse(headActivations_[k], a))
      fail("layer " + headNames_[k] + " uses activation " + headActivations_[k] + ", which LSTMScope does not support");
    spec.preActivations.push_back(a);
    params_.headPre.push_back(head_[k]);
  }
  params_.head = head_.back();
  const int K = static_cast<int>(params_.head.weight.rows());
  const bool tokens = arch_.inputKind == InputKind::Tokens;
  bool eachStep = returnsSequences_;
  std::string last = headActivations_.back();
  if (!file_.hasArchitecture) {  // weights-only: the task decides what the head reads and does
    eachStep = !pooling_ && tokens && K == arch_.vocab.size();
    last = !tokens ? "linear" : K == 1 ? "sigmoid" : "softmax";
    assume(std::string("weights-only file: the head reads ") +
           (pooling_   ? "the pooled steps"
            : eachStep ? "every step"
                       : "the final states") +
           " and its activation is " + last);
  }
  if (choices_.headActivation)
    spec.activation = *choices_.headActivation;
  else if (!parse(last, spec.activation))
    fail("layer " + headNames_.back() + " ends the model with activation " + last +
         "; LSTMScope supports softmax, sigmoid or linear there");
  spec.reads = choices_.headReads.value_or(eachStep ? HeadReads::EachStep : HeadReads::FinalStates);
  if (pooling_) poolingHead(spec, K);
  const bool perStep = spec.reads == HeadReads::EachStep;
  if (perStep && reversedOrder_)
    fail("layer " + headNames_.front() +
         " reads every step of a sequence that go_backwards returned last step "
         "first, which LSTMScope does not model (a head on the final state is fine)");
  // Per step: the next token, classes of each step (a softmax or sigmoid, whatever the input: a text-to-text
  // encoder-decoder's decoder gives one), or numbers.
  Task task =
      perStep ? (tokens && K == arch_.vocab.size() && spec.activation == HeadActivation::Softmax ? Task::LanguageModel
                 : tokens || spec.activation != HeadActivation::Linear                           ? Task::Tagger
                                                                                                 : Task::Regression)
              : (spec.activation == HeadActivation::Linear ? Task::Regression : Task::Classifier);
  arch_.task = choices_.task.value_or(task);
  arch_.head = spec;
}

// How many steps a Flatten head reads: what its first Dense reads over the width of one step.
void KerasMapper::flattenedSteps(HeadSpec& spec) {
  long width = 0;
  for (int s : spec.sources.empty() ? std::vector<int>{static_cast<int>(arch_.layers.size())} : spec.sources)
    width += s == 0 ? (arch_.hasEmbedding ? params_.embedding.rows() : params_.lstm[0][0].W_ih.cols())
                    : arch_.layers[static_cast<size_t>(s - 1)].outputWidth();
  const long reads = (params_.headPre.empty() ? params_.head : params_.headPre.front()).weight.cols();
  if (width <= 0 || reads % width != 0)
    fail("layer " + headNames_.front() + " reads " + std::to_string(reads) +
         " values after the Flatten, which is no whole number of steps of " + std::to_string(width));
  spec.steps = static_cast<int>(reads / width);
  assume("the head flattens every step (Keras' Flatten), so the model reads exactly " + std::to_string(spec.steps) +
         " steps: an input of another length is refused rather than padded");
}

void KerasMapper::poolingHead(HeadSpec& spec, int outputs) {
  if (choices_.headReads && *choices_.headReads != *pooling_)
    assume("the head pools every step, so the choice of what it reads (" + toString(*choices_.headReads) +
           ") does not apply");
  checkJoinOrder();
  spec.reads = *pooling_;
  if (join_ && !(join_->size() == 1 && join_->front() == static_cast<int>(arch_.layers.size()))) spec.sources = *join_;
  if (spec.reads == HeadReads::AttentionPool) {
    spec.attentionEpsilon = kKerasEpsilon;
    params_.headAttention = attention_;
  }
  if (spec.reads == HeadReads::Flatten) flattenedSteps(spec);
  if (arch_.inputKind == InputKind::Tokens && outputs == arch_.vocab.size()) {
    spec.labels = arch_.vocab.tokens();
    assume(
        "the head has one output per vocabulary token: its classes are the tokens (it predicts the token "
        "after the text)");
  }
}

}  // namespace lstmscope
