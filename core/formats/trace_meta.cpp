#include "core/formats/trace_meta.h"

#include <cmath>

#include "core/common/error.h"

namespace lstmscope {

bool validMetaName(const std::string& name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-') return false;
  return true;
}

void writeMetaTrack(hid_t root, const MetaTrack& track) {
  const std::string path = "meta/" + track.name;
  h5::writeFloats(root, path, {track.values.size()}, track.values.data(), 4096);
  h5::Handle d = h5::openDataset(root, path, "");
  h5::writeStringAttr(d.get(), "kind", track.categorical() ? "category" : "number");
  h5::writeStringAttr(d.get(), "source", track.source);
  if (track.categorical()) h5::writeStringListAttr(d.get(), "categories", track.categories);
}

std::vector<std::string> metaTrackNames(hid_t root, const std::string& file) {
  if (!h5::exists(root, "meta")) return {};
  h5::Handle group = h5::openGroup(root, "meta", file);
  return h5::childNames(group.get());
}

MetaTrack readMetaTrack(hid_t root, const std::string& name, long steps, const std::string& file,
                        const std::optional<h5::RowRange>& range) {
  const std::string path = "meta/" + name;
  MetaTrack track;
  track.name = name;
  h5::Handle d = h5::openDataset(root, path, file);
  const std::vector<hsize_t> dims = h5::datasetDims(d.get());
  if (dims.size() != 1 || static_cast<long>(dims[0]) != steps)
    throw InputError(file, path + " must hold one value per step (" + std::to_string(steps) + ")");
  track.values = h5::readFloats(root, path, file, h5::Stored::AnyNumber, range).values;
  track.source = h5::readStringAttr(d.get(), "source").value_or("");
  if (h5::readStringAttr(d.get(), "kind").value_or("number") == "category") {
    track.categories = h5::readStringListAttr(d.get(), "categories").value_or(std::vector<std::string>{});
    if (track.categories.empty()) throw InputError(file, path + " is a category track without categories");
    for (float v : track.values)
      if (!(v >= 0 && v < static_cast<float>(track.categories.size()) && v == std::floor(v)))
        throw InputError(file, path + " holds a category index that is not one of its " +
                                   std::to_string(track.categories.size()) + " categories");
  }
  return track;
}

}  // namespace lstmscope
