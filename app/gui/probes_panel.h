// The Probes dock (docs/APP.md "Probes"): which units carry a property of the text. The user picks a label
// (a built-in property, a regular expression, a file of labels, or a meta track of the open trace) and
// quantities; in the background every unit of every layer and direction is ranked against it and a linear
// probe is trained per layer (docs/PROBES.md). The ranked units are listed, strongest first: clicking one
// shows it in the heatmap and the text colouring. Tabs chart the strongest units, the probing curve and the
// best probe's L1 path. The label and the best probe's prediction become meta
// strips under the heatmap's tokens.
#pragma once

#include <QWidget>
#include <functional>
#include <memory>
#include <optional>

#include "app/gui/latest_job.h"
#include "app/gui/probe_intervention_buttons.h"
#include "app/gui/probe_job.h"
#include "app/gui/probe_ranking_export.h"
#include "viz/meta_strips.h"

class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QTableWidget;
class QTabWidget;

namespace lstmscope::viz {
class AttributionBarChart;
class ScoreLinesChart;
}  // namespace lstmscope::viz

namespace lstmscope::app {

// What a result belongs to: a trace, or a model and the tokens it read. The same text run again by the same
// model (under interventions, say) is the same input: its ranking, strips and buttons still apply.
struct ProbeInputKey {
  const void* owner = nullptr;  // the trace, or the model
  size_t tokens = 0;            // a hash of the tokens (0 for a trace)
  bool operator==(const ProbeInputKey&) const = default;
};
ProbeInputKey traceInputKey(const TraceReader* trace);
ProbeInputKey textInputKey(const void* model, const std::vector<std::string>& tokens);

class ProbesPanel : public QWidget {
  Q_OBJECT
 public:
  explicit ProbesPanel(QWidget* parent = nullptr);

  // What a run reads: the open trace (all of it) or the analysed text, and the quantity the heatmap shows.
  struct Source {
    std::shared_ptr<const TraceReader> trace;
    std::shared_ptr<const Recording> recording;
    Quantity shownQuantity = Quantity::C;
    ProbeInputKey key;  // what a result of this source belongs to
  };
  void setSourceProvider(std::function<std::optional<Source>()> provider) { source_ = std::move(provider); }
  // The open trace's meta tracks, offered as labels (none: no trace).
  void setMetaTracks(const QStringList& names);
  // Whether choosing "labels from a file…" opens a file dialog (not in tests, where nobody could close it).
  void setFileDialogs(bool open) { fileDialogs_ = open; }
  // builtin:NAME, regex:PATTERN, meta:NAME or file:PATH; false for a spec the dock does not offer.
  bool setLabel(const QString& spec);
  QString label() const;
  void run();
  void cancel() { job_.cancel(); }
  bool busy() const { return job_.busy(); }
  QString status() const;
  QTableWidget* rankingTable() const { return table_; }
  // The 20 strongest units as bars (signed: r, AUC - 0.5, or IoU with its sign).
  viz::AttributionBarChart* rankingChart() const { return bars_; }
  // What `probeRanking` exports: the bars' figure, the whole ranking as CSV and JSON.
  viz::ExportableView* rankingExport() const { return rankingExport_.get(); }
  // The probing curve (test and control score per layer and quantity) and the best probe's L1 path.
  viz::ScoreLinesChart* curveChart() const { return curve_; }
  viz::ScoreLinesChart* l1Chart() const { return l1_; }
  QTabWidget* views() const { return views_; }
  QString summary() const;
  // The interventions the buttons beside Rank units propose (probe_intervention_buttons.h): the units the
  // best probe's L1 path keeps (95 % of its score) set to their mean, or shifted along the probe refitted
  // on them (none: no result, or no point reached 95 %; no steering for categories).
  QStringList l1Ablation() const;
  QStringList l1Steering() const;
  // What the views show now (a recording, or a trace: interventions do not apply there). The buttons are
  // offered only while the result belongs to a shown recording.
  void setShownSource(ProbeInputKey source, bool isTrace);
  bool hasResult() const { return findings_ != nullptr; }
  // The label and the best probe's prediction over steps [first, first + count) of the input the result
  // belongs to, as meta strips; none when `source` (a trace or recording) is not that input.
  std::vector<viz::MetaStrip> strips(ProbeInputKey source, long first, long count) const;

 signals:
  void picked(int layer, int direction, Quantity quantity, int unit);
  void interventionsProposed(const QStringList& specs);  // "Ablate them" or "Steer along it" was clicked
  void resultChanged();                                  // a new result (or none): the strips changed

 private:
  void showStatus(const QString& text, bool error);
  void showFindings(std::shared_ptr<const ProbeFindings> findings, ProbeInputKey source);
  QString labelSpec() const;

  LatestJob job_;
  QComboBox* label_;
  QLineEdit* pattern_;
  QComboBox* quantity_;
  QPushButton* run_;
  ProbeInterventionButtons* interventionButtons_;
  QLabel* status_;
  QLabel* summary_;
  QTabWidget* views_;
  QTableWidget* table_;
  viz::AttributionBarChart* bars_;
  std::unique_ptr<ProbeRankingExport> rankingExport_;
  viz::ScoreLinesChart* curve_;
  viz::ScoreLinesChart* l1_;
  QString filePath_;  // the label file chosen
  bool fileDialogs_ = true;
  std::function<std::optional<Source>()> source_;
  std::shared_ptr<const ProbeFindings> findings_;
  ProbeInputKey findingsSource_;
  ProbeInputKey shownSource_;
  bool shownIsTrace_ = false;
  void updateInterventionButtons();
};

}  // namespace lstmscope::app
