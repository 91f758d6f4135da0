// Values as bytes and back, for what travels between the ranks of an MPI run (docs/SCALING.md): unit summary
// builders, match results, unit scores. Both ends are the same build on the same kind of machine, so values
// travel in their memory layout; the reader checks every length, so damaged bytes throw instead of reading
// past the end.
#pragma once

#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

namespace lstmscope {

class ByteWriter {
 public:
  template <typename T>
  void put(const T& value) {
    static_assert(std::is_trivially_copyable_v<T>);
    const auto* p = reinterpret_cast<const uint8_t*>(&value);
    bytes_.insert(bytes_.end(), p, p + sizeof(T));
  }
  // The count, then the values.
  template <typename T>
  void putVector(const std::vector<T>& values) {
    static_assert(std::is_trivially_copyable_v<T>);
    put(static_cast<uint64_t>(values.size()));
    const auto* p = reinterpret_cast<const uint8_t*>(values.data());
    bytes_.insert(bytes_.end(), p, p + values.size() * sizeof(T));
  }
  std::vector<uint8_t> take() { return std::move(bytes_); }

 private:
  std::vector<uint8_t> bytes_;
};

// Reads what a ByteWriter wrote, in the same order. Throws std::invalid_argument "<what>: …" on bytes that
// end too soon or a length out of range. `bytes` must outlive the reader.
class ByteReader {
 public:
  ByteReader(const std::vector<uint8_t>& bytes, std::string what) : bytes_(bytes), what_(std::move(what)) {}
  ByteReader(std::vector<uint8_t>&& bytes, std::string what) = delete;  // it would outlive them

  template <typename T>
  T get() {
    static_assert(std::is_trivially_copyable_v<T>);
    if (bytes_.size() - at_ < sizeof(T)) fail("truncated");
    T value;
    std::memcpy(&value, bytes_.data() + at_, sizeof(T));
    at_ += sizeof(T);
    return value;
  }
  // At most `most` values.
  template <typename T>
  std::vector<T> getVector(size_t most) {
    const auto n = get<uint64_t>();
    if (n > most || (bytes_.size() - at_) / sizeof(T) < n) fail("bad length");
    std::vector<T> values(n);
    if (n > 0) std::memcpy(values.data(), bytes_.data() + at_, n * sizeof(T));  // an empty vector's data() may be null
    at_ += n * sizeof(T);
    return values;
  }
  bool atEnd() const { return at_ == bytes_.size(); }
  void expectEnd() const {
    if (!atEnd()) fail("bytes left over");
  }

 private:
  [[noreturn]] void fail(const char* problem) const { throw std::invalid_argument(what_ + ": " + problem); }
  const std::vector<uint8_t>& bytes_;
  std::string what_;
  size_t at_ = 0;
};

}  // namespace lstmscope
