// Changing audio's sample rate for a model that says which rate it reads (a streaming graph's sample-rate
// input, docs/IMPORT.md "Streaming graphs"): rational polyphase resampling with a Kaiser-windowed sinc
// low-pass, the filter scipy.signal.resample_poly designs by default, so a user's numpy pipeline and
// LSTMScope feed the model the same samples (tests/formats/audio_resample_test.cpp checks it against scipy).
#pragma once

#include <algorithm>
#include <string>
#include <vector>

namespace lstmscope {

// The rates reduced to lowest terms (toRate / fromRate = up / down) and the filter resample_poly uses:
// a low-pass at the lower Nyquist frequency, 20·max(up, down) + 1 taps, Kaiser window β = 5.
struct ResampleRatio {
  long up = 1, down = 1;
  long taps() const { return 20 * std::max(up, down) + 1; }
};
ResampleRatio resampleRatio(int fromRate, int toRate);

// The longest filter LSTMScope designs (2^22 taps: rates whose ratio reduces to over 200,000, such as a
// prime rate, would need gigabytes); beyond it resampleAudio refuses.
constexpr long kMaxResampleTaps = long(1) << 22;

// `samples` at `fromRate` resampled to `toRate`: ceil(n · up / down) samples, the signal taken as zero
// outside the file, computed in float64. Throws InputError naming `sourceName` when the ratio needs a
// longer filter than kMaxResampleTaps or the result would hold more than `maxSamples` samples.
std::vector<float> resampleAudio(const std::vector<float>& samples, int fromRate, int toRate,
                                 const std::string& sourceName, long maxSamples);

}  // namespace lstmscope
