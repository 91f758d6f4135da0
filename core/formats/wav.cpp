#include "core/formats/wav.h"

#include <cmath>
#include <cstring>
#include <optional>

#include "core/common/error.h"
#include "core/formats/sequence_input.h"

namespace lstmscope {
namespace {

uint32_t u32(const std::string& b, size_t at) {
  return uint32_t(uint8_t(b[at])) | uint32_t(uint8_t(b[at + 1])) << 8 | uint32_t(uint8_t(b[at + 2])) << 16 |
         uint32_t(uint8_t(b[at + 3])) << 24;
}
uint16_t u16(const std::string& b, size_t at) {
  return uint16_t(uint8_t(b[at]) | uint8_t(b[at + 1]) << 8);
}

struct Format {
  int tag = 0;  // 1 PCM, 3 IEEE float (WAVE_FORMAT_EXTENSIBLE resolved to its sub-format)
  int channels = 0, sampleRate = 0, bits = 0, blockAlign = 0;
};

std::string formatTagName(int tag) {
  switch (tag) {
    case 2:
      return "Microsoft ADPCM";
    case 6:
      return "A-law";
    case 7:
      return "μ-law";
    case 0x11:
      return "IMA ADPCM";
    case 0x55:
      return "MP3";
    default:
      return "format tag " + std::to_string(tag);
  }
}

Format parseFormat(const std::string& b, size_t at, uint32_t size, const std::string& source) {
  if (size < 16) throw InputError(source, "the WAV `fmt ` chunk is " + std::to_string(size) + " bytes, fewer than 16");
  Format f;
  f.tag = u16(b, at);
  f.channels = u16(b, at + 2);
  const uint32_t rate = u32(b, at + 4);
  if (rate > 10'000'000)  // beyond any audio device: a damaged header
    throw InputError(source, "the WAV file's sample rate is " + std::to_string(rate) + " Hz, which no audio has");
  f.sampleRate = static_cast<int>(rate);
  f.blockAlign = u16(b, at + 12);
  f.bits = u16(b, at + 14);
  if (f.tag == 0xFFFE) {  // WAVE_FORMAT_EXTENSIBLE: the sub-format GUID's first two bytes are the real tag
    if (size < 40) throw InputError(source, "the WAV `fmt ` chunk says WAVE_FORMAT_EXTENSIBLE but is too short");
    f.tag = u16(b, at + 24);
  }
  if (f.tag != 1 && f.tag != 3)
    throw InputError(source, "the WAV file holds " + formatTagName(f.tag) +
                                 " audio; LSTMScope reads PCM (8, 16, 24 or 32 bits) or float (32 or 64 bits)");
  const bool pcmBits = f.bits == 8 || f.bits == 16 || f.bits == 24 || f.bits == 32;
  if ((f.tag == 1 && !pcmBits) || (f.tag == 3 && f.bits != 32 && f.bits != 64))
    throw InputError(source, "the WAV file holds " + std::string(f.tag == 1 ? "PCM" : "float") + " samples of " +
                                 std::to_string(f.bits) +
                                 " bits; LSTMScope reads PCM of 8, 16, 24 or 32 bits, or float of 32 or 64 bits");
  if (f.channels == 0) throw InputError(source, "the WAV file says it has no channels");
  if (f.channels != 1)
    throw InputError(source, "the WAV file has " + std::to_string(f.channels) +
                                 " channels; the model reads mono audio: mix it down first (e.g. "
                                 "`sox IN.wav -c 1 OUT.wav` or `ffmpeg -i IN.wav -ac 1 OUT.wav`)");
  if (f.sampleRate <= 0) throw InputError(source, "the WAV file's sample rate is 0");
  if (f.blockAlign != f.bits / 8)
    throw InputError(source, "the WAV file's block size is " + std::to_string(f.blockAlign) + " bytes, not the " +
                                 std::to_string(f.bits / 8) + " its " + std::to_string(f.bits) +
                                 "-bit mono samples take");
  return f;
}

float sampleAt(const std::string& b, size_t at, const Format& f) {
  const auto* p = reinterpret_cast<const unsigned char*>(b.data() + at);
  if (f.tag == 3) {
    if (f.bits == 32) {
      const uint32_t bits = u32(b, at);
      float v;
      std::memcpy(&v, &bits, 4);
      return v;
    }
    const uint64_t bits = uint64_t(u32(b, at)) | uint64_t(u32(b, at + 4)) << 32;
    double v;
    std::memcpy(&v, &bits, 8);
    return static_cast<float>(v);
  }
  switch (f.bits) {
    case 8:
      return (int(p[0]) - 128) / 128.0f;  // 8-bit WAV is unsigned
    case 16:
      return float(int16_t(u16(b, at))) / 32768.0f;
    case 24: {
      const int32_t v = int32_t(uint32_t(p[0]) << 8 | uint32_t(p[1]) << 16 | uint32_t(p[2]) << 24) >> 8;
      return float(double(v) / 8388608.0);
    }
    default:
      return float(double(int32_t(u32(b, at))) / 2147483648.0);
  }
}

}  // namespace

bool looksLikeWav(const std::string& bytes) {
  return bytes.size() >= 12 && bytes.compare(0, 4, "RIFF") == 0 && bytes.compare(8, 4, "WAVE") == 0;
}

WavAudio parseWav(const std::string& b, const std::string& source, long maxSamples) {
  if (b.empty()) throw InputError(source, "the file is empty, not a WAV file");
  if (!looksLikeWav(b)) throw InputError(source, "not a WAV file (it does not start with RIFF…WAVE)");
  std::optional<Format> format;
  size_t at = 12;
  while (at + 8 <= b.size()) {
    const std::string id = b.substr(at, 4);
    const uint32_t size = u32(b, at + 4);
    const size_t body = at + 8, available = b.size() - body;
    if (id == "data") {
      if (!format) throw InputError(source, "the WAV file's `data` chunk comes before its `fmt ` chunk");
      // A recorder writing to a pipe cannot go back to fill in sizes: 0xFFFFFFFF means "to the end".
      const bool streamed = size == 0xFFFFFFFFu;
      if (size > available && !streamed)
        throw InputError(source, "the WAV file is truncated: its `data` chunk declares " + std::to_string(size) +
                                     " bytes, the file holds " + std::to_string(available) + " after it");
      const size_t bytes = streamed ? available : size;
      const size_t width = size_t(format->bits / 8), count = bytes / width;
      if (count == 0) throw InputError(source, "the WAV file holds no samples");
      if (static_cast<long>(std::min<size_t>(count, size_t(1) << 62)) > maxSamples)
        throw InputError(source, "the WAV file holds " + std::to_string(count) + " samples, more than the limit of " +
                                     std::to_string(maxSamples));
      WavAudio audio;
      audio.sampleRate = format->sampleRate;
      audio.encoding = std::string(format->tag == 3 ? "float " : "PCM ") + std::to_string(format->bits) + "-bit";
      audio.samples.resize(count);
      for (size_t i = 0; i < count; ++i) {
        audio.samples[i] = sampleAt(b, body + i * width, *format);
        if (!std::isfinite(audio.samples[i]))
          throw InputError(source, "the WAV file's sample " + std::to_string(i) + " (at " +
                                       std::to_string(double(i) / audio.sampleRate) + " s) is not a finite number");
      }
      return audio;
    }
    if (size > available)
      throw InputError(source, "the WAV file is truncated: its `" + id + "` chunk declares " + std::to_string(size) +
                                   " bytes, the file holds " + std::to_string(available) + " after it");
    if (id == "fmt ") format = parseFormat(b, body, size, source);
    at = body + size + (size & 1);  // chunks are padded to an even length
  }
  throw InputError(source, format ? "the WAV file has no `data` chunk (it may be truncated)"
                                  : "the WAV file has no `fmt ` chunk (it may be truncated)");
}

WavAudio readWavFile(const std::string& path, long maxSamples) {
  // A sample takes at most 8 bytes; the header and other chunks are small beside the limit.
  const size_t maxBytes = static_cast<size_t>(maxSamples) * 8 + (size_t(1) << 20);
  return parseWav(readFileBytes(path, maxBytes), path, maxSamples);
}

}  // namespace lstmscope
