// The guard against libhdf5 1.10's endless loop on damaged global heaps (core/formats/hdf5_heap_check.h):
// collections written as the format lays them out, one sound and three damaged ways.
#include "core/formats/hdf5_heap_check.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <fstream>
#include <thread>
#include <vector>

#include "core/common/error.h"
#include "core/formats/hdf5.h"
#include "core/formats/native_model.h"
#include "tests/support/test_models.h"

namespace lstmscope::test {
namespace {

void putLength(std::vector<unsigned char>& b, size_t at, uint64_t v) {
  for (int k = 0; k < 8; ++k) b[at + k] = static_cast<unsigned char>(v >> (8 * k));
}

// A superblock (version 0, 8-byte lengths) and at 512 one 4096-byte collection holding "2.2.4", then a
// free-space entry of `freeSize` bytes.
std::vector<unsigned char> fileWithCollection(uint64_t freeSize, uint64_t firstObjectSize = 5) {
  std::vector<unsigned char> b(512 + 4096, 0);
  std::memcpy(b.data(), "\x89HDF\r\n\x1a\n", 8);
  b[13] = 8, b[14] = 8;  // sizes of offsets and lengths
  std::memcpy(b.data() + 512, "GCOL\x01\0\0\0", 8);
  putLength(b, 512 + 8, 4096);
  b[512 + 16] = 1;  // object 1
  putLength(b, 512 + 24, firstObjectSize);
  std::memcpy(b.data() + 512 + 32, "2.2.4", 5);
  putLength(b, 512 + 40 + 8, freeSize);  // object 0 (after 16 + 8 bytes of object 1): the free space
  return b;
}

std::string problemOf(const std::vector<unsigned char>& b) {
  try {
    h5::checkGlobalHeaps(b.data(), b.size(), "m.h5");
  } catch (const InputError& e) {
    return e.what();
  }
  return "sound";
}

TEST(Hdf5HeapCheck, SoundCollectionsPassDamagedOnesAreNamed) {
  EXPECT_EQ(problemOf(fileWithCollection(4096 - 40)), "sound");
  EXPECT_EQ(problemOf(fileWithCollection(0)),
            "m.h5: the HDF5 file is damaged: the global heap collection at byte 512 has a free-space entry of size 0");
  EXPECT_EQ(
      problemOf(fileWithCollection(4096 - 40, uint64_t(1) << 62)),
      "m.h5: the HDF5 file is damaged: the global heap collection at byte 512 holds an object larger than itself");
  EXPECT_EQ(problemOf(fileWithCollection(4096 - 40 + 8)),
            "m.h5: the HDF5 file is damaged: the global heap collection at byte 512 has an object that runs past its "
            "end");
  std::vector<unsigned char> cut = fileWithCollection(4096 - 40);
  cut.resize(2048);
  EXPECT_EQ(
      problemOf(cut),
      "m.h5: the HDF5 file is damaged: the global heap collection at byte 512 has an impossible size (4096 bytes)");
}

// Every file LSTMScope writes passes, on disk as in memory.
TEST(Hdf5HeapCheck, OurOwnFilesPass) {
  const ScratchDir dir("heap-check");
  const std::string path = dir.file("m.h5");
  saveNativeModel(smallCharModel(), path);
  EXPECT_NO_THROW(h5::checkGlobalHeapsOfFile(path));
  EXPECT_NO_THROW(loadNativeModel(path));
}

// A file that passed is not walked again, but a file changed since is: damage written after a successful
// check is still found.
TEST(Hdf5HeapCheck, AChangedFileIsCheckedAgain) {
  const ScratchDir dir("heap-check-again");
  const std::string path = dir.file("m.h5");
  const auto write = [&](const std::vector<unsigned char>& b) {
    std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(b.data()), std::streamsize(b.size()));
  };
  write(fileWithCollection(4096 - 40));
  std::this_thread::sleep_for(std::chrono::milliseconds(3100));  // only settled files are remembered
  EXPECT_NO_THROW(h5::checkGlobalHeapsOfFile(path));
  EXPECT_NO_THROW(h5::checkGlobalHeapsOfFile(path));  // remembered
  write(fileWithCollection(0));                       // same size, same inode, damaged
  EXPECT_THROW(h5::checkGlobalHeapsOfFile(path), InputError);
  // A file rewritten at once (within one tick of a coarse clock) is never remembered.
  write(fileWithCollection(4096 - 40));
  EXPECT_NO_THROW(h5::checkGlobalHeapsOfFile(path));
  write(fileWithCollection(0));
  EXPECT_THROW(h5::checkGlobalHeapsOfFile(path), InputError);
}

// A stored string whose reference names an object its heap collection does not hold is refused before
// libhdf5 follows it (it read out of bounds and crashed; found by fuzz_trace), in datasets and attributes.
TEST(Hdf5HeapCheck, StringsReferringToMissingHeapObjectsAreRefused) {
  const ScratchDir dir("heap-references");
  const std::string path = dir.file("strings.h5");
  {
    h5::File f = h5::File::create(path);
    h5::writeStrings(f.id(), "names", {"hello", "world"});
    h5::writeStringAttr(f.id(), "model", "lstm");
    f.flush();
  }
  EXPECT_EQ(h5::readStrings(h5::File::openReadOnly(path).id(), "names", path),
            (std::vector<std::string>{"hello", "world"}));
  std::vector<unsigned char> bytes;
  {
    std::ifstream in(path, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  const auto at = std::search(bytes.begin(), bytes.end(), "GCOL", "GCOL" + 4) - bytes.begin();
  ASSERT_LT(at, static_cast<long>(bytes.size()));
  // Each stored string: length (4), collection address (8), object index (4).
  const auto damageReference = [&](uint32_t length, uint32_t newIndex) {
    std::vector<unsigned char> copy = bytes;
    unsigned char pattern[12] = {static_cast<unsigned char>(length)};
    for (int k = 0; k < 8; ++k) pattern[4 + k] = static_cast<unsigned char>(static_cast<uint64_t>(at) >> (8 * k));
    const auto ref = std::search(copy.begin(), copy.end(), pattern, pattern + 12);
    EXPECT_NE(ref, copy.end());
    std::memcpy(&*(ref + 12), &newIndex, 4);
    const std::string damaged = dir.file("damaged.h5");
    std::ofstream(damaged, std::ios::binary).write(reinterpret_cast<const char*>(copy.data()), copy.size());
    return damaged;
  };
  const std::string dataset = damageReference(5, 77);  // "hello"
  try {
    h5::readStrings(h5::File::openReadOnly(dataset).id(), "names", dataset);
    ADD_FAILURE() << "a string referring to a missing heap object was read";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("string 0 of names refers to object 77 of the global heap at byte " +
                                         std::to_string(at) + ", which has no such object"),
              std::string::npos)
        << e.what();
  }
  const std::string attribute = damageReference(4, 4000000000u);  // "lstm"
  try {
    h5::readStringAttr(h5::File::openReadOnly(attribute).id(), "model");
    ADD_FAILURE() << "an attribute referring to a missing heap object was read";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("attribute 'model' of / refers to object 4000000000"), std::string::npos)
        << e.what();
  }
}

// A file too large to be scanned whole at open (here: any file, with the limit set to 0) is checked
// collection by collection when its strings are read: a collection that would make libhdf5 loop forever
// is named before the library parses it.
TEST(Hdf5HeapCheck, WithoutTheWholeFileScanTheCollectionsAStringReadUsesAreWalked) {
  const ScratchDir dir("heap-per-read");
  const std::string path = dir.file("strings.h5");
  {
    h5::File f = h5::File::create(path);
    h5::writeStrings(f.id(), "names", {"hello", "world"});
    f.flush();
  }
  std::vector<unsigned char> bytes;
  {
    std::ifstream in(path, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  const auto at = static_cast<size_t>(std::search(bytes.begin(), bytes.end(), "GCOL", "GCOL" + 4) - bytes.begin());
  ASSERT_LT(at, bytes.size());
  // Walk the objects (16-byte headers: index 2, references 2, reserved 4, size 8) to the free space (index
  // 0) and make its size 0: libhdf5 1.10 would step by 0 bytes for ever.
  size_t p = at + 16;
  while (bytes[p] | (bytes[p + 1] << 8)) {
    uint64_t size = 0;
    std::memcpy(&size, &bytes[p + 8], 8);
    p += 16 + ((size + 7) & ~uint64_t(7));
  }
  std::memset(&bytes[p + 8], 0, 8);
  const std::string damaged = dir.file("damaged.h5");
  std::ofstream(damaged, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  ::setenv("LSTMSCOPE_HEAP_SCAN_LIMIT_MB", "0", 1);
  try {
    const h5::File f = h5::File::openReadOnly(damaged);  // not scanned: opens
    h5::readStrings(f.id(), "names", damaged);
    ADD_FAILURE() << "strings were read from a damaged collection";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("the global heap collection at byte " + std::to_string(at) +
                                         " has a free-space entry of size 0"),
              std::string::npos)
        << e.what();
  }
  ::unsetenv("LSTMSCOPE_HEAP_SCAN_LIMIT_MB");
  EXPECT_THROW(h5::File::openReadOnly(damaged), InputError);  // scanned at open again
}

}  // namespace
}  // namespace lstmscope::test
