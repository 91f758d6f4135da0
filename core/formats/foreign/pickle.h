// A weights-only unpickler: it reads the subset of Python's pickle format that PyTorch checkpoints use
// and builds inert values. It never executes or imports anything. Calls (REDUCE) are allowed only for
// the handful of constructors PyTorch files need, which it implements itself (OrderedDict, set,
// torch._utils._rebuild_tensor_v2, _rebuild_parameter, torch.Size, copyreg._reconstructor); objects made
// with NEWOBJ (a whole-module save's nn.Module classes) become inert records of their class name and
// state. A global from a module such as os, subprocess or builtins.eval, or a call to anything else, is
// an InputError naming it.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace lstmscope::pickle {

struct Value;
using ValuePtr = std::shared_ptr<Value>;

// Where a tensor's numbers are: a storage (a separate blob of the checkpoint) and a strided view of it.
struct StorageRef {
  std::string key;    // the blob's name (data/<key> in the zip format)
  std::string dtype;  // "float32", "float64", "float16", "bfloat16", "int64", …
  int64_t numel = 0;  // elements in the storage, as the file declares
};
struct TensorRef {
  StorageRef storage;
  int64_t offset = 0;  // in elements
  std::vector<int64_t> size, stride;
};

struct Value {
  enum class Kind { None, Bool, Int, Float, Str, Bytes, Tuple, List, Dict, Set, Global, Object, Storage, Tensor };
  Kind kind = Kind::None;
  bool boolean = false;
  int64_t integer = 0;
  double real = 0;
  std::string text;                                    // Str, Bytes; Global and Object: "module.name"
  std::vector<ValuePtr> items;                         // Tuple, List, Set; Object: constructor arguments
  std::vector<std::pair<ValuePtr, ValuePtr>> entries;  // Dict, in insertion order
  ValuePtr state;                                      // Object: what BUILD gave it (usually a Dict)
  // Storage (its storage only) and Tensor: never null for these kinds. Behind a pointer because almost no
  // value is one, and a hostile pickle may make millions of values (each is 4x larger with it inline).
  std::shared_ptr<TensorRef> tensor;

  Value() = default;
  Value(const Value&) = default;
  Value& operator=(const Value&) = default;
  ~Value();  // iterative, so that hostile nesting cannot overflow the stack

  bool is(Kind k) const { return kind == k; }
  // Dict lookup by string key; nullptr when absent or not a Dict.
  ValuePtr get(const std::string& key) const;
  std::string describe(
      int depth = 0) const;  // short text for messages and module facts: "True", "5", "'tanh'", "<dict>"
};

// Turns a persistent id (what BINPERSID pops, a Tuple) into a value; PyTorch uses it for storages.
using PersistentLoader = std::function<ValuePtr(const Value& pid)>;

// Parses one pickle starting at `data[offset]` and advances `offset` past its STOP. Throws InputError
// naming `source` and the problem (truncated, unknown opcode, refused global or call) with the byte offset.
ValuePtr load(const unsigned char* data, size_t size, size_t& offset, const PersistentLoader& persistent,
              const std::string& source);

// dtype of a PyTorch storage class ("torch.FloatStorage" -> "float32"); "" if not a storage class.
std::string storageDtype(const std::string& className);

}  // namespace lstmscope::pickle
