// Error types that carry enough context for a user-facing message.
#pragma once

#include <stdexcept>
#include <string>

namespace lstmscope {

// Bad input: a model, vocabulary, text or trace that cannot be used. The CLI maps it to exit code 3.
// The message always names the file (when there is one) and what is wrong with it.
class InputError : public std::runtime_error {
 public:
  explicit InputError(const std::string& message) : std::runtime_error(message) {}
  InputError(const std::string& file, const std::string& problem)
      : std::runtime_error(file.empty() ? problem : file + ": " + problem) {}
};

// The run was cancelled by its caller (ProgressCallbacks::cancelled returned true; see checkCancelled).
class Cancelled : public std::runtime_error {
 public:
  Cancelled() : std::runtime_error("cancelled") {}
};

}  // namespace lstmscope
