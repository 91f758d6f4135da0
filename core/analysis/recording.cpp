#include "core/analysis/recording.h"

#include <unistd.h>

#include <cstdlib>
#include <cstring>

#include "core/common/error.h"
#include "core/engine/head_pooling.h"

namespace lstmscope {
namespace {

// Copies each streamed block into the whole-run matrices.
class MemoryObserver : public RecordObserver {
 public:
  explicit MemoryObserver(Recording& out) : out_(out) {}

  void onStates(const StateBlock& b) override {
    Mat<float>& m = out_.states[b.layer][b.direction][recordedIndex(b.quantity)];
    for (long k = 0; k < b.steps; ++k)
      std::memcpy(m.col(b.firstStep + k).data(), b.data + k * b.stride, sizeof(float) * b.units);
  }
  void onOutputs(long firstRow, long rows, const float*, const float* probs, int outputs) override {
    std::memcpy(out_.probs.col(firstRow).data(), probs, sizeof(float) * rows * outputs);
  }

 private:
  Recording& out_;
};

double memoryBudget() {
  if (const char* limit = std::getenv("LSTMSCOPE_MEMORY_LIMIT_MB")) return std::atof(limit) * 1e6;
  return 0.5 * static_cast<double>(sysconf(_SC_PHYS_PAGES)) * static_cast<double>(sysconf(_SC_PAGE_SIZE));
}

}  // namespace

int recordedIndex(Quantity q) {
  for (size_t k = 0; k < kRecordedQuantities.size(); ++k)
    if (kRecordedQuantities[k] == q) return static_cast<int>(k);
  return -1;
}

const Mat<float>& Recording::values(int layer, int direction, Quantity q) const {
  return states.at(layer).at(direction).at(recordedIndex(q));
}

bool Recording::isLanguageModel() const {
  return arch.predictsNextToken(static_cast<int>(probs.rows())) && probs.cols() == steps;
}

double recordingBytes(const Architecture& arch, long steps) {
  double floats = 0;
  for (const LayerSpec& l : arch.layers) floats += 6.0 * l.outputWidth();
  floats += arch.inputKind == InputKind::Tokens ? arch.vocab.size() : 0;  // an upper bound for the head
  return floats * sizeof(float) * static_cast<double>(steps);
}

namespace {

// An attention-pooling head's weight of each step, from what was recorded: the head's sources are the
// embedding vectors (or features) and the layers' h, so no second forward pass is needed.
std::vector<float> attentionWeights(const Model& model, const Recording& r) {
  const Architecture& arch = model.arch;
  std::vector<Mat<float>> layerInputs(arch.layers.size() + 1);
  if (arch.inputKind == InputKind::Features) {
    layerInputs[0] = r.features;
  } else if (arch.hasEmbedding) {
    layerInputs[0].resize(model.params.embedding.rows(), r.steps);
    for (long t = 0; t < r.steps; ++t)
      layerInputs[0].col(t) = model.params.embedding.col(r.ids[static_cast<size_t>(t)]);
  }
  for (size_t l = 0; l < arch.layers.size(); ++l) {
    const long H = arch.layers[l].hidden;
    layerInputs[l + 1].resize(arch.layers[l].outputWidth(), r.steps);
    for (int d = 0; d < arch.layers[l].directions(); ++d)
      layerInputs[l + 1].middleRows(d * H, H) = r.values(static_cast<int>(l), d, Quantity::H);
  }
  Mat<float> scratch, pooled, weights;
  poolSteps(*arch.head, model.params.headAttention, headStepInput(arch, layerInputs, scratch),
            static_cast<int>(r.steps), 1, pooled, weights);
  return {weights.data(), weights.data() + weights.size()};
}

}  // namespace

Recording recordInMemory(const Model& model, const EncodedText& text, const ProgressCallbacks& callbacks,
                         const InterventionPlan* interventions) {
  const Architecture& arch = model.arch;
  const long T = text.inputs.steps;
  if (T == 0) throw InputError("the text is empty: there is nothing to run the model on");
  const double bytes = recordingBytes(arch, T), budget = memoryBudget();
  if (bytes > budget)
    throw InputError("recording " + std::to_string(T) + " steps needs " + std::to_string(long(bytes / 1e6)) +
                     " MB but the memory limit is " + std::to_string(long(budget / 1e6)) +
                     " MB: analyse a shorter text, or record it to a trace file with lstmscope-cli");
  Recording out;
  out.arch = arch;
  out.tokens = text.surface;
  out.ids = text.inputs.tokens;
  out.features = text.inputs.features;
  out.steps = T;
  out.states.resize(arch.layers.size());
  for (size_t l = 0; l < arch.layers.size(); ++l) {
    out.states[l].resize(arch.layers[l].directions());
    for (auto& quantities : out.states[l])
      for (Mat<float>& m : quantities) m.resize(arch.layers[l].hidden, T);
  }
  const long outputs = model.params.head.weight.rows();
  RecordRequest request;
  request.outputs = outputs > 0;
  request.interventions = interventions;
  if (outputs > 0) out.probs.resize(outputs, arch.head->reads == HeadReads::EachStep ? T : 1);
  MemoryObserver observer(out);
  record(model, text.inputs, request, observer, callbacks);
  if (arch.head && arch.head->reads == HeadReads::AttentionPool) out.headAttention = attentionWeights(model, out);
  return out;
}

Recording stateDifference(const Recording& intervened, const Recording& original) {
  Recording out = intervened;
  for (size_t l = 0; l < out.states.size(); ++l)
    for (size_t d = 0; d < out.states[l].size(); ++d)
      for (size_t q = 0; q < out.states[l][d].size(); ++q)
        if (out.states[l][d][q].size()) out.states[l][d][q] -= original.states[l][d][q];
  return out;
}

}  // namespace lstmscope
