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
std::vector<TensorUse> cutTensors(const std::vector<KerasLayer>& layers, size_t begin, size_t end,
                                  const std::string& part) {
  std::vector<TensorUse> out;
  for (size_t k = begin; k < end; ++k)
    for (const NamedTensor& t : layers[k].weights)
      out.push_back({layers[k].name + "/" + t.name, t.shapeText(), "cut off (" + part + ")"});
  return out;
}

// Layers [from, to) are kept.
struct StackCut {
  size_t from, to;
};

// The cuts to try, least cut off first: the head after the last LSTM, the front end before the first, both;
// then the same with everything after an earlier LSTM cut off too (an encoder before a RepeatVector, the
// LSTMs before a layer that cannot sit between two), last LSTM first.
std::vector<StackCut> candidateCuts(const std::vector<KerasLayer>& layers) {
  std::vector<size_t> ends;  // one past each LSTM, last first
  for (size_t k = layers.size(); k-- > 0;)
    if (isKerasLstmLayer(layers[k])) ends.push_back(k + 1);
  if (ends.empty()) return {};
  size_t begin = 0;
  while (!isKerasLstmLayer(layers[begin])) ++begin;
  const auto cutsSomething = [&](size_t from, size_t to) {
    return std::any_of(layers.begin(), layers.begin() + static_cast<long>(from), worthNaming) ||
           std::any_of(layers.begin() + static_cast<long>(to), layers.end(), worthNaming);
  };
  std::vector<StackCut> cuts;
  for (size_t end : ends)
    for (const StackCut cut :
         {StackCut{0, end}, StackCut{begin, end == ends.front() ? layers.size() : end}, StackCut{begin, end}})
      if (cutsSomething(cut.from, cut.to) &&
          std::none_of(cuts.begin(), cuts.end(), [&](StackCut c) { return c.from == cut.from && c.to == cut.to; }))
        cuts.push_back(cut);
  return cuts;
}

// What the report says first: why the whole model did not open and what was cut off.
std::string describeCut(const std::vector<KerasLayer>& layers, StackCut cut, const std::string& whyNotWhole,
                        int inputWidth) {
  std::string what = "the whole model cannot be opened (" + whyNotWhole + "). Opened its LSTM stack alone, cut off";
  const bool frontCut = cut.from > 0;
  const bool headCut = cut.to < layers.size();
  if (frontCut)
    what += " the front end before the first LSTM (" + namesOf(layers, 0, cut.from) +
            "): the input is the first LSTM's input features, " + std::to_string(inputWidth) +
            " per step, from a CSV table";
  if (frontCut && headCut) what += ";";
  const bool afterLast = std::none_of(layers.begin() + static_cast<long>(cut.to), layers.end(), isKerasLstmLayer);
  if (headCut)
    what += (afterLast ? " the head after the last LSTM (" : " everything after " + layers[cut.to - 1].name + " (") +
            namesOf(layers, cut.to, layers.size()) +
            "): the model gives no outputs here, and attribution targets are units";
  return what;
}

}  // namespace

std::optional<ImportedModel> mapKerasLstmStack(const KerasModelFile& file, const std::optional<LoadedVocabulary>& vocab,
                                               const std::string& whyNotWhole, const KerasWholeMapping& mapWhole) {
  const auto& layers = file.layers;
  for (const StackCut cut : candidateCuts(layers)) {
    KerasModelFile part = file;
    part.layers.assign(layers.begin() + static_cast<long>(cut.from), layers.begin() + static_cast<long>(cut.to));
    const bool frontCut = cut.from > 0;
    if (frontCut) part.vocabulary.reset();  // the ids it names went into the front end
    ImportedModel imported;
    try {
      imported = mapWhole(part, frontCut ? std::nullopt : vocab);
    } catch (const InputError&) {
      continue;  // this cut does not map either: try cutting more
    }
    ImportReport& report = imported.report;
    report.cutOff = describeCut(layers, cut, whyNotWhole, imported.model.arch.inputWidth());
    imported.model.arch.cutOff = report.cutOff;
    const auto front = cutTensors(layers, 0, cut.from, "front end");
    const bool afterLast = std::none_of(layers.begin() + static_cast<long>(cut.to), layers.end(), isKerasLstmLayer);
    const auto back =
        cutTensors(layers, cut.to, layers.size(), afterLast ? std::string("head") : "after " + layers[cut.to - 1].name);
    report.tensors.insert(report.tensors.begin(), front.begin(), front.end());
    report.tensors.insert(report.tensors.end(), back.begin(), back.end());
    report.assumptions.insert(report.assumptions.begin(), report.cutOff);
    return imported;
  }
  return std::nullopt;
}

std::optional<ImportedModel> mapKerasEncoder(const KerasModelFile& file, const std::optional<LoadedVocabulary>& vocab,
                                             const KerasWholeMapping& mapWhole) {
  const auto& layers = file.layers;
  const auto repeat =
      std::find_if(layers.begin(), layers.end(), [](const KerasLayer& l) { return l.className == "RepeatVector"; });
  if (repeat == layers.end()) return std::nullopt;
  const size_t end = static_cast<size_t>(repeat - layers.begin());
  KerasModelFile part = file;
  part.layers.assign(layers.begin(), repeat);
  ImportedModel imported = mapWhole(part, vocab);
  ImportReport& report = imported.report;
  report.cutOff = "the encoder alone (part: encoder), cut off the decoder from " + repeat->name + " on (" +
                  namesOf(layers, end, layers.size()) +
                  "): the steps are the input's, the model gives no outputs here, and attribution targets are units";
  imported.model.arch.cutOff = report.cutOff;
  const auto back = cutTensors(layers, end, layers.size(), "decoder");
  report.tensors.insert(report.tensors.end(), back.begin(), back.end());
  report.assumptions.insert(report.assumptions.begin(), report.cutOff);
  return imported;
}

}  // namespace lstmscope
