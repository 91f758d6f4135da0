#include "core/formats/foreign/onnx_file.h"

#include <onnx/onnx_pb.h>  // defines ONNX_API, then includes onnx-ml.pb.h

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "core/common/error.h"
#include "core/formats/foreign/import_choices_file.h"
#include "core/formats/foreign/onnx_front_end.h"
#include "core/formats/foreign/onnx_streaming.h"
#include "core/formats/foreign/state_dict_mapping.h"

namespace lstmscope {

namespace {

constexpr uint64_t kMaxModelBytes = uint64_t(2) << 30;  // protobuf's own message limit

// Operators that only move data around (layouts, shapes, the zero initial states torch computes).
// Arithmetic operators are deliberately absent: in the data path they would change the numbers.
const std::set<std::string> kPlumbing = {
    "Transpose", "Reshape",         "Squeeze",  "Unsqueeze", "Concat",   "Shape",   "Gather",  "Slice",
    "Expand",    "ConstantOfShape", "Constant", "Cast",      "Identity", "Dropout", "Flatten", "Split"};

bool parseModel(const std::string& path, onnx::ModelProto& model) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec || size > kMaxModelBytes) return false;
  std::ifstream in(path, std::ios::binary);
  return in && model.ParseFromIstream(&in) && model.has_graph();
}

NamedTensor tensorOf(const onnx::TensorProto& t, const std::string& source) {
  NamedTensor out{t.name(), {t.dims().begin(), t.dims().end()}, {}};
  int64_t count = 1;
  for (int64_t d : out.shape) {
    if (d < 0 || d > (int64_t(1) << 40)) throw InputError(source, "tensor " + t.name() + " has an impossible shape");
    count *= d;
    if (count > (int64_t(1) << 34)) throw InputError(source, "tensor " + t.name() + " is absurdly large");
  }
  if (t.has_data_location() && t.data_location() == onnx::TensorProto::EXTERNAL)
    throw InputError(source,
                     "tensor " + t.name() + " keeps its data in an external file, which LSTMScope does not read");
  static const std::map<int, std::string> kTypes = {
      {onnx::TensorProto::FLOAT, "float32"},   {onnx::TensorProto::DOUBLE, "float64"},
      {onnx::TensorProto::FLOAT16, "float16"}, {onnx::TensorProto::BFLOAT16, "bfloat16"},
      {onnx::TensorProto::INT64, "int64"},     {onnx::TensorProto::INT32, "int32"}};
  const auto type = kTypes.find(t.data_type());
  if (type == kTypes.end())
    throw InputError(source, "tensor " + t.name() + " has a data type that cannot hold weights");
  const auto n = static_cast<size_t>(count);
  if (t.has_raw_data()) {
    if (t.raw_data().size() != n * dtypeSize(type->second))
      throw InputError(source, "tensor " + t.name() + " holds " + std::to_string(t.raw_data().size()) +
                                   " bytes, not the " + std::to_string(n * dtypeSize(type->second)) +
                                   " its shape needs");
    convertToFloat(type->second, reinterpret_cast<const unsigned char*>(t.raw_data().data()), n, out.values);
  } else if (t.float_data_size() == count) {
    out.values.assign(t.float_data().begin(), t.float_data().end());
  } else if (t.double_data_size() == count) {
    out.values.assign(t.double_data().begin(), t.double_data().end());
  } else if (t.int64_data_size() == count) {
    out.values.assign(t.int64_data().begin(), t.int64_data().end());
  } else if (t.int32_data_size() == count) {  // also float16 bits
    out.values.assign(t.int32_data().begin(), t.int32_data().end());
  } else {
    throw InputError(source,
                     "tensor " + t.name() + " does not hold the " + std::to_string(count) + " values its shape needs");
  }
  return out;
}

// What an ONNX LSTM node has beyond PyTorch's nn.LSTM, applied after the state-dict mapping.
struct CellExtras {
  std::vector<float> peepholes;  // [directions][3H] in our order i, f, o; empty when the node has no P
  float clip = 0;
  bool coupledForget = false;  // input_forget
  bool reverse = false;        // direction "reverse": the one direction runs from the last step
  std::string name, shape;     // of the P tensor, for the import report
};

// What the honest fallback cuts off when the whole graph cannot be read (docs/IMPORT.md#when-only-the-lstm-
// stack-opens): nothing, every node after the last LSTM, or every node that is not an LSTM.
enum class OnnxCut { Nothing, AfterLastLstm, AllButLstms };

