#include "core/formats/foreign/pickle.h"

#include <cstring>
#include <unordered_map>
#include <unordered_set>

#include "core/common/error.h"
#include "core/formats/foreign/pickle_constructors.h"

namespace lstmscope::pickle {

Value::~Value() {
  // Releases children iteratively: a deeply nested value would otherwise be destroyed recursively, one
  // stack frame per level, and overflow the stack.
  std::vector<ValuePtr> pending;
  const auto adopt = [&pending](Value& v) {
    for (auto& c : v.items) pending.push_back(std::move(c));
    for (auto& [k, c] : v.entries) pending.push_back(std::move(k)), pending.push_back(std::move(c));
    if (v.state) pending.push_back(std::move(v.state));
    v.items.clear(), v.entries.clear();
  };
  adopt(*this);
  while (!pending.empty()) {
    ValuePtr v = std::move(pending.back());
    pending.pop_back();
    if (v && v.use_count() == 1) adopt(*v);  // v is destroyed at the end of this iteration, childless
  }
}

ValuePtr Value::get(const std::string& key) const {
  if (kind != Kind::Dict) return nullptr;
  for (const auto& [k, v] : entries)
    if (k && k->is(Kind::Str) && k->text == key) return v;
  return nullptr;
}

std::string Value::describe(int depth) const {
  switch (kind) {
    case Kind::None:
      return "None";
    case Kind::Bool:
      return boolean ? "True" : "False";
    case Kind::Int:
      return std::to_string(integer);
    case Kind::Float: {
      char buffer[32];
      std::snprintf(buffer, sizeof buffer, "%.17g", real);
      return buffer;
    }
    case Kind::Str:
      return "'" + text + "'";
    case Kind::Global:
      return text;
    case Kind::Tuple:
    case Kind::List: {
      if (depth > 3) return "…";  // pickles may hold cycles
      std::string s = kind == Kind::Tuple ? "(" : "[";
      for (size_t k = 0; k < items.size() && k < 8; ++k) {
        if (k) s += ", ";
        s += items[k] ? items[k]->describe(depth + 1) : std::string("?");
      }
      if (items.size() > 8) s += ", …";
      s += kind == Kind::Tuple ? ")" : "]";
      return s;
    }
    case Kind::Object:
      return "<" + text + ">";
    case Kind::Tensor:
      return "<tensor>";
    default:
      return kind == Kind::Dict ? "<dict>" : kind == Kind::Set ? "<set>" : "<bytes>";
  }
}

std::string storageDtype(const std::string& className) {
  static const std::unordered_map<std::string, std::string> kTypes = {
      {"torch.FloatStorage", "float32"},     {"torch.DoubleStorage", "float64"}, {"torch.HalfStorage", "float16"},
      {"torch.BFloat16Storage", "bfloat16"}, {"torch.LongStorage", "int64"},     {"torch.IntStorage", "int32"},
      {"torch.ShortStorage", "int16"},       {"torch.CharStorage", "int8"},      {"torch.ByteStorage", "uint8"},
      {"torch.BoolStorage", "bool"}};
  const auto it = kTypes.find(className);
  return it == kTypes.end() ? "" : it->second;
}

namespace {

constexpr size_t kMaxStack = 1 << 20, kMaxMemo = 1 << 22, kMaxValues = 1 << 21;

// The opcodes this unpickler reads, under the names Python's pickletools gives them (MARK, BININT1, ...);
// the values are the opcode bytes. Any other byte is refused as an opcode PyTorch files do not contain.
enum class Op : uint8_t {
  Stop = '.',
  Proto = 0x80,
  Frame = 0x95,
  Mark = '(',
  Pop = '0',
  PopMark = '1',
  Dup = '2',
  None = 'N',
  NewTrue = 0x88,
  NewFalse = 0x89,
  BinInt = 'J',
  BinInt1 = 'K',
  BinInt2 = 'M',
  Long1 = 0x8a,
  BinFloat = 'G',
  BinUnicode = 'X',
  ShortBinUnicode = 0x8c,
  BinUnicode8 = 0x8d,
  BinString = 'T',
  ShortBinString = 'U',
  BinBytes = 'B',
  ShortBinBytes = 'C',
  BinBytes8 = 0x8e,
  EmptyTuple = ')',
  Tuple = 't',
  Tuple1 = 0x85,
  Tuple2 = 0x86,
  Tuple3 = 0x87,
  EmptyList = ']',
  List = 'l',
  EmptyDict = '}',
  Dict = 'd',
  EmptySet = 0x8f,
  Append = 'a',
  Appends = 'e',
  AddItems = 0x90,
  FrozenSet = 0x91,
  SetItem = 's',
  SetItems = 'u',
  BinPut = 'q',
  LongBinPut = 'r',
  Memoize = 0x94,
  BinGet = 'h',
  LongBinGet = 'j',
  Global = 'c',
  StackGlobal = 0x93,
  Reduce = 'R',
  NewObj = 0x81,
  Build = 'b',
  BinPersId = 'Q',
};

class Machine {
 public:
  Machine(const unsigned char* data, size_t size, size_t& offset, const PersistentLoader& persistent,
          const std::string& source)
      : data_(data), size_(size), pos_(offset), offset_(offset), persistent_(persistent), source_(source) {}

