// Which of the window's views export as figures (File › Export View, --export-view NAME), by name.
#pragma once

#include <QStringList>
#include <vector>

#include "app/gui/export_dialog.h"

namespace lstmscope::app {

class MainWindow;

std::vector<ExportEntry> exportEntries(const MainWindow& window);  // in the Export dialog's order
QStringList exportViewKeys();  // their command-line names (heatmap, trajectories, ...), without a window

}  // namespace lstmscope::app