class OnnxMapper {
 public:
  OnnxMapper(const onnx::ModelProto& model, const std::string& source, OnnxCut cut = OnnxCut::Nothing)
      : model_(model), graph_(model.graph()), source_(source), cut_(cut) {}

  // The graph as PyTorch-style named tensors plus the choices the graph itself states.
  std::pair<TensorSet, ImportChoices> run() {
    for (const auto& init : graph_.initializer()) constants_.emplace(init.name(), tensorOf(init, source_));
    for (int k = 0; k < graph_.node_size(); ++k) {
      const auto& node = graph_.node(k);
      for (const auto& out : node.output()) producer_[out] = k;
      if (node.op_type() == "Constant" && node.output_size() > 0)
        for (const auto& a : node.attribute())
          if (a.name() == "value" && a.has_t()) constants_.emplace(node.output(0), tensorOf(a.t(), source_));
    }
    int firstLstm = -1, lastLstm = -1;
    for (int k = 0; k < graph_.node_size(); ++k)
      if (graph_.node(k).op_type() == "LSTM") lastLstm = k, firstLstm = firstLstm < 0 ? k : firstLstm;
    // A front end of window and per-step layers before the first LSTM (onnx_front_end.h); its nodes are
    // read there, not here.
    if (firstLstm >= 0 && cut_ != OnnxCut::AllButLstms) frontEnd_ = readOnnxFrontEnd(model_, firstLstm, source_);
    for (int k = 0; k < graph_.node_size(); ++k) {
      const auto& node = graph_.node(k);
      if (frontEnd_ && frontEnd_->nodes.count(k)) continue;
      requireInputsComputedBefore(node, k);
      if ((cut_ == OnnxCut::AfterLastLstm && k > lastLstm) ||
          (cut_ == OnnxCut::AllButLstms && node.op_type() != "LSTM")) {
        if (!kPlumbing.count(node.op_type()))
          cutNodes_.push_back((node.name().empty() ? node.op_type() : node.name()) + " (" + node.op_type() + ")");
        continue;
      }
      visit(node);
    }
    if (layers_ == 0) throw InputError(source_, "has no LSTM node");
    finishHead();
    return {std::move(set_), std::move(facts_)};
  }

  const std::vector<std::pair<GateActivation, CellActivation>>& activations() const { return activations_; }
  const std::vector<CellExtras>& extras() const { return extras_; }
  const std::vector<std::string>& notes() const { return notes_; }        // assumptions the graph forced
  const std::vector<std::string>& cutNodes() const { return cutNodes_; }  // "name (Op)", shape operators left out
  const std::optional<OnnxFrontEnd>& frontEnd() const { return frontEnd_; }

 private:
  [[noreturn]] void fail(const onnx::NodeProto& node, const std::string& what) const {
    throw InputError(
        source_, "node " + (node.name().empty() ? node.op_type() : node.name()) + " (" + node.op_type() + ") " + what);
  }
  const NamedTensor* constant(const std::string& name) const {
    const auto it = constants_.find(name);
    return it == constants_.end() ? nullptr : &it->second;
  }
  static const onnx::AttributeProto* attribute(const onnx::NodeProto& node, const std::string& name) {
    for (const auto& a : node.attribute())
      if (a.name() == name) return &a;
    return nullptr;
  }
  std::string input(const onnx::NodeProto& node, int k) const { return k < node.input_size() ? node.input(k) : ""; }
  // ONNX graphs list nodes in the order they run: a node reading its own output, or one computed later,
  // makes a cycle no framework would have exported.
  void requireInputsComputedBefore(const onnx::NodeProto& node, int index) const {
    for (const auto& in : node.input()) {
      const auto it = producer_.find(in);
      if (it != producer_.end() && it->second >= index && !constant(in))
        fail(node, it->second == index
                       ? "reads its own output '" + in + "'"
                       : "reads '" + in + "', which a later node computes (a cycle or a graph out of order)");
    }
  }
  // An integer attribute that only 0 or 1 make sense for (ONNX gives no other meaning).
  bool flag(const onnx::NodeProto& node, const std::string& name) const {
    const auto* a = attribute(node, name);
    if (!a) return false;
    if (a->i() != 0 && a->i() != 1) fail(node, "has " + name + " " + std::to_string(a->i()) + ", not 0 or 1");
    return a->i() == 1;
  }

