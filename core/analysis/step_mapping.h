// How the steps of an edited input correspond to the steps before the edit, so that the views can stay
// where the user is: the steps before the first change and after the last one hold the same tokens (those
// after it shifted by the change in length); the steps in between were edited.
#pragma once

#include <functional>

namespace lstmscope {

struct StepMapping {
  long oldSteps = 0, newSteps = 0;
  long prefix = 0;  // steps [0, prefix) are the same before and after
  long suffix = 0;  // so are the last `suffix` steps, shifted by newSteps - oldSteps

  long editedEnd() const { return newSteps - suffix; }  // new steps [prefix, editedEnd()) were edited in
  // The step after the edit that holds old step `t`'s token, or -1 when that token was edited away.
  long map(long t) const;
  // Old steps [first, end) mapped as a whole: the new span, or an empty one ({-1, -1}) when any of them
  // was edited (a span over an edit no longer covers the same tokens).
  struct Span {
    long first = -1, end = -1;
  };
  Span mapSpan(long first, long end) const;
};

// `same(oldStep, newStep)`: whether the token at oldStep before the edit equals the one at newStep after it.
StepMapping mapSteps(long oldSteps, long newSteps, const std::function<bool(long, long)>& same);

}  // namespace lstmscope
