#include "core/formats/audio_resample.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "core/common/error.h"

namespace lstmscope {
namespace {

// The modified Bessel function of the first kind, order 0, by its power series (converges for every x;
// the window needs x ≤ β = 5, where 30 terms are far below double rounding).
double besselI0(double x) {
  double sum = 1, term = 1;
  const double q = x * x / 4;
  for (int k = 1; k < 60 && term > 1e-17 * sum; ++k) {
    term *= q / (double(k) * k);
    sum += term;
  }
  return sum;
}

// scipy.signal.firwin(taps, cutoff, window=('kaiser', 5.0)): a windowed sinc with cutoff relative to the
// Nyquist frequency, scaled to a gain of exactly 1 at 0 Hz.
std::vector<double> kaiserLowPass(long taps, double cutoff) {
  constexpr double beta = 5.0;
  const double centre = 0.5 * double(taps - 1);
  const double windowScale = 1.0 / besselI0(beta);
  std::vector<double> h(static_cast<size_t>(taps));
  double sum = 0;
  for (long n = 0; n < taps; ++n) {
    const double m = double(n) - centre;
    const double x = cutoff * m;
    const double sinc = x == 0 ? 1.0 : std::sin(M_PI * x) / (M_PI * x);
    const double r = 2.0 * double(n) / double(taps - 1) - 1.0;
    const double window = besselI0(beta * std::sqrt(std::max(0.0, 1.0 - r * r))) * windowScale;
    h[static_cast<size_t>(n)] = cutoff * sinc * window;
    sum += h[static_cast<size_t>(n)];
  }
  for (double& v : h) v /= sum;
  return h;
}

}  // namespace

ResampleRatio resampleRatio(int fromRate, int toRate) {
  const long g = std::gcd(long(fromRate), long(toRate));
  return {long(toRate) / g, long(fromRate) / g};
}

std::vector<float> resampleAudio(const std::vector<float>& samples, int fromRate, int toRate,
                                 const std::string& sourceName, long maxSamples) {
  if (fromRate <= 0 || toRate <= 0) throw InputError(sourceName, "cannot resample audio whose rate is not positive");
  const ResampleRatio ratio = resampleRatio(fromRate, toRate);
  if (ratio.up == 1 && ratio.down == 1) return samples;
  const std::string rates = std::to_string(fromRate) + " Hz to " + std::to_string(toRate) + " Hz";
  if (ratio.taps() > kMaxResampleTaps)
    throw InputError(sourceName, "cannot resample " + rates + ": the rates reduce to " + std::to_string(ratio.up) +
                                     "/" + std::to_string(ratio.down) +
                                     ", which needs a filter of over 4 million taps; resample it first, e.g. `sox "
                                     "IN.wav -r " +
                                     std::to_string(toRate) + " OUT.wav`");
  const long n = static_cast<long>(samples.size());
  // ceil(n · up / down): n ≤ 2^28 (kMaxWavSamples) and up < 2^18 (the tap limit) keep the product in a long.
  const long outputs = (n * ratio.up + ratio.down - 1) / ratio.down;
  if (outputs > maxSamples)
    throw InputError(sourceName, "resampling " + rates + " gives " + std::to_string(outputs) +
                                     " samples, more than the limit of " + std::to_string(maxSamples));

  const long halfLength = 10 * std::max(ratio.up, ratio.down);
  std::vector<double> h = kaiserLowPass(2 * halfLength + 1, 1.0 / double(std::max(ratio.up, ratio.down)));
  for (double& v : h) v *= double(ratio.up);
  // resample_poly's alignment: the filter is delayed by prePad zeros and the first preRemove outputs of
  // the upsample-filter-downsample chain are dropped, so output k sits at input time k · down / up.
  const long prePad = ratio.down - halfLength % ratio.down;
  const long preRemove = (halfLength + prePad) / ratio.down;
  const long taps = static_cast<long>(h.size());

  // Output k is the upsampled signal (x_j at position j · up, zeros between) filtered at position
  // p = (k + preRemove) · down: the sum over j of x_j · h[p − prePad − j · up] for taps inside the filter.
  std::vector<float> out(static_cast<size_t>(outputs));
  for (long k = 0; k < outputs; ++k) {
    const long p = (k + preRemove) * ratio.down - prePad;  // filter index of input 0
    const long jLast = std::min(n - 1, p >= 0 ? p / ratio.up : -1);
    const long jFirst = std::max(0L, p - (taps - 1) <= 0 ? 0 : (p - (taps - 1) + ratio.up - 1) / ratio.up);
    double sum = 0;
    for (long j = jFirst; j <= jLast; ++j)
      sum += double(samples[static_cast<size_t>(j)]) * h[static_cast<size_t>(p - j * ratio.up)];
    out[static_cast<size_t>(k)] = static_cast<float>(sum);
  }
  return out;
}

}  // namespace lstmscope
