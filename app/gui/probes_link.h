// The Probes dock joined to the main window: it reads the window's analysis (the open trace, or the
// analysed text) and the quantity shown; a ranked unit clicked becomes the heatmap's layer, direction,
// quantity and current unit (and so the text colouring's); its label and probe strips go under the
// heatmap's tokens beside the trace's meta tracks.
#pragma once

namespace lstmscope::app {

class MainWindow;
class ProbesPanel;

void linkProbes(MainWindow& window, ProbesPanel& probes);

}  // namespace lstmscope::app
