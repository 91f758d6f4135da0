// Windows of a trace as the app reads them: documents found by step, windows that never cross a document
// and fit a memory budget, and the values read equal to a recording of the document alone.
#include "core/analysis/trace_window.h"

#include <gtest/gtest.h>

#include "core/common/error.h"
#include "core/engine/record.h"
#include "tests/support/test_models.h"

namespace lstmscope::test {
namespace {

// Documents of 6, 0, 40 and 9 steps; token t's text is "t<t>" so that every window's text is checkable.
const std::vector<int64_t> kOffsets = {0, 6, 6, 46, 55};

std::vector<int32_t> corpusTokens() {
  std::vector<int32_t> ids;
  for (long t = 0; t < kOffsets.back(); ++t) ids.push_back(static_cast<int32_t>((t * 5 + t / 4) % 7));
  return ids;
}

std::string recordCorpus(const Model& m, const std::string& path, const std::vector<Quantity>& quantities) {
  const std::vector<int32_t> ids = corpusTokens();
  std::vector<std::string> text;
  for (size_t t = 0; t < ids.size(); ++t) text.push_back("t" + std::to_string(t));
  TraceHeader header = smallTraceHeader(kOffsets.back(), ids, text);
  header.documentOffsets = kOffsets;
  header.documentNames = {"first", "empty", "long", "last"};
  MetaTrack position{"position", "test", {}, {}};
  for (size_t t = 0; t < ids.size(); ++t) position.values.push_back(static_cast<float>(t) / 2);
  header.meta = {position};
  RecordRequest request;
  request.quantities = quantities;
  request.documents.assign(kOffsets.begin(), kOffsets.end());
  TraceWriter writer(path, m.arch, m.headOutputs(), header, request);
  Inputs<float> in;
  in.steps = static_cast<int>(ids.size());
  in.tokens = ids;
  record(m, in, request, writer);
  writer.commit();
  return path;
}

TEST(TraceWindow, FindsTheDocumentOfAStepSkippingEmptyOnes) {
  ScratchDir dir("window-docs");
  const Model m = smallCharModel();
  const TraceReader trace(recordCorpus(m, dir.file("t.h5"), {Quantity::C, Quantity::H}));
  EXPECT_EQ(documentOf(trace, 0), 0);
  EXPECT_EQ(documentOf(trace, 5), 0);
  EXPECT_EQ(documentOf(trace, 6), 2);  // document 1 is empty: step 6 is the long one's first
  EXPECT_EQ(documentOf(trace, 45), 2);
  EXPECT_EQ(documentOf(trace, 46), 3);
  EXPECT_EQ(documentOf(trace, 54), 3);
}

TEST(TraceWindow, AWindowIsTheWholeDocumentOrAStretchOfItThatNeverCrossesItsBorders) {
  ScratchDir dir("window-span");
  const Model m = smallCharModel();
  const TraceReader trace(recordCorpus(m, dir.file("t.h5"), {Quantity::C, Quantity::H}));
  const TraceWindow whole = windowAround(trace, 20, 100);
  EXPECT_EQ(whole.first, 6);
  EXPECT_EQ(whole.count, 40);
  EXPECT_EQ(whole.document, 2);
  // Longer than the budget: 16 steps starting a quarter before the step, clamped to the document.
  const TraceWindow middle = windowAround(trace, 30, 16);
  EXPECT_EQ(middle.first, 26);
  EXPECT_EQ(middle.count, 16);
  EXPECT_EQ(windowAround(trace, 7, 16).first, 6);
  EXPECT_EQ(windowAround(trace, 45, 16).first, 30);
  EXPECT_EQ(windowAround(trace, 45, 16).end(), 46);
  EXPECT_EQ(windowAround(trace, 1000, 16).document, 3);  // clamped to the last step
}

TEST(TraceWindow, ReadsTheSameValuesAsARecordingOfTheDocumentAlone) {
  ScratchDir dir("window-values");
  const Model m = smallCharModel(2, true);
  const TraceReader trace(recordCorpus(m, dir.file("t.h5"),
                                       {Quantity::I, Quantity::F, Quantity::G, Quantity::O, Quantity::C, Quantity::H}));
  EXPECT_EQ(modelMismatch(trace, m.arch), "");
  const TraceWindow window = windowAround(trace, 50, 100);  // the last document, steps 46..54
  const Recording r = readTraceWindow(trace, m.arch, window);
  ASSERT_EQ(r.steps, 9);
  EXPECT_EQ(r.tokens.front(), "t46");
  EXPECT_EQ(r.tokens.back(), "t54");
  const std::vector<int32_t> ids = corpusTokens();
  EXPECT_EQ(r.ids, std::vector<int32_t>(ids.begin() + 46, ids.end()));

  EncodedText alone;
  alone.inputs.steps = 9;
  alone.inputs.tokens = r.ids;
  alone.surface = r.tokens;
  const Recording expected = recordInMemory(m, alone);
  for (int l = 0; l < 2; ++l)
    for (int d = 0; d < 2; ++d)
      for (Quantity q : kRecordedQuantities) {
        ASSERT_TRUE(r.has(l, d, q));
        EXPECT_LT((r.values(l, d, q) - expected.values(l, d, q)).cwiseAbs().maxCoeff(), 1e-6)
            << l << " " << d << " " << quantityName(q);
      }
  ASSERT_EQ(r.probs.cols(), 9);
  EXPECT_LT((r.probs - expected.probs).cwiseAbs().maxCoeff(), 1e-6);
  EXPECT_TRUE(r.isLanguageModel());
}

TEST(TraceWindow, QuantitiesNotRecordedStayEmptyAndTheArchitectureComesFromTheTrace) {
  ScratchDir dir("window-subset");
  const Model m = smallCharModel();
  const TraceReader trace(recordCorpus(m, dir.file("t.h5"), {Quantity::C}));
  const Architecture arch = architectureOfTrace(trace);
  ASSERT_EQ(arch.layers.size(), 2u);
  EXPECT_EQ(arch.layers[1].hidden, 6);
  EXPECT_FALSE(arch.layers[0].bidirectional);
  const Recording r = readTraceWindow(trace, arch, windowAround(trace, 0, 100));
  EXPECT_TRUE(r.has(1, 0, Quantity::C));
  EXPECT_FALSE(r.has(1, 0, Quantity::H));
  EXPECT_FALSE(r.has(0, 0, Quantity::I));
  EXPECT_TRUE(r.ids.empty());  // no vocabulary to show them with
  EXPECT_FALSE(r.isLanguageModel());
}

TEST(TraceWindow, AModelOfAnotherShapeIsNamedAndWindowsOutsideTheTraceAreRefused) {
  ScratchDir dir("window-mismatch");
  const Model m = smallCharModel();
  const TraceReader trace(recordCorpus(m, dir.file("t.h5"), {Quantity::C}));
  EXPECT_NE(modelMismatch(trace, smallCharModel(3).arch).find("3 layer(s)"), std::string::npos);
  EXPECT_NE(modelMismatch(trace, smallCharModel(2, true).arch).find("fwd+bwd"), std::string::npos);
  EXPECT_THROW(readTraceWindow(trace, m.arch, {50, 10, 3}), InputError);
  EXPECT_THROW(readTraceWindow(trace, m.arch, {-1, 3, 0}), InputError);
  EXPECT_THROW(trace.tokenText(54, 2), InputError);
  EXPECT_EQ(trace.tokenText(54, 1), std::vector<std::string>{"t54"});
  EXPECT_TRUE(trace.tokenText(55, 0).empty());
}

TEST(TraceWindow, AMetaTrackIsReadAWindowAtATime) {
  ScratchDir dir("window-meta");
  const TraceReader trace(recordCorpus(smallCharModel(), dir.file("t.h5"), {Quantity::C}));
  const MetaTrack whole = trace.meta("position");
  const MetaTrack window = trace.meta("position", 20, 7);
  EXPECT_EQ(window.values, std::vector<float>(whole.values.begin() + 20, whole.values.begin() + 27));
  EXPECT_EQ(window.source, "test");
  EXPECT_THROW(trace.meta("position", 50, 6), InputError);
}

TEST(TraceWindow, TheBudgetCountsEveryRecordedValue) {
  ScratchDir dir("window-budget");
  const Model m = smallCharModel();
  const TraceReader all(recordCorpus(m, dir.file("all.h5"),
                                     {Quantity::I, Quantity::F, Quantity::G, Quantity::O, Quantity::C, Quantity::H}));
  const TraceReader cells(recordCorpus(m, dir.file("c.h5"), {Quantity::C}));
  // Per step: ids and text 24 B; 7 floats per unit (six quantities and tanh(c)) or 2 (c and tanh(c)) over
  // 5 + 6 units; 8 head outputs.
  EXPECT_EQ(windowStepBudget(all, 1e6), static_cast<long>(1e6 / (24 + 4 * (7 * 11 + 8))));
  EXPECT_EQ(windowStepBudget(cells, 1e6), static_cast<long>(1e6 / (24 + 4 * (2 * 11 + 8))));
}

}  // namespace
}  // namespace lstmscope::test
