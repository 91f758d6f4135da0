// Error types that carry enough context for a user-facing message.
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace lstmscope {

// Bad input: a model, vocabulary, text or trace that cannot be used. The CLI maps it to exit code 3.
// The message always names the file (when there is one) and what is wrong with it.
class InputError : public std::runtime_error {
 public:
  explicit InputError(const std::string& message) : std::runtime_error(message) {}
  InputError(const std::string& file, const std::string& problem)
      : std::runtime_error(file.empty() ? problem : file + ": " + problem) {}
};

// Bad input text (the text or table to analyse, not the model), with where it is wrong so that an editor can
// mark it: byte ranges of the UTF-8 text as given (empty when the problem has no place, e.g. an empty text).
struct TextSpan {
  size_t byteOffset = 0;
  size_t byteLength = 0;
  bool operator==(const TextSpan&) const = default;
};

class TextInputError : public InputError {
 public:
  TextInputError(const std::string& file, const std::string& problem, std::vector<TextSpan> spans = {})
      : InputError(file, problem), spans_(std::move(spans)) {}
  const std::vector<TextSpan>& spans() const { return spans_; }

 private:
  std::vector<TextSpan> spans_;
};

// The run was cancelled by its caller (ProgressCallbacks::cancelled returned true; see checkCancelled).
class Cancelled : public std::runtime_error {
 public:
  Cancelled() : std::runtime_error("cancelled") {}
};

}  // namespace lstmscope
