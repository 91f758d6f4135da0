// One value per direction of every layer: the shape of everything an LSTM stack keeps apart by layer and
// by direction (parameters, states, tapes, recordings).
#pragma once

#include <vector>

namespace lstmscope {

// Indexed [layer][direction]; a layer has one direction (forward or reverse) or two (forward, backward).
template <class T>
using PerDirection = std::vector<std::vector<T>>;

}  // namespace lstmscope
