#include "core/intervention/intervention_spec.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>

#include "core/common/error.h"

namespace lstmscope {
namespace {

// The shortest decimal that reads back as exactly `v` (0.5 stays "0.5", not "0.50000000000000000").
std::string formatNumber(double v) {
  char buffer[40];
  for (int digits = 1; digits <= 17; ++digits) {
    std::snprintf(buffer, sizeof buffer, "%.*g", digits, v);
    if (std::strtod(buffer, nullptr) == v) break;
  }
  return buffer;
}

// A whole number of digits only (no sign, no blanks); false otherwise or when it overflows `long`.
bool wholeNumber(const std::string& digits, long& out) {
  if (digits.empty() || digits.size() > 15) return false;
  out = 0;
  for (char ch : digits) {
    if (ch < '0' || ch > '9') return false;
    out = out * 10 + (ch - '0');
  }
  return true;
}

bool finiteNumber(const std::string& text, double& out) {
  if (text.empty() || std::isspace(static_cast<unsigned char>(text[0]))) return false;
  char* end = nullptr;
  errno = 0;
  out = std::strtod(text.c_str(), &end);
  return end == text.c_str() + text.size() && errno == 0 && std::isfinite(out);
}

}  // namespace

std::string InterventionSpec::text() const {
  std::string s = std::to_string(layer) + "/" + direction + "/" + quantityName(quantity) + ":";
  for (size_t k = 0; k < units.size(); ++k) s += (k ? "," : "") + std::to_string(units[k]);
  if (firstStep || endStep)
    s += "@" + (firstStep ? std::to_string(*firstStep) : "") + ":" + (endStep ? std::to_string(*endStep) : "");
  switch (value) {
    case InterventionValue::Number:
      return s + "=" + formatNumber(number);
    case InterventionValue::Zero:
      return s + "=zero";
    case InterventionValue::Mean:
      return s + "=mean";
    case InterventionValue::Add:
      return s + "=add:" + formatNumber(number);
  }
  return s;
}

InterventionSpec parseInterventionSpec(const std::string& text) {
  const auto bad = [&](const std::string& why) {
    return InputError("intervention '" + text + "': " + why +
                      " (write L/DIR/Q:U[,U...][@A:B]=V, e.g. 1/fwd/c:17@40:60=zero; V is a number, zero, mean "
                      "or add:X)");
  };
  InterventionSpec spec;
  const size_t equals = text.find('=');
  if (equals == std::string::npos) throw bad("no '=' before the value");
  const std::string target = text.substr(0, equals), value = text.substr(equals + 1);
  const size_t colon = target.find(':');
  if (colon == std::string::npos) throw bad("no ':' before the units");
  const std::string where = target.substr(0, colon);
  const size_t slash1 = where.find('/'), slash2 = where.rfind('/');
  if (slash1 == std::string::npos || slash1 == slash2) throw bad("the quantity must be LAYER/DIRECTION/QUANTITY");
  long layer = 0;
  if (!wholeNumber(where.substr(0, slash1), layer) || layer > 1000) throw bad("the layer is not a whole number");
  spec.layer = static_cast<int>(layer);
  spec.direction = where.substr(slash1 + 1, slash2 - slash1 - 1);
  if (spec.direction != "fwd" && spec.direction != "bwd") throw bad("the direction must be fwd or bwd");
  if (!parseQuantity(where.substr(slash2 + 1), spec.quantity) || isPreactivation(spec.quantity))
    throw bad("the quantity must be one of i f g o c h");

  std::string units = target.substr(colon + 1);
  const size_t at = units.find('@');
  if (at != std::string::npos) {
    const std::string steps = units.substr(at + 1);
    units.resize(at);
    const size_t stepColon = steps.find(':');
    if (stepColon == std::string::npos) throw bad("the steps must be A:B");
    const std::string a = steps.substr(0, stepColon), b = steps.substr(stepColon + 1);
    long v = 0;
    if (!a.empty()) {
      if (!wholeNumber(a, v)) throw bad("the first step is not a whole number");
      spec.firstStep = v;
    }
    if (!b.empty()) {
      if (!wholeNumber(b, v)) throw bad("the end step is not a whole number");
      spec.endStep = v;
    }
    if (spec.firstStep && spec.endStep && *spec.endStep <= *spec.firstStep)
      throw bad("the steps A:B are empty (B must be greater than A)");
  }
  size_t start = 0;
  while (start <= units.size()) {
    const size_t comma = std::min(units.find(',', start), units.size());
    long u = 0;
    if (!wholeNumber(units.substr(start, comma - start), u) || u > 1'000'000) throw bad("a unit is not a whole number");
    spec.units.push_back(static_cast<int>(u));
    start = comma + 1;
  }

  if (value == "zero") {
    spec.value = InterventionValue::Zero;
  } else if (value == "mean") {
    spec.value = InterventionValue::Mean;
  } else if (value.rfind("add:", 0) == 0) {
    spec.value = InterventionValue::Add;
    if (!finiteNumber(value.substr(4), spec.number)) throw bad("add: needs a finite number");
  } else {
    spec.value = InterventionValue::Number;
    if (!finiteNumber(value, spec.number)) throw bad("the value is not a finite number, zero, mean or add:X");
  }
  return spec;
}

int directionIndex(const Architecture& arch, int layer, const std::string& name) {
  if (layer < 0 || layer >= static_cast<int>(arch.layers.size()))
    throw InputError("the model has no layer " + std::to_string(layer) + " (it has " +
                     std::to_string(arch.layers.size()) + ")");
  const LayerSpec& spec = arch.layers[static_cast<size_t>(layer)];
  for (int d = 0; d < spec.directions(); ++d)
    if (name == directionName(spec, d)) return d;
  throw InputError("layer " + std::to_string(layer) + " has no direction " + name + " (it reads " +
                   (spec.bidirectional ? "both ways"
                    : spec.reverse     ? "backward only: bwd"
                                       : "forward only: fwd") +
                   ")");
}

EditSlot editSlotOf(Quantity q) {
  if (isPreactivation(q)) throw InputError(std::string("a pre-activation (") + quantityName(q) + ") cannot be set");
  return static_cast<EditSlot>(static_cast<int>(q));
}

void checkIntervenable(const Architecture& arch, int layer, int direction, Quantity q) {
  if (layer < 0 || layer >= static_cast<int>(arch.layers.size()))
    throw InputError("the model has no layer " + std::to_string(layer));
  if (direction < 0 || direction >= arch.layers[static_cast<size_t>(layer)].directions())
    throw InputError("layer " + std::to_string(layer) + " has no direction " + std::to_string(direction));
  editSlotOf(q);
}

std::vector<UnitIntervention> resolveIntervention(const InterventionSpec& spec, const Architecture& arch, long steps,
                                                  const UnitMean& mean, int column) {
  const std::string which = "intervention '" + spec.text() + "': ";
  int direction = 0;
  try {
    direction = directionIndex(arch, spec.layer, spec.direction);
  } catch (const InputError& e) {
    throw InputError(which + e.what());
  }
  const int hidden = arch.layers[static_cast<size_t>(spec.layer)].hidden;
  const long first = spec.firstStep.value_or(0), end = std::min(spec.endStep.value_or(steps), steps);
  if (first >= steps)
    throw InputError(which + "it starts at step " + std::to_string(first) + " but the input has " +
                     std::to_string(steps) + " steps");
  std::vector<UnitIntervention> out;
  for (int u : spec.units) {
    if (u >= hidden)
      throw InputError(which + "layer " + std::to_string(spec.layer) + " has no unit " + std::to_string(u) +
                       " (it has " + std::to_string(hidden) + ")");
    UnitIntervention v;
    v.layer = spec.layer, v.direction = direction, v.slot = editSlotOf(spec.quantity), v.unit = u;
    v.firstStep = first, v.endStep = end, v.column = column;
    v.add = spec.value == InterventionValue::Add;
    v.value = spec.value == InterventionValue::Mean   ? mean(spec.layer, direction, spec.quantity, u)
              : spec.value == InterventionValue::Zero ? 0.0
                                                      : spec.number;
    out.push_back(v);
  }
  return out;
}

std::vector<UnitIntervention> resolveInterventions(const std::vector<InterventionSpec>& specs, const Architecture& arch,
                                                   long steps, const UnitMean& mean) {
  std::vector<UnitIntervention> all;
  for (const InterventionSpec& spec : specs) {
    const auto units = resolveIntervention(spec, arch, steps, mean);
    all.insert(all.end(), units.begin(), units.end());
  }
  return all;
}

std::vector<InterventionSpec> parseInterventionSpecs(const std::vector<std::string>& texts) {
  std::vector<InterventionSpec> specs;
  for (const std::string& text : texts) specs.push_back(parseInterventionSpec(text));
  return specs;
}

}  // namespace lstmscope
