// WAV files (core/formats/wav.h): each encoding real recorders and libraries write, read to the values
// their bytes hold, and the errors a user gets for files that cannot be used. The files are built byte
// by byte here, so the expected samples do not come from the reader under test.
#include "core/formats/wav.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>

#include "core/common/error.h"

namespace lstmscope::test {
namespace {

void put16(std::string& b, unsigned v) {
  b += char(v & 0xFF);
  b += char((v >> 8) & 0xFF);
}
void put32(std::string& b, uint32_t v) {
  put16(b, v & 0xFFFF);
  put16(b, v >> 16);
}

// A RIFF/WAVE file: a `fmt ` chunk, any chunks in `extra` (before the data), then `data`.
std::string wavBytes(int tag, int channels, int rate, int bits, const std::string& data, const std::string& extra = {},
                     bool extensible = false) {
  std::string fmt;
  put16(fmt, extensible ? 0xFFFE : unsigned(tag));
  put16(fmt, unsigned(channels));
  put32(fmt, uint32_t(rate));
  put32(fmt, uint32_t(int64_t(rate) * channels * bits / 8));  // a crafted rate overflows int
  put16(fmt, unsigned(channels * bits / 8));
  put16(fmt, unsigned(bits));
  if (extensible) {
    put16(fmt, 22);
    put16(fmt, unsigned(bits));
    put32(fmt, 4);  // channel mask
    put16(fmt, unsigned(tag));
    fmt += std::string("\x00\x00\x00\x00\x10\x00\x80\x00\x00\xAA\x00\x38\x9B\x71", 14);
  }
  std::string body = "WAVE";
  body += "fmt ";
  put32(body, uint32_t(fmt.size()));
  body += fmt + extra + "data";
  put32(body, uint32_t(data.size()));
  body += data;
  std::string file = "RIFF";
  put32(file, uint32_t(body.size()));
  return file + body;
}

std::string pcm16(std::initializer_list<int> values) {
  std::string b;
  for (int v : values) put16(b, unsigned(uint16_t(int16_t(v))));
  return b;
}

std::string wavErrorOf(const std::string& bytes, long maxSamples = 1000) {
  try {
    parseWav(bytes, "speech.wav", maxSamples);
  } catch (const InputError& e) {
    return e.what();
  }
  return "no error";
}

TEST(Wav, Pcm16IsScaledBy32768) {
  const WavAudio a = parseWav(wavBytes(1, 1, 16000, 16, pcm16({0, 16384, -32768, 32767, -1})), "a.wav", 100);
  EXPECT_EQ(a.sampleRate, 16000);
  EXPECT_EQ(a.encoding, "PCM 16-bit");
  ASSERT_EQ(a.samples.size(), 5u);
  EXPECT_FLOAT_EQ(a.samples[0], 0.0f);
  EXPECT_FLOAT_EQ(a.samples[1], 0.5f);
  EXPECT_FLOAT_EQ(a.samples[2], -1.0f);
  EXPECT_FLOAT_EQ(a.samples[3], 32767.0f / 32768.0f);
  EXPECT_FLOAT_EQ(a.samples[4], -1.0f / 32768.0f);
  EXPECT_DOUBLE_EQ(a.seconds(), 5.0 / 16000);
}

TEST(Wav, EightBitIsUnsignedAndTwentyFourAndThirtyTwoBitAreSigned) {
  const WavAudio u8 = parseWav(wavBytes(1, 1, 8000, 8, std::string("\x80\x00\xC0\xFF", 4)), "a.wav", 100);
  ASSERT_EQ(u8.samples.size(), 4u);
  EXPECT_FLOAT_EQ(u8.samples[0], 0.0f);
  EXPECT_FLOAT_EQ(u8.samples[1], -1.0f);
  EXPECT_FLOAT_EQ(u8.samples[2], 0.5f);
  EXPECT_FLOAT_EQ(u8.samples[3], 127.0f / 128.0f);

  // 24-bit little-endian: 0x400000 = 2^22 → 0.5; 0xC00000 = −2^22 → −0.5; 0x800000 → −1.
  const WavAudio s24 =
      parseWav(wavBytes(1, 1, 44100, 24, std::string("\x00\x00\x40\x00\x00\xC0\x00\x00\x80", 9)), "a.wav", 100);
  ASSERT_EQ(s24.samples.size(), 3u);
  EXPECT_FLOAT_EQ(s24.samples[0], 0.5f);
  EXPECT_FLOAT_EQ(s24.samples[1], -0.5f);
  EXPECT_FLOAT_EQ(s24.samples[2], -1.0f);

  std::string s32;
  put32(s32, 0x20000000u);  // 2^29 / 2^31
  put32(s32, 0x80000000u);
  const WavAudio a32 = parseWav(wavBytes(1, 1, 48000, 32, s32), "a.wav", 100);
  EXPECT_FLOAT_EQ(a32.samples[0], 0.25f);
  EXPECT_FLOAT_EQ(a32.samples[1], -1.0f);
}

TEST(Wav, FloatSamplesAreReadAsTheyAreIncludingExtensibleHeaders) {
  std::string f32;
  for (float v : {0.25f, -0.75f, 1.5f}) {
    uint32_t bits;
    std::memcpy(&bits, &v, 4);
    put32(f32, bits);
  }
  const WavAudio a = parseWav(wavBytes(3, 1, 16000, 32, f32), "a.wav", 100);
  EXPECT_EQ(a.encoding, "float 32-bit");
  EXPECT_EQ(a.samples, (std::vector<float>{0.25f, -0.75f, 1.5f}));
  const WavAudio ext = parseWav(wavBytes(3, 1, 16000, 32, f32, {}, true), "a.wav", 100);
  EXPECT_EQ(ext.samples, a.samples);

  std::string f64;
  const double d = -0.125;
  uint64_t bits;
  std::memcpy(&bits, &d, 8);
  put32(f64, uint32_t(bits));
  put32(f64, uint32_t(bits >> 32));
  EXPECT_EQ(parseWav(wavBytes(3, 1, 16000, 64, f64), "a.wav", 100).samples, std::vector<float>{-0.125f});
}

// A recorder writing to a pipe leaves the data size at 0xFFFFFFFF: the samples run to the end of the file.
TEST(Wav, AStreamedFileReadsToItsEnd) {
  std::string bytes = wavBytes(1, 1, 16000, 16, pcm16({7, -7, 9}));
  bytes.replace(bytes.size() - 6 - 4, 4, std::string("\xFF\xFF\xFF\xFF", 4));
  const WavAudio a = parseWav(bytes, "piped.wav", 100);
  ASSERT_EQ(a.samples.size(), 3u);
  EXPECT_FLOAT_EQ(a.samples[2], 9.0f / 32768.0f);
}

TEST(Wav, OtherChunksAreSkippedIncludingOddSizedOnes) {
  std::string list = "LIST";
  put32(list, 3);
  list += std::string("abc\0", 4);  // padded to an even length
  const WavAudio a = parseWav(wavBytes(1, 1, 16000, 16, pcm16({100, -100}), list), "a.wav", 100);
  EXPECT_EQ(a.samples.size(), 2u);
  EXPECT_FLOAT_EQ(a.samples[0], 100.0f / 32768.0f);
}

TEST(Wav, UnusableFilesAreRefusedWithTheReason) {
  const std::string good = wavBytes(1, 1, 16000, 16, pcm16({1, 2, 3, 4}));
  EXPECT_EQ(wavErrorOf("a,b\n1,2\n"), "speech.wav: not a WAV file (it does not start with RIFF…WAVE)");
  EXPECT_EQ(wavErrorOf(good.substr(0, good.size() - 3)),
            "speech.wav: the WAV file is truncated: its `data` chunk declares 8 bytes, the file holds 5 after it");
  EXPECT_EQ(wavErrorOf(good.substr(0, 30)),
            "speech.wav: the WAV file is truncated: its `fmt ` chunk declares 16 bytes, the file holds 10 after it");
  EXPECT_EQ(wavErrorOf(good.substr(0, 36)), "speech.wav: the WAV file has no `data` chunk (it may be truncated)");
  EXPECT_EQ(wavErrorOf(good.substr(0, 12)), "speech.wav: the WAV file has no `fmt ` chunk (it may be truncated)");
  EXPECT_EQ(wavErrorOf(wavBytes(1, 2, 16000, 16, pcm16({1, 2}))),
            "speech.wav: the WAV file has 2 channels; the model reads mono audio: mix it down first (e.g. "
            "`sox IN.wav -c 1 OUT.wav` or `ffmpeg -i IN.wav -ac 1 OUT.wav`)");
  EXPECT_EQ(wavErrorOf(wavBytes(7, 1, 8000, 8, "abc")),
            "speech.wav: the WAV file holds μ-law audio; LSTMScope reads PCM (8, 16, 24 or 32 bits) or float (32 "
            "or 64 bits)");
  EXPECT_EQ(wavErrorOf(wavBytes(1, 1, 16000, 12, "ab")),
            "speech.wav: the WAV file holds PCM samples of 12 bits; LSTMScope reads PCM of 8, 16, 24 or 32 bits, "
            "or float of 32 or 64 bits");
  EXPECT_EQ(wavErrorOf(wavBytes(1, 1, 16000, 16, "")), "speech.wav: the WAV file holds no samples");
  EXPECT_EQ(wavErrorOf(wavBytes(1, 1, 0, 16, pcm16({1}))), "speech.wav: the WAV file's sample rate is 0");
  EXPECT_EQ(wavErrorOf(good, 3), "speech.wav: the WAV file holds 4 samples, more than the limit of 3");
  EXPECT_EQ(wavErrorOf(wavBytes(1, 1, 2000000000, 16, pcm16({1}))),
            "speech.wav: the WAV file's sample rate is 2000000000 Hz, which no audio has");
  EXPECT_EQ(wavErrorOf(wavBytes(1, 0, 16000, 16, pcm16({1}))), "speech.wav: the WAV file says it has no channels");

  std::string nan;
  const float n = std::numeric_limits<float>::quiet_NaN();
  uint32_t bits;
  std::memcpy(&bits, &n, 4);
  put32(nan, 0);
  put32(nan, bits);
  EXPECT_EQ(wavErrorOf(wavBytes(3, 1, 16000, 32, nan)),
            "speech.wav: the WAV file's sample 1 (at 0.000063 s) is not a finite number");
}

TEST(Wav, TheReaderRefusesAFileThatIsNotRegular) {
  try {
    readWavFile("/dev/null", 100);
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_STREQ(e.what(), "/dev/null: is a device, not a file");
  }
}

}  // namespace
}  // namespace lstmscope::test
