// Corpus traces: documents recorded together, each exactly as if alone (a zero state at its first step);
// their boundaries kept in /documents; half-precision storage; damaged document tables refused.
#include <gtest/gtest.h>

#include <Eigen/Core>

#include "core/common/error.h"
#include "core/engine/forward.h"
#include "core/engine/record.h"
#include "core/formats/hdf5_storage_types.h"
#include "core/formats/trace_file.h"
#include "tests/support/test_models.h"

namespace lstmscope::test {
namespace {

// Documents of these lengths (an empty one among them), cut from one token stream.
const std::vector<long> kLengths = {7, 0, 1, 12, 5, 7, 3};

struct Corpus {
  Inputs<float> in;
  std::vector<int64_t> offsets{0};
  std::vector<std::string> names;
};

Corpus corpusFor(const Model& m) {
  Corpus c;
  long steps = 0;
  for (size_t d = 0; d < kLengths.size(); ++d) {
    steps += kLengths[d];
    c.offsets.push_back(steps);
    c.names.push_back("doc " + std::to_string(d));
  }
  c.in.steps = static_cast<int>(steps);
  if (m.arch.inputKind == InputKind::Tokens) {
    for (long t = 0; t < steps; ++t) c.in.tokens.push_back(static_cast<int32_t>((t * 7 + t / 3) % 7));
  } else {
    c.in.features = Mat<float>::NullaryExpr(m.arch.featureDim, steps,
                                            [](long r, long t) { return static_cast<float>(std::sin(0.7 * t + r)); });
  }
  return c;
}

std::string recordCorpus(const Model& m, const Corpus& c, const std::string& path, int batch, long chunk,
                         bool float16 = false) {
  TraceHeader header;
  header.modelName = "small", header.steps = c.in.steps, header.tokens = c.in.tokens, header.features = c.in.features;
  header.tokenText.assign(static_cast<size_t>(c.in.steps), "x");
  header.documentOffsets = c.offsets, header.documentNames = c.names, header.float16 = float16;
  RecordRequest req;
  req.documents.assign(c.offsets.begin(), c.offsets.end());
  req.documentBatch = batch;
  req.chunkSteps = chunk;
  TraceWriter writer(path, m.arch, m.headOutputs(), header, req);
  record(m, c.in, req, writer);
  writer.commit();
  return path;
}

// Document d alone, from a zero state.
Tape<float> alone(const Model& m, const Corpus& c, size_t d) {
  Inputs<float> part;
  const long start = c.offsets[d], n = c.offsets[d + 1] - start;
  part.steps = static_cast<int>(n);
  if (!c.in.tokens.empty()) part.tokens.assign(c.in.tokens.begin() + start, c.in.tokens.begin() + start + n);
  if (c.in.features.size()) part.features = c.in.features.middleCols(start, n);
  Tape<float> tape;
  forward(m, part, tape);
  return tape;
}

double maxDiff(const Mat<float>& a, const Mat<float>& b) {
  EXPECT_EQ(a.rows(), b.rows());
  EXPECT_EQ(a.cols(), b.cols());
  return a.size() == 0 ? 0.0 : static_cast<double>((a - b).cwiseAbs().maxCoeff());
}

TEST(CorpusTrace, EveryDocumentIsRecordedAsIfAlone) {
  ScratchDir dir("corpus");
  for (bool bidi : {false, true})
    for (int batch : {1, 2, 16})
      for (long chunk : {3L, 1024L}) {
        SCOPED_TRACE(std::string(bidi ? "bidirectional" : "forward") + ", batch " + std::to_string(batch) + ", chunk " +
                     std::to_string(chunk));
        const Model m = smallCharModel(2, bidi);
        const Corpus c = corpusFor(m);
        const TraceReader trace(recordCorpus(m, c, dir.file("t.h5"), batch, chunk));
        EXPECT_EQ(trace.documentOffsets(), c.offsets);
        EXPECT_EQ(trace.documentNames(), c.names);
        EXPECT_EQ(trace.documents(), static_cast<int>(kLengths.size()));
        for (size_t d = 0; d < kLengths.size(); ++d) {
          if (kLengths[d] == 0) continue;
          const Tape<float> tape = alone(m, c, d);
          const long start = c.offsets[d], n = kLengths[d];
          for (int l = 0; l < 2; ++l)
            for (int dir = 0; dir < (bidi ? 2 : 1); ++dir) {
              const auto& dt = tape.layers[l][dir];
              const long H = dt.h.rows();
              EXPECT_LE(maxDiff(trace.read(l, dir, Quantity::H, start, n), dt.h), 1e-6) << "document " << d;
              EXPECT_LE(maxDiff(trace.read(l, dir, Quantity::C, start, n), dt.c), 1e-6) << "document " << d;
              EXPECT_LE(maxDiff(trace.read(l, dir, Quantity::F, start, n), dt.gates.middleRows(H, H)), 1e-6);
            }
          EXPECT_LE(maxDiff(trace.logits().middleCols(start, n), tape.logits), 1e-5) << "document " << d;
        }
      }
}

// A head reading each document's final state gives one output row per document.
TEST(CorpusTrace, AFinalStatesHeadGivesOneRowPerDocument) {
  ScratchDir dir("corpus_final");
  const Model m = smallFeatureModel(3);
  ASSERT_EQ(m.arch.head->reads, HeadReads::FinalStates);
  const Corpus c = corpusFor(m);
  for (int batch : {1, 4}) {
    const TraceReader trace(recordCorpus(m, c, dir.file("f.h5"), batch, 4));
    const Mat<float> logits = trace.logits();
    ASSERT_EQ(logits.cols(), static_cast<long>(kLengths.size()));
    for (size_t d = 0; d < kLengths.size(); ++d) {
      if (kLengths[d] == 0) continue;
      EXPECT_LE(maxDiff(logits.col(static_cast<long>(d)), alone(m, c, d).logits), 1e-5) << "document " << d;
    }
  }
}

// float16 storage holds each float32 value rounded to the nearest half (ties to even), nothing else.
TEST(CorpusTrace, HalfPrecisionStoresTheRoundedValues) {
  ScratchDir dir("corpus_half");
  const Model m = smallCharModel(2, false);
  const Corpus c = corpusFor(m);
  const TraceReader full(recordCorpus(m, c, dir.file("f32.h5"), 2, 3));
  const TraceReader half(recordCorpus(m, c, dir.file("f16.h5"), 2, 3, true));
  for (Quantity q : {Quantity::I, Quantity::C, Quantity::H}) {
    const Mat<float> expected =
        full.read(1, 0, q, 0, full.steps()).unaryExpr([](float v) { return static_cast<float>(Eigen::half(v)); });
    EXPECT_EQ(half.read(1, 0, q, 0, half.steps()), expected) << quantityName(q);
  }
  EXPECT_EQ(half.probs(), full.probs().unaryExpr([](float v) { return static_cast<float>(Eigen::half(v)); }));
  uint16_t bits[3];
  const float values[3] = {1.0f / 3, 70000.0f, -0.0f};
  h5::floatsToHalf(values, 3, bits);
  EXPECT_EQ(bits[0], 0x3555);  // 0.33325195…, the nearest half
  EXPECT_EQ(bits[1], 0x7C00);  // beyond 65504: infinity
  EXPECT_EQ(bits[2], 0x8000);
}

// Bytes the datasets under `loc` take in the file (their chunks as stored), through every subgroup.
double storedBytes(hid_t loc, const std::string& file) {
  double total = 0;
  for (const std::string& name : h5::childNames(loc)) {
    H5O_info_t info;
    if (H5Oget_info_by_name(loc, name.c_str(), &info, H5P_DEFAULT) < 0) continue;
    if (info.type == H5O_TYPE_DATASET) {
      h5::Handle d = h5::openDataset(loc, name, file);
      total += static_cast<double>(H5Dget_storage_size(d.get()));
    } else if (info.type == H5O_TYPE_GROUP) {
      h5::Handle g = h5::openGroup(loc, name, file);
      total += storedBytes(g.get(), file);
    }
  }
  return total;
}

double storedBytes(const std::string& path, const char* group) {
  const h5::File file = h5::File::openReadOnly(path);
  h5::Handle g = h5::openGroup(file.id(), group, path);
  return storedBytes(g.get(), path);
}

// Half precision halves what the states and outputs of a trace cost on disk (the index, the unit
// summaries and the tokens stay as they are).
TEST(CorpusTrace, HalfPrecisionHalvesTheStates) {
  ScratchDir dir("corpus_size");
  const Model m = smallCharModel(2, false);
  Corpus c;
  c.in.steps = 8192;
  c.in.tokens.assign(8192, 2);
  for (int d = 1; d <= 8; ++d) c.offsets.push_back(1024 * d), c.names.push_back("d");
  const std::string half = dir.file("h.h5"), full = dir.file("f.h5");
  recordCorpus(m, c, half, 8, 256, true);
  recordCorpus(m, c, full, 8, 256, false);
  for (const char* group : {"layers", "outputs"}) {
    const double ratio = storedBytes(half, group) / storedBytes(full, group);
    EXPECT_DOUBLE_EQ(ratio, 0.5) << group;
  }
  const double file =
      static_cast<double>(std::filesystem::file_size(half)) / static_cast<double>(std::filesystem::file_size(full));
  EXPECT_GT(file, 0.45);
  EXPECT_LT(file, 0.65);  // the match index, the unit summaries and the tokens are not halved
}

// A damaged document table is refused, naming what is wrong.
TEST(CorpusTrace, DamagedDocumentTablesAreRefused) {
  ScratchDir dir("corpus_bad");
  const Model m = smallCharModel(1, false);
  const Corpus c = corpusFor(m);
  const long T = c.in.steps;
  const struct {
    std::vector<int64_t> offsets;
    size_t names;
    const char* message;
  } cases[] = {
      {{0, 9, 4, T}, 3, "documents/offsets are out of order: document 2 would start at step 9 and end at 4"},
      {{0, 9, T - 1}, 2, "documents/offsets must run from 0 to the trace's"},
      {{3, 9, T}, 2, "documents/offsets must run from 0"},
      {{0, T}, 3, "documents/names has 3 names for 1 documents"},
  };
  for (const auto& bad : cases) {
    const std::string path = recordCorpus(m, c, dir.file("bad.h5"), 2, 4);
    {
      h5::File f = h5::File::openReadWrite(path);
      H5Ldelete(f.id(), "documents", H5P_DEFAULT);
      h5::writeInt64s(f.id(), "documents/offsets", bad.offsets);
      h5::writeStrings(f.id(), "documents/names", std::vector<std::string>(bad.names, "d"));
    }
    try {
      TraceReader r(path);
      ADD_FAILURE() << "accepted; expected: " << bad.message;
    } catch (const InputError& e) {
      EXPECT_NE(std::string(e.what()).find(bad.message), std::string::npos) << e.what();
    }
  }
}

}  // namespace
}  // namespace lstmscope::test
