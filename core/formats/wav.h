// Audio for models that read it (streaming voice-activity graphs, docs/IMPORT.md "Streaming graphs"): a
// RIFF/WAVE file's samples as floats, mono: PCM scaled to [-1, 1), float samples as stored. Read from bytes,
// never by running anything.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace lstmscope {

// The most samples LSTMScope reads from one file: over an hour at 48 kHz, a gigabyte of floats.
constexpr long kMaxWavSamples = long(1) << 28;

struct WavAudio {
  int sampleRate = 0;
  std::string encoding;        // "PCM 16-bit", "float 32-bit", … (for reports)
  std::vector<float> samples;  // mono, PCM scaled by 1 / 2^(bits − 1) as every audio library does

  double seconds() const { return sampleRate > 0 ? double(samples.size()) / sampleRate : 0; }
};

// Parses a WAV file's bytes. Accepts PCM of 8, 16, 24 or 32 bits and IEEE float of 32 or 64 bits, plain
// or WAVE_FORMAT_EXTENSIBLE, one channel; a `data` size of 0xFFFFFFFF (a file written to a pipe) reads to
// the end of the file. Throws InputError naming `sourceName` and the problem: not a
// RIFF/WAVE file, no `fmt ` or `data` chunk, a chunk that runs past the end (a truncated file: how many
// bytes it declares and how many there are), another encoding (named: "μ-law", "ADPCM", format tag N),
// more than one channel (with how to mix it down), no samples, a sample that is not a finite number,
// or more than `maxSamples` samples.
WavAudio parseWav(const std::string& bytes, const std::string& sourceName, long maxSamples);

// Reads and parses a file (a regular file, core/common/input_file.h).
WavAudio readWavFile(const std::string& path, long maxSamples);

// Whether bytes start like a WAV file ("RIFF....WAVE"), to tell audio from text or CSV by content.
bool looksLikeWav(const std::string& bytes);

}  // namespace lstmscope
