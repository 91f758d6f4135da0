#include "app/gui/exported_views.h"

#include "app/gui/attribution_panel.h"
#include "app/gui/effects_panel.h"
#include "app/gui/main_window.h"
#include "app/gui/match_panel.h"
#include "app/gui/probes_panel.h"
#include "app/gui/unit_panel.h"
#include "viz/attribution_bar_chart.h"
#include "viz/attribution_matrix_view.h"
#include "viz/attribution_text_view.h"
#include "viz/heatmap_view.h"
#include "viz/predictions_view.h"
#include "viz/projection_view.h"
#include "viz/saturation_view.h"
#include "viz/score_lines_chart.h"
#include "viz/text_colour_view.h"
#include "viz/trajectory_chart.h"
#include "viz/unit_dashboard_view.h"

namespace lstmscope::app {
namespace {

// The views that export as figures, by command-line name (--export-view), in the Export dialog's order.
struct ExportSlot {
  const char* key;
  const char* title;
  viz::ExportableView* (*view)(const MainWindow&);
};
constexpr ExportSlot kExportSlots[] = {
    {"heatmap", QT_TR_NOOP("Heatmap"), [](const MainWindow& w) -> viz::ExportableView* { return w.heatmap(); }},
    {"trajectories", QT_TR_NOOP("Trajectories"),
     [](const MainWindow& w) -> viz::ExportableView* { return w.trajectories(); }},
    {"textColouring", QT_TR_NOOP("Text colouring"),
     [](const MainWindow& w) -> viz::ExportableView* { return w.textColours(); }},
    {"predictions", QT_TR_NOOP("Predictions"),
     [](const MainWindow& w) -> viz::ExportableView* { return w.predictions(); }},
    {"saturation", QT_TR_NOOP("Gate saturation"),
     [](const MainWindow& w) -> viz::ExportableView* { return w.saturation(); }},
    {"projection", QT_TR_NOOP("State trajectory"),
     [](const MainWindow& w) -> viz::ExportableView* { return w.projection(); }},
    {"attribution", QT_TR_NOOP("Attribution text"),
     [](const MainWindow& w) -> viz::ExportableView* { return w.attribution()->textView(); }},
    {"attributionBars", QT_TR_NOOP("Attribution bars"),
     [](const MainWindow& w) -> viz::ExportableView* { return w.attribution()->barChart(); }},
    {"attributionMatrix", QT_TR_NOOP("Attribution, all targets"),
     [](const MainWindow& w) -> viz::ExportableView* { return w.attribution()->matrixView(); }},
    {"match", QT_TR_NOOP("Match"), [](const MainWindow& w) -> viz::ExportableView* { return w.match()->rowsView(); }},
    {"unit", QT_TR_NOOP("Unit dashboard"),
     [](const MainWindow& w) -> viz::ExportableView* { return w.unit()->dashboard(); }},
    {"effectsMap", QT_TR_NOOP("Effects map (ablation or patching)"),
     [](const MainWindow& w) -> viz::ExportableView* { return w.effects()->map(); }},
    {"effectsBars", QT_TR_NOOP("Effects of ablating each unit"),
     [](const MainWindow& w) -> viz::ExportableView* { return w.effects()->bars(); }},
    {"probeRanking", QT_TR_NOOP("Units ranked by a probe's label"),
     [](const MainWindow& w) -> viz::ExportableView* { return w.probes()->rankingExport(); }},
    {"probeCurve", QT_TR_NOOP("Probing curve"),
     [](const MainWindow& w) -> viz::ExportableView* { return w.probes()->curveChart(); }},
    {"probeL1Path", QT_TR_NOOP("L1 path of the best probe"),
     [](const MainWindow& w) -> viz::ExportableView* { return w.probes()->l1Chart(); }},
};

}  // namespace

std::vector<ExportEntry> exportEntries(const MainWindow& window) {
  std::vector<ExportEntry> entries;
  for (const ExportSlot& slot : kExportSlots)
    entries.push_back({QLatin1String(slot.key), MainWindow::tr(slot.title), slot.view(window)});
  return entries;
}

QStringList exportViewKeys() {
  QStringList keys;
  for (const ExportSlot& slot : kExportSlots) keys << QLatin1String(slot.key);
  return keys;
}

}  // namespace lstmscope::app
