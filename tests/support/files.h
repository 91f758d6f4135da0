// Reading back what a command or a test wrote.
#pragma once

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

namespace lstmscope::test {

// The whole file as bytes; empty when it cannot be read.
inline std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The JSON document in `path` (Json = nlohmann::ordered_json keeps the keys in the file's order). Text that
// is not JSON fails the test, quoting it, and gives a discarded value.
template <class Json = nlohmann::json>
Json readJson(const std::string& path) {
  const std::string text = slurp(path);
  Json json = Json::parse(text, nullptr, false);
  EXPECT_FALSE(json.is_discarded()) << path << ": " << text;
  return json;
}

}  // namespace lstmscope::test
