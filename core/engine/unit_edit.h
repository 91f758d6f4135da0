// One intervention on one unit at one step, as the LSTM step kernel applies it (docs/INTERVENTIONS.md).
#pragma once

namespace lstmscope {

// Where in the step an edit applies: gates i f g o after their nonlinearity (before c), c after its update
// (before o's peephole and h), h after it is computed.
enum class EditSlot { I, F, G, O, C, H };

struct UnitEdit {
  EditSlot slot = EditSlot::C;
  int unit = 0;
  int column = -1;   // the batch column (one intervened run of a batch), or -1 for every column
  bool add = false;  // add `value` to the unit, else set the unit to it
  double value = 0;
};

}  // namespace lstmscope
