// Replays every input the fuzzers found (tests/fuzz/regressions/<target>/) through the same target code,
// under the release and ASan builds: each must now be accepted or refused with InputError.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "tests/fuzz/cli_options_target.h"
#include "tests/fuzz/fuzz_targets.h"
#include "tests/fuzz/h5_layout_target.h"

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
  else if (target == "fuzz_wav")
    fuzz::wavTarget(bytes.data(), bytes.size());
  else if (target == "fuzz_csv")
    fuzz::csvTarget(bytes.data(), bytes.size());
  else if (target == "fuzz_trace")
    fuzz::traceFileTarget(bytes.data(), bytes.size());
  else if (target == "fuzz_h5_layout")
    fuzz::h5LayoutTarget(bytes.data(), bytes.size());
  else if (target == "fuzz_onnx_graph")
    fuzz::onnxGraphTarget(bytes.data(), bytes.size());
  else if (target == "fuzz_cli_options")
    fuzz::cliOptionsTarget(bytes.data(), bytes.size());
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

// The structure-aware HDF5 fuzzer builds what it means to: a weight rebuilt with external storage, as a
// virtual dataset or with a damaged float type, and the native reader refuses each by name.
TEST(FuzzTargets, TheHdf5LayoutFuzzerBuildsTheStorageItClaims) {
  using namespace fuzz::h5layout;
  const Templates& t = templates();
  std::string weight;
  for (const std::string& d : t.modelDatasets)
    if (d.size() >= 4 && d.compare(d.size() - 4, 4, "W_hh") == 0) weight = d;
  ASSERT_FALSE(weight.empty());
  const struct {
    std::vector<uint8_t> decisions;
    const char* refusal;
  } cases[] = {
      {{1, 1, 0, 4, 0}, "keeps its values in an external file"},             // same shape, float32 LE, external
      {{1, 1, 0, 5}, "is a virtual dataset"},                                // virtual, from the foreign file
      {{1, 4, 0, 31, 23, 7, 0, 22, 1, 0x7f, 0, 1, 1, 1, 1, 0}, "not IEEE"},  // float32 with bias 65663
      {{1, 5, 2, 1, 0, 1, 1, 0}, nullptr},                                   // int32 LE: read as numbers
  };
  for (const auto& c : cases) {
    const std::string work = t.dir + "/case.h5";
    fs::copy_file(t.model, work, fs::copy_options::overwrite_existing);
    Decisions in{c.decisions.data(), c.decisions.size()};
    rebuildDataset(work, weight, in, t);
    if (!c.refusal) {
      EXPECT_THROW(importModel(work), InputError) << "native weights stored as integers are refused";
      continue;
    }
    try {
      (void)importModel(work);
      ADD_FAILURE() << "accepted; expected: " << c.refusal;
    } catch (const InputError& e) {
      EXPECT_NE(std::string(e.what()).find(c.refusal), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("W_hh"), std::string::npos) << e.what();
    }
  }
}

}  // namespace
}  // namespace lstmscope::test
