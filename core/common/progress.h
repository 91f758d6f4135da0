// How a long computation (recording, training, attribution) reports progress and learns that its caller
// gave up: the one interface for both, so every front end drives every computation the same way.
#pragma once

#include <functional>

#include "core/common/error.h"

namespace lstmscope {

struct ProgressCallbacks {
  std::function<bool()> cancelled;           // polled between units of work; true stops with Cancelled
  std::function<void(long, long)> progress;  // (units done, units total)
};

// Called between units of work (a block of steps, a batch), never inside inner loops: throws Cancelled
// when the caller has given up.
inline void checkCancelled(const ProgressCallbacks& callbacks) {
  if (callbacks.cancelled && callbacks.cancelled()) throw Cancelled();
}

inline void reportProgress(const ProgressCallbacks& callbacks, long done, long total) {
  if (callbacks.progress) callbacks.progress(done, total);
}

}  // namespace lstmscope
