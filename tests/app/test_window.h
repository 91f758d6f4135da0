// The main window as every app test drives it: no modal dialogs (errors arrive as signals), the size the
// screenshots use, shown (offscreen) so that layouts and the heatmap's frames happen as they do for users.
#pragma once

#include "app/gui/main_window.h"

namespace lstmscope::test {

inline void prepareForTest(app::MainWindow& window) {
  window.setInteractive(false);
  window.resize(1280, 800);
  window.show();
}

}  // namespace lstmscope::test
