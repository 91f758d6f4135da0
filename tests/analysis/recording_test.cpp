// recordInMemory keeps exactly what the engine computes, and refuses what would not fit.
#include "core/analysis/recording.h"

#include <gtest/gtest.h>

#include <cstdlib>

#include "core/analysis/statistics.h"
#include "core/common/error.h"
#include "core/engine/forward.h"
#include "core/formats/native_model.h"

namespace lstmscope::test {
namespace {

Model brackets() {
  return loadNativeModel(std::string(LSTMSCOPE_SOURCE_DIR) + "/resources/fixtures/brackets_char.h5");
}

TEST(Recording, HoldsEveryQuantityOfTheForwardTape) {
  const Model model = brackets();
  const EncodedText text = encodeText(model.arch, "(()(()))\n((()))()\n", "test", 1000);
  long lastDone = 0;
  ProgressCallbacks callbacks;
  callbacks.progress = [&](long done, long) { lastDone = done; };
  const Recording r = recordInMemory(model, text, callbacks);
  ASSERT_EQ(r.steps, text.inputs.steps);
  EXPECT_EQ(lastDone, r.steps);
  EXPECT_EQ(r.tokens, text.surface);
  Tape<float> tape;
  forward(model, text.inputs, tape, ForwardOptions{});
  const int H = model.arch.layers[0].hidden;
  const auto& t = tape.layers[0][0];
  for (int g = 0; g < 4; ++g)
    EXPECT_EQ(r.values(0, 0, kRecordedQuantities[g]), t.gates.middleRows(g * H, H)) << "gate " << g;
  EXPECT_EQ(r.values(0, 0, Quantity::C), t.c);
  EXPECT_EQ(r.values(0, 0, Quantity::H), t.h);
  EXPECT_EQ(r.probs, tape.probs);
  EXPECT_TRUE(r.isLanguageModel());
}

TEST(Recording, RefusesEmptyText) {
  const Model model = brackets();
  EXPECT_THROW(encodeText(model.arch, "", "empty", 1000), InputError);
  EncodedText none;  // and a caller that skips encodeText is refused too
  EXPECT_THROW(recordInMemory(model, none), InputError);
}

TEST(Recording, RefusesWhatExceedsTheMemoryLimitAndSaysSo) {
  const Model model = brackets();
  const EncodedText text = encodeText(model.arch, std::string(5000, '('), "long", 10000);
  setenv("LSTMSCOPE_MEMORY_LIMIT_MB", "0.01", 1);
  try {
    recordInMemory(model, text);
    ADD_FAILURE() << "expected an InputError";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("memory limit"), std::string::npos) << e.what();
  }
  unsetenv("LSTMSCOPE_MEMORY_LIMIT_MB");
}

TEST(Recording, StopsWhenCancelled) {
  const Model model = brackets();
  const EncodedText text = encodeText(model.arch, std::string(3000, '('), "long", 10000);
  ProgressCallbacks callbacks;
  callbacks.cancelled = [] { return true; };
  EXPECT_THROW(recordInMemory(model, text, callbacks), Cancelled);
}

}  // namespace
}  // namespace lstmscope::test

namespace lstmscope::test {
namespace {

TEST(Recording, SaturationTableCoversEveryLayerGateAndDirection) {
  Recording r;
  r.arch.layers = {LayerSpec{2, false}, LayerSpec{1, true}};
  r.steps = 4;
  r.states.resize(2);
  r.states[0].resize(1);
  r.states[1].resize(2);
  for (auto& layer : r.states)
    for (auto& quantities : layer)
      for (Mat<float>& m : quantities) m = Mat<float>::Constant(layer.size() == 1 ? 2 : 1, 4, 0.5f);
  // Layer 1, backward, forget gate: 0.05 0.95 0.95 0.5 -> left 1/4, right 2/4.
  r.states[1][1][recordedIndex(Quantity::F)] << 0.05f, 0.95f, 0.95f, 0.5f;
  const SaturationTable table = gateSaturationTable(r);
  ASSERT_EQ(table.size(), 2u);
  ASSERT_EQ(table[0].size(), 3u);     // i, f, o
  ASSERT_EQ(table[1][1].size(), 2u);  // both directions
  EXPECT_EQ(table[0][0][0].size(), 2u);
  EXPECT_DOUBLE_EQ(table[1][1][1][0].left, 0.25);
  EXPECT_DOUBLE_EQ(table[1][1][1][0].right, 0.5);
  EXPECT_DOUBLE_EQ(table[1][1][0][0].left, 0);  // forward direction untouched
  EXPECT_DOUBLE_EQ(table[0][2][0][1].right, 0);
}

}  // namespace
}  // namespace lstmscope::test
