#include "core/formats/hdf5_heap_check.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <deque>
#include <map>
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
// Files up to this size are scanned whole at open (checkGlobalHeapsOfFile); LSTMSCOPE_HEAP_SCAN_LIMIT_MB
// overrides it (the tests set 0 to exercise the per-read checks alone).
constexpr size_t kWholeFileScanLimit = size_t(256) << 20;

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

size_t wholeFileScanLimit() {
  if (const char* limit = std::getenv("LSTMSCOPE_HEAP_SCAN_LIMIT_MB"))
    return static_cast<size_t>(std::atof(limit) * 1e6);
  return kWholeFileScanLimit;
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
  // A large file (a corpus trace of gigabytes) is not read through at open: every collection a read
  // refers to is walked before the library parses it (checkStringReferences).
  if (size > wholeFileScanLimit()) return;
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

namespace lstmscope::h5 {
namespace {

// Variable-length strings as stored in a file with 8-byte addresses: length (4), collection address (8),
// object index (4).
constexpr size_t kStoredReference = 16;

// A conversion from a variable-length string to an opaque value of the same size that leaves the bytes as
// they are: reading through it gives the stored references instead of following them.
herr_t keepAsStored(hid_t source, hid_t destination, H5T_cdata_t* cdata, size_t, size_t, size_t, void*, void*, hid_t) {
  if (cdata->command == H5T_CONV_INIT) {
    cdata->need_bkg = H5T_BKG_NO;
    return H5Tis_variable_str(source) > 0 && H5Tget_size(source) == H5Tget_size(destination) ? 0 : -1;
  }
  return 0;
}

hid_t storedReferenceType() {
  static const hid_t type = [] {
    const hid_t opaque = H5Tcreate(H5T_OPAQUE, kStoredReference);
    H5Tset_tag(opaque, "lstmscope stored string reference");
    const hid_t string = H5Tcopy(H5T_C_S1);
    H5Tset_size(string, H5T_VARIABLE);
    H5Tregister(H5T_PERS_SOFT, "lstmscope keep string references", string, opaque, keepAsStored);
    H5Tclose(string);
    return opaque;
  }();
  return type;
}

// The bytes of the file an object belongs to: from disk, or the image of a file opened in memory.
class FileBytes {
 public:
  explicit FileBytes(hid_t obj) {
    char name[4096] = {0};
    if (H5Fget_name(obj, name, sizeof name) > 0) fd_ = ::open(name, O_RDONLY | O_CLOEXEC);
    if (fd_ >= 0) return;
    const hid_t file = H5Iget_file_id(obj);
    const ssize_t size = H5Fget_file_image(file, nullptr, 0);
    if (size > 0) {
      image_.resize(static_cast<size_t>(size));
      if (H5Fget_file_image(file, image_.data(), image_.size()) != size) image_.clear();
    }
    H5Fclose(file);
  }
  ~FileBytes() {
    if (fd_ >= 0) ::close(fd_);
  }
  uint64_t size() const {
    struct stat st {};
    if (fd_ < 0) return image_.size();
    return ::fstat(fd_, &st) == 0 ? static_cast<uint64_t>(st.st_size) : 0;
  }
  bool read(uint64_t offset, size_t count, unsigned char* out) const {
    if (fd_ < 0) {
      if (offset > image_.size() || count > image_.size() - offset) return false;
      std::memcpy(out, image_.data() + offset, count);
      return true;
    }
    for (size_t done = 0; done < count;) {
      const ssize_t n = ::pread(fd_, out + done, count - done, static_cast<off_t>(offset + done));
      if (n <= 0) return false;
      done += static_cast<size_t>(n);
    }
    return true;
  }

 private:
  int fd_ = -1;
  std::vector<unsigned char> image_;
};

// The objects of the collection at `address` (index -> size); empty when there is no collection there.
// A collection that is there is walked as the library will walk it (checkObjects) first: a file too large
// to be scanned whole at open is checked here, collection by collection, before any string is read.
std::map<unsigned, uint64_t> collectionObjects(const FileBytes& bytes, uint64_t address, uint64_t fileSize,
                                               const std::string& fileName) {
  std::map<unsigned, uint64_t> objects;
  unsigned char header[kHeader];
  if (!bytes.read(address, kHeader, header) || std::memcmp(header, kSignature.data(), kSignature.size()) != 0)
    return objects;
  const uint64_t length = collectionLength(header, fileSize, address, fileName);
  std::vector<unsigned char> c(length);
  if (!bytes.read(address, length, c.data())) return objects;
  checkObjects(c.data(), length, address, fileName);
  for (uint64_t p = kHeader; length - p >= kObjectHeader;) {
    const unsigned index = c[p] | (c[p + 1] << 8);
    const uint64_t size = readLength(c.data() + p + 8);
    if (index == 0 || size > length) break;  // the free space ends the objects
    objects[index] = size;
    p += kObjectHeader + ((size + 7) & ~uint64_t(7));
    if (p > length) break;
  }
  return objects;
}

}  // namespace

void checkStringReferences(hid_t file, size_t count, const std::function<herr_t(hid_t, void*)>& readStored,
                           const std::string& what, const std::string& fileName) {
  if (count == 0) return;
  std::vector<unsigned char> stored(count * kStoredReference);
  if (readStored(storedReferenceType(), stored.data()) < 0) return;  // not 8-byte addresses: not checked
  const FileBytes bytes(file);
  unsigned char start[16];
  uint64_t base = 0;  // addresses count from the superblock (after a user block, if any)
  for (uint64_t at = 0; bytes.read(at, 8, start); at = at ? at * 2 : 512)
    if (std::memcmp(start, "\x89HDF\r\n\x1a\n", 8) == 0) {
      base = at;
      break;
    }
  std::map<uint64_t, std::map<unsigned, uint64_t>> collections;
  const std::map<unsigned, uint64_t>* objects = nullptr;
  uint64_t lastAddress = 0;
  for (size_t k = 0; k < count; ++k) {
    const unsigned char* r = stored.data() + k * kStoredReference;
    const uint32_t length = r[0] | (r[1] << 8) | (r[2] << 16) | (uint32_t(r[3]) << 24);
    const uint64_t address = readLength(r + 4);
    const uint32_t index = r[12] | (r[13] << 8) | (r[14] << 16) | (uint32_t(r[15]) << 24);
    if (address == 0) continue;    // no string stored
    if (address != lastAddress) {  // consecutive strings mostly share a collection
      auto it = collections.find(address);
      if (it == collections.end())
        it = collections.emplace(address, collectionObjects(bytes, base + address, bytes.size(), fileName)).first;
      objects = &it->second, lastAddress = address;
    }
    const auto object = objects->find(index);
    if (object == objects->end() || object->second < length)
      throw InputError(fileName, "the HDF5 file is damaged: string " + std::to_string(k) + " of " + what +
                                     " refers to object " + std::to_string(index) + " of the global heap at byte " +
                                     std::to_string(base + address) + ", which has no such object");
  }
}

}  // namespace lstmscope::h5