  void visit(const onnx::NodeProto& node) {
    const std::string& op = node.op_type();
    if (op == "LSTM") return lstm(node);
    if (op == "Gather" && constant(input(node, 0)) && constant(input(node, 0))->shape.size() == 2 && layers_ == 0 &&
        !embedding_) {
      embedding_ = true;
      NamedTensor e = *constant(input(node, 0));
      if (!e.name.ends_with("weight")) e.name += ".weight";
      set_.tensors.push_back(std::move(e));
      facts_.embedding = set_.tensors.back().name;
      return;
    }
    if ((op == "MatMul" || op == "Gemm") && layers_ > 0) return dense(node);
    if (op == "Add" && pendingBias_ && (constant(input(node, 1)) || constant(input(node, 0)))) {
      NamedTensor b = *constant(input(node, constant(input(node, 1)) ? 1 : 0));
      b.name = denseName_ + ".bias";
      if (b.shape.size() != 1) fail(node, "adds a bias that is not a vector");
      set_.tensors.push_back(std::move(b));
      pendingBias_ = false;
      return;
    }
    if ((op == "Relu" || op == "Tanh" || op == "Sigmoid" || op == "Softmax" || op == "LogSoftmax") && denseCount_ > 0) {
      lastActivation_ = op;
      denseActivations_.back() = op;
      return;
    }
    if (kPlumbing.count(op)) return;
    fail(node,
         "is not something an LSTM model of LSTMScope contains (it reads Gather, LSTM, MatMul/Gemm, Add and "
         "Relu/Tanh/Sigmoid/Softmax, plus shape operators)");
  }

  // Whether `name` is the previous LSTM's output Y, through shape operators' data inputs only (input 0;
  // every input of a Concat). A node between two LSTMs that computes anything, or a second LSTM reading the
  // graph's input beside the first, is not a stack.
  bool readsPreviousLstm(const std::string& name, int depth = 0) const {
    if (name == previousLstm_) return true;
    const auto it = producer_.find(name);
    if (depth > 64 || it == producer_.end() || constant(name)) return false;
    const auto& node = graph_.node(it->second);
    if (!kPlumbing.count(node.op_type()) || node.input_size() == 0) return false;
    if (node.op_type() != "Concat") return readsPreviousLstm(node.input(0), depth + 1);
    for (const auto& in : node.input())
      if (!constant(in) && !readsPreviousLstm(in, depth + 1)) return false;
    return true;
  }

