// The resampler (core/formats/audio_resample.h) against scipy.signal.resample_poly with its default filter
// (tests/foreign/make_onnx_files.py writes resample_cases.h5): the same samples in, the same samples out,
// at common rate pairs (44.1, 48, 22.05 kHz down to 16 kHz, 8 kHz up to it), a ratio that reduces to
// 16000/16001, and inputs of 5 and 1 samples where every output is near an edge.
#include "core/formats/audio_resample.h"

#include <gtest/gtest.h>

#include <cmath>

#include "core/common/error.h"
#include "core/formats/hdf5.h"

namespace lstmscope::test {
namespace {

TEST(AudioResample, MatchesScipysResamplePoly) {
  const std::string path = std::string(LSTMSCOPE_FOREIGN_DIR) + "/onnx/resample_cases.h5";
  h5::File cases = h5::File::openReadOnly(path);
  for (int index = 0; index < 7; ++index) {
    const std::string group = "case" + std::to_string(index) + "/";
    const std::vector<double> rates = h5::readDoubles(cases.id(), group + "rates", path).values;
    const std::vector<double> x = h5::readDoubles(cases.id(), group + "x", path).values;
    const std::vector<double> expected = h5::readDoubles(cases.id(), group + "y", path).values;
    const std::vector<float> samples(x.begin(), x.end());  // float32 in the file: exact
    const std::vector<float> y =
        resampleAudio(samples, static_cast<int>(rates[0]), static_cast<int>(rates[1]), "case.wav", 1 << 20);
    ASSERT_EQ(y.size(), expected.size()) << rates[0] << " Hz to " << rates[1] << " Hz";
    double worst = 0;
    for (size_t k = 0; k < y.size(); ++k) worst = std::max(worst, std::abs(double(y[k]) - expected[k]));
    EXPECT_LT(worst, 1e-6) << rates[0] << " Hz to " << rates[1] << " Hz";  // float32 rounding of ~0.3
  }
}

TEST(AudioResample, TheRatioIsReducedAndEqualRatesAreKept) {
  EXPECT_EQ(resampleRatio(44100, 16000).up, 160);
  EXPECT_EQ(resampleRatio(44100, 16000).down, 441);
  EXPECT_EQ(resampleRatio(48000, 16000).taps(), 61);
  const std::vector<float> samples{0.5f, -0.25f, 0.125f};
  EXPECT_EQ(resampleAudio(samples, 16000, 16000, "a.wav", 10), samples);
  EXPECT_TRUE(resampleAudio({}, 44100, 16000, "a.wav", 10).empty());
}

TEST(AudioResample, RatiosNeedingHugeFiltersAndTooManySamplesAreRefused) {
  const auto errorOf = [](int from, long limit) {
    try {
      resampleAudio(std::vector<float>(1000, 0.1f), from, 16000, "speech.wav", limit);
    } catch (const InputError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_EQ(errorOf(9999991, 1000),
            "speech.wav: cannot resample 9999991 Hz to 16000 Hz: the rates reduce to 16000/9999991, which needs a "
            "filter of over 4 million taps; resample it first, e.g. `sox IN.wav -r 16000 OUT.wav`");
  EXPECT_EQ(errorOf(100, 100000),
            "speech.wav: resampling 100 Hz to 16000 Hz gives 160000 samples, more than the limit of 100000");
}

}  // namespace
}  // namespace lstmscope::test
