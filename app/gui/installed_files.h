// Files an installed LSTMScope has beside its programs (docs/PACKAGING.md); a build folder has none of them,
// and nothing is looked up in the source tree.
#pragma once

#include <QString>

namespace lstmscope::app {

// The desktop entry's name, which also names the icon (resources/desktop).
inline constexpr const char* kDesktopId = "io.github.lstmscope.LSTMScope";

// PREFIX/share/lstmscope/examples for the program in PREFIX/bin, else the first lstmscope/examples of the
// system's data folders (XDG_DATA_DIRS); empty when there is none (a build folder).
QString installedExamplesFolder();

}  // namespace lstmscope::app
