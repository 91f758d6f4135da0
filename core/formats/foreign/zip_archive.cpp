#include "core/formats/foreign/zip_archive.h"

#include <zip.h>

#include <algorithm>
#include <fstream>

#include "core/common/error.h"

namespace lstmscope {

ZipArchive::ZipArchive(const std::string& path) : path_(path) {
  int code = 0;
  archive_ = zip_open(path.c_str(), ZIP_RDONLY | ZIP_CHECKCONS, &code);
  if (!archive_) {
    zip_error_t error;
    zip_error_init_with_code(&error, code);
    const std::string why = zip_error_strerror(&error);
    zip_error_fini(&error);
    throw InputError(path, "cannot be opened as a zip archive (" + why + "): it is truncated or damaged");
  }
  const zip_int64_t n = zip_get_num_entries(archive_, 0);
  for (zip_int64_t k = 0; k < n; ++k) {
    const char* name = zip_get_name(archive_, static_cast<zip_uint64_t>(k), ZIP_FL_ENC_GUESS);
    names_.emplace_back(name ? name : "");
  }
}

ZipArchive::~ZipArchive() {
  if (archive_) zip_discard(archive_);
}

bool ZipArchive::contains(const std::string& name) const {
  return std::find(names_.begin(), names_.end(), name) != names_.end();
}

std::optional<uint64_t> ZipArchive::sizeOf(const std::string& name) const {
  zip_stat_t st;
  zip_stat_init(&st);
  if (zip_stat(archive_, name.c_str(), 0, &st) != 0 || !(st.valid & ZIP_STAT_SIZE)) return std::nullopt;
  return st.size;
}

std::vector<unsigned char> ZipArchive::read(const std::string& name, uint64_t maxBytes) const {
  const std::string where = path_ + " (entry " + name + ")";
  const auto size = sizeOf(name);
  if (!size) throw InputError(where, "is missing from the archive");
  if (*size > maxBytes)
    throw InputError(where, "is " + std::to_string(*size) + " bytes, more than the " + std::to_string(maxBytes) +
                                " this entry may have");
  zip_file_t* file = zip_fopen(archive_, name.c_str(), 0);
  if (!file) throw InputError(where, std::string("cannot be read: ") + zip_strerror(archive_));
  std::vector<unsigned char> bytes(*size);
  // Read one byte more than announced: a stream longer than its header says is damaged (or hostile).
  unsigned char extra;
  const zip_int64_t got = *size ? zip_fread(file, bytes.data(), *size) : 0;
  const zip_int64_t beyond = got == static_cast<zip_int64_t>(*size) ? zip_fread(file, &extra, 1) : 0;
  const std::string why = got < 0 || beyond < 0 ? zip_file_strerror(file) : "";
  zip_fclose(file);
  if (got < 0 || beyond < 0) throw InputError(where, "is damaged (" + why + ")");
  if (got != static_cast<zip_int64_t>(*size) || beyond != 0)
    throw InputError(where, "does not have the size its header announces");
  return bytes;
}

bool ZipArchive::looksLikeZip(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  char magic[4] = {};
  in.read(magic, 4);
  return in.gcount() == 4 && magic[0] == 'P' && magic[1] == 'K' &&
         ((magic[2] == 3 && magic[3] == 4) || (magic[2] == 5 && magic[3] == 6));
}

}  // namespace lstmscope