  ValuePtr run() {
    for (;;) {
      opStart_ = pos_;
      const auto op = static_cast<Op>(byte());
      if (op == Op::Stop) {
        offset_ = pos_;
        if (stack_.size() != 1) fail("ends with " + std::to_string(stack_.size()) + " values on its stack");
        return stack_.back();
      }
      step(op);
      if (stack_.size() > kMaxStack) fail("nests too deeply");
    }
  }

 private:
  [[noreturn]] void fail(const std::string& problem) const {
    throw InputError(source_, "pickle at byte " + std::to_string(opStart_) + " " + problem);
  }
  void need(size_t n) const {
    if (n > size_ - pos_) fail("is truncated");
  }
  unsigned char byte() {
    need(1);
    return data_[pos_++];
  }
  template <class I>
  I fixed() {
    need(sizeof(I));
    I v;
    std::memcpy(&v, data_ + pos_, sizeof(I));
    pos_ += sizeof(I);
    return v;
  }
  std::string bytes(uint64_t n) {
    need(n);
    std::string s(reinterpret_cast<const char*>(data_ + pos_), n);
    pos_ += n;
    return s;
  }
  std::string line() {
    const void* nl = std::memchr(data_ + pos_, '\n', size_ - pos_);
    if (!nl) fail("is truncated");
    const size_t n = static_cast<const unsigned char*>(nl) - (data_ + pos_);
    std::string s = bytes(n);
    ++pos_;
    return s;
  }

