#include "core/formats/model_loader.h"

#include <fstream>

#include "core/common/error.h"
#include "core/formats/hdf5.h"
#include "core/formats/native_model.h"
#include "core/formats/sequence_input.h"

namespace lstmscope {

Model loadModel(const std::string& path, const std::string& vocabPath) {
  if (!isNativeModelFile(path)) {
    // Let the native loader explain precisely what is wrong (missing, truncated, not HDF5, wrong kind).
    loadNativeModel(path);
    throw InputError(path, "not a model file this build can read");
  }
  Model m = loadNativeModel(path);
  if (!vocabPath.empty())
    throw InputError(vocabPath, "native model files carry their own vocabulary; --vocab is for formats without one");
  return m;
}

}  // namespace lstmscope
