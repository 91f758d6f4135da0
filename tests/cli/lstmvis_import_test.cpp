// LSTMVis projects read back as traces: a project written as LSTMVis's README shows one (cell states of two
// layers, the outputs of one, a dictionary, meta tracks), a project of our own export-lstmvis round-tripped,
// and a project with a missing file, a short meta track or a bad entry refused by name.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "core/common/error.h"
#include "core/formats/hdf5.h"
#include "core/formats/lstmvis_project.h"
#include "core/formats/native_model.h"
#include "core/formats/trace_file.h"
#include "tests/support/cli_runner.h"
#include "tests/support/test_models.h"

namespace lstmscope::test {
namespace {

constexpr long kSteps = 50;

// (cells, steps): the (steps, cells) rows of a dataset. Exact arithmetic, not libm: the values are compared
// for equality with a second evaluation, which the compiler may inline and fold differently.
Mat<float> matrix(int cells, float scale) {
  return Mat<float>::NullaryExpr(cells, kSteps, [scale](long u, long t) {
    return scale * static_cast<float>((u * 37 + t * 11) % 101 - 50) / 64.0f;
  });
}

void writeMatrix(hid_t file, const std::string& path, const Mat<float>& m) {
  h5::writeFloats(file, path, {static_cast<hsize_t>(m.cols()), static_cast<hsize_t>(m.rows())}, m.data());
}

void writeFile(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

// The README's project: states of layers 1 and 2, outputs of layer 2; plus two meta tracks.
std::string readmeProject(const ScratchDir& dir, long metaSteps = kSteps) {
  {
    h5::File states = h5::File::create(dir.file("states.hdf5"));
    writeMatrix(states.id(), "states1", matrix(4, 0.3f));
    writeMatrix(states.id(), "states2", matrix(6, 0.5f));
    writeMatrix(states.id(), "output2", matrix(6, 0.7f));
    states.flush();
    h5::File train = h5::File::create(dir.file("train.hdf5"));
    std::vector<int32_t> ids;
    for (long t = 0; t < kSteps; ++t) ids.push_back(static_cast<int32_t>(1 + t % 3));
    h5::writeInts(train.id(), "word_ids", ids);
    std::vector<int32_t> parts;
    std::vector<float> depth;
    for (long t = 0; t < metaSteps; ++t) parts.push_back(static_cast<int32_t>(t % 2)), depth.push_back(t / 10.0f);
    h5::writeInts(train.id(), "pos", parts);
    h5::writeFloats(train.id(), "depth", {depth.size()}, depth.data());
    train.flush();
  }
  writeFile(dir.file("train.dict"), "the 1\ncat 2\n 3\n");
  writeFile(dir.file("pos.dict"), "NOUN 0\nVERB 1\n");
  writeFile(dir.file("lstm.yml"), R"(name: children books  # project name
description: children book texts from the Gutenberg project
files:
  states: states.hdf5
  train: train.hdf5
  words: train.dict
  pos: pos.dict
word_sequence:
  file: train
  path: word_ids
  dict_file: words
states:
  file: states
  types: [
        {type: state, layer: 1, path: states1},
        {type: state, layer: 2, path: states2},
        {type: output, layer: 2, path: output2}
  ]
meta:
  part_of_speech:
    file: train
    path: pos
    dict: pos
    vis: {type: discrete, range: dict}
  depth:
    file: train
    path: depth
    vis: {type: scalar, range: 0...5}
)");
  return dir.file("lstm.yml");
}

TEST(LstmvisImport, TheReadmesProjectBecomesATraceWithTheSameNumbers) {
  ScratchDir dir("lstmvis-readme");
  const LstmvisProject project = readLstmvisProject(readmeProject(dir));
  EXPECT_EQ(project.name, "children books");
  ASSERT_EQ(project.states.size(), 3u);
  EXPECT_EQ(project.states[0].layerIndex, 0);
  EXPECT_EQ(project.states[2].layerIndex, 1);
  EXPECT_EQ(project.states[2].quantity, Quantity::H);
  convertLstmvisProject(project, dir.file("t.h5"));
  const TraceReader trace(dir.file("t.h5"));
  EXPECT_EQ(trace.steps(), kSteps);
  ASSERT_EQ(trace.layers(), 2);
  EXPECT_EQ(trace.units(0), 4);
  EXPECT_EQ(trace.units(1), 6);
  EXPECT_TRUE(trace.has(0, 0, Quantity::C));
  EXPECT_FALSE(trace.has(0, 0, Quantity::H));  // only layer 2 has outputs
  EXPECT_TRUE(trace.has(1, 0, Quantity::H));
  EXPECT_EQ(trace.read(0, 0, Quantity::C, 0, kSteps), matrix(4, 0.3f));
  EXPECT_EQ(trace.read(1, 0, Quantity::C, 0, kSteps), matrix(6, 0.5f));
  EXPECT_EQ(trace.read(1, 0, Quantity::H, 0, kSteps), matrix(6, 0.7f));
  EXPECT_EQ(trace.tokenText(0, 3), (std::vector<std::string>{"the", "cat", " "}));
  const MetaTrack pos = trace.meta("part_of_speech");
  EXPECT_EQ(pos.categories, (std::vector<std::string>{"NOUN", "VERB"}));
  EXPECT_EQ(pos.values[3], 1.0f);
  EXPECT_FLOAT_EQ(trace.meta("depth").values[25], 2.5f);
  EXPECT_TRUE(trace.hasOnIndex(1, 0, Quantity::C));  // the match index comes with the conversion
}

TEST(LstmvisImport, OurOwnExportRoundTrips) {
  ScratchDir dir("lstmvis-roundtrip");
  const std::string model = dir.file("m.h5"), text = dir.file("t.txt"), trace = dir.file("t.h5");
  saveNativeModel(smallCharModel(2, true), model);
  writeFile(text, "ab (c)\n\tab  ca\n");
  ASSERT_EQ(
      runCli("record --model " + model + " --text-file " + text + " --meta depth=builtin:bracket-depth --out " + trace)
          .exitCode,
      0);
  ASSERT_EQ(runCli("export-lstmvis --trace " + trace + " --out " + dir.file("project")).exitCode, 0);
  convertLstmvisProject(readLstmvisProject(dir.file("project/lstm.yml")), dir.file("back.h5"));
  const TraceReader original(trace), back(dir.file("back.h5"));
  ASSERT_EQ(back.layers(), 2);
  EXPECT_EQ(back.directions(1), 2);
  EXPECT_EQ(back.tokenText(), original.tokenText());  // newline, tab and space tokens included
  for (int l = 0; l < 2; ++l)
    for (int d = 0; d < 2; ++d)
      for (Quantity q : {Quantity::I, Quantity::F, Quantity::G, Quantity::O, Quantity::C, Quantity::H})
        EXPECT_EQ(back.read(l, d, q, 0, back.steps()), original.read(l, d, q, 0, original.steps()));
  EXPECT_EQ(back.meta("depth").values, original.meta("depth").values);
}

TEST(LstmvisImport, BadProjectsAreRefusedByName) {
  ScratchDir dir("lstmvis-bad");
  const std::string yml = readmeProject(dir);
  const auto refusal = [&](const std::function<void()>& act) {
    try {
      act();
    } catch (const InputError& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  std::filesystem::rename(dir.file("pos.dict"), dir.file("gone.dict"));
  EXPECT_TRUE(contains(refusal([&] { readLstmvisProject(yml); }), "pos.dict"))
      << refusal([&] { readLstmvisProject(yml); });
  std::filesystem::rename(dir.file("gone.dict"), dir.file("pos.dict"));

  ScratchDir shortMeta("lstmvis-short-meta");
  const std::string yml2 = readmeProject(shortMeta, kSteps - 1);
  const std::string why = refusal([&] { convertLstmvisProject(readLstmvisProject(yml2), shortMeta.file("t.h5")); });
  EXPECT_TRUE(contains(why, "train.hdf5") && contains(why, "49 values for 50 steps")) << why;
  EXPECT_FALSE(std::filesystem::exists(shortMeta.file("t.h5")));

  writeFile(dir.file("lstm.yml"), "name: [unclosed\n");
  EXPECT_TRUE(contains(refusal([&] { readLstmvisProject(yml); }), "not valid YAML"));
  writeFile(dir.file("lstm.yml"),
            "files: {states: states.hdf5, train: train.hdf5, words: train.dict}\n"
            "word_sequence: {file: train, path: word_ids, dict_file: words}\n"
            "states: {file: states, types: [{type: attention, layer: 1, path: states1}]}\n");
  EXPECT_TRUE(contains(refusal([&] { readLstmvisProject(yml); }), "'attention' is not one LSTMScope knows"));
  EXPECT_TRUE(contains(refusal([&] { readLstmvisProject(dir.file("missing.yml")); }), "missing.yml"));
}

}  // namespace
}  // namespace lstmscope::test
