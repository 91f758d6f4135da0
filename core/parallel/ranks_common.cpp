// What the ranks of both builds share (core/parallel/ranks.h).
#include "core/common/error.h"
#include "core/parallel/ranks.h"

namespace lstmscope::ranks {

void throwIfAnyFailed(const std::string& failure) {
  throwIfFailed(firstFailure(failure));
}

void throwIfFailed(const Failure& first) {
  if (first.rank >= 0)
    throw InputError("rank " + std::to_string(first.rank) + " of " + std::to_string(size()) + ": " + first.message);
}

}  // namespace lstmscope::ranks
