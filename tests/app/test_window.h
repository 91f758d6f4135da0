// The main window as every app test drives it (with every view's header, since the window's header only
// forward-declares them): no modal dialogs (errors arrive as signals), the size the
// screenshots use, shown (offscreen) so that layouts and the heatmap's frames happen as they do for users.
#pragma once

#include <gtest/gtest.h>

#include <QApplication>
#include <QComboBox>
#include <QPlainTextEdit>
#include <QSignalSpy>
#include <QTest>

#include "app/gui/analysis_session.h"
#include "app/gui/attribution_panel.h"
#include "app/gui/heatmap_controls.h"
#include "app/gui/main_window.h"
#include "core/analysis/recording.h"
#include "viz/attribution_bar_chart.h"
#include "viz/attribution_matrix_view.h"
#include "viz/attribution_text_view.h"
#include "viz/heatmap_view.h"
#include "viz/predictions_view.h"
#include "viz/projection_view.h"
#include "viz/saturation_view.h"
#include "viz/text_colour_view.h"
#include "viz/trajectory_chart.h"

namespace lstmscope::test {

inline void prepareForTest(app::MainWindow& window) {
  window.setInteractive(false);
  window.resize(1280, 800);
  window.show();
}

// prepareForTest, then the demo opened and its analysis shown: where most app tests start.
inline testing::AssertionResult openDemoForTest(app::MainWindow& window) {
  prepareForTest(window);
  QSignalSpy shown(&window, &app::MainWindow::analysisShown);
  window.openDemo();
  if (shown.wait(60000)) return testing::AssertionSuccess();
  return testing::AssertionFailure() << "the demo was not shown: " << window.lastError().toStdString();
}

// Waits until the heatmap has drawn its current frame.
inline testing::AssertionResult waitForHeatmapFrame(app::MainWindow& window) {
  for (int k = 0; k < 500 && !window.heatmap()->frameIsCurrent(); ++k) QTest::qWait(10);
  if (!window.heatmap()->frameIsCurrent()) return testing::AssertionFailure() << "the heatmap frame was not drawn";
  QApplication::processEvents();
  return testing::AssertionSuccess();
}

// The widget point at the centre of heatmap cell (step, display row).
inline QPoint heatmapCellCentre(const viz::HeatmapView* view, long step, double row) {
  return {view->plotRect().left() + static_cast<int>(view->viewport().xOfStep(step + 0.5)),
          view->plotRect().top() + static_cast<int>(view->viewport().yOfRow(row + 0.5))};
}

}  // namespace lstmscope::test
