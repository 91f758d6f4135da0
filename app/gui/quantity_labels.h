// How the app names what a view shows: "tanh(c)", "layer 1 bwd · f".
#pragma once

#include <QString>

#include "core/engine/record.h"

namespace lstmscope {
struct LayerSpec;
}

namespace lstmscope::app {

QString quantityTitle(Quantity q, bool squashed);  // "tanh(c)" for squashed cells, else the trace name
// "layer L[ fwd|bwd] · q"; the direction is named when the layer has more than the plain forward one.
QString quantityLabel(int layer, int direction, Quantity q, bool squashed, const LayerSpec& spec);

}  // namespace lstmscope::app
