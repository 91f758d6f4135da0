#include "core/formats/trace_summaries.h"

#include <cmath>

#include "core/common/error.h"

namespace lstmscope {
namespace {

template <class T>
void writeTable(hid_t root, const std::string& path, const std::vector<T>& values, int units, int columns) {
  const bool integers = std::is_integral_v<T>;
  const hid_t memType = integers ? H5T_NATIVE_INT64 : std::is_same_v<T, float> ? H5T_NATIVE_FLOAT : H5T_NATIVE_DOUBLE;
  const hid_t fileType = integers ? H5T_STD_I64LE : std::is_same_v<T, float> ? H5T_IEEE_F32LE : H5T_IEEE_F64LE;
  std::vector<hsize_t> dims{static_cast<hsize_t>(units)};
  if (columns > 0) dims.push_back(static_cast<hsize_t>(columns));
  h5::writeArray(root, path, dims, values.data(), memType, fileType);
}

// A dataset of `units` rows (of `columns` values when columns > 0), as doubles: every number it holds
// (counts and steps below 2^53) is exact.
std::vector<double> readTable(hid_t root, const std::string& path, int units, int columns, const std::string& file) {
  const h5::DoubleArray a = h5::readDoubles(root, path, file);
  const bool shaped =
      columns > 0 ? a.dims.size() == 2 && a.dims[1] == static_cast<hsize_t>(columns) : a.dims.size() == 1;
  if (!shaped || a.dims[0] != static_cast<hsize_t>(units))
    throw InputError(file, path + " must have one row per unit (" + std::to_string(units) + ")" +
                               (columns > 0 ? " of " + std::to_string(columns) + " values" : std::string()));
  return a.values;
}

std::vector<int64_t> asCounts(const std::vector<double>& values, long largest, const std::string& path,
                              const std::string& file, bool allowMissing) {
  std::vector<int64_t> out;
  out.reserve(values.size());
  for (double v : values) {
    const bool ok = v == std::floor(v) && v <= static_cast<double>(largest) && (v >= 0 || (allowMissing && v == -1));
    if (!ok) throw InputError(file, path + " holds " + std::to_string(v) + ", which is not a valid count or step");
    out.push_back(static_cast<int64_t>(v));
  }
  return out;
}

std::vector<float> asFloats(const std::vector<double>& values) {
  return {values.begin(), values.end()};
}

}  // namespace

std::string unitSummaryPath(int layer, const std::string& direction, Quantity q) {
  return "summaries/" + std::to_string(layer) + "/" + direction + "/" + quantityName(q);
}

void writeUnitSummaries(hid_t root, const std::string& path, const UnitSummaries& s) {
  const int h = s.units;
  writeTable(root, path + "/count", s.count, h, 0);
  writeTable(root, path + "/non_finite", s.nonFinite, h, 0);
  writeTable(root, path + "/mean", s.mean, h, 0);
  writeTable(root, path + "/std", s.stddev, h, 0);
  writeTable(root, path + "/min", s.min, h, 0);
  writeTable(root, path + "/max", s.max, h, 0);
  writeTable(root, path + "/bin_start", s.binStart, h, 0);
  writeTable(root, path + "/bin_width", s.binWidth, h, 0);
  writeTable(root, path + "/histogram", s.histogram, h, s.options.bins);
  writeTable(root, path + "/high_steps", s.highSteps, h, s.options.top);
  writeTable(root, path + "/high_values", s.highValues, h, s.options.top);
  writeTable(root, path + "/low_steps", s.lowSteps, h, s.options.top);
  writeTable(root, path + "/low_values", s.lowValues, h, s.options.top);
  h5::Handle group = h5::openGroup(root, path, "");
  h5::writeIntAttr(group.get(), "bins", s.options.bins);
  h5::writeIntAttr(group.get(), "top", s.options.top);
  h5::writeIntAttr(group.get(), "radius", s.options.radius);
}

UnitSummaries readUnitSummaries(hid_t root, const std::string& path, int units, long steps, const std::string& file) {
  h5::Handle group = h5::openGroup(root, path, file);
  UnitSummaries s;
  s.units = units;
  const auto option = [&](const char* name, int lowest) {
    const auto v = h5::readIntAttr(group.get(), name);
    if (!v || *v < lowest || *v > 1 << 20) throw InputError(file, path + " has no valid attribute " + name);
    return static_cast<int>(*v);
  };
  s.options = {option("bins", 1), option("top", 1), option("radius", 0)};
  const int bins = s.options.bins, top = s.options.top;
  const std::string count = path + "/count";
  s.count = asCounts(readTable(root, count, units, 0, file), steps, count, file, false);
  const std::string nonFinite = path + "/non_finite";
  s.nonFinite = asCounts(readTable(root, nonFinite, units, 0, file), steps, nonFinite, file, false);
  s.mean = readTable(root, path + "/mean", units, 0, file);
  s.stddev = readTable(root, path + "/std", units, 0, file);
  s.min = readTable(root, path + "/min", units, 0, file);
  s.max = readTable(root, path + "/max", units, 0, file);
  s.binStart = readTable(root, path + "/bin_start", units, 0, file);
  s.binWidth = readTable(root, path + "/bin_width", units, 0, file);
  const std::string histogram = path + "/histogram";
  s.histogram = asCounts(readTable(root, histogram, units, bins, file), steps, histogram, file, false);
  for (const char* end : {"high", "low"}) {
    const std::string stepsPath = path + "/" + end + "_steps";
    auto kept = asCounts(readTable(root, stepsPath, units, top, file), steps - 1, stepsPath, file, true);
    auto values = asFloats(readTable(root, path + "/" + end + "_values", units, top, file));
    (std::string(end) == "high" ? s.highSteps : s.lowSteps) = std::move(kept);
    (std::string(end) == "high" ? s.highValues : s.lowValues) = std::move(values);
  }
  return s;
}

}  // namespace lstmscope