  void lstm(const onnx::NodeProto& node) {
    if (denseCount_ > 0) fail(node, "comes after a dense layer, which LSTMScope does not support");
    if (layers_ > 0 && !readsPreviousLstm(input(node, 0)))
      fail(node, "reads '" + input(node, 0) +
                     "', which is not the previous LSTM's output passed on by shape operators alone; LSTMScope "
                     "stacks LSTMs that read each other");
    const NamedTensor* W = constant(input(node, 1));
    const NamedTensor* R = constant(input(node, 2));
    if (!W || !R) fail(node, "takes its weights W and R from graph inputs, not initializers");
    for (int k : {5, 6}) {
      if (input(node, k).empty()) continue;
      if (const NamedTensor* s = constant(input(node, k))) {
        for (float v : s->values)
          if (v != 0) fail(node, "starts from a non-zero initial state, which LSTMScope does not model");
      } else if (!computedZeros(input(node, k), 0)) {
        notes_.push_back("LSTM node " + node.name() + " takes its initial " + (k == 5 ? "h" : "c") + " from '" +
                         input(node, k) + "', which the graph does not fix; every run starts from zeros here");
      }
    }
    CellExtras extras;
    if (const auto* a = attribute(node, "clip")) {
      if (!(a->f() > 0) || !std::isfinite(a->f())) fail(node, "has clip " + std::to_string(a->f()) + ", not > 0");
      extras.clip = a->f();
    }
    extras.coupledForget = flag(node, "input_forget");
    flag(node, "layout");  // batch-first or not, the weights are the same
    const std::string direction = attribute(node, "direction") ? attribute(node, "direction")->s() : "forward";
    if (direction != "forward" && direction != "reverse" && direction != "bidirectional")
      fail(node, "has direction '" + direction + "', not forward, reverse or bidirectional");
    extras.reverse = direction == "reverse";
    const int nd = direction == "bidirectional" ? 2 : 1;
    if (W->shape.size() != 3 || W->dim(0) != nd || R->shape.size() != 3 || R->dim(0) != nd || W->dim(1) % 4 != 0)
      fail(node, "has W " + W->shapeText() + " and R " + R->shapeText() +
                     ", not [directions, 4H, D] and [directions, 4H, H]");
    const int64_t H = W->dim(1) / 4, D = W->dim(2);
    if (R->dim(1) != 4 * H || R->dim(2) != H) fail(node, "has R " + R->shapeText() + ", not [directions, 4H, H]");
    if (const auto* h = attribute(node, "hidden_size"); h && h->i() != H)
      fail(node, "says hidden_size " + std::to_string(h->i()) + " but W has " + std::to_string(H));
    const NamedTensor* B = constant(input(node, 3));
    if (!input(node, 3).empty() && !B) fail(node, "takes its bias B from a graph input, not an initializer");
    if (B && (B->shape.size() != 2 || B->dim(0) != nd || B->dim(1) != 8 * H)) fail(node, "has B " + B->shapeText());
    if (!input(node, 7).empty()) {
      const NamedTensor* P = constant(input(node, 7));
      if (!P) fail(node, "takes its peephole weights P from a graph input, not an initializer");
      if (P->shape.size() != 2 || P->dim(0) != nd || P->dim(1) != 3 * H)
        fail(node, "has P " + P->shapeText() + ", not [directions, 3H]");
      extras.name = P->name, extras.shape = P->shapeText();
      extras.peepholes = P->values;  // ONNX blocks i, o, f
      for (int d = 0; d < nd; ++d)   // ours i, f, o
        std::swap_ranges(extras.peepholes.begin() + d * 3 * H + H, extras.peepholes.begin() + d * 3 * H + 2 * H,
                         extras.peepholes.begin() + d * 3 * H + 2 * H);
    }
    extras_.push_back(std::move(extras));
    activations_.push_back(activationsOf(node, nd));
    // ONNX gate blocks are i, o, f, c; ours (PyTorch's) i, f, g, o: our block g is ONNX block kFrom[g].
    constexpr int kFrom[4] = {0, 2, 3, 1};
    const std::string prefix = (node.name().empty() ? "lstm" + std::to_string(layers_) : node.name()) + ".";
    for (int d = 0; d < nd; ++d) {
      const std::string suffix = "_l0" + std::string(d ? "_reverse" : "");
      NamedTensor wih{prefix + "weight_ih" + suffix, {4 * H, D}, {}},
          whh{prefix + "weight_hh" + suffix, {4 * H, H}, {}};
      NamedTensor bih{prefix + "bias_ih" + suffix, {4 * H}, std::vector<float>(4 * H, 0.0f)};
      NamedTensor bhh{prefix + "bias_hh" + suffix, {4 * H}, std::vector<float>(4 * H, 0.0f)};
      for (int g = 0; g < 4; ++g) {
        const int64_t from = kFrom[g];
        const auto rows = [&](const NamedTensor& src, int64_t cols, NamedTensor& dst) {
          const auto begin = src.values.begin() + (d * 4 * H + from * H) * cols;
          dst.values.insert(dst.values.end(), begin, begin + H * cols);
        };
        rows(*W, D, wih);
        rows(*R, H, whh);
        if (B)
          for (int64_t u = 0; u < H; ++u) {
            bih.values[g * H + u] = B->values[d * 8 * H + from * H + u];
            bhh.values[g * H + u] = B->values[d * 8 * H + 4 * H + from * H + u];
          }
      }
      for (NamedTensor* t : {&wih, &whh, &bih, &bhh}) set_.tensors.push_back(std::move(*t));
    }
    previousLstm_ = node.output_size() > 0 ? node.output(0) : "";
    lstmOutputs_[previousLstm_] = "Y";
    if (node.output_size() > 1) lstmOutputs_[node.output(1)] = "Y_h";
    ++layers_;
  }

