// The native model file: round trips and clear errors for every kind of bad file.
#include "core/formats/native_model.h"

#include <gtest/gtest.h>

#include <fstream>
#include <functional>
#include <iterator>

#include "core/common/error.h"
#include "core/formats/hdf5.h"
#include "tests/support/test_models.h"

namespace lstmscope::test {
namespace {

std::string readBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Runs `body`, expects an InputError, and returns its message.
template <class F>
std::string inputErrorOf(F body) {
  try {
    body();
  } catch (const InputError& e) {
    return e.what();
  }
  ADD_FAILURE() << "no InputError was thrown";
  return {};
}

TEST(NativeModel, SaveLoadSaveIsByteForByteStable) {
  ScratchDir dir("roundtrip");
  for (bool bidi : {false, true}) {
    Model m = smallCharModel(2, bidi);
    m.arch.head->labels = {};
    saveNativeModel(m, dir.file("a.h5"));
    const Model loaded = loadNativeModel(dir.file("a.h5"));
    saveNativeModel(loaded, dir.file("b.h5"));
    EXPECT_EQ(readBytes(dir.file("a.h5")), readBytes(dir.file("b.h5")));
    // And the values themselves survived.
    std::vector<Mat<float>> before, after;
    m.params.forEachTensor([&](const auto& x) { before.emplace_back(x); });
    loaded.params.forEachTensor([&](const auto& x) { after.emplace_back(x); });
    ASSERT_EQ(before.size(), after.size());
    for (size_t k = 0; k < before.size(); ++k) EXPECT_EQ(before[k], after[k]);
    EXPECT_EQ(loaded.arch.vocab.tokens(), m.arch.vocab.tokens());
    EXPECT_EQ(loaded.arch.vocab.unk(), "<unk>");
    EXPECT_EQ(loaded.arch.layers[1].bidirectional, bidi);
  }
}

TEST(NativeModel, KeepsActivationsHeadLayersAndLabels) {
  ScratchDir dir("attrs");
  Architecture a;
  a.name = "features classifier";
  a.task = Task::Classifier;
  a.inputKind = InputKind::Features;
  a.featureDim = 3;
  a.layers = {{4, true, GateActivation::HardSigmoidKeras3, CellActivation::Relu}};
  a.head = HeadSpec{{DenseActivation::Relu}, HeadActivation::Sigmoid, HeadReads::FinalStates, {"no", "yes"}, {}, 0};
  const Model m = initialiseModel(a, {0, {6}, 2}, 3);
  saveNativeModel(m, dir.file("c.h5"));
  const Model b = loadNativeModel(dir.file("c.h5"));
  EXPECT_EQ(b.arch.task, Task::Classifier);
  EXPECT_EQ(b.arch.featureDim, 3);
  EXPECT_EQ(b.arch.layers[0].gate, GateActivation::HardSigmoidKeras3);
  EXPECT_EQ(b.arch.layers[0].cell, CellActivation::Relu);
  EXPECT_EQ(b.arch.head->reads, HeadReads::FinalStates);
  EXPECT_EQ(b.arch.head->activation, HeadActivation::Sigmoid);
  EXPECT_EQ(b.arch.head->preActivations, std::vector<DenseActivation>{DenseActivation::Relu});
  EXPECT_EQ(b.arch.head->labels, (std::vector<std::string>{"no", "yes"}));
  EXPECT_EQ(b.params.headPre[0].weight, m.params.headPre[0].weight);
}

// Writes a valid model, then damages it with `edit` (on the open HDF5 file).
template <class Edit>
std::string damaged(const ScratchDir& dir, Edit edit) {
  const std::string path = dir.file("bad.h5");
  saveNativeModel(smallCharModel(), path);
  {
    h5::File f = h5::File::openReadWrite(path);
    edit(f.id());
  }
  return path;
}

TEST(NativeModel, MissingDatasetIsNamed) {
  ScratchDir dir("missing");
  const std::string path = damaged(dir, [](hid_t f) { H5Ldelete(f, "lstm/1/fwd/W_hh", H5P_DEFAULT); });
  const std::string msg = inputErrorOf([&] { loadNativeModel(path); });
  EXPECT_NE(msg.find(path), std::string::npos) << msg;
  EXPECT_NE(msg.find("lstm/1/fwd/W_hh"), std::string::npos) << msg;
}

TEST(NativeModel, WrongShapeIsNamed) {
  ScratchDir dir("shape");
  const std::string path = damaged(dir, [](hid_t f) {
    H5Ldelete(f, "lstm/0/fwd/b_ih", H5P_DEFAULT);
    const std::vector<float> v(7, 0.f);
    h5::writeFloats(f, "lstm/0/fwd/b_ih", {7}, v.data());
  });
  const std::string msg = inputErrorOf([&] { loadNativeModel(path); });
  EXPECT_NE(msg.find("lstm/0/fwd/b_ih has shape (7, 1)"), std::string::npos) << msg;
}

TEST(NativeModel, NaNWeightsAreRefused) {
  ScratchDir dir("nan");
  const std::string path = damaged(dir, [](hid_t f) {
    H5Ldelete(f, "head/bias", H5P_DEFAULT);
    std::vector<float> v(8, 0.f);
    v[3] = NAN;
    h5::writeFloats(f, "head/bias", {8}, v.data());
  });
  const std::string msg = inputErrorOf([&] { loadNativeModel(path); });
  EXPECT_NE(msg.find("head/bias contains 1 NaN or infinite value(s)"), std::string::npos) << msg;
}

TEST(NativeModel, UnknownAttributeValuesAreNamed) {
  ScratchDir dir("attr");
  std::string path = damaged(dir, [](hid_t f) {
    h5::Handle g = h5::openGroup(f, "lstm/1", "x");
    h5::writeStringAttr(g.get(), "gate_activation", "swish");
  });
  std::string msg = inputErrorOf([&] { loadNativeModel(path); });
  EXPECT_NE(msg.find("unknown gate_activation 'swish' on /lstm/1"), std::string::npos) << msg;
  path = damaged(dir, [](hid_t f) {
    h5::Handle g = h5::openGroup(f, "input", "x");
    h5::writeStringAttr(g.get(), "kind", "images");
  });
  msg = inputErrorOf([&] { loadNativeModel(path); });
  EXPECT_NE(msg.find("unknown input kind 'images'"), std::string::npos) << msg;
  path = damaged(dir, [](hid_t f) { h5::writeIntAttr(f, "lstmscope_version", 7); });
  msg = inputErrorOf([&] { loadNativeModel(path); });
  EXPECT_NE(msg.find("unsupported lstmscope_version 7"), std::string::npos) << msg;
}

// A crafted file must not make a read fetch other files' bytes (external storage, a virtual dataset), run
// a filter plugin, or silently turn weights into zeros through a corrupted float type; each is refused
// naming the dataset, whatever reader asks (the checks sit in h5::openDataset and the number readers).
std::string replacedBy(const ScratchDir& dir, const char* dataset, hid_t type, hid_t dcpl) {
  return damaged(dir, [&](hid_t f) {
    const hsize_t dims[1] = {8};
    H5Ldelete(f, dataset, H5P_DEFAULT);
    h5::Handle space(H5Screate_simple(1, dims, nullptr), H5Sclose);
    h5::Handle d(H5Dcreate2(f, dataset, type, space.get(), H5P_DEFAULT, dcpl, H5P_DEFAULT), H5Dclose);
    ASSERT_TRUE(d.valid());
    const std::vector<float> v(8, 0.5f);
    if (H5Pget_layout(dcpl) != H5D_VIRTUAL && H5Pget_external_count(dcpl) == 0)
      H5Dwrite(d.get(), H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data());
  });
}

TEST(NativeModel, ExternalStorageAndVirtualDatasetsAreRefused) {
  ScratchDir dir("external");
  const std::string secret = dir.file("secret.bin");
  std::ofstream(secret) << "0123456789abcdef0123456789abcdef";
  h5::Handle external(H5Pcreate(H5P_DATASET_CREATE), H5Pclose);
  H5Pset_external(external.get(), secret.c_str(), 0, 32);
  std::string msg =
      inputErrorOf([&] { loadNativeModel(replacedBy(dir, "head/bias", H5T_IEEE_F32LE, external.get())); });
  EXPECT_NE(msg.find("head/bias keeps its values in an external file"), std::string::npos) << msg;

  // A virtual dataset whose values come from another file's dataset.
  const std::string other = dir.file("other.h5");
  saveNativeModel(smallCharModel(), other);
  h5::Handle virt(H5Pcreate(H5P_DATASET_CREATE), H5Pclose);
  const hsize_t dims[1] = {8};
  h5::Handle space(H5Screate_simple(1, dims, nullptr), H5Sclose);
  H5Pset_virtual(virt.get(), space.get(), other.c_str(), "/head/bias", space.get());
  msg = inputErrorOf([&] { loadNativeModel(replacedBy(dir, "head/bias", H5T_IEEE_F32LE, virt.get())); });
  EXPECT_NE(msg.find("head/bias is a virtual dataset"), std::string::npos) << msg;
}

// Links are followed only when hard: an external link reads another file (or blocks on a FIFO), and a
// soft link can lead to one.
TEST(NativeModel, ExternalAndSoftLinksAreRefused) {
  ScratchDir dir("links");
  const std::string other = dir.file("other.h5");
  saveNativeModel(smallCharModel(), other);
  std::string path = damaged(dir, [&](hid_t f) {
    H5Ldelete(f, "head/bias", H5P_DEFAULT);
    H5Lcreate_external(other.c_str(), "/head/bias", f, "head/bias", H5P_DEFAULT, H5P_DEFAULT);
  });
  std::string msg = inputErrorOf([&] { loadNativeModel(path); });
  EXPECT_NE(msg.find("head/bias is a link to another file: refused"), std::string::npos) << msg;
  path = damaged(dir, [&](hid_t f) {
    H5Ldelete(f, "head/bias", H5P_DEFAULT);
    H5Lcreate_soft("/lstm/0/fwd/b_ih", f, "head/bias", H5P_DEFAULT, H5P_DEFAULT);
  });
  msg = inputErrorOf([&] { loadNativeModel(path); });
  EXPECT_NE(msg.find("head/bias is a soft or user-defined link: refused"), std::string::npos) << msg;
}

TEST(NativeModel, UnknownFiltersAndCorruptedFloatTypesAreRefused) {
  ScratchDir dir("filters");
  // LZF (h5py's filter 32000) is not built into libhdf5: reading would look for a plugin.
  h5::Handle lzf(H5Pcreate(H5P_DATASET_CREATE), H5Pclose);
  const hsize_t chunk[1] = {8};
  H5Pset_chunk(lzf.get(), 1, chunk);
  H5Pset_filter(lzf.get(), 32000, H5Z_FLAG_OPTIONAL, 0, nullptr);
  std::string msg = inputErrorOf([&] { loadNativeModel(replacedBy(dir, "head/bias", H5T_IEEE_F32LE, lzf.get())); });
  EXPECT_NE(msg.find("head/bias is stored with filter 32000"), std::string::npos) << msg;

  // One flipped bit: the exponent bias 127 becomes 67,108,991 and libhdf5 would read every value as 0.
  h5::Handle corrupted(H5Tcopy(H5T_IEEE_F32LE), H5Tclose);
  H5Tset_ebias(corrupted.get(), 127 + (1 << 26));
  msg = inputErrorOf([&] { loadNativeModel(replacedBy(dir, "head/bias", corrupted.get(), H5P_DEFAULT)); });
  EXPECT_NE(msg.find("head/bias has a float type that is not IEEE"), std::string::npos) << msg;

  // Deflate and shuffle (what h5py and Keras write when asked to compress) stay readable.
  h5::Handle deflate(H5Pcreate(H5P_DATASET_CREATE), H5Pclose);
  H5Pset_chunk(deflate.get(), 1, chunk);
  H5Pset_shuffle(deflate.get());
  H5Pset_deflate(deflate.get(), 4);
  H5Pset_fletcher32(deflate.get());
  Model m = loadNativeModel(replacedBy(dir, "head/bias", H5T_IEEE_F32BE, deflate.get()));
  EXPECT_EQ(m.params.head.bias, (Eigen::VectorXf::Constant(8, 0.5f)));
  // Half precision (Keras mixed precision, as h5py stores it) in a compact dataset.
  h5::Handle half(H5Tcopy(H5T_IEEE_F32LE), H5Tclose);
  H5Tset_fields(half.get(), 15, 10, 5, 0, 10);
  H5Tset_precision(half.get(), 16);
  H5Tset_size(half.get(), 2);
  H5Tset_ebias(half.get(), 15);
  h5::Handle compact(H5Pcreate(H5P_DATASET_CREATE), H5Pclose);
  H5Pset_layout(compact.get(), H5D_COMPACT);
  m = loadNativeModel(replacedBy(dir, "head/bias", half.get(), compact.get()));
  EXPECT_EQ(m.params.head.bias, (Eigen::VectorXf::Constant(8, 0.5f)));
}

// What a file can hold but no model has: integer weights (libhdf5 would convert them silently), a token
// that is not UTF-8 (refused), and tokens text can never produce (named by info, the model still opens).
TEST(NativeModel, IntegerWeightsAndBadTokensAreRefusedOrReported) {
  ScratchDir dir("questionable");
  const hsize_t two[2] = {20, 5};
  std::string path = damaged(dir, [&](hid_t f) {
    H5Ldelete(f, "lstm/0/fwd/W_hh", H5P_DEFAULT);
    h5::Handle space(H5Screate_simple(2, two, nullptr), H5Sclose);
    h5::Handle d(H5Dcreate2(f, "lstm/0/fwd/W_hh", H5T_STD_I32LE, space.get(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                 H5Dclose);
    const std::vector<int32_t> ones(20 * 5, 1);
    H5Dwrite(d.get(), H5T_NATIVE_INT32, H5S_ALL, H5S_ALL, H5P_DEFAULT, ones.data());
  });
  std::string msg = inputErrorOf([&] { loadNativeModel(path); });
  EXPECT_NE(msg.find("lstm/0/fwd/W_hh holds 32-bit integers, not floating-point numbers"), std::string::npos) << msg;

  const auto withTokens = [&](std::vector<std::string> tokens) {
    return damaged(dir, [&](hid_t f) {
      H5Ldelete(f, "input/vocab", H5P_DEFAULT);
      h5::Handle input = h5::openGroup(f, "input", "x");
      h5::writeStrings(input.get(), "vocab", tokens);
    });
  };
  std::vector<std::string> tokens = smallCharModel().arch.vocab.tokens();
  tokens[2] = "\xff\xfe";
  msg = inputErrorOf([&] { loadNativeModel(withTokens(tokens)); });
  // Named with its bytes escaped: raw, they would garble the terminal the message goes to.
  EXPECT_NE(msg.find("vocabulary token 2 '\\xFF\\xFE' is not valid UTF-8"), std::string::npos) << msg;

  tokens = smallCharModel().arch.vocab.tokens();
  tokens[0] = "", tokens[1] = "<pad>";
  const Model opened = loadNativeModel(withTokens(tokens));
  EXPECT_EQ(opened.arch.vocab.unreachableTokens(), (std::vector<int>{0, 1}));
  EXPECT_NE(
      describeModel(opened).find("note: 2 vocabulary token(s) can never be read from text: id 0 '', id 1 '<pad>'"),
      std::string::npos)
      << describeModel(opened);
}

TEST(NativeModel, TruncatedAndForeignFilesAreRefused) {
  ScratchDir dir("trunc");
  const std::string good = dir.file("good.h5");
  saveNativeModel(smallCharModel(), good);
  const std::string bytes = readBytes(good);
  for (size_t keep : {bytes.size() / 2, size_t(100), size_t(8)}) {
    const std::string cut = dir.file("cut" + std::to_string(keep) + ".h5");
    std::ofstream(cut, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(keep));
    const std::string msg = inputErrorOf([&] { loadNativeModel(cut); });
    EXPECT_NE(msg.find(cut), std::string::npos) << msg;
  }
  const std::string text = dir.file("notes.txt");
  std::ofstream(text) << "hello";
  EXPECT_NE(inputErrorOf([&] { loadNativeModel(text); }).find("not an HDF5 file"), std::string::npos);
  EXPECT_NE(inputErrorOf([&] { loadNativeModel(dir.file("nope.h5")); }).find("no such file"), std::string::npos);
}

TEST(NativeModel, SavingOverAnExistingFileKeepsItUntilTheNewOneIsComplete) {
  ScratchDir dir("atomic");
  const std::string path = dir.file("m.h5");
  saveNativeModel(smallCharModel(), path);
  const std::string before = readBytes(path);
  Model broken = smallCharModel();
  broken.params.head.bias[0] = NAN;  // refused by validation before anything is written
  EXPECT_THROW(saveNativeModel(broken, path), InputError);
  EXPECT_EQ(readBytes(path), before);
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(std::filesystem::path(path).parent_path()),
                          std::filesystem::directory_iterator()),
            1);  // no temporary left behind
}

// A front end over time (a convolution, a pooling) keeps its windows in the file; a crafted window, padding or
// kernel is refused by name before any arithmetic.
Model convFrontEndModel() {
  Model m = smallFeatureModel(3);
  StepLayer conv;
  conv.name = "conv1d";
  conv.className = "Conv1D";
  conv.kind = StepLayer::Kind::Conv;
  conv.window = 2;
  conv.dilation = 2;
  conv.padding = StepLayer::Padding::Causal;
  conv.activation = "relu";
  conv.weight = Eigen::MatrixXd::Constant(3, 2 * 2, 0.25);  // 3 filters over 2 raw features, 2 taps
  conv.bias = Eigen::VectorXd::Constant(3, 0.1);
  StepLayer pool;
  pool.name = "average_pooling1d";
  pool.className = "AveragePooling1D";
  pool.kind = StepLayer::Kind::AveragePool;
  pool.window = 3;
  pool.stride = 2;
  pool.padding = StepLayer::Padding::Same;
  m.arch.frontEnd = {conv, pool};
  return m;
}

TEST(NativeModel, WindowFrontEndsRoundTripAndCraftedWindowsAreRefused) {
  ScratchDir dir("windows");
  const std::string path = dir.file("conv.h5");
  saveNativeModel(convFrontEndModel(), path);
  const Model back = loadNativeModel(path);
  ASSERT_EQ(back.arch.frontEnd.size(), 2u);
  EXPECT_EQ(back.arch.rawFeatureDim(), 2);
  EXPECT_EQ(back.arch.frontEnd[0].padding, StepLayer::Padding::Causal);
  EXPECT_EQ(back.arch.frontEnd[0].dilation, 2);
  EXPECT_EQ(back.arch.frontEnd[1].kind, StepLayer::Kind::AveragePool);
  EXPECT_EQ(back.arch.frontEnd[1].padding, StepLayer::Padding::Same);
  EXPECT_EQ(back.arch.frontEnd[1].stride, 2);
  const auto refused = [&](const std::function<void(hid_t)>& edit, const std::string& expected) {
    const std::string bad = dir.file("bad_conv.h5");
    saveNativeModel(convFrontEndModel(), bad);
    {
      h5::File f = h5::File::openReadWrite(bad);
      edit(f.id());
    }
    const std::string msg = inputErrorOf([&] { loadNativeModel(bad); });
    EXPECT_NE(msg.find(bad), std::string::npos) << msg;
    EXPECT_NE(msg.find(expected), std::string::npos) << msg;
  };
  const auto set = [](const char* layer, const char* attr, int64_t value) {
    return [=](hid_t f) {
      const h5::Handle g = h5::openGroup(f, std::string("input/front_end/") + layer, "x");
      h5::writeIntAttr(g.get(), attr, value);
    };
  };
  refused(set("0", "window", 0), "/input/front_end/0 has window 0, outside 1 to 65536");
  refused(set("1", "stride", 1 << 20), "/input/front_end/1 has stride 1048576, outside 1 to 65536");
  refused(set("0", "window", 3), "front end layer conv1d has a kernel or bias of the wrong shape");
  refused(set("1", "dilation", 2), "front end layer average_pooling1d pools with a dilation");
  const auto setPadding = [](const char* layer, const char* value) {
    return [=](hid_t f) {
      const h5::Handle g = h5::openGroup(f, std::string("input/front_end/") + layer, "x");
      h5::writeStringAttr(g.get(), "padding", value);
    };
  };
  refused(setPadding("1", "causal"), "front end layer average_pooling1d pools with causal padding");
  refused(setPadding("0", "reflect"), "/input/front_end/0 has padding 'reflect', not valid, same or causal");
  refused(
      [](hid_t f) {
        const h5::Handle g = h5::openGroup(f, "input/front_end/1", "x");
        H5Adelete(g.get(), "window");
      },
      "/input/front_end/1 is a window layer without a 'window' attribute");
}

}  // namespace
}  // namespace lstmscope::test
