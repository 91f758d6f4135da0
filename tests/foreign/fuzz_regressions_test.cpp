// Replays every input the fuzzers found (tests/fuzz/regressions/<target>/) through the same target code,
// under the release and ASan builds: each must now be accepted or refused with InputError.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "tests/fuzz/fuzz_targets.h"

namespace lstmscope::test {
namespace {

namespace fs = std::filesystem;

void replay(const std::string& target, const std::vector<uint8_t>& bytes) {
  if (target == "fuzz_pickle")
    fuzz::pickleTarget(bytes.data(), bytes.size());
  else if (target == "fuzz_vocabulary")
    fuzz::vocabularyTarget(bytes.data(), bytes.size());
  else if (target == "fuzz_keras_config")
    fuzz::kerasConfigTarget(bytes.data(), bytes.size());
  else if (target == "fuzz_csv")
    fuzz::csvTarget(bytes.data(), bytes.size());
  else
    fuzz::modelFileTarget(target.substr(5), bytes.data(), bytes.size());  // fuzz_<format>
}

TEST(FuzzRegressions, EveryFindingIsNowHandled) {
  const fs::path root = fs::path(LSTMSCOPE_SOURCE_DIR) / "tests/fuzz/regressions";
  int replayed = 0;
  for (const auto& dir : fs::directory_iterator(root)) {
    if (!dir.is_directory()) continue;
    for (const auto& file : fs::directory_iterator(dir.path())) {
      std::ifstream in(file.path(), std::ios::binary);
      const std::vector<uint8_t> bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
      SCOPED_TRACE(file.path().string());
      EXPECT_NO_THROW(replay(dir.path().filename().string(), bytes));
      ++replayed;
    }
  }
  EXPECT_GT(replayed, 0) << "no findings under " << root;
}

}  // namespace
}  // namespace lstmscope::test