  std::pair<GateActivation, CellActivation> activationsOf(const onnx::NodeProto& node, int nd) const {
    std::vector<std::string> names;
    if (const auto* a = attribute(node, "activations"))
      for (const auto& s : a->strings()) names.push_back(s);
    if (names.empty())
      for (int d = 0; d < nd; ++d) names.insert(names.end(), {"Sigmoid", "Tanh", "Tanh"});
    if (names.size() != static_cast<size_t>(3 * nd)) fail(node, "lists the wrong number of activations");
    std::vector<float> alpha;
    if (const auto* a = attribute(node, "activation_alpha")) alpha.assign(a->floats().begin(), a->floats().end());
    GateActivation gate{};
    CellActivation cell{};
    for (int d = 0; d < nd; ++d) {
      const std::string &f = names[3 * d], &g = names[3 * d + 1], &h = names[3 * d + 2];
      if (f == "Sigmoid")
        gate = GateActivation::Sigmoid;
      else if (f == "HardSigmoid") {
        const float a = alpha.size() > static_cast<size_t>(3 * d) ? alpha[3 * d] : 0.2f;
        if (std::abs(a - 0.2f) < 1e-6f)
          gate = GateActivation::HardSigmoid;
        else if (std::abs(a - 1.0f / 6) < 1e-6f)
          gate = GateActivation::HardSigmoidKeras3;
        else
          fail(node, "uses HardSigmoid with alpha " + std::to_string(a) + " (LSTMScope knows 0.2 and 1/6)");
      } else
        fail(node, "uses gate activation " + f + ", which LSTMScope does not support");
      if (g != h) fail(node, "uses different cell activations " + g + " and " + h);
      if (g == "Tanh")
        cell = CellActivation::Tanh;
      else if (g == "Relu")
        cell = CellActivation::Relu;
      else
        fail(node, "uses cell activation " + g + ", which LSTMScope does not support");
    }
    return {gate, cell};
  }

  void dense(const onnx::NodeProto& node) {
    const bool gemm = node.op_type() == "Gemm";
    const NamedTensor* w = constant(input(node, 1));
    if (!w || w->shape.size() != 2) fail(node, "multiplies by something that is not a weight matrix");
    if (denseCount_ == 0) headReads_ = readsFrom(input(node, 0), 0);
    const auto* transB = gemm ? attribute(node, "transB") : nullptr;
    const bool transposed = transB && transB->i() != 0;  // Gemm with transB holds (out, in), as PyTorch does
    if (gemm && attribute(node, "transA") && attribute(node, "transA")->i() != 0) fail(node, "transposes its input");
    if (gemm && attribute(node, "alpha") && attribute(node, "alpha")->f() != 1.0f) fail(node, "scales by alpha");
    denseName_ = "dense" + std::to_string(denseCount_++);
    NamedTensor weight{denseName_ + ".weight", {}, {}};
    if (transposed) {
      weight.shape = w->shape, weight.values = w->values;
    } else {  // (in, out) -> (out, in)
      weight.shape = {w->dim(1), w->dim(0)};
      weight.values.resize(w->values.size());
      for (int64_t i = 0; i < w->dim(0); ++i)
        for (int64_t o = 0; o < w->dim(1); ++o) weight.values[o * w->dim(0) + i] = w->values[i * w->dim(1) + o];
    }
    set_.tensors.push_back(std::move(weight));
    denseActivations_.push_back("");
    pendingBias_ = true;
    if (gemm && constant(input(node, 2))) {
      NamedTensor b = *constant(input(node, 2));
      b.name = denseName_ + ".bias";
      b.shape = {static_cast<int64_t>(b.values.size())};
      set_.tensors.push_back(std::move(b));
      pendingBias_ = false;
    }
  }

  // Whether a tensor is zeros made in the graph: ConstantOfShape without a value or with 0, possibly
  // reshaped or expanded (how torch and tf2onnx build initial states).
  bool computedZeros(const std::string& name, int depth) const {
    if (const NamedTensor* c = constant(name))
      return std::all_of(c->values.begin(), c->values.end(), [](float v) { return v == 0; });
    const auto p = producer_.find(name);
    if (depth > 16 || p == producer_.end()) return false;
    const auto& node = graph_.node(p->second);
    if (node.op_type() == "ConstantOfShape") {
      const auto* value = attribute(node, "value");
      if (!value) return true;
      try {
        const NamedTensor t = tensorOf(value->t(), source_);
        return std::all_of(t.values.begin(), t.values.end(), [](float v) { return v == 0; });
      } catch (const InputError&) {
        return false;
      }
    }
    static const std::set<std::string> kFollowData = {"Expand", "Reshape", "Unsqueeze", "Squeeze",  "Identity",
                                                      "Cast",   "Slice",   "Gather",    "Transpose"};
    if (kFollowData.count(node.op_type())) return node.input_size() > 0 && computedZeros(node.input(0), depth + 1);
    if (node.op_type() == "Concat")
      return std::all_of(node.input().begin(), node.input().end(),
                         [&](const std::string& in) { return computedZeros(in, depth + 1); });
    return false;
  }

