// Read-only access to a zip archive (PyTorch's .pt, Keras 3's .keras) through libzip. Entry reads are
// capped so that a zip bomb or a lying header ends in an InputError, not in exhausted memory.
// Not thread-safe: one archive per thread.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

struct zip;

namespace lstmscope {

class ZipArchive {
 public:
  // Throws InputError naming `path` when it is missing, unreadable or not a zip archive.
  explicit ZipArchive(const std::string& path);
  ~ZipArchive();
  ZipArchive(const ZipArchive&) = delete;
  ZipArchive& operator=(const ZipArchive&) = delete;

  const std::string& path() const { return path_; }
  const std::vector<std::string>& entries() const { return names_; }
  bool contains(const std::string& name) const;
  std::optional<uint64_t> sizeOf(const std::string& name) const;  // uncompressed size as the header says

  // The whole entry. Throws InputError naming the archive and entry when it is missing, damaged (CRC),
  // or larger than `maxBytes`.
  std::vector<unsigned char> read(const std::string& name, uint64_t maxBytes) const;

  // True when the file starts with a zip local-file or end-of-central-directory signature.
  static bool looksLikeZip(const std::string& path);

 private:
  std::string path_;
  zip* archive_ = nullptr;
  std::vector<std::string> names_;
};

}  // namespace lstmscope
