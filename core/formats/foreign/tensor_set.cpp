#include "core/formats/foreign/tensor_set.h"

#include <bit>
#include <cstring>

namespace lstmscope {

std::string NamedTensor::shapeText() const {
  std::string s = "(";
  for (size_t k = 0; k < shape.size(); ++k) s += (k ? ", " : "") + std::to_string(shape[k]);
  return s + (shape.size() == 1 ? ",)" : ")");
}

const NamedTensor* TensorSet::find(const std::string& name) const {
  for (const auto& t : tensors)
    if (t.name == name) return &t;
  return nullptr;
}

namespace {

static_assert(std::endian::native == std::endian::little, "readers assume a little-endian host");

template <class S>
void convertPlain(const unsigned char* bytes, size_t count, std::vector<float>& out) {
  out.resize(count);
  for (size_t k = 0; k < count; ++k) {
    S v;
    std::memcpy(&v, bytes + k * sizeof(S), sizeof(S));
    out[k] = static_cast<float>(v);
  }
}

float halfToFloat(uint16_t h) {
  const uint32_t sign = uint32_t(h & 0x8000) << 16, exponent = (h >> 10) & 0x1f, mantissa = h & 0x3ff;
  uint32_t bits;
  if (exponent == 0) {
    if (mantissa == 0) {
      bits = sign;
    } else {  // subnormal: normalise
      int e = -1;
      uint32_t m = mantissa;
      do ++e, m <<= 1;
      while (!(m & 0x400));
      bits = sign | uint32_t(127 - 15 - e) << 23 | (m & 0x3ff) << 13;
    }
  } else if (exponent == 31) {
    bits = sign | 0x7f800000u | mantissa << 13;
  } else {
    bits = sign | (exponent + 127 - 15) << 23 | mantissa << 13;
  }
  return std::bit_cast<float>(bits);
}

}  // namespace

size_t dtypeSize(const std::string& dtype) {
  if (dtype == "float32" || dtype == "int32") return 4;
  if (dtype == "float64" || dtype == "int64") return 8;
  if (dtype == "float16" || dtype == "bfloat16" || dtype == "int16") return 2;
  if (dtype == "int8" || dtype == "uint8" || dtype == "bool") return 1;
  return 0;
}

bool convertToFloat(const std::string& dtype, const unsigned char* bytes, size_t count, std::vector<float>& out) {
  if (dtype == "float32") {
    out.resize(count);
    if (count) std::memcpy(out.data(), bytes, count * 4);
  } else if (dtype == "float64") {
    convertPlain<double>(bytes, count, out);
  } else if (dtype == "int64") {
    convertPlain<int64_t>(bytes, count, out);
  } else if (dtype == "int32") {
    convertPlain<int32_t>(bytes, count, out);
  } else if (dtype == "int16") {
    convertPlain<int16_t>(bytes, count, out);
  } else if (dtype == "int8") {
    convertPlain<int8_t>(bytes, count, out);
  } else if (dtype == "uint8" || dtype == "bool") {
    convertPlain<uint8_t>(bytes, count, out);
  } else if (dtype == "float16" || dtype == "bfloat16") {
    out.resize(count);
    for (size_t k = 0; k < count; ++k) {
      uint16_t h;
      std::memcpy(&h, bytes + 2 * k, 2);
      out[k] = dtype == "float16" ? halfToFloat(h) : std::bit_cast<float>(uint32_t(h) << 16);
    }
  } else {
    return false;
  }
  return true;
}

}  // namespace lstmscope