  // Follows a tensor back through shape operators to the LSTM output it comes from: Y_h means the final
  // states; Y means every step, unless a Gather/Slice picked steps out of it (out[:, -1]).
  std::optional<HeadReads> readsFrom(const std::string& name, int depth) {
    if (depth > 64) return std::nullopt;
    if (const auto it = lstmOutputs_.find(name); it != lstmOutputs_.end())
      return it->second == "Y_h" ? HeadReads::FinalStates : HeadReads::EachStep;
    const auto p = producer_.find(name);
    if (p == producer_.end()) return std::nullopt;
    const auto& node = graph_.node(p->second);
    if (!kPlumbing.count(node.op_type()) || node.input_size() == 0) return std::nullopt;
    auto r = readsFrom(node.input(0), depth + 1);
    if (r == HeadReads::EachStep && (node.op_type() == "Gather" || node.op_type() == "Slice")) {
      pickedLastStep_ = true;
      return HeadReads::FinalStates;
    }
    return r;
  }

  void finishHead() {
    if (denseCount_ == 0) return;
    std::vector<DenseActivation> pre;
    for (int k = 0; k + 1 < denseCount_; ++k) {
      DenseActivation a = DenseActivation::Linear;
      if (!denseActivations_[k].empty() && !parse(lowercase(denseActivations_[k]), a))
        throw InputError(source_, "dense layer " + std::to_string(k) + " uses " + denseActivations_[k] +
                                      ", which cannot sit between dense layers here");
      pre.push_back(a);
    }
    facts_.preActivations = pre;
    const std::string last = denseActivations_.back();
    if (last == "Softmax" || last == "LogSoftmax")
      facts_.headActivation = HeadActivation::Softmax;
    else if (last == "Sigmoid")
      facts_.headActivation = HeadActivation::Sigmoid;
    // No activation node: the graph ends in logits (a loss applied the activation in training), so the
    // activation is inferred from the task like a state dict's.
    else if (!last.empty())
      throw InputError(source_, "the last dense layer's activation " + last + " cannot end a model here");
    if (headReads_) facts_.headReads = *headReads_;
  }

  static std::string lowercase(std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
  }

  const onnx::ModelProto& model_;
  const onnx::GraphProto& graph_;
  const std::string& source_;
  OnnxCut cut_;
  std::vector<std::string> cutNodes_;
  std::optional<OnnxFrontEnd> frontEnd_;
  std::string previousLstm_;  // the last LSTM node's output Y
  std::map<std::string, NamedTensor> constants_;
  std::map<std::string, int> producer_;
  std::map<std::string, std::string> lstmOutputs_;
  TensorSet set_;
  ImportChoices facts_;
  std::vector<std::pair<GateActivation, CellActivation>> activations_;
  std::vector<CellExtras> extras_;
  std::vector<std::string> notes_;
  std::vector<std::string> denseActivations_;
  std::string denseName_, lastActivation_;
  std::optional<HeadReads> headReads_;
  int layers_ = 0, denseCount_ = 0;
  bool embedding_ = false, pendingBias_ = false;

 public:
  bool pickedLastStep_ = false;
};

}  // namespace

