// `lstmscope-cli probe`: which units carry a property of the text, ranked, and how well a linear probe
// reads the property off each layer's state (docs/CLI.md "probe", docs/PROBES.md).
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <thread>

#include "app/cli/cli_args.h"
#include "app/cli/command_options.h"
#include "app/cli/commands.h"
#include "app/cli/probe_figures.h"
#include "app/cli/probe_inputs.h"
#include "app/cli/text_output.h"
#include "core/analysis/text_labels.h"
#include "core/common/error.h"
#include "core/parallel/parallel_probe.h"
#include "core/parallel/ranks.h"
#include "core/probing/probe_study.h"
#include "core/probing/probe_units.h"
#include "core/probing/ranking_export.h"

namespace lstmscope::cli {

const char* const kProbeHelp =
    "usage: lstmscope-cli probe (--trace TRACE.h5 | --model MODEL (--text S | --text-file F | --csv F |\n"
    "                            --corpus PATH) [record's model and input options])\n"
    "                           --label SPEC [--quantity Q|all] [--layers all|L,L…] [--probe logistic|ridge|none]\n"
    "                           [--metric pearson|spearman|auc|iou] [--top N] [--alpha A] [--c C] [--seed S]\n"
    "                           [--penalty l2|l1] [--no-l1-path] [--figure ranking|curve|l1-path]\n"
    "                           --out RANK.json|RANK.csv|RANK.png|RANK.svg|RANK.pdf\n"
    "\n"
    "Scores every unit of the chosen layers (both directions) and quantities against a label of the text and\n"
    "ranks them, strongest first; then trains a linear probe on each layer's units (and all layers together)\n"
    "on half of the input and tests it on the other half, beside a control task (docs/PROBES.md).\n"
    "  --label builtin:NAME  a property of text and code (below)\n"
    "  --label regex:P       1 at every token a match of the regular expression overlaps, else 0; with a\n"
    "                        group, e.g. def ([a-z_]+): the group's text as a category (\"-\" elsewhere)\n"
    "  --label file:F        one label per token, a line each (.tsv/.csv: the row's last field); all numbers:\n"
    "                        a number, else categories\n"
    "  --label meta:NAME     a meta track of the trace\n"
    "  --quantity Q          c (default), a list such as i,f,o, or all\n"
    "  --layers              all (default) or a list of layers\n"
    "  --probe               ridge (numbers) or logistic (0/1 labels and categories) by default; none: rank only\n"
    "  --metric              pearson (default for numbers), spearman, auc (default otherwise) or iou (0/1)\n"
    "  --top N               ranked units written (default 50)\n"
    "  --alpha A             ridge's penalty (default 1); --c C: logistic's inverse penalty (default 1)\n"
    "  --penalty l1          the lasso (alpha as scikit-learn's Lasso) and L1 logistic regression (default l2)\n"
    "  --no-l1-path          skip the L1 path: how few units reach 95 % of the best probe's test score\n"
    "  --seed S              the control task's random labels (default 1)\n"
    "  --figure F            what RANK.png/.svg/.pdf shows: ranking (default): the 20 strongest units as bars\n"
    "                        (signed r, AUC - 0.5 or IoU); curve: each quantity's test score per layer, the\n"
    "                        control task dashed; l1-path: the best probe's score on the units an L1 probe keeps\n"
    "Built-in labels:\n";

namespace {

std::vector<QuantityRef> rankedQuantities(const TraceReader& trace, const ProbeCommandOptions& o,
                                          const std::vector<int>& layers) {
  std::vector<QuantityRef> which;
  for (const Quantity q : o.quantities) {
    bool recorded = false;
    for (const int l : layers)
      for (int d = 0; d < trace.directions(l); ++d)
        if (trace.has(l, d, q)) which.push_back({l, d, q}), recorded = true;
    if (!recorded)
      throw InputError(trace.path(), std::string("does not record the quantity ") + quantityName(q) +
                                         " (record it with --quantities, or choose another with --quantity)");
  }
  return which;
}

// The built-in labels as --help lists them: name, then what it means.
std::string builtinLabelList() {
  std::string list;
  for (const BuiltinLabel& b : builtinLabels())
    list += "  " + b.name + std::string(std::max<size_t>(1, 18 - std::min<size_t>(b.name.size(), 18)), ' ') +
            b.description + "\n";
  return list;
}

std::vector<int> unitsPerLayer(const TraceReader& trace) {
  std::vector<int> units;
  for (int l = 0; l < trace.layers(); ++l) units.push_back(trace.units(l));
  return units;
}

nlohmann::ordered_json numberOrNull(double v) {
  return std::isfinite(v) ? nlohmann::ordered_json(v) : nullptr;
}

nlohmann::ordered_json probeJson(const ProbeOutcome& p, const ProbeSplit& split, ProbePenalty penalty) {
  nlohmann::ordered_json coefficients = nlohmann::ordered_json::array(), intercepts = nlohmann::ordered_json::array();
  for (long r = 0; r < p.probe.weights.rows(); ++r) {
    coefficients.push_back(std::vector<double>(p.probe.weights.row(r).begin(), p.probe.weights.row(r).end()));
    intercepts.push_back(numberOrNull(p.probe.intercepts(r)));  // null: a category no training step has
  }
  return {{"layer", p.layer < 0 ? nlohmann::ordered_json("all") : nlohmann::ordered_json(p.layer)},
          {"quantity", quantityName(p.quantity)},
          {"kind", probeKindName(p.probe.kind)},
          {"penalty", probePenaltyName(penalty)},
          {"features", p.features},
          {"train_steps", split.train.size()},
          {"test_steps", split.test.size()},
          {"train_score", numberOrNull(p.trainScore)},
          {"test_score", numberOrNull(p.testScore)},
          {"control_score", numberOrNull(p.controlScore)},
          {"selectivity", numberOrNull(p.selectivity())},
          {"l1_units_95", nullptr},
          {"coefficients", coefficients},
          {"intercepts", intercepts}};
}

// Steering along the reported probe itself: every unit it reads shifted so that its score moves by its
// steering shift (docs/PROBES.md "From a probe to an intervention"); none for categories.
void addWholeProbeSteering(nlohmann::ordered_json& probe, const ProbeOutcome& p, const std::vector<int>& directions,
                           const TraceReader& trace) {
  nlohmann::ordered_json steer = nlohmann::ordered_json::array();
  if (p.probe.weights.rows() == 1)
    for (const InterventionSpec& spec : wholeProbeSteeringSpecs(
             p.probe.weights.row(0).transpose(), p.steeringShift,
             probeFeatureUnits(p.layer, directions, unitsPerLayer(trace)), p.quantity, trace.directionNames()))
      steer.push_back(spec.text());
  probe["steer_all_units"] = steer;
  probe["all_units_steering_shift"] = numberOrNull(p.steeringShift);
}

// The L1 path's points, and the fewest units that reach 95 % of the probe's test score (null: none does):
// which they are, and the interventions that set them to their mean (for `intervene --set`).
void addL1Path(nlohmann::ordered_json& probe, const L1Path& path, const std::vector<FeatureUnit>& units,
               Quantity quantity, const TraceReader& trace) {
  nlohmann::ordered_json points = nlohmann::ordered_json::array();
  const char* penalty = path.kind == ProbeKind::Ridge ? "alpha" : "c";
  for (const L1PathPoint& point : path.points)
    points.push_back({{penalty, point.penalty},
                      {"units", point.units},
                      {"train_score", numberOrNull(point.trainScore)},
                      {"test_score", numberOrNull(point.testScore)},
                      {"refit_train_score", numberOrNull(point.refitTrainScore)},
                      {"refit_test_score", numberOrNull(point.refitTestScore)}});
  probe["l1_units_95"] = path.unitsFor95 >= 0 ? nlohmann::ordered_json(path.unitsFor95) : nullptr;
  probe["l1_path"] = {
      {"baseline", numberOrNull(path.baseline)}, {"target", numberOrNull(path.target)}, {"points", points}};
  if (path.unitsFor95 < 0) return;
  const auto& directionNames = trace.directionNames();
  nlohmann::ordered_json listed = nlohmann::ordered_json::array(), ablate = nlohmann::ordered_json::array();
  for (const long f : path.featuresFor95) {
    const FeatureUnit& u = units[static_cast<size_t>(f)];
    listed.push_back({{"layer", u.layer},
                      {"direction", directionNames[static_cast<size_t>(u.layer)][static_cast<size_t>(u.direction)]},
                      {"unit", u.unit}});
  }
  for (const InterventionSpec& spec : meanAblationSpecs(path.featuresFor95, units, quantity, directionNames))
    ablate.push_back(spec.text());
  nlohmann::ordered_json steer = nlohmann::ordered_json::array();
  if (path.probeFor95.weights.rows() == 1)
    for (const InterventionSpec& spec : steeringSpecs(path.featuresFor95, path.probeFor95.weights.row(0).transpose(),
                                                      path.steeringShift, units, quantity, directionNames))
      steer.push_back(spec.text());
  probe["l1_units"] = listed;
  probe["ablate_l1_units"] = ablate;
  probe["steer_l1_units"] = steer;
  probe["steering_shift"] = numberOrNull(path.steeringShift);
}

// What the command reads and checks before it scores anything. Under mpirun every rank prepares it and
// the ranks agree on the outcome (ranks::agreeOn), so a rank that cannot read the trace stops them all.
struct ProbeSetup {
  ProbeCommandOptions o;
  std::unique_ptr<TemporaryTrace> recorded;  // --model: the run recorded into a temporary trace
  std::optional<TraceReader> trace;
  ProbeLabel label;
  RankingMetric metric = RankingMetric::Pearson;
  std::vector<int> layers;
  std::vector<QuantityRef> ranked;
  int threads = 1;
};

void prepareProbe(const std::vector<std::string>& args, ProbeSetup& setup) {
  ProbeCommandOptions& o = setup.o;
  o = parseProbeOptions(args);
  if (ranks::size() > 1 && o.tracePath.empty())
    throw UsageError(
        "under mpirun, probe ranks the units of a trace (--trace): record it first, e.g. with "
        "mpirun … record --corpus (docs/SCALING.md)");
  applyThreads(o.threads);
  if (o.tracePath.empty()) setup.recorded = std::make_unique<TemporaryTrace>(o.recordArgs, o.quantities);
  const TraceReader& trace = setup.trace.emplace(setup.recorded ? setup.recorded->path() : o.tracePath);
  setup.label = readProbeLabel(o.label, trace);
  const LabelKind kind = setup.label.kind;
  setup.metric = o.metric.value_or(defaultRankingMetric(kind));
  if (!metricFitsLabel(setup.metric, kind))
    throw UsageError(std::string("--metric ") + rankingMetricName(setup.metric) + " does not apply to the " +
                     labelKindName(kind) + " label " + o.label +
                     " (pearson and spearman need numbers, auc 0/1 or categories, iou 0/1)");
  setup.layers = o.layers;
  for (const int l : setup.layers)
    if (l >= trace.layers())
      throw InputError(trace.path(), "--layers: there is no layer " + std::to_string(l) + " (the model has " +
                                         std::to_string(trace.layers()) + ")");
  if (setup.layers.empty())
    for (int l = 0; l < trace.layers(); ++l) setup.layers.push_back(l);
  // What this rank holds at most: the widest quantity's units it ranks, and on the root (which trains the
  // probes) the widest probe, all chosen layers together (every direction's units).
  long widest = 0, features = 0;
  for (const int l : setup.layers) {
    widest =
        std::max<long>(widest, shareUnits(trace.units(l), ranks::size())[static_cast<size_t>(ranks::rank())].count);
    features += o.noProbe || !ranks::isRoot() ? 0 : static_cast<long>(trace.units(l)) * trace.directions(l);
  }
  setup.threads = static_cast<int>(o.threads > 0 ? o.threads : std::max(1u, std::thread::hardware_concurrency()));
  checkProbeMemory(trace.steps(), widest, features, setup.threads,
                   o.tracePath.empty() ? std::string("the input") : o.tracePath);
  setup.ranked = rankedQuantities(trace, o, setup.layers);
  if (!o.noProbe && o.probe == ProbeKind::Logistic && kind == LabelKind::Scalar)
    throw UsageError("--probe logistic needs a 0/1 or categorical label; " + o.label + " gives numbers");
}

// Every unit of the chosen quantities ranked; under mpirun (docs/SCALING.md) the ranks share the units and
// only the root gets the ranking.
UnitRanking rankTraceUnits(const ProbeSetup& setup) {
  const TraceReader& trace = *setup.trace;
  const long steps = trace.steps();
  if (ranks::size() == 1)
    return rankUnits(
        setup.ranked, [&](const QuantityRef& q) { return trace.read(q.layer, q.direction, q.quantity, 0, steps); },
        setup.label, setup.metric, setup.threads);
  std::vector<int> units;
  for (const QuantityRef& q : setup.ranked) units.push_back(trace.units(q.layer));
  return rankUnitsAcrossRanks(
      setup.ranked, units,
      [&](const QuantityRef& q, UnitShare share) {
        return trace.readUnits(q.layer, q.direction, q.quantity, share.first, share.count, 0, steps);
      },
      setup.label, setup.metric, setup.threads);
}

}  // namespace

int runProbe(const std::vector<std::string>& args) {
  static const std::string help = std::string(kProbeHelp) + builtinLabelList();
  if (printHelpIfAsked(args, help.c_str())) return 0;
  ProbeSetup setup;
  ranks::agreeOn([&] { prepareProbe(args, setup); });  // before the ranks' first collective
  const UnitRanking ranking = rankTraceUnits(setup);
  if (!ranks::isRoot()) return 0;  // the probes train on the root alone (docs/SCALING.md)
  const ProbeCommandOptions& o = setup.o;
  const TraceReader& trace = *setup.trace;
  const ProbeLabel& label = setup.label;
  const RankingMetric metric = setup.metric;
  const std::vector<int>& layers = setup.layers;
  const long steps = trace.steps();
  const QuantityValues read = [&](const QuantityRef& q) {
    return trace.read(q.layer, q.direction, q.quantity, 0, steps);
  };

  const DirectionNamer names = [&trace](int layer, int direction) { return trace.directionName(layer, direction); };
  nlohmann::ordered_json out = rankingDocument(ranking, label, metric, steps, names, static_cast<size_t>(o.top));
  out["label"] = o.label;
  if (!o.noProbe) {
    const ProbeSplit split = splitByDocuments(trace.documentOffsets());
    ProbeSettings settings;
    settings.kind = o.probe.value_or(defaultProbeKind(label.kind)), settings.alpha = o.alpha, settings.c = o.c;
    settings.penalty = o.penalty;
    const std::vector<double> control = controlLabels(label, trace.tokenText(), o.seed);
    std::vector<int> directions;
    // Layers left out of --layers have no directions: the probe of all layers together reads the chosen ones.
    for (int l = 0; l < trace.layers(); ++l)
      directions.push_back(std::find(layers.begin(), layers.end(), l) != layers.end() ? trace.directions(l) : 0);
    std::vector<int> probed = layers;
    if (layers.size() > 1) probed.push_back(-1);  // and every chosen layer together
    nlohmann::ordered_json curve = nlohmann::ordered_json::array();
    std::vector<ProbeOutcome> outcomes;  // the curve's probes, for --figure curve and l1-path
    std::optional<nlohmann::ordered_json> best;
    double bestScore = -std::numeric_limits<double>::infinity();
    std::pair<int, Quantity> bestProbe{0, Quantity::C};
    size_t bestOutcome = 0;
    for (const Quantity q : o.quantities)
      for (const int l : probed) {
        try {
          ProbeOutcome p = runProbe(l, q, directions, read, label, control, split, settings);
          nlohmann::ordered_json entry = probeJson(p, split, settings.penalty);
          if (p.testScore > bestScore)
            bestScore = p.testScore, best = entry, bestProbe = {l, q}, bestOutcome = outcomes.size();
          entry.erase("coefficients"), entry.erase("intercepts");
          curve.push_back(entry);
          p.predictions = {};  // a value per step, which no figure draws
          outcomes.push_back(std::move(p));
        } catch (const std::invalid_argument& e) {
          throw InputError(trace.path(), std::string("cannot train a probe: ") + e.what() +
                                             " (a 0/1 label needs both values among the training steps)");
        }
      }
    if (best) addWholeProbeSteering(*best, outcomes[bestOutcome], directions, trace);
    if (best && o.l1Path) {
      const L1Path path =
          runL1Path(bestProbe.first, bestProbe.second, directions, read, label, split, settings, bestScore);
      addL1Path(*best, path, probeFeatureUnits(bestProbe.first, directions, unitsPerLayer(trace)), bestProbe.second,
                trace);
      if (o.output == AttributeOutput::Figure && o.figure == ProbeFigure::L1Path)
        writeL1PathFigure(o.out, path, outcomes[bestOutcome], label.kind, o.label);
    }
    out["probe"] = best ? *best : nlohmann::ordered_json(nullptr);
    out["curve"] = curve;
    if (o.output == AttributeOutput::Figure && o.figure == ProbeFigure::Curve)
      writeProbingCurveFigure(o.out, outcomes, trace.layers(), label.kind, o.label);
    if (o.output == AttributeOutput::Figure && o.figure == ProbeFigure::L1Path && !best)
      throw InputError(trace.path(), "no probe could be trained, so there is no L1 path to draw");
  }
  if (o.output == AttributeOutput::Figure) {
    if (o.figure == ProbeFigure::Ranking) writeRankingFigure(o.out, ranking, metric, o.label);
  } else
    writeTextFile(o.out, o.output == AttributeOutput::Json
                             ? out.dump(1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n"
                             : rankingCsv(ranking, label, names, static_cast<size_t>(o.top)));
  return 0;
}

}  // namespace lstmscope::cli
