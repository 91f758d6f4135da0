#include "viz/heatmap_viewport.h"

#include <algorithm>
#include <cmath>

namespace lstmscope::viz {
namespace {

// Items whose centre lies in [a, b), else the item under the middle; clipped to [0, count).
IndexSpan spanOf(double a, double b, long count) {
  long first = static_cast<long>(std::ceil(a - 0.5)), end = static_cast<long>(std::ceil(b - 0.5));
  if (end <= first) first = static_cast<long>(std::floor(0.5 * (a + b))), end = first + 1;
  first = std::clamp(first, 0L, count), end = std::clamp(end, 0L, count);
  return end > first ? IndexSpan{first, end} : IndexSpan{};
}

void clampWindow(double& first, double& visible, long count, double minVisible) {
  const double total = std::max<double>(count, 1);
  visible = std::clamp(visible, std::min(minVisible, total), total);
  first = std::clamp(first, 0.0, total - visible);
}

}  // namespace

long HeatmapViewport::stepIndexAtX(double x) const {
  if (x < 0 || x >= width) return -1;
  const long s = static_cast<long>(std::floor(stepAtX(x)));
  return s >= 0 && s < steps ? s : -1;
}

long HeatmapViewport::rowIndexAtY(double y) const {
  if (y < 0 || y >= height) return -1;
  const long r = static_cast<long>(std::floor(rowAtY(y)));
  return r >= 0 && r < rows ? r : -1;
}

IndexSpan HeatmapViewport::columnSpan(int x) const {
  return spanOf(stepAtX(x), stepAtX(x + 1), steps);
}
IndexSpan HeatmapViewport::rowSpan(int y) const {
  return spanOf(rowAtY(y), rowAtY(y + 1), rows);
}

void HeatmapViewport::showAll() {
  firstStep = 0, visibleSteps = std::max<double>(steps, 1);
  firstRow = 0, visibleRows = std::max<double>(rows, 1);
}

void HeatmapViewport::zoomSteps(double factor, double anchorX) {
  const double anchor = stepAtX(anchorX);
  visibleSteps /= factor;
  clampWindow(firstStep, visibleSteps, steps, kMinVisibleSteps);
  firstStep = anchor - anchorX / pixelsPerStep();
  clamp();
}

void HeatmapViewport::zoomRows(double factor, double anchorY) {
  const double anchor = rowAtY(anchorY);
  visibleRows /= factor;
  clampWindow(firstRow, visibleRows, rows, kMinVisibleRows);
  firstRow = anchor - anchorY / pixelsPerRow();
  clamp();
}

void HeatmapViewport::panPixels(double dx, double dy) {
  firstStep -= dx / pixelsPerStep();
  firstRow -= dy / pixelsPerRow();
  clamp();
}

void HeatmapViewport::showSteps(double first, double count) {
  firstStep = first, visibleSteps = count;
  clamp();
}

void HeatmapViewport::clamp() {
  width = std::max(width, 1), height = std::max(height, 1);
  clampWindow(firstStep, visibleSteps, steps, kMinVisibleSteps);
  clampWindow(firstRow, visibleRows, rows, kMinVisibleRows);
}

}  // namespace lstmscope::viz
