// One input of fuzz_cli_options (tests/fuzz/fuzz_cli_options.cpp), also replayed by the test suite.
// lstmscope-cli's option parsing: the input is a command line (arguments separated by NUL bytes, the
// first naming the command). Every command line must parse or end in a UsageError, and what parses must
// hold only values the commands can run with (the invariants below); anything else is a finding.
#pragma once

#include <cmath>
#include <set>
#include <stdexcept>

#include "app/cli/cli_args.h"
#include "app/cli/command_options.h"
#include "app/cli/intervention_options.h"

namespace lstmscope::fuzz {
namespace clioptions {

using namespace lstmscope::cli;

inline void require(bool holds) {
  if (!holds) throw std::logic_error("finding: parsed options the command cannot run with");
}

inline void checkOut(const std::string& out) {
  require(!out.empty() && out.back() != '/');
}

inline void checkRecord(const RecordOptions& o) {
  checkOut(o.out);
  require(o.maxSteps >= 1 && o.threads >= 0 && o.threads <= 4096);
  require(o.request.segments >= 1 && o.request.segments <= (1 << 20) && o.request.chunkSteps >= 1);
  require(!o.request.quantities.empty());
  require(std::set<Quantity>(o.request.quantities.begin(), o.request.quantities.end()).size() ==
          o.request.quantities.size());
  require(o.input.text.has_value() + !o.input.textFile.empty() + !o.input.csvFile.empty() <= 1);
}

inline void checkTrain(const TrainCommandOptions& c) {
  checkOut(c.out);
  const TrainOptions& o = c.train;
  require(o.layers >= 1 && o.layers <= 64 && o.hidden >= 1 && o.hidden <= (1 << 16));
  require(o.embedding >= 0 && o.embedding <= (1 << 16) && o.minCount >= 1);
  require(o.epochs >= 1 && o.batch >= 1 && o.bptt >= 1);
  require(std::isfinite(o.learningRate) && o.learningRate > 0);
  require(std::isfinite(o.learningRateDecay) && o.learningRateDecay > 0);
  require(std::isfinite(o.clip) && o.clip >= 0);
  require(o.validFraction > 0 && o.validFraction < 0.5);
  require(c.maxChars >= 0 && c.threads >= 0 && c.threads <= 4096);
  require(!(c.languageModel && o.bidirectional) && (c.languageModel || c.resumePath.empty()));
}

inline void checkAttribute(const AttributeOptions& o) {
  checkOut(o.out);
  (void)attributeOutputFor(o.out);  // must not throw for an accepted --out
  const AttributionSettings& s = o.settings;
  require(validIgSteps(s.steps) && s.window >= 1);
  require(std::isfinite(s.lrp.epsilon) && s.lrp.epsilon >= 0 && std::isfinite(s.lrp.biasFactor));
  require(!o.targetStep || *o.targetStep >= 0);
  require(!o.targetOutput || *o.targetOutput >= 0);
  require(!(o.targetOutput && o.targetUnit));
  if (o.targetUnit) require(o.targetUnit->layer >= 0 && o.targetUnit->unit >= 0);
}

inline void checkMatch(const MatchOptions& o) {
  checkOut(o.out);
  const MatchQuery& q = o.query;
  require(!q.units.empty() && std::isfinite(q.threshold) && q.top >= 1 && q.phraseLength >= 0 && o.what.layer >= 0);
  require(std::set<int>(q.units.begin(), q.units.end()).size() == q.units.size());
  for (int u : q.units) require(u >= 0);
  require(o.what.direction == "fwd" || o.what.direction == "bwd");
}

inline void checkUnit(const UnitOptions& o) {
  if (!o.out.empty()) checkOut(o.out);
  require(o.unit >= 0 && o.radius >= 0 && o.what.layer >= 0);
  require(o.what.direction == "fwd" || o.what.direction == "bwd");
}

inline void checkSpecs(const std::vector<InterventionSpec>& specs) {
  for (const InterventionSpec& spec : specs) {
    require(!spec.units.empty() && spec.layer >= 0 && std::isfinite(spec.number));
    for (int u : spec.units) require(u >= 0);
    require(!(spec.firstStep && spec.endStep) || *spec.firstStep < *spec.endStep);
    require(parseInterventionSpec(spec.text()).text() == spec.text());  // written back as read
  }
}

inline void checkIntervene(const InterveneOptions& o) {
  checkOut(o.out);
  require(!o.specs.empty() && o.out.ends_with(".h5") && !o.request.quantities.empty());
  checkSpecs(o.specs);
}

inline void checkTarget(const TargetOption& t) {
  require(!t.step || *t.step >= 0);
  require(!t.output || *t.output >= 0);
  require(!(t.output && t.unit) && (!t.unit || t.unitIndex >= 0));
}

inline void checkAblate(const AblateOptions& o) {
  checkOut(o.out);
  (void)attributeOutputFor(o.out);
  require(!(o.firstStep && o.endStep) || *o.firstStep < *o.endStep);
  require(!isPreactivation(o.what.quantity));
  checkTarget(o.target);
}

inline void checkGenerate(const GenerateOptions& o) {
  require(o.tokens >= 1 && o.tokens <= 100000 && std::isfinite(o.temperature) && o.temperature >= 0);
  checkSpecs(o.specs);
}

inline void checkProbe(const ProbeCommandOptions& o) {
  checkOut(o.out);
  (void)attributeOutputFor(o.out);                       // must not throw for an accepted --out
  require(o.tracePath.empty() != o.recordArgs.empty());  // a trace, or a model run to record
  require(!o.label.empty() && !o.quantities.empty() && o.top >= 1);
  require(std::set<Quantity>(o.quantities.begin(), o.quantities.end()).size() == o.quantities.size());
  for (const Quantity q : o.quantities) require(!isPreactivation(q));
  require(std::set<int>(o.layers.begin(), o.layers.end()).size() == o.layers.size());
  for (const int l : o.layers) require(l >= 0);
  require(std::isfinite(o.alpha) && o.alpha > 0 && std::isfinite(o.c) && o.c > 0);
  require(!(o.noProbe && o.probe) && o.threads >= 0 && o.threads <= 4096);
}

}  // namespace clioptions

inline void cliOptionsTarget(const uint8_t* data, size_t size) {
  using namespace clioptions;
  std::vector<std::string> args(1);
  for (size_t k = 0; k < size; ++k)
    if (data[k] == 0)
      args.emplace_back();
    else
      args.back() += static_cast<char>(data[k]);
  const std::string command = args.front();
  args.erase(args.begin());
  try {
    if (command == "info") (void)parseInfoOptions(args);
    if (command == "convert") checkOut(parseConvertOptions(args).out);
    if (command == "record") checkRecord(parseRecordOptions(args));
    if (command == "train") checkTrain(parseTrainOptions(args));
    if (command == "attribute") checkAttribute(parseAttributeOptions(args));
    if (command == "match") checkMatch(parseMatchOptions(args));
    if (command == "unit") checkUnit(parseUnitOptions(args));
    if (command == "export-lstmvis") require(!parseExportOptions(args).out.empty());
    if (command == "intervene") checkIntervene(parseInterveneOptions(args));
    if (command == "ablate") checkAblate(parseAblateOptions(args));
    if (command == "patch") checkTarget(parsePatchOptions(args).target);
    if (command == "generate") checkGenerate(parseGenerateOptions(args));
    if (command == "probe") checkProbe(parseProbeOptions(args));
  } catch (const UsageError&) {
  }
}

}  // namespace lstmscope::fuzz