// Walks the ModelProto's top-level fields in a bounded prefix, never parsing the file: protobuf writes
// fields in number order, so ir_version comes first and the graph soon after the short producer and domain
// strings; the graph must fit the file and start with a node.
bool looksLikeOnnx(const std::string& path) {
  using onnx::ModelProto;
  constexpr size_t kSniffBytes = 4096;
  std::error_code ec;
  const uint64_t fileSize = std::filesystem::file_size(path, ec);
  if (ec) return false;
  std::ifstream in(path, std::ios::binary);
  std::string head(kSniffBytes, '\0');
  in.read(head.data(), static_cast<std::streamsize>(head.size()));
  head.resize(static_cast<size_t>(in.gcount()));
  size_t pos = 0;
  const auto varint = [&](uint64_t& value) {
    value = 0;
    for (int shift = 0; shift < 64 && pos < head.size(); shift += 7) {
      const auto b = static_cast<unsigned char>(head[pos++]);
      value |= uint64_t(b & 0x7f) << shift;
      if (!(b & 0x80)) return true;
    }
    return false;
  };
  constexpr int kVarint = 0, kLengthDelimited = 2;
  uint64_t tag = 0, value = 0;
  if (!varint(tag) || tag != (ModelProto::kIrVersionFieldNumber << 3 | kVarint)) return false;
  if (!varint(value) || value == 0) return false;
  while (varint(tag)) {
    const uint64_t field = tag >> 3, wire = tag & 7;
    if (wire == kVarint && field == ModelProto::kModelVersionFieldNumber) {
      if (!varint(value)) return false;
      continue;
    }
    const bool lengthDelimited =
        field == ModelProto::kProducerNameFieldNumber || field == ModelProto::kProducerVersionFieldNumber ||
        field == ModelProto::kDomainFieldNumber || field == ModelProto::kDocStringFieldNumber ||
        field == ModelProto::kGraphFieldNumber || field == ModelProto::kOpsetImportFieldNumber ||
        field == ModelProto::kMetadataPropsFieldNumber || field == ModelProto::kTrainingInfoFieldNumber ||
        field == ModelProto::kFunctionsFieldNumber;
    if (wire != kLengthDelimited || !lengthDelimited || !varint(value) || value > fileSize - pos) return false;
    if (field == ModelProto::kGraphFieldNumber)
      return pos < head.size() &&
             static_cast<unsigned char>(head[pos]) == (onnx::GraphProto::kNodeFieldNumber << 3 | kLengthDelimited);
    if (value > head.size() - pos) return false;  // the graph lies beyond the prefix
    pos += value;
  }
  return false;
}

namespace {

ImportedModel mapOnnx(const onnx::ModelProto& model, const std::string& path, const ImportChoices& choices,
                      const std::optional<LoadedVocabulary>& vocab, OnnxMapper& mapper) {
  auto [tensors, facts] = mapper.run();
  // What the graph states is a fact, not an assumption; the user's choices still win.
  ImportChoices merged = mergeChoices(facts, choices);
  if (!facts.embedding && !choices.embedding) merged.embedding = std::string();  // the graph has no Gather
  ImportedModel imported = mapStateDict(tensors, merged, vocab, path);
  for (size_t l = 0; l < imported.model.arch.layers.size() && l < mapper.activations().size(); ++l) {
    LayerSpec& spec = imported.model.arch.layers[l];
    spec.gate = mapper.activations()[l].first;
    spec.cell = mapper.activations()[l].second;
    const CellExtras& extras = mapper.extras()[l];
    spec.clip = extras.clip;
    spec.coupledForget = extras.coupledForget;
    spec.peepholes = !extras.peepholes.empty();
    if (extras.reverse) {
      spec.reverse = true;  // the mapping saw one direction and called it fwd
      for (auto& t : imported.report.tensors)
        if (const std::string was = "lstm " + std::to_string(l) + " fwd "; t.role.rfind(was, 0) == 0)
          t.role = "lstm " + std::to_string(l) + " bwd " + t.role.substr(was.size());
    }
    for (int d = 0; spec.peepholes && d < spec.directions(); ++d) {
      imported.model.params.lstm[l][d].peephole =
          Eigen::Map<const Vec<float>>(extras.peepholes.data() + d * 3L * spec.hidden, 3L * spec.hidden);
      std::string role = "lstm ";
      role += std::to_string(l) + ' ' + directionName(spec, d) + " peephole";
      imported.report.tensors.push_back({extras.name, extras.shape, role});
    }
  }
  if (const auto& fe = mapper.frontEnd()) {
    Architecture& arch = imported.model.arch;
    arch.inputKind = InputKind::Features;
    arch.featureDim = static_cast<int>(imported.model.params.lstm[0][0].W_ih.cols());
    arch.frontEnd = fe->layers;
    // The state-dict mapping said the LSTM's own width is the input; the user's rows go through the front end.
    for (std::string& a : imported.report.assumptions)
      if (a.rfind("no embedding:", 0) == 0)
        a = "no embedding: the input is " + std::to_string(fe->rawFeatures) +
            " numeric features per step, through the front end";
    imported.report.assumptions.insert(imported.report.assumptions.end(), fe->notes.begin(), fe->notes.end());
    for (const auto& [name, shape] : fe->tensors) imported.report.tensors.push_back({name, shape, "front end"});
  }
  validateModel(imported.model, path);  // again: the peepholes and clip joined after the mapping's check
  imported.report.assumptions.insert(imported.report.assumptions.end(), mapper.notes().begin(), mapper.notes().end());
  const bool picksFinalStates =
      mapper.pickedLastStep_ && imported.model.arch.head && imported.model.arch.head->perSequence();
  // out[:, -1] of a reverse layer is its state after one step, not its final state (that is at step 0).
  if (picksFinalStates && imported.model.arch.layers.back().reverse)
    throw InputError(path,
                     "the head reads one step of a reverse LSTM's output, which LSTMScope does not model "
                     "(only the final state Y_h, or every step)");
  if (picksFinalStates && imported.model.arch.layers.back().bidirectional)
    imported.report.assumptions.push_back(
        "the head reads one step of the LSTM output (out[:, -1]); taken as the final states, which for a "
        "bidirectional layer differs from the backward direction's last output");
  imported.report.format = "ONNX (opset " +
                           std::to_string(model.opset_import_size() ? model.opset_import(0).version() : 0) +
                           (model.producer_name().empty() ? "" : ", written by " + model.producer_name()) + ")";
  return imported;
}

// "Conv_0 (Conv), Relu_1 (Relu), … and 12 more".
std::string listed(const std::vector<std::string>& nodes) {
  std::string out;
  for (size_t k = 0; k < nodes.size() && k < 6; ++k) out += (k ? ", " : "") + nodes[k];
  if (nodes.size() > 6) out += ", … and " + std::to_string(nodes.size() - 6) + " more";
  return out.empty() ? "shape operators only" : out;
}

}  // namespace

