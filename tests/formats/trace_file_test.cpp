// Trace files: what is read back equals what was recorded; windows read only their steps.
#include "core/formats/trace_file.h"

#include <gtest/gtest.h>

#include <fstream>
#include <functional>

#include "core/common/error.h"
#include "core/engine/forward.h"
#include "core/engine/record.h"
#include "core/formats/hdf5.h"
#include "core/formats/native_model.h"
#include "tests/support/test_models.h"

namespace lstmscope::test {
namespace {

TEST(TraceFile, ReadBackEqualsRecordedForEveryQuantityAndWindow) {
  ScratchDir dir("trace");
  for (bool bidi : {false, true}) {
    const Model m = smallCharModel(2, bidi);
    const TokenizedText tok = tokenize(m.arch.vocab, "ab (c) \n((a))b c a b  c\n", "test");
    Inputs<float> in;
    in.steps = static_cast<int>(tok.ids.size());
    in.tokens = tok.ids;
    TraceHeader header = smallTraceHeader(in.steps, tok.ids, tok.surface);
    RecordRequest req;
    req.chunkSteps = 5;
    req.quantities.push_back(Quantity::PreF);
    const std::string path = dir.file(bidi ? "bidi.h5" : "uni.h5");
    {
      TraceWriter writer(path, m.arch, m.headOutputs(), header, req);
      record(m, in, req, writer);
      writer.commit();
    }
    Tape<float> tape;
    forward(m, in, tape, {.keepPreactivations = true});
    const TraceReader trace(path);
    EXPECT_EQ(trace.steps(), in.steps);
    EXPECT_EQ(trace.layers(), 2);
    EXPECT_EQ(trace.tokens(), tok.ids);
    EXPECT_EQ(trace.tokenText(), tok.surface);
    for (int l = 0; l < 2; ++l)
      for (int d = 0; d < (bidi ? 2 : 1); ++d) {
        const auto& dt = tape.layers[l][d];
        const long H = dt.h.rows();
        EXPECT_EQ(trace.read(l, d, Quantity::H, 0, in.steps), dt.h);
        EXPECT_EQ(trace.read(l, d, Quantity::C, 0, in.steps), dt.c);
        EXPECT_EQ(trace.read(l, d, Quantity::I, 0, in.steps), dt.gates.topRows(H));
        EXPECT_EQ(trace.read(l, d, Quantity::O, 0, in.steps), dt.gates.bottomRows(H));
        EXPECT_EQ(trace.read(l, d, Quantity::PreF, 0, in.steps), dt.preact.middleRows(H, H));
        EXPECT_EQ(trace.read(l, d, Quantity::G, 3, 4), dt.gates.middleRows(2 * H, H).middleCols(3, 4));
      }
    EXPECT_EQ(trace.logits(), tape.logits);
    EXPECT_EQ(trace.probs(), tape.probs);
  }
}

TEST(TraceFile, CancelledRecordingLeavesNoFileAndKeepsTheOldOne) {
  ScratchDir dir("cancel");
  const Model m = smallCharModel();
  Inputs<float> in;
  in.steps = 40;
  in.tokens.assign(40, 1);
  TraceHeader header = smallTraceHeader(40, in.tokens, std::vector<std::string>(40, "b"));
  const std::string path = dir.file("t.h5");
  std::ofstream(path) << "previous";
  int checks = 0;
  ProgressCallbacks cancelling;
  cancelling.cancelled = [&] { return ++checks > 2; };
  RecordRequest req;
  req.chunkSteps = 8;
  {
    TraceWriter writer(path, m.arch, m.headOutputs(), header, req);
    EXPECT_THROW(record(m, in, req, writer, cancelling), Cancelled);
  }
  std::ifstream back(path);
  std::string content;
  back >> content;
  EXPECT_EQ(content, "previous");
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.file("")), std::filesystem::directory_iterator()), 1);
}

// Corpus mode: each segment is recorded as if it were run alone from a zero state.
TEST(TraceFile, SegmentedRecordingEqualsSeparateRuns) {
  ScratchDir dir("segments");
  const Model m = smallCharModel(2, false);
  const TokenizedText tok = tokenize(m.arch.vocab, "ab (c) \n((a))b c a b  c\nabc(", "test");
  Inputs<float> in;
  in.steps = static_cast<int>(tok.ids.size());
  ASSERT_EQ(in.steps, 28);  // 3 segments of 9 plus a remainder of 1
  in.tokens = tok.ids;
  for (long align : {1L, 5L}) {
    RecordRequest req;
    req.segments = 3;
    req.chunkSteps = 3;
    req.segmentAlign = align;
    const std::string path = dir.file("seg" + std::to_string(align) + ".h5");
    {
      TraceWriter writer(path, m.arch, m.headOutputs(), smallTraceHeader(in.steps, tok.ids, tok.surface), req);
      record(m, in, req, writer);
      writer.commit();
    }
    const TraceReader trace(path);
    // (start, length) of every segment: 3 x 9 + 1, or aligned 3 x 5, then the 13 left as 3 x 4 + 1.
    const std::vector<std::pair<long, long>> expected =
        align == 1 ? std::vector<std::pair<long, long>>{{0, 9}, {9, 9}, {18, 9}, {27, 1}}
                   : std::vector<std::pair<long, long>>{{0, 5}, {5, 5}, {10, 5}, {15, 4}, {19, 4}, {23, 4}, {27, 1}};
    for (const auto& [start, n] : expected) {
      Inputs<float> part;
      part.steps = static_cast<int>(n);
      part.tokens.assign(in.tokens.begin() + start, in.tokens.begin() + start + n);
      Tape<float> tape;
      forward(m, part, tape);
      EXPECT_LE((trace.read(1, 0, Quantity::H, start, n) - tape.layers[1][0].h).cwiseAbs().maxCoeff(), 1e-6) << start;
      EXPECT_LE((trace.read(0, 0, Quantity::C, start, n) - tape.layers[0][0].c).cwiseAbs().maxCoeff(), 1e-6) << start;
      EXPECT_LE((trace.logits().middleCols(start, n) - tape.logits).cwiseAbs().maxCoeff(), 1e-5) << start;
    }
  }
}

