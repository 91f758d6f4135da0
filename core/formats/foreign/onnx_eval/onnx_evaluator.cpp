#include "core/formats/foreign/onnx_eval/onnx_evaluator.h"

#include <onnx/onnx_pb.h>

#include <algorithm>
#include <map>
#include <set>

#include "core/common/error.h"
#include "core/formats/foreign/onnx_eval/onnx_node_args.h"
#include "core/formats/foreign/onnx_eval/onnx_ops.h"

namespace lstmscope::onnx_eval {

namespace {

constexpr int kMaxNesting = 16;                           // If inside If …: a crafted file could nest without end
constexpr int64_t kMaxCachedElements = int64_t(1) << 22;  // per constant node kept across runs (32 MB)

// Values visible to a graph: its own, then its enclosing graphs' (an If branch reads outer values).
// Initializers are converted when first read: a graph may hold tensors of types the evaluator does not
// compute with (float16 weights of a head nobody asks for) without that stopping what is asked.
struct Scope {
  Values own;
  std::set<std::string> constants;  // values that depend on no graph input (initializers, folded nodes)
  std::map<std::string, const onnx::TensorProto*> initializers;
  std::set<std::string> missingInputs;  // declared graph inputs the caller did not give
  Scope* outer = nullptr;
  ConstantCache* cache = nullptr;  // initializers converted once across runs, when given
  std::string source;
  const Tensor* find(const std::string& name) {
    for (Scope* s = this; s; s = s->outer) {
      if (auto it = s->own.find(name); it != s->own.end()) return &it->second;
      if (auto it = s->initializers.find(name); it != s->initializers.end()) {
        if (!s->cache) return &(s->own[name] = tensorFromProto(*it->second, source));
        auto [at, fresh] = s->cache->initializers.try_emplace(it->second);
        if (fresh) at->second = tensorFromProto(*it->second, source);
        return &at->second;
      }
      if (s->missingInputs.count(name)) throw InputError(source, "the graph input " + name + " is not given");
    }
    return nullptr;
  }
  bool isConstant(const std::string& name) const {
    for (const Scope* s = this; s; s = s->outer) {
      if (s->constants.count(name)) return true;
      if (s->own.count(name) || s->missingInputs.count(name)) return false;  // a graph input shadows outer names
    }
    return false;
  }
};

// Every name a graph's nodes read that the graph does not produce itself (what an If branch needs
// from outside).
void collectOuterReads(const onnx::GraphProto& graph, std::set<std::string>& reads) {
  std::set<std::string> produced;
  for (const auto& init : graph.initializer()) produced.insert(init.name());
  for (const auto& input : graph.input()) produced.insert(input.name());
  for (const onnx::NodeProto& node : graph.node()) {
    for (const std::string& in : node.input())
      if (!in.empty() && !produced.count(in)) reads.insert(in);
    for (const auto& a : node.attribute())
      if (a.type() == onnx::AttributeProto::GRAPH) collectOuterReads(a.g(), reads);
    for (const std::string& out : node.output()) produced.insert(out);
  }
  for (const auto& out : graph.output())
    if (!produced.count(out.name())) reads.insert(out.name());
}

Tensor constantValue(const NodeArgs& args, const onnx::NodeProto& node, const std::string& source) {
  for (const onnx::AttributeProto& a : node.attribute()) {
    if (a.name() == "value") return tensorFromProto(a.t(), source);
    if (a.name() == "value_float") return Tensor{ElementType::Float32, {}, {static_cast<double>(a.f())}};
    if (a.name() == "value_int") return Tensor{ElementType::Int64, {}, {static_cast<double>(a.i())}};
    if (a.name() == "value_floats")
      return Tensor{ElementType::Float32, {a.floats_size()}, {a.floats().begin(), a.floats().end()}};
    if (a.name() == "value_ints")
      return Tensor{ElementType::Int64, {a.ints_size()}, {a.ints().begin(), a.ints().end()}};
  }
  args.fail("holds no value the evaluator reads (value, value_float(s), value_int(s))");
}

Values evaluate(const onnx::GraphProto& graph, Scope* outer, const Values& inputs,
                const std::vector<std::string>& wanted, int64_t opset, const std::string& source, int depth,
                const NodeObserver* observer, ConstantCache* cache);

std::vector<Tensor> runIf(const NodeArgs& args, const onnx::NodeProto& node, Scope& scope, int64_t opset,
                          const std::string& source, int depth, const NodeObserver* observer, ConstantCache* cache) {
  const Tensor& condition = args.input(0);
  if (condition.count() != 1) args.fail("its condition has " + std::to_string(condition.count()) + " values, not one");
  const std::string branch = condition.values[0] != 0 ? "then_branch" : "else_branch";
  const onnx::AttributeProto* a = args.attribute(branch);
  if (!a || a->type() != onnx::AttributeProto::GRAPH) args.fail("has no " + branch + " graph");
  const Values results = evaluate(a->g(), &scope, {}, {}, opset, source, depth + 1, observer, cache);
  std::vector<Tensor> out;
  for (const auto& o : a->g().output()) out.push_back(results.at(o.name()));
  if (out.size() != static_cast<size_t>(node.output_size()))
    args.fail("its " + branch + " gives " + std::to_string(out.size()) + " outputs for " +
              std::to_string(node.output_size()));
  return out;
}

Values evaluate(const onnx::GraphProto& graph, Scope* outer, const Values& inputs,
                const std::vector<std::string>& wanted, int64_t opset, const std::string& source, int depth,
                const NodeObserver* observer, ConstantCache* cache) {
  if (depth > kMaxNesting)
    throw InputError(source, "If branches nest more than " + std::to_string(kMaxNesting) + " deep");
  Scope scope;
  scope.outer = outer;
  scope.cache = cache;
  scope.source = source;
  for (const onnx::TensorProto& init : graph.initializer()) {
    scope.initializers[init.name()] = &init;
    if (!inputs.count(init.name())) scope.constants.insert(init.name());
  }
  for (const auto& input : graph.input()) {
    if (auto it = inputs.find(input.name()); it != inputs.end()) {
      scope.own[input.name()] = it->second;
      scope.initializers.erase(input.name());  // given: it overrides its default
    } else if (!scope.initializers.count(input.name()) && !outer) {
      scope.missingInputs.insert(input.name());  // refused only if a node that runs reads it
    }
  }
  std::vector<std::string> targets = wanted;
  if (targets.empty())
    for (const auto& o : graph.output()) targets.push_back(o.name());

  // The nodes the targets need, found backwards from them.
  const int n = graph.node_size();
  std::vector<bool> needed(static_cast<size_t>(n), false);
  std::set<std::string> wantedNames(targets.begin(), targets.end());
  for (int k = n - 1; k >= 0; --k) {
    const onnx::NodeProto& node = graph.node(k);
    bool useful = false;
    for (const std::string& out : node.output()) useful = useful || wantedNames.count(out);
    if (!useful) continue;
    needed[static_cast<size_t>(k)] = true;
    for (const std::string& in : node.input())
      if (!in.empty()) wantedNames.insert(in);
    std::set<std::string> branchReads;
    for (const auto& a : node.attribute())
      if (a.type() == onnx::AttributeProto::GRAPH) collectOuterReads(a.g(), branchReads);
    wantedNames.insert(branchReads.begin(), branchReads.end());
  }

  const OperatorTable& table = operatorTable();
  for (int k = 0; k < n; ++k) {
    if (!needed[static_cast<size_t>(k)]) continue;
    const onnx::NodeProto& node = graph.node(k);
    std::vector<const Tensor*> args;
    for (const std::string& in : node.input()) {
      const Tensor* t = in.empty() ? nullptr : scope.find(in);
      if (!in.empty() && !t) NodeArgs(node, {}, opset).fail("reads " + in + ", which nothing before it computes");
      args.push_back(t);
    }
    const NodeArgs nodeArgs(node, args, opset);
    if (!node.domain().empty() && node.domain() != "ai.onnx")
      nodeArgs.fail("belongs to the operator domain " + node.domain() + ", which the evaluator does not compute");
    std::vector<Tensor> results;
    // A node that reads only constants gives the same values on every run: computed once per cache (a
    // streaming graph recomputes its LSTM's weights from slices of initializers on every call otherwise).
    const bool constant = node.op_type() != "If" &&
                          std::all_of(node.input().begin(), node.input().end(),
                                      [&](const std::string& in) { return in.empty() || scope.isConstant(in); });
    const auto cached = constant && cache ? cache->nodes.find(&node) : decltype(cache->nodes)::iterator{};
    if (constant && cache && cached != cache->nodes.end()) {
      results = cached->second;
    } else if (node.op_type() == "Constant") {
      results.push_back(constantValue(nodeArgs, node, source));
    } else if (node.op_type() == "If") {
      results = runIf(nodeArgs, node, scope, opset, source, depth, observer, cache);
    } else {
      const auto op = table.find(node.op_type());
      if (op == table.end()) nodeArgs.fail("the evaluator does not compute " + node.op_type());
      try {
        results = op->second(nodeArgs);
      } catch (const InputError& e) {
        const std::string what = e.what();
        if (what.rfind("node ", 0) == 0) throw;
        nodeArgs.fail(what);  // a shape or tensor error from a helper: said with the node
      }
    }
    // Kept only when small: the point is a weight sliced on every call, not a crafted 16M-element constant
    // (copying that into the cache would cost more than computing it).
    const auto size = [](const std::vector<Tensor>& ts) {
      int64_t n = 0;
      for (const Tensor& t : ts) n += t.count();
      return n;
    };
    if (constant && cache && cached == cache->nodes.end() && size(results) <= kMaxCachedElements)
      cache->nodes[&node] = results;
    if (constant)
      for (const std::string& out : node.output()) scope.constants.insert(out);
    if (observer && *observer) (*observer)(node, args, results);
    for (int o = 0; o < node.output_size(); ++o)
      if (!node.output(o).empty() && static_cast<size_t>(o) < results.size())
        scope.own[node.output(o)] = std::move(results[static_cast<size_t>(o)]);
  }
  Values out;
  for (const std::string& name : targets) {
    const Tensor* t = scope.find(name);
    if (!t) throw InputError(source, "the graph does not compute " + name);
    out[name] = *t;
  }
  return out;
}

}  // namespace

GraphEvaluator::GraphEvaluator(const onnx::GraphProto& graph, int64_t opset, std::string source)
    : graph_(graph), opset_(opset), source_(std::move(source)) {}

Values GraphEvaluator::run(const Values& inputs, const std::vector<std::string>& wanted, const NodeObserver& observer,
                           ConstantCache* cache) const {
  return evaluate(graph_, nullptr, inputs, wanted, opset_, source_, 0, &observer, cache);
}

}  // namespace lstmscope::onnx_eval
