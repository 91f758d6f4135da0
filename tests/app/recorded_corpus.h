// A small corpus trace recorded by the test itself, for the app tests on traces: four documents (one
// empty) of a char model over "abc \n()", with a bracket-depth meta track.
#pragma once

#include <string>
#include <vector>

#include "core/formats/native_model.h"
#include "core/formats/trace_file.h"
#include "tests/support/test_models.h"

namespace lstmscope::test {

// Documents "alpha" (40 steps), "beta" (300), "gamma" (0) and "delta" (60) of a char model over "abc \n()".
inline const std::vector<int64_t> kOffsets = {0, 40, 340, 340, 400};
inline const std::vector<std::string> kNames = {"alpha", "beta", "gamma", "delta"};

struct Corpus {
  std::string model, trace;
};

inline Corpus recordCorpus(const ScratchDir& dir, bool storeModelPath = true,
                           const std::vector<Quantity>& quantities = {Quantity::I, Quantity::F, Quantity::G,
                                                                      Quantity::O, Quantity::C, Quantity::H}) {
  Corpus c{dir.file("model.h5"), dir.file("corpus.h5")};
  const Model m = smallCharModel();
  saveNativeModel(m, c.model);
  const std::string alphabet = "abc \n()";
  std::vector<int32_t> ids;
  std::vector<std::string> text;
  MetaTrack depth{"depth", "test", {}, {}};
  int open = 0;
  for (long t = 0; t < kOffsets.back(); ++t) {
    // Brackets nest and close, so that some cells track depth and runs of "on" are found.
    const int id = static_cast<int>((t % 11 < 3) ? 5 : (t % 11 > 8) ? 6 : (t * 7 + t / 5) % 5);
    ids.push_back(id);
    text.push_back(alphabet.substr(static_cast<size_t>(id), 1));
    open = std::max(0, open + (id == 5) - (id == 6));
    depth.values.push_back(static_cast<float>(open));
  }
  TraceHeader header = smallTraceHeader(kOffsets.back(), ids, text);
  header.documentOffsets = kOffsets;
  header.documentNames = kNames;
  header.meta = {depth};
  if (storeModelPath) header.modelPath = c.model;
  RecordRequest request;
  request.quantities = quantities;
  request.documents.assign(kOffsets.begin(), kOffsets.end());
  TraceWriter writer(c.trace, m.arch, m.headOutputs(), header, request);
  Inputs<float> in;
  in.steps = static_cast<int>(ids.size());
  in.tokens = ids;
  record(m, in, request, writer);
  writer.commit();
  return c;
}

}  // namespace lstmscope::test