ImportedModel mapLstmOnlyOnnx(const onnx::ModelProto& model, const std::string& path) {
  OnnxMapper lstms(model, path, OnnxCut::AllButLstms);
  return mapOnnx(model, path, {}, std::nullopt, lstms);
}

ImportedModel readOnnx(const std::string& path, const ImportChoices& choices,
                       const std::optional<LoadedVocabulary>& vocab) {
  onnx::ModelProto model;
  if (!parseModel(path, model)) throw InputError(path, "is not an ONNX model (it does not parse as one)");
  OnnxMapper whole(model, path);
  try {
    return mapOnnx(model, path, choices, vocab, whole);
  } catch (const InputError& e) {
    if (choices.wholeModelOnly) throw;
    std::string why = e.what();
    if (why.rfind(path + ": ", 0) == 0) why.erase(0, path.size() + 2);
    // A streaming graph (audio and the LSTM state in, the state back out; its LSTM perhaps inside If
    // branches, with weights the graph computes) opens its LSTM so that --wav can run the whole graph.
    std::optional<std::string> streamingError;
    bool streaming = false;
    try {
      (void)streamingInterface(path);
      streaming = true;
    } catch (const InputError&) {
    }
    if (streaming) try {
        return readStreamingOnnx(path, why, choices.audioChunk);
      } catch (const InputError& notStreaming) {
        streamingError = notStreaming.what();  // said if nothing else opens either
      }
    for (const OnnxCut cut : {OnnxCut::AfterLastLstm, OnnxCut::AllButLstms}) {
      OnnxMapper part(model, path, cut);
      ImportedModel imported;
      try {
        imported = mapOnnx(model, path, choices, cut == OnnxCut::AllButLstms ? std::nullopt : vocab, part);
      } catch (const InputError&) {
        continue;  // cut more, or refuse with the whole graph's reason
      }
      std::string& what = imported.report.cutOff;
      what = "the whole model cannot be opened (" + why + "). Opened its LSTM stack alone, cut off " +
             (cut == OnnxCut::AfterLastLstm
                  ? "the nodes after the last LSTM (" + listed(part.cutNodes()) + "):"
                  : "every node that is not an LSTM (" + listed(part.cutNodes()) +
                        "): the input is the first LSTM's input features, " +
                        std::to_string(imported.model.arch.inputWidth()) + " per step, from a CSV table;") +
             " the model gives no outputs here, and attribution targets are units";
      imported.model.arch.cutOff = what;
      imported.report.assumptions.insert(imported.report.assumptions.begin(), what);
      return imported;
    }
    if (streamingError) throw InputError(*streamingError);
    throw;
  }
}

}  // namespace lstmscope
