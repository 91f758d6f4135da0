// The Probes dock's hand-over to the Interventions dock (docs/PROBES.md "From a probe to an intervention"):
// "Ablate them" sets the units the best probe's L1 path keeps to their mean; "Steer along it" shifts them
// along the probe refitted on them; "Steer (all units)" shifts every unit the best probe weighs along its
// own direction. All three are offered only while the result belongs to the analysed text the views show
// (interventions do not apply to a trace), and their tooltips say why not.
#pragma once

#include <QObject>
#include <QStringList>

#include "app/gui/probe_job.h"

class QPushButton;
class QWidget;

namespace lstmscope::app {

// The interventions each button proposes for `f` (none: no best probe, or no point of its L1 path reached
// the target; steering also none for categories).
QStringList l1AblationSpecs(const ProbeFindings& f);
QStringList l1SteeringSpecs(const ProbeFindings& f);
// Steering along the best probe itself: one spec per unit it gives a non-zero weight (none for categories).
QStringList fullSteeringSpecs(const ProbeFindings& f);

class ProbeInterventionButtons : public QObject {
  Q_OBJECT
 public:
  explicit ProbeInterventionButtons(QWidget* parent);
  QPushButton* ablate() const { return ablate_; }
  QPushButton* steer() const { return steer_; }
  QPushButton* steerFull() const { return steerFull_; }
  // The findings shown (null: none; kept alive by the caller), whether they belong to the analysis the
  // views show, and whether the views show a trace.
  void setState(const ProbeFindings* findings, bool current, bool shownIsTrace);

 signals:
  void proposed(const QStringList& specs);

 private:
  QPushButton* ablate_;
  QPushButton* steer_;
  QPushButton* steerFull_;
  const ProbeFindings* findings_ = nullptr;
};

}  // namespace lstmscope::app
