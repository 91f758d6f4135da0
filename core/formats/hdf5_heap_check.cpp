#include "core/formats/hdf5_heap_check.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <ctime>
#include <deque>
#include <mutex>
#include <string_view>
#include <tuple>
#include <vector>

#include "core/common/error.h"

namespace lstmscope::h5 {
namespace {

// A collection: "GCOL", version 1, three reserved zero bytes, its size (a "length": 8 bytes in every file
// the check applies to), then objects of a 16-byte header (index 2, references 2, reserved 4, size 8) and
// their data padded to 8 bytes. Index 0 is the free space, whose size is what is left.
constexpr std::string_view kSignature("GCOL\x01\0\0\0", 8);
constexpr size_t kHeader = 16, kObjectHeader = 16, kMinCollection = 4096;

uint64_t readLength(const unsigned char* p) {
  uint64_t v = 0;
  for (int k = 7; k >= 0; --k) v = (v << 8) | p[k];
  return v;
}

// The size of "lengths" the superblock declares; 0 if there is no superblock the check understands.
int sizeOfLengths(const unsigned char* data, size_t size) {
  for (size_t at = 0; at + 16 <= size; at = at ? at * 2 : 512) {  // 0, 512, 1024, … (after a user block)
    if (std::memcmp(data + at, "\x89HDF\r\n\x1a\n", 8) != 0) continue;
    const unsigned version = data[at + 8];
    if (version <= 1) return data[at + 14];
    if (version <= 3) return data[at + 10];
    return 0;
  }
  return 0;
}

std::string damaged(size_t offset, const std::string& what) {
  return "the HDF5 file is damaged: the global heap collection at byte " + std::to_string(offset) + " " + what;
}

// The collection's length from its header at `offset` of a file of `fileSize` bytes.
uint64_t collectionLength(const unsigned char* header, size_t fileSize, size_t offset, const std::string& name) {
  if (fileSize - offset < kHeader) throw InputError(name, damaged(offset, "is cut off by the end of the file"));
  const uint64_t length = readLength(header + 8);
  if (length < kMinCollection || length > fileSize - offset)
    throw InputError(name, damaged(offset, "has an impossible size (" + std::to_string(length) + " bytes)"));
  return length;
}

// Walks the objects of the collection `c` (`length` bytes) as the library will.
void checkObjects(const unsigned char* c, uint64_t length, size_t offset, const std::string& name) {
  uint64_t p = kHeader;
  while (p < length) {
    if (length - p < kObjectHeader) break;  // a tail too small for an object: free space
    const unsigned index = c[p] | (c[p + 1] << 8);
    const uint64_t objectSize = readLength(c + p + 8);
    if (objectSize > length) throw InputError(name, damaged(offset, "holds an object larger than itself"));
    const uint64_t need = index > 0 ? kObjectHeader + ((objectSize + 7) & ~uint64_t(7)) : objectSize;
    if (need == 0) throw InputError(name, damaged(offset, "has a free-space entry of size 0"));
    if (need > length - p) throw InputError(name, damaged(offset, "has an object that runs past its end"));
    p += need;
  }
}

}  // namespace

void checkGlobalHeaps(const unsigned char* data, size_t size, const std::string& name) {
  if (sizeOfLengths(data, size) != 8) return;  // only files with 8-byte lengths are walked (all we write)
  const std::string_view all(reinterpret_cast<const char*>(data), size);
  for (size_t at = all.find(kSignature); at != std::string_view::npos; at = all.find(kSignature, at + 1))
    checkObjects(data + at, collectionLength(data + at, size, at, name), at, name);
}

// Read in blocks rather than mapped: on virtual machines where page faults are slow, mapping a 100 MB
// model costs more than copying it from the page cache.
namespace {

// Files already walked, by identity: one import opens a file several times (format probes, then the
// reader), and walking a large model each time would cost seconds. A changed file has a new identity,
// provided the change is not within the same tick of the file system's clock as the walk: so only files
// unchanged for a few seconds are remembered (a fuzzer rewriting one path thousands of times a second
// never is).
using FileIdentity = std::tuple<dev_t, ino_t, off_t, time_t, long, time_t, long>;

FileIdentity identityOf(const struct stat& st) {
  return {st.st_dev,          st.st_ino,         st.st_size,        st.st_mtim.tv_sec,
          st.st_mtim.tv_nsec, st.st_ctim.tv_sec, st.st_ctim.tv_nsec};
}

class VerifiedFiles {
 public:
  bool contains(const FileIdentity& id) {
    const std::lock_guard lock(mutex_);
    return std::find(files_.begin(), files_.end(), id) != files_.end();
  }
  void add(const FileIdentity& id) {
    const std::lock_guard lock(mutex_);
    files_.push_back(id);
    if (files_.size() > kKept) files_.pop_front();
  }

 private:
  static constexpr size_t kKept = 64;
  std::mutex mutex_;
  std::deque<FileIdentity> files_;
};

VerifiedFiles& verifiedFiles() {
  static VerifiedFiles files;
  return files;
}

}  // namespace

void checkGlobalHeapsOfFile(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return;  // the library's own open reports it
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  struct stat st {};
  if (::fstat(fd, &st) != 0 || st.st_size <= 0) return;
  const FileIdentity identity = identityOf(st);
  if (verifiedFiles().contains(identity)) return;
  const size_t size = static_cast<size_t>(st.st_size);
  const auto readAt = [&](size_t offset, size_t count, unsigned char* out) {
    size_t done = 0;
    while (done < count) {
      const ssize_t n = ::pread(fd, out + done, count - done, static_cast<off_t>(offset + done));
      if (n <= 0) return false;
      done += static_cast<size_t>(n);
    }
    return true;
  };
  constexpr size_t kBlock = size_t(1) << 20;
  std::vector<unsigned char> block(kBlock + kSignature.size());
  if (!readAt(0, std::min(size, block.size()), block.data())) return;
  if (sizeOfLengths(block.data(), std::min(size, block.size())) != 8) return;
  std::vector<unsigned char> collection;
  // Blocks overlap by the signature's length less one, so a signature across a boundary is seen once.
  for (size_t start = 0; start < size; start += kBlock) {
    const size_t count = std::min(size - start, block.size());
    if (!readAt(start, count, block.data())) return;
    const std::string_view view(reinterpret_cast<const char*>(block.data()), count);
    for (size_t at = view.find(kSignature); at != std::string_view::npos && at < kBlock;
         at = view.find(kSignature, at + 1)) {
      const size_t offset = start + at;
      unsigned char header[kHeader];
      if (size - offset < kHeader || !readAt(offset, kHeader, header))
        throw InputError(path, damaged(offset, "is cut off by the end of the file"));
      const uint64_t length = collectionLength(header, size, offset, path);
      collection.resize(length);
      if (!readAt(offset, length, collection.data())) throw InputError(path, damaged(offset, "cannot be read"));
      checkObjects(collection.data(), length, offset, path);
    }
  }
  constexpr time_t kSettledSeconds = 3;
  if (::time(nullptr) - st.st_ctim.tv_sec >= kSettledSeconds) verifiedFiles().add(identity);
}

}  // namespace lstmscope::h5
