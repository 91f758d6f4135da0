// Minimal, strict command-line parsing for lstmscope-cli: unknown options are usage errors.
#pragma once

#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

namespace lstmscope::cli {

// A usage error: exit code 2, message on stderr followed by a pointer to --help.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A whole number of 1 to 9 digits, with no sign, blank or anything after it, into `out`.
bool plainWholeNumber(const std::string& text, int& out);

class Args {
 public:
  // `valued`: options that take a value (--out FILE); `flags`: options without one; `repeatable`: valued
  // options that may be given several times (--text-file A --text-file B); any other given twice is an error.
  Args(const std::vector<std::string>& argv, const std::set<std::string>& valued, const std::set<std::string>& flags,
       const std::set<std::string>& repeatable = {});

  bool has(const std::string& name) const { return values_.count(name) || flags_.count(name); }
  // Every value of an option, in the order given (one at most for an option that is not repeatable).
  std::vector<std::string> all(const std::string& name) const;
  std::string get(const std::string& name, const std::string& fallback = {}) const;
  std::string require(const std::string& name) const;
  long getLong(const std::string& name, long fallback) const;
  // A whole number in [min, max] (64-bit parsing first: 4294967301 is not 5), else a usage error that
  // names the option and the range.
  long getLong(const std::string& name, long fallback, long min, long max) const;
  int getInt(const std::string& name, int fallback, int min, int max) const {
    return static_cast<int>(getLong(name, fallback, min, max));
  }
  double getDouble(const std::string& name, double fallback) const;
  const std::vector<std::string>& positional() const { return positional_; }

 private:
  std::map<std::string, std::string> values_;              // the first value of each option
  std::map<std::string, std::vector<std::string>> lists_;  // every value of each repeatable option
  std::set<std::string> flags_;
  std::vector<std::string> positional_;
};

}  // namespace lstmscope::cli
