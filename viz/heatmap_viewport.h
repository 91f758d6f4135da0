// Pixel <-> data mapping of the heatmap: which steps and rows a pixel shows, zoom and pan. A plain value
// type, unit-tested without a window (docs/DEVELOPING.md, design rule 5).
#pragma once

namespace lstmscope::viz {

// A half-open range of data indices [first, end).
struct IndexSpan {
  long first = 0, end = 0;
  long size() const { return end - first; }
  bool operator==(const IndexSpan&) const = default;
};

// Step s occupies [s, s + 1) along x, display row r occupies [r, r + 1) along y. The visible window is
// [firstStep, firstStep + visibleSteps) x [firstRow, firstRow + visibleRows), drawn over width x height
// pixels.
struct HeatmapViewport {
  long steps = 0;  // data extent
  long rows = 0;
  int width = 1, height = 1;  // plot area in pixels
  double firstStep = 0, visibleSteps = 1;
  double firstRow = 0, visibleRows = 1;

  double pixelsPerStep() const { return width / visibleSteps; }
  double pixelsPerRow() const { return height / visibleRows; }
  double stepAtX(double x) const { return firstStep + x / pixelsPerStep(); }
  double xOfStep(double step) const { return (step - firstStep) * pixelsPerStep(); }
  double rowAtY(double y) const { return firstRow + y / pixelsPerRow(); }
  double yOfRow(double row) const { return (row - firstRow) * pixelsPerRow(); }

  // The data step under pixel x (or row under pixel y); -1 outside the data.
  long stepIndexAtX(double x) const;
  long rowIndexAtY(double y) const;

  // What pixel column x (row y) shows: every step whose centre lies in the pixel, so each step belongs to
  // exactly one pixel; when zoomed in (no centre inside) the one step under the pixel's centre. Clipped to
  // the data; empty when the pixel is outside it.
  IndexSpan columnSpan(int x) const;
  IndexSpan rowSpan(int y) const;

  void showAll();                                 // the whole data in view
  void zoomSteps(double factor, double anchorX);  // factor > 1 zooms in, keeping the step under anchorX
  void zoomRows(double factor, double anchorY);
  void panPixels(double dx, double dy);        // content follows the mouse: dx > 0 shows earlier steps
  void showSteps(double first, double count);  // a given step window (clamped)
  // Keeps the window inside the data, at most the whole data and at least minVisible steps/rows.
  void clamp();

  bool operator==(const HeatmapViewport&) const = default;

  static constexpr double kMinVisibleSteps = 2;
  static constexpr double kMinVisibleRows = 1;
};

}  // namespace lstmscope::viz
