#include "core/formats/foreign/keras_lstm_stack.h"

#include <algorithm>

#include "core/common/error.h"
#include "core/formats/foreign/keras_guess.h"

namespace lstmscope {

namespace {

// Layers that do nothing at inference are not worth naming among what was cut off.
bool worthNaming(const KerasLayer& l) {
  return l.className != "InputLayer" && l.className.find("Dropout") == std::string::npos &&
         !(l.className.empty() && l.weights.empty());
}

std::string namesOf(const std::vector<KerasLayer>& layers, size_t begin, size_t end) {
  std::string out;
  for (size_t k = begin; k < end; ++k)
    if (worthNaming(layers[k]))
      out += (out.empty() ? "" : ", ") + layers[k].name +
             (layers[k].className.empty() ? std::string() : " (" + layers[k].className + ")");
  return out.empty() ? "layers without weights" : out;
}

// The cut layers' tensors, listed with the rest so the report accounts for every tensor of the file.
std::vector<TensorUse> cutTensors(const std::vector<KerasLayer>& layers, size_t begin, size_t end, const char* part) {
  std::vector<TensorUse> out;
  for (size_t k = begin; k < end; ++k)
    for (const NamedTensor& t : layers[k].weights)
      out.push_back({layers[k].name + "/" + t.name, t.shapeText(), std::string("cut off (") + part + ")"});
  return out;
}

}  // namespace

std::optional<ImportedModel> mapKerasLstmStack(const KerasModelFile& file, const std::optional<LoadedVocabulary>& vocab,
                                               const std::string& whyNotWhole, const KerasWholeMapping& mapWhole) {
  const auto& layers = file.layers;
  const auto first = std::find_if(layers.begin(), layers.end(), isKerasLstmLayer);
  if (first == layers.end()) return std::nullopt;
  const auto last = std::find_if(layers.rbegin(), layers.rend(), isKerasLstmLayer);
  const size_t begin = static_cast<size_t>(first - layers.begin());
  const size_t end = static_cast<size_t>(layers.rend() - last);  // one past the last LSTM
  struct Cut {
    size_t from, to;
  };
  for (const Cut cut : {Cut{0, end}, Cut{begin, layers.size()}, Cut{begin, end}}) {
    if (cut.from == 0 && cut.to == layers.size()) continue;  // the whole model, which did not map
    const bool headCut = cut.to<layers.size(), frontCut = cut.from> 0;
    if (headCut && std::none_of(layers.begin() + static_cast<long>(cut.to), layers.end(), worthNaming)) continue;
    if (frontCut && std::none_of(layers.begin(), layers.begin() + static_cast<long>(cut.from), worthNaming)) continue;
    KerasModelFile part = file;
    part.layers.assign(layers.begin() + static_cast<long>(cut.from), layers.begin() + static_cast<long>(cut.to));
    if (frontCut) part.vocabulary.reset();  // the ids it names went into the front end
    try {
      ImportedModel imported = mapWhole(part, frontCut ? std::nullopt : vocab);
      std::string what = "the whole model cannot be opened (" + whyNotWhole + "). Opened its LSTM stack alone, cut off";
      if (frontCut)
        what += " the front end before the first LSTM (" + namesOf(layers, 0, cut.from) +
                "): the input is the first LSTM's input features, " + std::to_string(imported.model.arch.inputWidth()) +
                " per step, from a CSV table";
      if (frontCut && headCut) what += ";";
      if (headCut)
        what += " the head after the last LSTM (" + namesOf(layers, cut.to, layers.size()) +
                "): the model gives no outputs here, and attribution targets are units";
      imported.report.cutOff = what;
      auto& tensors = imported.report.tensors;
      const auto front = cutTensors(layers, 0, cut.from, "front end");
      const auto head = cutTensors(layers, cut.to, layers.size(), "head");
      tensors.insert(tensors.begin(), front.begin(), front.end());
      tensors.insert(tensors.end(), head.begin(), head.end());
      imported.report.assumptions.insert(imported.report.assumptions.begin(), what);
      return imported;
    } catch (const InputError&) {
      // this cut does not map either: try cutting more
    }
  }
  return std::nullopt;
}

}  // namespace lstmscope
