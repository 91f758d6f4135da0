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
  zip_stat_t st;
  zip_stat_init(&st);
  if (zip_stat(archive_, name.c_str(), 0, &st) != 0 || !(st.valid & ZIP_STAT_SIZE))
    throw InputError(where, "is missing from the archive");
  if (st.size > maxBytes)
    throw InputError(where, "is " + std::to_string(st.size) + " bytes, more than the " + std::to_string(maxBytes) +
                                " this entry may have");
  // Deflate cannot expand more than about 1032-fold: a larger claim is a zip bomb or a lying header.
  if ((st.valid & ZIP_STAT_COMP_SIZE) && st.size > st.comp_size * 1100 + (uint64_t(1) << 20))
    throw InputError(where, "claims to inflate " + std::to_string(st.comp_size) + " bytes to " +
                                std::to_string(st.size) + "; refusing it (a zip bomb?)");
  zip_file_t* file = zip_fopen(archive_, name.c_str(), 0);
  if (!file) throw InputError(where, std::string("cannot be read: ") + zip_strerror(archive_));
  // Grow with the data that actually arrives, so a header that lies about the size costs no memory.
  std::vector<unsigned char> bytes;
  constexpr uint64_t kChunk = uint64_t(1) << 20;
  zip_int64_t got = 0;
  do {
    const size_t before = bytes.size();
    bytes.resize(before + kChunk);
    got = zip_fread(file, bytes.data() + before, kChunk);
    bytes.resize(before + static_cast<size_t>(std::max<zip_int64_t>(got, 0)));
  } while (got > 0 && bytes.size() <= st.size);
  const std::string why = got < 0 ? zip_file_strerror(file) : "";
  zip_fclose(file);
  if (got < 0) throw InputError(where, "is damaged (" + why + ")");
  if (bytes.size() != st.size) throw InputError(where, "does not have the size its header announces");
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
