#include "core/formats/native_front_end.h"

#include "core/common/error.h"
#include "core/formats/hdf5.h"

namespace lstmscope {

namespace {

const char* kindName(StepLayer::Kind k) {
  switch (k) {
    case StepLayer::Kind::Affine:
      return "affine";
    case StepLayer::Kind::Dense:
      return "dense";
    case StepLayer::Kind::LayerNorm:
      return "layer_norm";
    case StepLayer::Kind::Activation:
      return "activation";
    case StepLayer::Kind::Conv:
      return "conv";
    case StepLayer::Kind::MaxPool:
      return "max_pool";
    case StepLayer::Kind::AveragePool:
      return "average_pool";
    case StepLayer::Kind::Lookup:
      return "lookup";
    case StepLayer::Kind::Recurrent:
      return "lstm";
    case StepLayer::Kind::Repeat:
      return "repeat";
  }
  return "?";
}

const char* paddingName(StepLayer::Padding p) {
  return p == StepLayer::Padding::Valid ? "valid" : p == StepLayer::Padding::Same ? "same" : "causal";
}

int windowAttr(hid_t group, const char* name, const std::string& where, const std::string& file) {
  const auto v = h5::readIntAttr(group, name);
  if (!v) throw InputError(file, where + " is a window layer without a '" + std::string(name) + "' attribute");
  if (*v < 1 || *v > (1 << 16))
    throw InputError(file, where + " has " + name + " " + std::to_string(*v) + ", outside 1 to 65536");
  return static_cast<int>(*v);
}

void readWindow(hid_t g, StepLayer& s, const std::string& where, const std::string& file) {
  s.window = windowAttr(g, "window", where, file);
  s.stride = windowAttr(g, "stride", where, file);
  s.dilation = windowAttr(g, "dilation", where, file);
  const std::string padding = h5::readStringAttr(g, "padding").value_or("");
  if (padding == "valid")
    s.padding = StepLayer::Padding::Valid;
  else if (padding == "same")
    s.padding = StepLayer::Padding::Same;
  else if (padding == "causal")
    s.padding = StepLayer::Padding::Causal;
  else
    throw InputError(file, where + " has padding '" + padding + "', not valid, same or causal");
}

void writeMatrix(hid_t group, const char* name, const Eigen::MatrixXd& m) {
  if (m.size() == 0) return;
  const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> rows = m;  // (out, in) row-major
  h5::writeArray(group, name, {static_cast<hsize_t>(rows.rows()), static_cast<hsize_t>(rows.cols())}, rows.data(),
                 H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE);
}

Eigen::MatrixXd readMatrix(hid_t group, const char* name, const std::string& where, const std::string& file) {
  if (!h5::exists(group, name)) return {};
  const h5::DoubleArray w = h5::readDoubles(group, name, file);
  if (w.dims.size() != 2) throw InputError(file, where + "/" + name + " is not a matrix");
  return Eigen::Map<const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(
      w.values.data(), static_cast<long>(w.dims[0]), static_cast<long>(w.dims[1]));
}

void writeVector(hid_t group, const char* name, const Eigen::VectorXd& v) {
  if (v.size() == 0) return;
  h5::writeArray(group, name, {static_cast<hsize_t>(v.size())}, v.data(), H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE);
}

Eigen::VectorXd readVector(hid_t group, const char* name, const std::string& where, const std::string& file) {
  if (!h5::exists(group, name)) return {};
  const h5::DoubleArray a = h5::readDoubles(group, name, file);
  if (a.dims.size() != 1) throw InputError(file, where + "/" + name + " is not a vector");
  return Eigen::Map<const Eigen::VectorXd>(a.values.data(), static_cast<long>(a.values.size()));
}

}  // namespace

void writeFrontEnd(hid_t input, const std::vector<StepLayer>& frontEnd) {
  for (size_t k = 0; k < frontEnd.size(); ++k) {
    const StepLayer& s = frontEnd[k];
    const h5::Handle g = h5::createGroup(input, "front_end/" + std::to_string(k));
    h5::writeStringAttr(g.get(), "kind", kindName(s.kind));
    h5::writeStringAttr(g.get(), "name", s.name);
    h5::writeStringAttr(g.get(), "class", s.className);
    if (!s.activation.empty()) h5::writeStringAttr(g.get(), "activation", s.activation);
    h5::writeFloatAttr(g.get(), "epsilon", s.epsilon);
    h5::writeIntAttr(g.get(), "generation", s.generation);
    if (s.mixesSteps()) {
      h5::writeIntAttr(g.get(), "window", s.window);
      h5::writeIntAttr(g.get(), "stride", s.stride);
      h5::writeIntAttr(g.get(), "dilation", s.dilation);
      h5::writeStringAttr(g.get(), "padding", paddingName(s.padding));
    }
    if (s.kind == StepLayer::Kind::Recurrent) {
      h5::writeStringAttr(g.get(), "gate_activation", s.gateActivation);
      h5::writeIntAttr(g.get(), "return_sequences", s.returnSequences ? 1 : 0);
    }
    if (s.kind == StepLayer::Kind::Repeat) h5::writeIntAttr(g.get(), "repeats", s.repeats);
    writeVector(g.get(), "scale", s.scale);
    writeVector(g.get(), "shift", s.shift);
    writeVector(g.get(), "bias", s.bias);
    writeMatrix(g.get(), "weight", s.weight);
    writeMatrix(g.get(), "recurrent", s.recurrent);
  }
}

std::vector<StepLayer> readFrontEnd(hid_t input, const std::string& file) {
  std::vector<StepLayer> out;
  if (!h5::exists(input, "front_end")) return out;
  const h5::Handle front = h5::openGroup(input, "front_end", file);
  constexpr size_t kMaxLayers = 64;  // a crafted file's thousands of groups are not a front end
  for (size_t k = 0;; ++k) {
    const std::string name = std::to_string(k);
    if (!h5::exists(front.get(), name)) break;
    if (k == kMaxLayers) throw InputError(file, "/input/front_end has more than 64 layers");
    const std::string where = "/input/front_end/" + name;
    const h5::Handle g = h5::openGroup(front.get(), name, file);
    StepLayer s;
    const std::string kind = h5::readStringAttr(g.get(), "kind").value_or("");
    if (kind == "affine")
      s.kind = StepLayer::Kind::Affine;
    else if (kind == "dense")
      s.kind = StepLayer::Kind::Dense;
    else if (kind == "layer_norm")
      s.kind = StepLayer::Kind::LayerNorm;
    else if (kind == "activation")
      s.kind = StepLayer::Kind::Activation;
    else if (kind == "conv")
      s.kind = StepLayer::Kind::Conv;
    else if (kind == "max_pool")
      s.kind = StepLayer::Kind::MaxPool;
    else if (kind == "average_pool")
      s.kind = StepLayer::Kind::AveragePool;
    else if (kind == "lookup")
      s.kind = StepLayer::Kind::Lookup;
    else if (kind == "lstm")
      s.kind = StepLayer::Kind::Recurrent;
    else if (kind == "repeat")
      s.kind = StepLayer::Kind::Repeat;
    else
      throw InputError(file, where + " has kind '" + kind +
                                 "', not affine, dense, layer_norm, activation, conv, max_pool, average_pool, "
                                 "lookup, lstm or repeat");
    if (s.mixesSteps()) readWindow(g.get(), s, where, file);
    s.name = h5::readStringAttr(g.get(), "name").value_or(name);
    s.className = h5::readStringAttr(g.get(), "class").value_or(kind);
    s.activation = h5::readStringAttr(g.get(), "activation").value_or("");
    s.epsilon = h5::readFloatAttr(g.get(), "epsilon").value_or(0.0);
    s.generation = static_cast<int>(h5::readIntAttr(g.get(), "generation").value_or(2));
    s.scale = readVector(g.get(), "scale", where, file);
    s.shift = readVector(g.get(), "shift", where, file);
    s.bias = readVector(g.get(), "bias", where, file);
    s.weight = readMatrix(g.get(), "weight", where, file);
    s.recurrent = readMatrix(g.get(), "recurrent", where, file);
    if ((s.kind == StepLayer::Kind::Dense || s.kind == StepLayer::Kind::Conv || s.kind == StepLayer::Kind::Lookup ||
         s.kind == StepLayer::Kind::Recurrent) &&
        s.weight.size() == 0)
      throw InputError(file, where + " is a " + kind + " layer without a weight");
    if (s.kind == StepLayer::Kind::Recurrent) {
      s.gateActivation = h5::readStringAttr(g.get(), "gate_activation").value_or("");
      const auto returnSequences = h5::readIntAttr(g.get(), "return_sequences");
      if (!returnSequences) throw InputError(file, where + " is an lstm layer without a 'return_sequences' attribute");
      s.returnSequences = *returnSequences != 0;
    }
    if (s.kind == StepLayer::Kind::Repeat) {
      const int64_t repeats = h5::readIntAttr(g.get(), "repeats").value_or(0);
      if (repeats < 1 || repeats > (1 << 20))
        throw InputError(file, where + " repeats its step " + std::to_string(repeats) + " times, outside 1 to 1048576");
      s.repeats = static_cast<int>(repeats);
    }
    if (s.kind == StepLayer::Kind::Affine && s.scale.size() == 0)
      throw InputError(file, where + " is an affine layer without a scale");
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace lstmscope
