// The Encoder dock: an encoder–decoder's encoder on the input's own time axis, beside the main heatmap, whose
// steps are the decoder's (docs/APP.md, encoder–decoders). One heatmap of an encoder layer's h or c over the
// input's rows or tokens; its last column, repeated, is what the decoder reads at each of its steps.
#pragma once

#include <QStringList>
#include <QWidget>
#include <memory>
#include <string>
#include <vector>

#include "core/model/model.h"

class QComboBox;
class QLabel;

namespace lstmscope::viz {
class HeatmapView;
}

namespace lstmscope::app {

struct RawInputRows;

// What the dock shows, computed with the analysis (off the GUI thread): each encoder layer's name and its h
// and c over the input's steps, and the steps' texts.
struct EncoderView {
  std::vector<std::string> names;
  std::vector<Mat<float>> h, c;
  QStringList tokens;
};

// The encoder of `arch`'s front end run over `rows`; null for a model without one.
std::shared_ptr<const EncoderView> encoderViewOf(const Architecture& arch, const RawInputRows* rows);

class EncoderPanel : public QWidget {
  Q_OBJECT
 public:
  explicit EncoderPanel(QWidget* parent = nullptr);

  // A new analysis: its encoder, or null when the model has none (the dock says so).
  void setEncoder(std::shared_ptr<const EncoderView> encoder);
  viz::HeatmapView* heatmap() const { return heatmap_; }
  QString note() const;

 private:
  void showChosen();

  std::shared_ptr<const EncoderView> encoder_;
  bool hadEncoder_ = false;  // the last analysis had an encoder (the dock starts hidden)
  QComboBox* layer_ = nullptr;
  QComboBox* quantity_ = nullptr;
  QLabel* note_ = nullptr;
  viz::HeatmapView* heatmap_ = nullptr;
};

}  // namespace lstmscope::app