  ValuePtr pop() {
    if (stack_.empty() || isMark(stack_.back())) fail("pops from an empty stack");
    ValuePtr v = stack_.back();
    stack_.pop_back();
    return v;
  }
  ValuePtr& top() {
    if (stack_.empty() || isMark(stack_.back())) fail("uses an empty stack");
    return stack_.back();
  }
  bool isMark(const ValuePtr& v) const { return v == mark_; }
  // Everything above the topmost mark, removing the mark.
  std::vector<ValuePtr> popToMark() {
    size_t k = stack_.size();
    while (k > 0 && !isMark(stack_[k - 1])) --k;
    if (k == 0) fail("has no mark to pop to");
    std::vector<ValuePtr> items(stack_.begin() + static_cast<long>(k), stack_.end());
    stack_.resize(k - 1);
    return items;
  }
  // Every value costs a few hundred bytes: a crafted file of nothing but EMPTY_LIST and APPEND would ask
  // for a hundred times its size in memory.
  ValuePtr make(Value::Kind kind) {
    if (++made_ > kMaxValues)
      fail("holds more than " + std::to_string(kMaxValues) + " values; weights files hold far fewer");
    auto v = std::make_shared<Value>();
    v->kind = kind;
    return v;
  }
  void push(ValuePtr v) { stack_.push_back(std::move(v)); }
  void pushInt(int64_t i) {
    auto v = make(Value::Kind::Int);
    v->integer = i;
    push(v);
  }
  void pushText(Value::Kind kind, std::string s) {
    auto v = make(kind);
    v->text = std::move(s);
    push(v);
  }
  void memoPut(uint64_t index) {
    if (memo_.size() >= kMaxMemo && !memo_.count(index)) fail("memoises too many values");
    memo_[index] = top();
  }
  void memoGet(uint64_t index) {
    const auto it = memo_.find(index);
    if (it == memo_.end()) fail("refers to memo entry " + std::to_string(index) + ", which was never stored");
    push(it->second);
  }
  void pushGlobal(const std::string& module, const std::string& name) {
    const std::string why = refusedGlobal(module, name);
    if (!why.empty()) fail(why + "; refusing it (nothing was run)");
    pushText(Value::Kind::Global, module + "." + name);
  }
  ValuePtr& container(Value::Kind kind, const char* opName) {
    ValuePtr& c = top();
    if (!c->is(kind))
      fail(std::string(opName) + " on something that is not a " +
           (kind == Value::Kind::Dict   ? "dict"
            : kind == Value::Kind::List ? "list"
                                        : "set"));
    return c;
  }
  // Shared pointers cannot own a cycle without leaking it, and weights files have none: a value that would
  // contain its own container is refused. Only the in-place insertions (APPEND(S), SETITEM(S), ADDITEMS,
  // BUILD) can close a cycle, and only into a container that is already inside another value: a container
  // nothing holds can be reached from nothing but itself. Weights files fill each container before they
  // nest it, so they never pay for the search; the searches a crafted file forces share one budget that
  // grows with the file's size, so checking stays linear in it (nested lists used to take cubic time).
  void noteContained(const ValuePtr& child) {
    if (child) contained_.insert(child.get());
  }
  void noteChildrenContained(const Value& parent) {
    for (const auto& c : parent.items) noteContained(c);
    for (const auto& [k, c] : parent.entries) noteContained(k), noteContained(c);
    noteContained(parent.state);
  }
  bool reaches(const Value* from, const Value* target) {
    std::unordered_set<const Value*> seen;
    std::vector<const Value*> todo{from};  // iterative: a hostile pickle may nest values millions deep
    while (!todo.empty()) {
      const Value* v = todo.back();
      todo.pop_back();
      if (v == target) return true;
      if (!v || !seen.insert(v).second) continue;
      if (searchBudget_-- == 0) fail("links its containers into each other too often to check for cycles");
      for (const auto& c : v->items) todo.push_back(c.get());
      for (const auto& [k, c] : v->entries) todo.push_back(k.get()), todo.push_back(c.get());
      todo.push_back(v->state.get());
    }
    return false;
  }
  void refuseCycle(const ValuePtr& inserted, const Value* container) {
    const bool possible = inserted.get() == container || contained_.count(container);
    if (possible && reaches(inserted.get(), container))
      fail("puts a container inside itself, which weights files never do");
    noteContained(inserted);
  }
  void setItems(std::vector<ValuePtr> kv) {
    if (kv.size() % 2) fail("sets a dict item without a value");
    ValuePtr& d = container(Value::Kind::Dict, "SETITEMS");
    for (size_t k = 0; k < kv.size(); k += 2) {
      refuseCycle(kv[k], d.get()), refuseCycle(kv[k + 1], d.get());
      d->entries.emplace_back(kv[k], kv[k + 1]);
    }
  }
  void appendItems(std::vector<ValuePtr> items) {
    ValuePtr& l = top();
    if (!l->is(Value::Kind::List) && !l->is(Value::Kind::Set)) fail("appends to something that is not a list");
    for (auto& v : items) {
      refuseCycle(v, l.get());
      l->items.push_back(std::move(v));
    }
  }
  void tuple(std::vector<ValuePtr> items) {
    auto t = make(Value::Kind::Tuple);
    t->items = std::move(items);
    noteChildrenContained(*t);
    push(t);
  }
  std::string where() const { return source_ + " (pickle at byte " + std::to_string(opStart_) + ")"; }

