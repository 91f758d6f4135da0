// What the ranks of both builds share (core/parallel/ranks.h).
#include <exception>

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

void agreeOn(const std::function<void()>& step) {
  std::exception_ptr error;
  std::string message;
  try {
    step();
  } catch (const std::exception& e) {
    error = std::current_exception();
    message = e.what();
  } catch (...) {
    error = std::current_exception();
  }
  if (error && message.empty()) message = "failed";
  const Failure first = firstFailure(message);
  if (error) std::rethrow_exception(error);
  throwIfFailed(first);
}

}  // namespace lstmscope::ranks
