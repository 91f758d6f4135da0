#include "core/formats/model_loader.h"

#include "core/common/error.h"
#include "core/formats/native_model.h"

namespace lstmscope {

Model loadModel(const std::string& path, const std::string& vocabPath) {
  // Only the native format exists so far; its loader explains precisely what is wrong with anything else
  // (missing, truncated, not HDF5, not a model). Foreign formats (issue 5) branch here.
  if (!vocabPath.empty())
    throw InputError(vocabPath, "native model files carry their own vocabulary; --vocab is for formats without one");
  return loadNativeModel(path);
}

}  // namespace lstmscope
