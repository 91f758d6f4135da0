#include "core/formats/foreign/pickle_constructors.h"

#include <algorithm>
#include <array>
#include <string_view>

#include "core/common/error.h"

namespace lstmscope::pickle {

namespace {

// Modules whose globals give a pickle a way to run code or touch the system.
constexpr std::array<std::string_view, 22> kDangerousModules = {
    "os",         "posix",  "nt",       "subprocess", "sys",     "shutil",  "socket",  "importlib",
    "runpy",      "pickle", "_pickle",  "code",       "pty",     "ctypes",  "marshal", "types",
    "webbrowser", "io",     "operator", "functools",  "inspect", "commands"};

// Harmless builtins that pickles use as constructors (sets, a module's _non_persistent_buffers_set).
constexpr std::array<std::string_view, 4> kPlainBuiltins = {"set", "frozenset", "list", "dict"};

std::string_view topModule(const std::string& module) {
  return std::string_view(module).substr(0, module.find('.'));
}

ValuePtr make(Value::Kind kind) {
  auto v = std::make_shared<Value>();
  v->kind = kind;
  return v;
}

const Value& arg(const Value& args, size_t k, const std::string& callable, const std::string& where) {
  if (!args.is(Value::Kind::Tuple) || args.items.size() <= k || !args.items[k])
    throw InputError(where, callable + " is called with too few arguments");
  return *args.items[k];
}

std::vector<int64_t> intTuple(const Value& v, const std::string& what, const std::string& where) {
  if (!v.is(Value::Kind::Tuple) && !v.is(Value::Kind::List)) throw InputError(where, what + " is not a tuple");
  std::vector<int64_t> out;
  for (const auto& item : v.items) {
    if (!item || !item->is(Value::Kind::Int)) throw InputError(where, what + " holds a non-integer");
    out.push_back(item->integer);
  }
  return out;
}

ValuePtr rebuildTensor(const Value& args, const std::string& name, const std::string& where) {
  const Value& storage = arg(args, 0, name, where);
  if (!storage.is(Value::Kind::Storage)) throw InputError(where, name + "'s first argument is not a storage");
  const Value& offset = arg(args, 1, name, where);
  if (!offset.is(Value::Kind::Int)) throw InputError(where, name + "'s storage offset is not an integer");
  auto t = make(Value::Kind::Tensor);
  t->tensor = std::make_shared<TensorRef>();
  t->tensor->storage = storage.tensor->storage;
  t->tensor->offset = offset.integer;
  t->tensor->size = intTuple(arg(args, 2, name, where), "a tensor's size", where);
  t->tensor->stride = intTuple(arg(args, 3, name, where), "a tensor's stride", where);
  if (t->tensor->size.size() != t->tensor->stride.size())
    throw InputError(where, "a tensor's size and stride have different lengths");
  return t;
}

}  // namespace

std::string refusedGlobal(const std::string& module, const std::string& name) {
  const std::string full = module + "." + name;
  if (std::find(kDangerousModules.begin(), kDangerousModules.end(), topModule(module)) != kDangerousModules.end())
    return "names " + full + ", which can run code; a weights file has no reason to contain it";
  if (module == "builtins" || module == "__builtin__") {
    if (std::find(kPlainBuiltins.begin(), kPlainBuiltins.end(), name) == kPlainBuiltins.end())
      return "names " + full + ", which can run code; a weights file has no reason to contain it";
  }
  return {};
}

ValuePtr construct(const Value& callable, const Value& args, const std::string& where) {
  if (!callable.is(Value::Kind::Global)) throw InputError(where, "calls something that is not a global");
  const std::string& name = callable.text;
  if (name == "collections.OrderedDict" || name == "builtins.dict" || name == "__builtin__.dict") {
    auto d = make(Value::Kind::Dict);
    if (args.is(Value::Kind::Tuple) && !args.items.empty() && args.items[0] && args.items[0]->is(Value::Kind::List))
      for (const auto& pair : args.items[0]->items)
        if (pair && pair->is(Value::Kind::Tuple) && pair->items.size() == 2)
          d->entries.emplace_back(pair->items[0], pair->items[1]);
    return d;
  }
  if (name == "builtins.set" || name == "__builtin__.set" || name == "builtins.frozenset" ||
      name == "__builtin__.frozenset" || name == "builtins.list" || name == "__builtin__.list") {
    auto s = make(name.ends_with("list") ? Value::Kind::List : Value::Kind::Set);
    if (args.is(Value::Kind::Tuple) && !args.items.empty() && args.items[0]) s->items = args.items[0]->items;
    return s;
  }
  if (name == "torch._utils._rebuild_tensor_v2" || name == "torch._utils._rebuild_tensor")
    return rebuildTensor(args, name, where);
  if (name == "torch._utils._rebuild_parameter" || name == "torch._utils._rebuild_parameter_with_state") {
    const Value& tensor = arg(args, 0, name, where);
    if (!tensor.is(Value::Kind::Tensor)) throw InputError(where, name + "'s first argument is not a tensor");
    return std::make_shared<Value>(tensor);
  }
  if (name == "torch.Size") {
    auto t = make(Value::Kind::Tuple);
    if (args.is(Value::Kind::Tuple) && !args.items.empty() && args.items[0]) t->items = args.items[0]->items;
    return t;
  }
  if (name == "copyreg._reconstructor" || name == "copy_reg._reconstructor") {
    const Value& cls = arg(args, 0, name, where);
    if (!cls.is(Value::Kind::Global)) throw InputError(where, name + " is not given a class");
    auto o = make(Value::Kind::Object);
    o->text = cls.text;
    return o;
  }
  throw InputError(where, "calls " + name +
                              ", which a weights-only reader does not run (only tensors, parameters, dicts, "
                              "sets and module records are allowed)");
}

}  // namespace lstmscope::pickle
