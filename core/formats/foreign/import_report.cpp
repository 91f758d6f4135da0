#include "core/formats/foreign/import_report.h"

namespace lstmscope {

std::string describeImport(const ImportReport& report) {
  std::string s = "format: " + report.format + "\n";
  for (const auto& t : report.tensors)
    s += "  " + t.name + " " + t.shape + " -> " + (t.role.empty() ? "not used" : t.role) + "\n";
  for (const auto& a : report.assumptions)
    if (a != report.cutOff) s += "assumed: " + a + "\n";
  return s;
}

}  // namespace lstmscope