  void build() {
    ValuePtr state = pop();
    ValuePtr& obj = top();
    if (obj->is(Value::Kind::Object)) {
      refuseCycle(state, obj.get());
      obj->state = state;
    }
    // OrderedDict's _metadata and a parameter's hooks arrive through BUILD too; they carry no numbers.
    else if (!obj->is(Value::Kind::Dict) && !obj->is(Value::Kind::Tensor))
      fail("BUILD on a " + obj->describe());
  }

  void step(Op op) {
    switch (op) {
      case Op::Proto:
        byte();
        break;
      case Op::Frame:  // a framing hint only
        fixed<uint64_t>();
        break;
      case Op::Mark:
        push(mark_);
        break;
      case Op::Pop:
        pop();
        break;
      case Op::PopMark:
        popToMark();
        break;
      case Op::Dup:
        push(top());
        break;
      case Op::None:
        push(make(Value::Kind::None));
        break;
      case Op::NewTrue:
      case Op::NewFalse: {
        auto v = make(Value::Kind::Bool);
        v->boolean = op == Op::NewTrue;
        push(v);
        break;
      }
      case Op::BinInt:
        pushInt(fixed<int32_t>());
        break;
      case Op::BinInt1:
        pushInt(fixed<uint8_t>());
        break;
      case Op::BinInt2:
        pushInt(fixed<uint16_t>());
        break;
      case Op::Long1: {  // little-endian two's complement
        const unsigned n = byte();
        if (n > 8) fail("holds an integer wider than 64 bits");
        need(n);
        uint64_t u = 0;
        for (unsigned k = 0; k < n; ++k) u |= uint64_t(data_[pos_ + k]) << (8 * k);
        if (n > 0 && n < 8 && (data_[pos_ + n - 1] & 0x80)) u |= ~uint64_t(0) << (8 * n);
        pos_ += n;
        pushInt(static_cast<int64_t>(u));
        break;
      }
      case Op::BinFloat: {  // big-endian double
        uint64_t u = 0;
        for (int k = 0; k < 8; ++k) u = u << 8 | byte();
        auto v = make(Value::Kind::Float);
        std::memcpy(&v->real, &u, 8);
        push(v);
        break;
      }
      case Op::BinUnicode:
        pushText(Value::Kind::Str, bytes(fixed<uint32_t>()));
        break;
      case Op::ShortBinUnicode:
        pushText(Value::Kind::Str, bytes(fixed<uint8_t>()));
        break;
      case Op::BinUnicode8:
        pushText(Value::Kind::Str, bytes(fixed<uint64_t>()));
        break;
      case Op::BinString:  // Python 2 str
        pushText(Value::Kind::Str, bytes(fixed<uint32_t>()));
        break;
      case Op::ShortBinString:
        pushText(Value::Kind::Str, bytes(fixed<uint8_t>()));
        break;
      case Op::BinBytes:
        pushText(Value::Kind::Bytes, bytes(fixed<uint32_t>()));
        break;
      case Op::ShortBinBytes:
        pushText(Value::Kind::Bytes, bytes(fixed<uint8_t>()));
        break;
      case Op::BinBytes8:
        pushText(Value::Kind::Bytes, bytes(fixed<uint64_t>()));
        break;
      case Op::EmptyTuple:
        push(make(Value::Kind::Tuple));
        break;
      case Op::Tuple:
        tuple(popToMark());
        break;
      case Op::Tuple1:
        tuple({pop()});
        break;
      case Op::Tuple2: {
        ValuePtr b = pop(), a = pop();
        tuple({a, b});
        break;
      }
      case Op::Tuple3: {
        ValuePtr c = pop(), b = pop(), a = pop();
        tuple({a, b, c});
        break;
      }
      case Op::EmptyList:
        push(make(Value::Kind::List));
        break;
      case Op::List: {
        auto l = make(Value::Kind::List);
        l->items = popToMark();
        noteChildrenContained(*l);
        push(l);
        break;
      }
      case Op::EmptyDict:
        push(make(Value::Kind::Dict));
        break;
      case Op::Dict: {
        std::vector<ValuePtr> kv = popToMark();
        push(make(Value::Kind::Dict));
        setItems(std::move(kv));
        break;
      }
      case Op::EmptySet:
        push(make(Value::Kind::Set));
        break;
      case Op::Append:
        appendItems({pop()});
        break;
      case Op::Appends:
      case Op::AddItems:
        appendItems(popToMark());
        break;
      case Op::FrozenSet: {
        auto s = make(Value::Kind::Set);
        s->items = popToMark();
        noteChildrenContained(*s);
        push(s);
        break;
      }
      case Op::SetItem: {
        ValuePtr v = pop(), k = pop();
        setItems({k, v});
        break;
      }
      case Op::SetItems:
        setItems(popToMark());
        break;
      case Op::BinPut:
        memoPut(fixed<uint8_t>());
        break;
      case Op::LongBinPut:
        memoPut(fixed<uint32_t>());
        break;
      case Op::Memoize:
        memoPut(memo_.size());
        break;
      case Op::BinGet:
        memoGet(fixed<uint8_t>());
        break;
      case Op::LongBinGet:
        memoGet(fixed<uint32_t>());
        break;
      case Op::Global: {  // "module\nname\n"
        const std::string module = line();
        pushGlobal(module, line());
        break;
      }
      case Op::StackGlobal: {
        ValuePtr name = pop(), module = pop();
        if (!name->is(Value::Kind::Str) || !module->is(Value::Kind::Str)) fail("STACK_GLOBAL without strings");
        pushGlobal(module->text, name->text);
        break;
      }
      case Op::Reduce: {  // callable(*args), done by our own code
        ValuePtr args = pop(), callable = pop();
        push(construct(*callable, *args, where()));
        if (stack_.back()) noteChildrenContained(*stack_.back());
        break;
      }
      case Op::NewObj: {  // cls.__new__(cls, *args) -> inert record
        ValuePtr args = pop(), cls = pop();
        if (!cls->is(Value::Kind::Global)) fail("NEWOBJ on something that is not a class");
        auto o = make(Value::Kind::Object);
        o->text = cls->text;
        o->items = args->items;
        noteChildrenContained(*o);
        push(o);
        break;
      }
      case Op::Build:
        build();
        break;
      case Op::BinPersId: {
        ValuePtr pid = pop();
        if (!persistent_) fail("refers to external data, which this file kind does not have");
        push(persistent_(*pid));
        if (stack_.back()) noteChildrenContained(*stack_.back());
        break;
      }
      default: {  // Stop is handled by run(); every other opcode is refused
        char hex[8];
        std::snprintf(hex, sizeof hex, "0x%02x", static_cast<unsigned>(op));
        fail(std::string("uses opcode ") + hex + ", which PyTorch weights files do not contain");
      }
    }
  }

  const unsigned char* data_;
  size_t size_, pos_;
  size_t& offset_;
  size_t opStart_ = 0;
  const PersistentLoader& persistent_;
  const std::string& source_;
  std::vector<ValuePtr> stack_;
  std::unordered_map<uint64_t, ValuePtr> memo_;
  // Values some other value holds. A freed value's address reused by a new one costs a needless search only.
  std::unordered_set<const Value*> contained_;
  size_t made_ = 0;
  size_t searchBudget_ = 8 * size_ + (1 << 20);  // values the cycle searches may visit, in all
  const ValuePtr mark_ = std::make_shared<Value>();
};

}  // namespace

ValuePtr load(const unsigned char* data, size_t size, size_t& offset, const PersistentLoader& persistent,
              const std::string& source) {
  if (offset > size) throw InputError(source, "pickle starts beyond the end of the data");
  return Machine(data, size, offset, persistent, source).run();
}

}  // namespace lstmscope::pickle
