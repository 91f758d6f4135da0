#include "app/cli/cli_args.h"

#include <cerrno>
#include <cstdlib>

namespace lstmscope::cli {

bool plainWholeNumber(const std::string& text, int& out) {
  if (text.empty() || text.size() > 9 || text.find_first_not_of("0123456789") != std::string::npos) return false;
  out = std::stoi(text);
  return true;
}

Args::Args(const std::vector<std::string>& argv, const std::set<std::string>& valued,
           const std::set<std::string>& flags, const std::set<std::string>& repeatable) {
  for (size_t i = 0; i < argv.size(); ++i) {
    const std::string& a = argv[i];
    if (a.rfind("--", 0) == 0 && a.size() > 2) {
      std::string name = a.substr(2), value;
      const size_t eq = name.find('=');
      const bool inlineValue = eq != std::string::npos;
      if (inlineValue) value = name.substr(eq + 1), name = name.substr(0, eq);
      if (valued.count(name) || repeatable.count(name)) {
        if (!inlineValue) {
          if (i + 1 >= argv.size()) throw UsageError("option --" + name + " needs a value");
          value = argv[++i];
        }
        lists_[name].push_back(value);
        // A second value would silently replace the first: say so instead.
        if (!values_.emplace(name, value).second && !repeatable.count(name))
          throw UsageError("--" + name + " is given twice");
      } else if (flags.count(name) && !inlineValue) {
        flags_.insert(name);
      } else {
        throw UsageError("unknown option --" + name);
      }
    } else {
      positional_.push_back(a);
    }
  }
}

std::vector<std::string> Args::all(const std::string& name) const {
  const auto it = lists_.find(name);
  return it == lists_.end() ? std::vector<std::string>() : it->second;
}

std::string Args::get(const std::string& name, const std::string& fallback) const {
  const auto it = values_.find(name);
  return it == values_.end() ? fallback : it->second;
}

std::string Args::require(const std::string& name) const {
  const auto it = values_.find(name);
  if (it == values_.end()) throw UsageError("missing required option --" + name);
  return it->second;
}

long Args::getLong(const std::string& name, long fallback) const {
  const auto it = values_.find(name);
  if (it == values_.end()) return fallback;
  char* end = nullptr;
  errno = 0;
  const long v = std::strtol(it->second.c_str(), &end, 10);
  if (it->second.empty() || *end || errno)
    throw UsageError("--" + name + " needs a whole number, not '" + it->second + "'");
  return v;
}

long Args::getLong(const std::string& name, long fallback, long min, long max) const {
  const long v = getLong(name, fallback);
  if (v < min || v > max)
    throw UsageError("--" + name + " must be " + std::to_string(min) + ".." + std::to_string(max) + ", not " +
                     std::to_string(v));
  return v;
}

double Args::getDouble(const std::string& name, double fallback) const {
  const auto it = values_.find(name);
  if (it == values_.end()) return fallback;
  char* end = nullptr;
  errno = 0;
  const double v = std::strtod(it->second.c_str(), &end);
  if (it->second.empty() || *end || errno) throw UsageError("--" + name + " needs a number, not '" + it->second + "'");
  return v;
}

}  // namespace lstmscope::cli
