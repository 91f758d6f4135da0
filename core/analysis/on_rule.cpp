#include "core/analysis/on_rule.h"

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>

namespace lstmscope {
namespace {

// Floats in their numeric order, as unsigned integers (-inf first, +inf last).
uint32_t orderKey(float f) {
  const uint32_t bits = std::bit_cast<uint32_t>(f);
  return (bits & 0x80000000u) ? ~bits : bits | 0x80000000u;
}
float fromOrderKey(uint32_t key) {
  return std::bit_cast<float>((key & 0x80000000u) ? key & 0x7FFFFFFFu : ~key);
}

}  // namespace

std::optional<float> lowestOnValue(const OnRule& rule) {
  const auto on = [&](float v) {
    return (rule.tanh ? std::tanh(static_cast<double>(v)) : static_cast<double>(v)) >= rule.threshold;
  };
  uint32_t lo = orderKey(-std::numeric_limits<float>::infinity()),
           hi = orderKey(std::numeric_limits<float>::infinity());
  if (!on(fromOrderKey(hi))) return std::nullopt;
  while (lo < hi) {  // the first key that is on
    const uint32_t mid = lo + (hi - lo) / 2;
    if (on(fromOrderKey(mid)))
      hi = mid;
    else
      lo = mid + 1;
  }
  return fromOrderKey(lo);
}

}  // namespace lstmscope
