// The common middle of every foreign model reader: named weight tensors as the framework stored them,
// before anyone decides what they mean. Readers fill it; architecture mapping (state_dict_mapping.h,
// keras_mapping.h, …) turns it into a Model.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace lstmscope {

struct NamedTensor {
  std::string name;
  std::vector<int64_t> shape;
  std::vector<float> values;  // row-major (C order), converted from the stored dtype

  int64_t dim(size_t k) const { return k < shape.size() ? shape[k] : 0; }
  std::string shapeText() const;  // "(4, 3)"
};

struct TensorSet {
  std::vector<NamedTensor> tensors;  // in the order the file lists them
  // Facts the file states about its modules beyond the tensors, as "module.attribute" -> value text
  // (a whole-module PyTorch save: "lstm.__class__" -> "torch.nn.modules.rnn.LSTM", "lstm.bidirectional"
  // -> "True"). Empty for plain state dicts.
  std::map<std::string, std::string> moduleFacts;

  const NamedTensor* find(const std::string& name) const;
};

// Converts `count` stored elements of `dtype` ("float32", "float64", "float16", "bfloat16", "int64", …)
// at `bytes` (little-endian) to float. Returns false for a dtype it does not know.
bool convertToFloat(const std::string& dtype, const unsigned char* bytes, size_t count, std::vector<float>& out);
// Bytes per element of `dtype`, 0 if unknown.
size_t dtypeSize(const std::string& dtype);

}  // namespace lstmscope