TEST(TraceFile, RefusesFilesThatAreNotTraces) {
  ScratchDir dir("nottrace");
  const std::string path = dir.file("m.h5");
  saveNativeModel(smallCharModel(), path);
  try {
    TraceReader r(path);
    FAIL() << "accepted a model file as a trace";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("not an LSTMScope trace file"), std::string::npos);
  }
  // Marked as a trace but holding nothing of one (a relabelled model, the attribute alone): info used to
  // show "an empty trace".
  const auto errorOf = [&](const std::string& file) {
    try {
      TraceReader r(file);
    } catch (const InputError& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  {
    h5::File f = h5::File::openReadWrite(path);
    h5::writeStringAttr(f.id(), "lstmscope_format", "trace");
  }
  EXPECT_NE(errorOf(path).find("is marked as a trace but records no layer"), std::string::npos) << errorOf(path);
  {
    h5::File f = h5::File::create(path);
    h5::writeStringAttr(f.id(), "lstmscope_format", "trace");
  }
  EXPECT_NE(errorOf(path).find("is marked as a trace but records no layer"), std::string::npos) << errorOf(path);
}

// Quantities of one layer that disagree on the steps or units are refused, naming the dataset.
TEST(TraceFile, RefusesQuantitiesOfDifferentShapes) {
  ScratchDir dir("shapes");
  const Model m = smallCharModel();
  const TokenizedText tok = tokenize(m.arch.vocab, "ab (c)", "test");
  const std::string path = dir.file("t.h5");
  RecordRequest request;
  {
    Inputs<float> in;
    in.steps = static_cast<int>(tok.ids.size());
    in.tokens = tok.ids;
    TraceHeader header = smallTraceHeader(in.steps, tok.ids, tok.surface);
    TraceWriter writer(path, m.arch, m.headOutputs(), header, request);
    record(m, in, request, writer);
    writer.commit();
  }
  EXPECT_EQ(TraceReader(path).steps(), 6);
  {
    h5::File f = h5::File::openReadWrite(path);
    H5Ldelete(f.id(), "layers/1/fwd/c", H5P_DEFAULT);
    const std::vector<float> v(6 * 4, 0.f);
    h5::writeFloats(f.id(), "layers/1/fwd/c", {6, 4}, v.data());
  }
  try {
    TraceReader r(path);
    FAIL() << "accepted quantities of different widths";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("layers/1/fwd/c has shape (6, 4) but the trace has 6 steps of 6 units"),
              std::string::npos)
        << e.what();
  }
}

// Recorded values are floating point: a trace whose states (or outputs) are stored as integers is a damaged
// or crafted file, and reading it says so instead of converting.
TEST(TraceFile, RefusesStatesStoredAsIntegers) {
  ScratchDir dir("ints");
  const Model m = smallCharModel(1);
  const TokenizedText tok = tokenize(m.arch.vocab, "ab (c)", "test");
  const std::string path = dir.file("t.h5");
  {
    Inputs<float> in;
    in.steps = static_cast<int>(tok.ids.size());
    in.tokens = tok.ids;
    TraceWriter writer(path, m.arch, m.headOutputs(), smallTraceHeader(in.steps, tok.ids, tok.surface),
                       RecordRequest{});
    record(m, in, RecordRequest{}, writer);
    writer.commit();
  }
  {
    h5::File f = h5::File::openReadWrite(path);
    for (const char* name : {"layers/0/fwd/h", "outputs/probs"}) {
      const auto dims = h5::datasetDims(h5::openDataset(f.id(), name, path).get());
      H5Ldelete(f.id(), name, H5P_DEFAULT);
      const hsize_t n = dims[0] * dims[1];
      h5::Handle space(H5Screate_simple(2, dims.data(), nullptr), H5Sclose);
      h5::Handle d(H5Dcreate2(f.id(), name, H5T_STD_I32LE, space.get(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                   H5Dclose);
      const std::vector<int32_t> zeros(n, 0);
      H5Dwrite(d.get(), H5T_NATIVE_INT32, H5S_ALL, H5S_ALL, H5P_DEFAULT, zeros.data());
    }
  }
  const TraceReader trace(path);
  EXPECT_NO_THROW(trace.read(0, 0, Quantity::C, 0, 6));
  for (const auto& read :
       std::vector<std::function<void()>>{[&] { trace.read(0, 0, Quantity::H, 0, 6); }, [&] { trace.probs(); }})
    try {
      read();
      ADD_FAILURE() << "integer values were read as states";
    } catch (const InputError& e) {
      EXPECT_NE(std::string(e.what()).find("holds 32-bit integers, not floating-point numbers"), std::string::npos)
          << e.what();
    }
}

}  // namespace
}  // namespace lstmscope::test
