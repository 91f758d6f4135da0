// Where a trace keeps each recorded quantity and its match index (docs/FORMAT.md), shared by the writer
// and the reader.
#pragma once

#include <string>

#include "core/engine/record.h"

namespace lstmscope {

inline std::string statePath(int layer, const std::string& direction, Quantity q) {
  return "layers/" + std::to_string(layer) + "/" + direction + "/" + quantityName(q);
}

inline std::string indexPath(int layer, const std::string& direction, Quantity q) {
  return "index/" + std::to_string(layer) + "/" + direction + "/" + quantityName(q);
}

}  // namespace lstmscope
