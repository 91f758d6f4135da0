// How a long computation reports progress and learns that its caller gave up.
#pragma once

#include <functional>

namespace lstmscope {

struct ProgressCallbacks {
  std::function<bool()> cancelled;           // polled between units of work; true stops with Cancelled
  std::function<void(long, long)> progress;  // (units done, units total)
};

}  // namespace lstmscope
