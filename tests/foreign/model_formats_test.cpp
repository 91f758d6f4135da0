// The table of model formats: every format's sniff against every other format's fixtures, so that exactly
// one entry claims each file whatever the order of the table, and files that are no model are claimed by
// no foreign format.
#include "core/formats/model_formats.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "core/common/error.h"
#include "core/engine/record.h"
#include "core/formats/foreign/onnx_file.h"
#include "core/formats/model_loader.h"
#include "core/formats/native_model.h"
#include "core/formats/trace_file.h"
#include "tests/support/test_models.h"

namespace lstmscope::test {
namespace {

namespace fs = std::filesystem;

std::string foreign(const std::string& name) {
  return std::string(LSTMSCOPE_FOREIGN_DIR) + "/" + name;
}

std::string committed(const std::string& name) {
  return std::string(LSTMSCOPE_SOURCE_DIR) + "/resources/" + name;
}

struct Fixture {
  std::string format, path;
};

// Each format's fixtures: generated under the build directory by the foreign_generate_* tests, and the
// native models committed under resources/.
const std::vector<Fixture>& fixtures() {
  static const std::vector<Fixture> kFixtures = {
      {"LSTMScope model", committed("fixtures/brackets_char.h5")},
      {"LSTMScope model", committed("demo/python_char.h5")},
      {"Keras HDF5", foreign("keras/tfkeras_lm.h5")},
      {"Keras HDF5", foreign("keras/tfkeras_lm_weights.h5")},
      {"Keras HDF5", foreign("keras/functional_classifier.h5")},
      {"Keras HDF5", foreign("keras/forecaster.h5")},
      {"Keras HDF5", foreign("keras/keras1_lm.h5")},
      {"Keras HDF5", foreign("keras/cudnn_tagger.h5")},
      {"Keras HDF5", foreign("keras/keras3_lm.h5")},
      {"Keras 3 weights (.weights.h5)", foreign("keras/keras3_classifier.weights.h5")},
      {"Keras 3 archive (.keras)", foreign("keras/keras3_archive.keras")},
      {"TensorFlow.js layers model", foreign("keras/tfjs_lm/model.json")},
      {"TensorFlow.js layers model", foreign("keras/tfjs_quantized/model.json")},
      {"PyTorch checkpoint (zip)", foreign("torch/char_lm.pt")},
      {"PyTorch checkpoint (zip)", foreign("torch/bi_classifier_whole.pt")},
      {"PyTorch checkpoint (zip)", foreign("torch/forecaster_checkpoint.pth")},
      {"PyTorch checkpoint (zip)", foreign("torch/hostile/truncated.pt")},  // damaged: the reader explains
      {"PyTorch checkpoint (legacy)", foreign("torch/char_lm_legacy.pt")},
      {"PyTorch checkpoint (legacy)", foreign("torch/bi_classifier_legacy.pt")},
      {"safetensors", foreign("torch/char_lm.safetensors")},
      {"safetensors", foreign("torch/bi_classifier_f16.safetensors")},
      {"ONNX", foreign("onnx/torch_char_lm.onnx")},
      {"ONNX", foreign("onnx/torch_bi_classifier.onnx")},
      {"ONNX", foreign("onnx/node_peepholes_clip_hard_sigmoid.onnx")},
      {"ONNX", foreign("onnx/hostile/truncated.onnx")},  // by its name: the ONNX reader explains
  };
  return kFixtures;
}

std::vector<std::string> claimants(const std::string& path) {
  std::vector<std::string> names;
  for (const ModelFormat& format : modelFormats())
    if (format.sniff(path)) names.emplace_back(format.name);
  return names;
}

TEST(ModelFormatTable, ExactlyOneFormatClaimsEachFixture) {
  for (const Fixture& f : fixtures()) {
    ASSERT_TRUE(fs::exists(f.path)) << f.path;
    EXPECT_EQ(claimants(f.path), std::vector<std::string>{f.format}) << f.path;
    const ModelFormat* sniffed = sniffModelFormat(f.path);
    ASSERT_NE(sniffed, nullptr) << f.path;
    EXPECT_EQ(sniffed->name, f.format) << f.path;
    EXPECT_EQ(isForeignModel(f.path), sniffed->foreign) << f.path;
  }
}

TEST(ModelFormatTable, EveryFormatHasFixturesAndAUniqueName) {
  std::set<std::string> withFixtures, names;
  for (const Fixture& f : fixtures()) withFixtures.insert(f.format);
  for (const ModelFormat& format : modelFormats()) {
    EXPECT_TRUE(names.emplace(format.name).second) << format.name << " is in the table twice";
    EXPECT_TRUE(withFixtures.count(std::string(format.name))) << format.name << " has no fixture in this test";
  }
  EXPECT_EQ(withFixtures, names);
}

// Beyond the chosen fixtures: no generated file (models, references, vocabularies, shards, hostile files)
// is claimed by two formats.
TEST(ModelFormatTable, NoGeneratedFileIsClaimedTwice) {
  int files = 0;
  for (const auto& entry : fs::recursive_directory_iterator(LSTMSCOPE_FOREIGN_DIR)) {
    if (!entry.is_regular_file()) continue;
    EXPECT_LE(claimants(entry.path().string()).size(), 1u) << entry.path();
    ++files;
  }
  EXPECT_GT(files, 100);
}

// Content, not the name: an ONNX file without its extension is still ONNX.
TEST(ModelFormatTable, OnnxIsRecognisedByContent) {
  for (const auto& entry : fs::directory_iterator(foreign("onnx"))) {
    if (entry.path().extension() != ".onnx") continue;
    EXPECT_TRUE(looksLikeOnnx(entry.path().string())) << entry.path();
  }
  ScratchDir dir("formats-onnx");
  const std::string renamed = dir.file("model.bin");
  fs::copy_file(foreign("onnx/torch_char_lm.onnx"), renamed);
  EXPECT_EQ(claimants(renamed), std::vector<std::string>{"ONNX"});
  EXPECT_NO_THROW(importModel(renamed));
}

TEST(ModelFormatTable, TextEmptyAndTraceFilesAreNoForeignModel) {
  ScratchDir dir("formats-none");
  const std::string text = dir.file("notes.txt"), empty = dir.file("empty.pt"), json = dir.file("config.json");
  std::ofstream(text) << "def f(x):\n    return x  # not a model\n";
  std::ofstream{empty};
  std::ofstream(json) << R"({"format": "layers-model", "weightsManifest": []})";
  for (const std::string& path : {text, empty, json, foreign("torch/char_lm.vocab.json")}) {
    EXPECT_EQ(claimants(path), std::vector<std::string>{}) << path;
    EXPECT_FALSE(isForeignModel(path)) << path;
  }

  // A trace is LSTMScope's own HDF5 file with a top-level "layers" group, as Keras 3 weights files have.
  const Model m = smallCharModel();
  const TokenizedText tok = tokenize(m.arch.vocab, "ab (c)\n", "test");
  Inputs<float> in;
  in.steps = static_cast<int>(tok.ids.size());
  in.tokens = tok.ids;
  const std::string trace = dir.file("trace.h5");
  {
    TraceWriter writer(trace, m.arch, m.headOutputs(), smallTraceHeader(in.steps, tok.ids, tok.surface), {});
    record(m, in, RecordRequest{}, writer);
    writer.commit();
  }
  ASSERT_TRUE(isTraceFile(trace));
  EXPECT_EQ(claimants(trace), std::vector<std::string>{"LSTMScope model"});
  EXPECT_FALSE(isForeignModel(trace));
}

// A model file a clone left as its Git LFS pointer is named as one, whatever its extension says.
TEST(ModelFormatTable, GitLfsPointersAreNamed) {
  ScratchDir dir("formats-lfs");
  for (const char* name : {"model.h5", "model.onnx", "model.pt", "model.keras"}) {
    const std::string path = dir.file(name);
    std::ofstream(path) << "version https://git-lfs.github.com/spec/v1\noid sha256:4d7a\nsize 1048576\n";
    try {
      importModel(path);
      ADD_FAILURE() << name << " opened";
    } catch (const InputError& e) {
      EXPECT_NE(std::string(e.what()).find(path + ": is a Git LFS pointer, not the model itself"), std::string::npos)
          << e.what();
    }
  }
}

// The TF.js sniff reads a prefix only: a file that starts like a model.json is TF.js's, and its reader
// refuses what follows with an InputError.
TEST(ModelFormatTable, TfjsSniffReadsAPrefixAndTheReaderExplainsTheRest) {
  ScratchDir dir("formats-tfjs");
  const std::string broken = dir.file("model.json"), nested = dir.file("nested.json");
  {
    std::ofstream out(broken);
    out << R"({"format": "layers-model", "modelTopology": {"class_name": "Sequential", "config": [)";
    out << std::string(1 << 20, ' ') << "oops";
  }
  std::ofstream(nested) << R"({"metadata": {"modelTopology": {}}, "weightsManifest": []})";
  for (const std::string& path : {broken, nested}) {
    EXPECT_EQ(claimants(path), std::vector<std::string>{"TensorFlow.js layers model"}) << path;
    EXPECT_THROW(importModel(path), InputError) << path;
  }
}

}  // namespace
}  // namespace lstmscope::test
