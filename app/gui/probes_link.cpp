#include "app/gui/probes_link.h"

#include <QDockWidget>

#include "app/gui/analysis_runner.h"
#include "app/gui/analysis_session.h"
#include "app/gui/heatmap_controls.h"
#include "app/gui/interventions_panel.h"
#include "app/gui/main_window.h"
#include "app/gui/probes_panel.h"
#include "core/analysis/recording.h"
#include "viz/heatmap_view.h"

namespace lstmscope::app {

void linkProbes(MainWindow& window, ProbesPanel& probes) {
  // The shown input's key: a text's tokens are hashed once per recording, not at every view update.
  struct KeyCache {
    std::weak_ptr<const Recording> recording;
    ProbeInputKey key;
  };
  auto cache = std::make_shared<KeyCache>();
  // `trace`: the trace the caller reads (the session's for a run, the shown result's for the strips).
  const auto shownKey = [&window, cache](const TraceReader* trace) -> ProbeInputKey {
    const AnalysisSession& session = *window.session();
    if (trace) return traceInputKey(trace);
    const std::shared_ptr<const Recording> recording = session.recording();
    if (cache->recording.lock() != recording) {
      const AnalysisResult* result = session.result();
      cache->key = textInputKey(result ? result->model.get() : nullptr, recording->tokens);
      cache->recording = recording;
    }
    return cache->key;
  };
  probes.setSourceProvider([&window, shownKey]() -> std::optional<ProbesPanel::Source> {
    const AnalysisSession& session = *window.session();
    if (!session.recording()) return std::nullopt;
    return ProbesPanel::Source{session.trace(), session.recording(), window.state().quantity,
                               shownKey(session.trace().get())};
  });
  QObject::connect(&probes, &ProbesPanel::picked, &window, [&window](int layer, int direction, Quantity q, int unit) {
    HeatmapControls& controls = *window.controls();
    controls.setLayer(layer);
    controls.setDirection(direction);
    controls.setQuantity(q, q == Quantity::C && controls.squashed());
    window.pickCurrent(window.state().currentStep, unit);
  });
  // "Ablate them" and "Steer along it": interventions on the L1 path's units, which the next analysis applies.
  QObject::connect(&probes, &ProbesPanel::interventionsProposed, &window, [&window](const QStringList& specs) {
    window.interventions()->addSpecs(specs);
    if (auto* dock = window.findChild<QDockWidget*>(QStringLiteral("interventions"))) dock->raise();
  });
  // The strips of the window shown: the trace's meta tracks, then the label and the probe's prediction.
  auto shownTrace = std::make_shared<const void*>(nullptr);
  const auto applyStrips = [&window, &probes, shownTrace, shownKey] {
    const AnalysisSession& session = *window.session();
    const AnalysisResult* result = session.result();
    const std::shared_ptr<const Recording> recording = session.recording();
    if (!result || !recording) return;
    if (result->trace.get() != *shownTrace) {  // another trace (or none): its meta tracks are the labels offered
      *shownTrace = result->trace.get();
      QStringList names;
      if (result->trace)
        for (const std::string& name : result->trace->metaNames()) names << QString::fromStdString(name);
      probes.setMetaTracks(names);
    }
    const ProbeInputKey source = shownKey(result->trace.get());
    probes.setShownSource(source, result->trace != nullptr);
    std::vector<viz::MetaStrip> strips = result->metaStrips;
    for (viz::MetaStrip& s : probes.strips(source, session.firstTraceStep(), recording->steps))
      strips.push_back(std::move(s));
    window.heatmap()->setMetaStrips(std::move(strips));
  };
  QObject::connect(&window, &MainWindow::analysisShown, &probes, applyStrips);
  QObject::connect(&probes, &ProbesPanel::resultChanged, &window, applyStrips);
}

}  // namespace lstmscope::app
