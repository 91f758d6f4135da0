// Options of the commands that read a trace: match, unit and export-lstmvis.
#include <cmath>
#include <filesystem>
#include <sstream>

#include "app/cli/cli_args.h"
#include "app/cli/command_options.h"
#include "core/common/error.h"
#include "core/formats/trace_file.h"

namespace lstmscope::cli {
namespace {

std::vector<int> parseUnits(const std::string& list) {
  std::vector<int> units;
  std::stringstream s(list);
  for (std::string item; std::getline(s, item, ',');) {
    int u = 0;
    if (!plainWholeNumber(item, u))
      throw UsageError("--units must be unit numbers separated by commas, not '" + list + "'");
    for (int v : units)
      if (v == u) throw UsageError("--units names unit " + item + " twice");
    units.push_back(u);
  }
  if (units.empty()) throw UsageError("--units is empty");
  return units;
}

}  // namespace

// "0/fwd/c": layer, direction and quantity.
void parseQuantitySpec(const std::string& spec, QuantityOption& o) {
  const auto bad = [&] {
    return UsageError("--quantity must look like 0/fwd/c (layer/direction/quantity), not '" + spec + "'");
  };
  const size_t a = spec.find('/'), b = spec.rfind('/');
  if (a == std::string::npos || a == b) throw bad();
  if (!plainWholeNumber(spec.substr(0, a), o.layer)) throw bad();
  o.direction = spec.substr(a + 1, b - a - 1);
  if (o.direction != "fwd" && o.direction != "bwd") throw bad();
  if (!parseQuantity(spec.substr(b + 1), o.quantity)) throw bad();
}

int traceDirection(const TraceReader& trace, const QuantityOption& what) {
  if (what.layer >= trace.layers())
    throw InputError(trace.path(), "the trace has no layer " + std::to_string(what.layer));
  for (int d = 0; d < trace.directions(what.layer); ++d)
    if (trace.directionName(what.layer, d) == what.direction) return d;
  throw InputError(trace.path(), "the trace does not record " + std::to_string(what.layer) + "/" + what.direction +
                                     "/" + quantityName(what.quantity));
}

void requireUnitInLayer(const TraceReader& trace, const QuantityOption& what, int unit, const std::string& said) {
  const int units = trace.units(what.layer);
  if (unit >= units)
    throw InputError(trace.path(), said + " does not exist (layer " + std::to_string(what.layer) + " has " +
                                       std::to_string(units) + " units)");
}

MatchOptions parseMatchOptions(const std::vector<std::string>& args) {
  const Args a(args, {"trace", "quantity", "units", "threshold", "transform", "phrase-length", "top", "out"},
               {"constrain-left", "constrain-right", "no-index"});
  if (!a.positional().empty()) throw UsageError("unexpected argument '" + a.positional()[0] + "'");
  MatchOptions o;
  o.tracePath = a.require("trace");
  o.out = a.require("out");
  if (!o.out.ends_with(".json") && !o.out.ends_with(".csv")) throw UsageError("--out must end in .json or .csv");
  o.json = o.out.ends_with(".json");
  checkOutputPath(o.out, {o.tracePath});
  parseQuantitySpec(a.require("quantity"), o.what);
  MatchQuery& q = o.query;
  q.units = parseUnits(a.require("units"));
  q.threshold = a.getDouble("threshold", q.threshold);
  if (!std::isfinite(q.threshold)) throw UsageError("--threshold must be a finite number");
  const std::string transform = a.get("transform", o.what.quantity == Quantity::C ? "tanh" : "raw");
  if (transform != "tanh" && transform != "raw") throw UsageError("--transform must be tanh or raw");
  q.tanh = transform == "tanh";
  o.useIndex = !a.has("no-index");
  q.constrainLeft = a.has("constrain-left");
  q.constrainRight = a.has("constrain-right");
  if (a.has("phrase-length")) q.phraseLength = a.getLong("phrase-length", 0, 1, 1'000'000'000);
  q.top = a.getInt("top", q.top, 1, 1'000'000);
  return o;
}

UnitOptions parseUnitOptions(const std::vector<std::string>& args) {
  const Args a(args, {"trace", "quantity", "unit", "radius", "out"}, {});
  if (!a.positional().empty()) throw UsageError("unexpected argument '" + a.positional()[0] + "'");
  UnitOptions o;
  o.tracePath = a.require("trace");
  parseQuantitySpec(a.require("quantity"), o.what);
  (void)a.require("unit");
  o.unit = a.getInt("unit", 0, 0, 1 << 30);
  o.radius = a.getInt("radius", o.radius, 0, 1000);
  o.out = a.get("out", "");
  if (!o.out.empty()) {
    if (!o.out.ends_with(".json")) throw UsageError("--out must end in .json");
    checkOutputPath(o.out, {o.tracePath});
  }
  return o;
}

ExportOptions parseExportOptions(const std::vector<std::string>& args) {
  const Args a(args, {"trace", "out"}, {});
  if (!a.positional().empty()) throw UsageError("unexpected argument '" + a.positional()[0] + "'");
  ExportOptions o;
  o.tracePath = a.require("trace");
  o.out = a.require("out");
  if (o.out.empty()) throw UsageError("--out is empty; give a folder to create");
  std::error_code ec;
  const auto status = std::filesystem::status(o.out, ec);
  if (std::filesystem::exists(status) &&
      (!std::filesystem::is_directory(status) || !std::filesystem::is_empty(o.out, ec)))
    throw UsageError("--out " + o.out + " exists and is not an empty folder; give a new folder");
  return o;
}

}  // namespace lstmscope::cli
