#include "core/formats/native_model.h"

#include <cmath>
#include <filesystem>

#include "core/common/error.h"
#include "core/common/huge_pages.h"
#include "core/formats/atomic_file.h"
#include "core/formats/hdf5.h"
#include "core/formats/native_front_end.h"

namespace lstmscope {
namespace {

using RowMajorF = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

Mat<float> readMatrix(hid_t loc, const std::string& path, const std::string& file) {
  h5::FloatArray a = h5::readFloats(loc, path, file, h5::Stored::FloatingPoint);
  if (a.dims.size() != 2)
    throw InputError(file, path + " must be 2-D but has " + std::to_string(a.dims.size()) + " dimension(s)");
  Mat<float> m(static_cast<long>(a.dims[0]), static_cast<long>(a.dims[1]));
  adviseHugePages(m);
  m = Eigen::Map<const RowMajorF>(a.values.data(), m.rows(), m.cols());
  return m;
}

Vec<float> readVector(hid_t loc, const std::string& path, const std::string& file) {
  h5::FloatArray a = h5::readFloats(loc, path, file, h5::Stored::FloatingPoint);
  if (a.dims.size() != 1)
    throw InputError(file, path + " must be 1-D but has " + std::to_string(a.dims.size()) + " dimension(s)");
  return Eigen::Map<const Vec<float>>(a.values.data(), static_cast<long>(a.dims[0]));
}

void writeMatrix(hid_t loc, const std::string& path, const Mat<float>& m) {
  const RowMajorF r = m;
  h5::writeFloats(loc, path, {static_cast<hsize_t>(m.rows()), static_cast<hsize_t>(m.cols())}, r.data());
}

void writeVector(hid_t loc, const std::string& path, const Vec<float>& v) {
  h5::writeFloats(loc, path, {static_cast<hsize_t>(v.size())}, v.data());
}

template <class E>
E readEnumAttr(hid_t obj, const std::string& objPath, const std::string& name, E fallback, const std::string& file) {
  const auto s = h5::readStringAttr(obj, name);
  if (!s) return fallback;
  E value;
  if (!parse(*s, value)) throw InputError(file, "unknown " + name + " '" + *s + "' on " + objPath);
  return value;
}

// The vocabulary of a model that reads text: its tokens and how text is split into them.
Vocabulary readVocabulary(hid_t input, const std::string& file) {
  const std::string level = h5::readStringAttr(input, "level").value_or("char");
  if (level != "char" && level != "word") throw InputError(file, "unknown level '" + level + "' on /input");
  const bool lowercase = h5::readIntAttr(input, "lowercase").value_or(0) != 0;
  const std::string unk = h5::readStringAttr(input, "unk").value_or("");
  std::vector<std::string> tokens = h5::readStrings(input, "vocab", file);
  try {
    Vocabulary vocab(level == "word" ? TokenLevel::Word : TokenLevel::Char, std::move(tokens), lowercase, unk);
    vocab.setWordSeparators(h5::readStringAttr(input, "word_separators").value_or(""));
    vocab.setDropUnknown(h5::readIntAttr(input, "drop_unknown").value_or(0) != 0);
    vocab.setStrippedCharacters(h5::readStringAttr(input, "strip_characters").value_or(""));
    return vocab;
  } catch (const InputError& e) {
    throw InputError(file, e.what());
  }
}

void writeVocabulary(hid_t input, const Vocabulary& vocab) {
  h5::writeStringAttr(input, "level", vocab.level() == TokenLevel::Char ? "char" : "word");
  h5::writeIntAttr(input, "lowercase", vocab.lowercase() ? 1 : 0);
  h5::writeStringAttr(input, "unk", vocab.unk());
  if (!vocab.wordSeparators().empty()) h5::writeStringAttr(input, "word_separators", vocab.wordSeparators());
  if (vocab.dropsUnknown()) h5::writeIntAttr(input, "drop_unknown", 1);
  if (!vocab.strippedCharacters().empty()) h5::writeStringAttr(input, "strip_characters", vocab.strippedCharacters());
  h5::writeStrings(input, "vocab", vocab.tokens());
}

void readInput(hid_t root, Model& m, const std::string& file) {
  h5::Handle input = h5::openGroup(root, "input", file);
  const auto kind = h5::readStringAttr(input.get(), "kind");
  if (!kind) throw InputError(file, "/input has no 'kind' attribute (tokens or features)");
  Architecture& a = m.arch;
  if (const auto mask = h5::readFloatAttr(input.get(), "mask_value")) {
    if (!std::isfinite(*mask) || std::abs(*mask) > 3.4e38 || (*kind == "tokens" && *mask != std::floor(*mask)))
      throw InputError(file, "/input has a mask_value that is not a finite " +
                                 std::string(*kind == "tokens" ? "token id" : "float value"));
    a.maskValue = static_cast<float>(*mask);
  }
  if (*kind == "features") {
    a.inputKind = InputKind::Features;
    const auto dim = h5::readIntAttr(input.get(), "dim");
    if (!dim || *dim <= 0) throw InputError(file, "/input of kind features needs a positive 'dim' attribute");
    a.featureDim = static_cast<int>(*dim);
    a.frontEnd = readFrontEnd(input.get(), file);
    if (a.frontEndReadsTokens()) a.vocab = readVocabulary(input.get(), file);  // its front end reads text
    return;
  }
  if (*kind != "tokens") throw InputError(file, "unknown input kind '" + *kind + "' on /input");
  a.inputKind = InputKind::Tokens;
  a.vocab = readVocabulary(input.get(), file);
  a.hasEmbedding = h5::exists(input.get(), "embedding");
  if (a.hasEmbedding) {
    // File (V, E) row-major is exactly Eigen's column-major (E, V): column v = token v.
    h5::FloatArray e = h5::readFloats(input.get(), "embedding", file, h5::Stored::FloatingPoint);
    if (e.dims.size() != 2) throw InputError(file, "/input/embedding must be 2-D (V, E)");
    m.params.embedding =
        Eigen::Map<const Mat<float>>(e.values.data(), static_cast<long>(e.dims[1]), static_cast<long>(e.dims[0]));
  }
}

void readLayers(hid_t root, Model& m, const std::string& file) {
  if (!h5::exists(root, "lstm")) throw InputError(file, "missing group /lstm (the model has no LSTM layer)");
  for (int l = 0;; ++l) {
    const std::string lp = "lstm/" + std::to_string(l);
    if (!h5::exists(root, lp)) break;
    h5::Handle g = h5::openGroup(root, lp, file);
    LayerSpec spec;
    spec.gate = readEnumAttr(g.get(), "/" + lp, "gate_activation", GateActivation::Sigmoid, file);
    spec.cell = readEnumAttr(g.get(), "/" + lp, "cell_activation", CellActivation::Tanh, file);
    spec.clip = static_cast<float>(h5::readFloatAttr(g.get(), "clip").value_or(0.0));
    spec.coupledForget = h5::readIntAttr(g.get(), "coupled_forget").value_or(0) != 0;
    // fwd alone: forward in time; fwd and bwd: bidirectional; bwd alone: a reverse layer.
    const bool hasFwd = h5::exists(g.get(), "fwd"), hasBwd = h5::exists(g.get(), "bwd");
    if (!hasFwd && !hasBwd) throw InputError(file, "missing group /" + lp + "/fwd (or /" + lp + "/bwd)");
    spec.bidirectional = hasFwd && hasBwd;
    spec.reverse = !hasFwd;
    spec.peepholes = h5::exists(g.get(), hasFwd ? "fwd/peephole" : "bwd/peephole");
    std::vector<DirectionParams<float>> dirs;
    for (int d = 0; d < spec.directions(); ++d) {
      const std::string dp = lp + "/" + directionName(spec, d) + "/";
      DirectionParams<float> w;
      w.W_ih = readMatrix(root, dp + "W_ih", file);
      w.W_hh = readMatrix(root, dp + "W_hh", file);
      w.b_ih = readVector(root, dp + "b_ih", file);
      w.b_hh = readVector(root, dp + "b_hh", file);
      if (spec.peepholes) w.peephole = readVector(root, dp + "peephole", file);
      if (w.W_hh.rows() != 4 * w.W_hh.cols())
        throw InputError(file, "/" + dp + "W_hh must have shape (4H, H) but has (" + std::to_string(w.W_hh.rows()) +
                                   ", " + std::to_string(w.W_hh.cols()) + ")");
      if (d == 0) spec.hidden = static_cast<int>(w.W_hh.cols());
      dirs.push_back(std::move(w));
    }
    m.arch.layers.push_back(spec);
    m.params.lstm.push_back(std::move(dirs));
  }
}

void readHead(hid_t root, Model& m, const std::string& file) {
  if (!h5::exists(root, "head")) return;
  h5::Handle g = h5::openGroup(root, "head", file);
  HeadSpec spec;
  spec.activation = readEnumAttr(g.get(), "/head", "activation", HeadActivation::Softmax, file);
  const std::string reads = h5::readStringAttr(g.get(), "reads").value_or("each_step");
  if (!parse(reads, spec.reads)) throw InputError(file, "unknown reads '" + reads + "' on /head");
  if (h5::exists(g.get(), "sources"))
    for (int32_t s : h5::readInts(root, "head/sources", file)) spec.sources.push_back(s);
  spec.attentionEpsilon = h5::readFloatAttr(g.get(), "attention_epsilon").value_or(0.0);
  if (const auto steps = h5::readIntAttr(g.get(), "steps")) {  // a Flatten's; validateModel checks the range
    if (*steps < 0 || *steps > (1 << 30))
      throw InputError(file, "/head steps " + std::to_string(*steps) + " is out of range");
    spec.steps = static_cast<int>(*steps);
  }
  if (h5::exists(g.get(), "attention")) m.params.headAttention = readVector(root, "head/attention", file);
  spec.labels = h5::readStringListAttr(g.get(), "labels").value_or(std::vector<std::string>{});
  for (int k = 0; h5::exists(g.get(), "pre/" + std::to_string(k)); ++k) {
    const std::string kp = "head/pre/" + std::to_string(k);
    h5::Handle pg = h5::openGroup(root, kp, file);
    spec.preActivations.push_back(readEnumAttr(pg.get(), "/" + kp, "activation", DenseActivation::Linear, file));
    m.params.headPre.push_back({readMatrix(root, kp + "/weight", file), readVector(root, kp + "/bias", file)});
  }
  m.params.head = {readMatrix(root, "head/weight", file), readVector(root, "head/bias", file)};
  m.arch.head = spec;
}

}  // namespace

bool isNativeModelFile(const std::string& path) {
  return h5::lstmscopeFormatOf(path) == "model";
}

Model loadNativeModel(const std::string& path) {
  h5::File f = h5::File::openReadOnly(path);
  const hid_t root = f.id();
  const auto format = h5::readStringAttr(root, "lstmscope_format");
  if (!format) throw InputError(path, "not an LSTMScope model file (no lstmscope_format attribute at the root)");
  if (*format != "model") throw InputError(path, "is an LSTMScope '" + *format + "' file, not a model");
  const auto version = h5::readIntAttr(root, "lstmscope_version");
  if (!version || *version != 1)
    throw InputError(path, "unsupported lstmscope_version " + (version ? std::to_string(*version) : "(missing)") +
                               " (this build reads version 1)");
  Model m;
  m.arch.name = h5::readStringAttr(root, "name").value_or(std::filesystem::path(path).stem().string());
  m.arch.cutOff = h5::readStringAttr(root, "cut_off").value_or("");
  m.arch.task = readEnumAttr(root, "/", "task", Task::LanguageModel, path);
  readInput(root, m, path);
  readLayers(root, m, path);
  readHead(root, m, path);
  validateModel(m, path);
  return m;
}

void saveNativeModel(const Model& model, const std::string& path) {
  validateModel(model, path);
  AtomicFile out(path);
  try {  // the file is closed before the handler runs
    h5::File f = h5::File::create(out.tempPath());
    const hid_t root = f.id();
    const Architecture& a = model.arch;
    h5::writeStringAttr(root, "lstmscope_format", "model");
    h5::writeIntAttr(root, "lstmscope_version", 1);
    h5::writeStringAttr(root, "name", a.name);
    if (!a.cutOff.empty()) h5::writeStringAttr(root, "cut_off", a.cutOff);
    h5::writeStringAttr(root, "task", toString(a.task));
    h5::Handle input = h5::createGroup(root, "input");
    if (a.inputKind == InputKind::Features) {
      h5::writeStringAttr(input.get(), "kind", "features");
      writeFrontEnd(input.get(), a.frontEnd);
      if (a.frontEndReadsTokens()) writeVocabulary(input.get(), a.vocab);
      if (a.maskValue) h5::writeFloatAttr(input.get(), "mask_value", *a.maskValue);
      h5::writeIntAttr(input.get(), "dim", a.featureDim);
    } else {
      h5::writeStringAttr(input.get(), "kind", "tokens");
      if (a.maskValue) h5::writeFloatAttr(input.get(), "mask_value", *a.maskValue);
      writeVocabulary(input.get(), a.vocab);
      if (a.hasEmbedding) {
        const Mat<float>& e = model.params.embedding;
        h5::writeFloats(input.get(), "embedding", {static_cast<hsize_t>(e.cols()), static_cast<hsize_t>(e.rows())},
                        e.data());
      }
    }
    for (size_t l = 0; l < a.layers.size(); ++l) {
      const std::string lp = "lstm/" + std::to_string(l);
      h5::Handle g = h5::createGroup(root, lp);
      h5::writeStringAttr(g.get(), "gate_activation", toString(a.layers[l].gate));
      h5::writeStringAttr(g.get(), "cell_activation", toString(a.layers[l].cell));
      if (a.layers[l].clip > 0) h5::writeFloatAttr(g.get(), "clip", a.layers[l].clip);
      if (a.layers[l].coupledForget) h5::writeIntAttr(g.get(), "coupled_forget", 1);
      for (int d = 0; d < a.layers[l].directions(); ++d) {
        const std::string dp = lp + "/" + directionName(a.layers[l], d) + "/";
        const auto& w = model.params.lstm[l][d];
        writeMatrix(root, dp + "W_ih", w.W_ih);
        writeMatrix(root, dp + "W_hh", w.W_hh);
        writeVector(root, dp + "b_ih", w.b_ih);
        writeVector(root, dp + "b_hh", w.b_hh);
        if (a.layers[l].peepholes) writeVector(root, dp + "peephole", w.peephole);
      }
    }
    if (a.head) {
      h5::Handle g = h5::createGroup(root, "head");
      h5::writeStringAttr(g.get(), "activation", toString(a.head->activation));
      h5::writeStringAttr(g.get(), "reads", toString(a.head->reads));
      if (!a.head->sources.empty())
        h5::writeInts(g.get(), "sources", std::vector<int32_t>(a.head->sources.begin(), a.head->sources.end()));
      if (a.head->attentionEpsilon != 0) h5::writeFloatAttr(g.get(), "attention_epsilon", a.head->attentionEpsilon);
      if (a.head->steps != 0) h5::writeIntAttr(g.get(), "steps", a.head->steps);
      if (model.params.headAttention.size()) writeVector(root, "head/attention", model.params.headAttention);
      if (!a.head->labels.empty()) h5::writeStringListAttr(g.get(), "labels", a.head->labels);
      for (size_t k = 0; k < model.params.headPre.size(); ++k) {
        const std::string kp = "head/pre/" + std::to_string(k);
        h5::Handle pg = h5::createGroup(root, kp);
        h5::writeStringAttr(pg.get(), "activation", toString(a.head->preActivations[k]));
        writeMatrix(root, kp + "/weight", model.params.headPre[k].weight);
        writeVector(root, kp + "/bias", model.params.headPre[k].bias);
      }
      writeMatrix(root, "head/weight", model.params.head.weight);
      writeVector(root, "head/bias", model.params.head.bias);
    }
    f.flush();
  } catch (const InputError& e) {
    throw out.writeFailed(e);
  }
  out.commit();
}

}  // namespace lstmscope
