// LRP against an independent straightforward implementation of Arras et al.'s rules
// (tests/oracle/lrp_reference.py: numpy, one step at a time, full weight matrices), for a logit target and
// a cell-unit target, with the default epsilon = 0.001, bias factor 0 and with epsilon = 0.01, bias factor 1;
// and conservation: exact with bias factor 1, and with bias factor 0 the absorbed share reported per stage.
#include "core/attribution/lrp.h"

#include <gtest/gtest.h>

#include "tests/attribution/attribution_case.h"

namespace lstmscope::test {
namespace {

using Lrp = AttributionCase;

struct Setting {
  const char* name;
  LrpOptions options;
};
const Setting kSettings[] = {{"eps0.001_beta0", {0.001, 0}}, {"eps0.01_beta1", {0.01, 1}}};

void expectMatchesReference(const Architecture& arch, hid_t ref, const std::string& group, const LrpResult& r) {
  EXPECT_LT(relativeError(r.tokens.perDimension, readTransposed(ref, group + "/input")), kTolerance) << group;
  EXPECT_NEAR(r.initialStateRelevance, readAttr(ref, group, "initial_state"), 1e-9 * (1 + std::abs(r.tokens.score)))
      << group;
  for (size_t l = 0; l < r.units.h.size(); ++l)
    for (size_t d = 0; d < r.units.h[l].size(); ++d) {
      const std::string path =
          group + "/units/" + std::to_string(l) + "/" + directionName(arch.layers[l], static_cast<int>(d)) + "/";
      if (!h5::exists(ref, path + "h")) {  // above a state target: nothing arrives
        EXPECT_EQ(r.units.h[l][d].cwiseAbs().maxCoeff(), 0) << path;
        continue;
      }
      EXPECT_LT(relativeError(r.units.h[l][d], readTransposed(ref, path + "h")), kTolerance) << path;
      EXPECT_LT(relativeError(r.units.c[l][d], readTransposed(ref, path + "c")), kTolerance) << path;
    }
}

TEST_P(Lrp, LogitTargetMatchesTheIndependentImplementation) {
  for (const Setting& s : kSettings) {
    const LrpResult r = layerwiseRelevance(vectors_, x_, target_, s.options);
    EXPECT_NEAR(r.tokens.score, readAttr(ref(), "attribution", "score"), 1e-10);
    expectMatchesReference(vectors_.arch, ref(), std::string("attribution/lrp/") + s.name, r);
    EXPECT_LT((r.tokens.perDimension.colwise().sum().transpose() - r.tokens.perToken).cwiseAbs().maxCoeff(), 1e-12);
  }
}

TEST_P(Lrp, CellTargetMatchesTheIndependentImplementation) {
  for (const Setting& s : kSettings)
    expectMatchesReference(vectors_.arch, ref(), std::string("attribution/cell_target/lrp/") + s.name,
                           layerwiseRelevance(vectors_, x_, cellTarget(), s.options));
}

TEST_P(Lrp, ConservedLayerToLayerWithBiasFactorOne) {
  for (const AttributionTarget& target : {target_, cellTarget()}) {
    const LrpResult r = layerwiseRelevance(vectors_, x_, target, {0.01, 1});
    const double scale = 1 + std::abs(r.tokens.score);
    EXPECT_NEAR(r.conservationError(), 0, 1e-11 * scale) << describeTarget(vectors_.arch, target);
    ASSERT_FALSE(r.flows.empty());
    EXPECT_NEAR(r.flows.front().received, r.tokens.score, 1e-12 * scale);
    for (size_t k = 0; k < r.flows.size(); ++k) {
      EXPECT_NEAR(r.flows[k].absorbed(), 0, 1e-11 * scale) << r.flows[k].stage;
      if (k + 1 < r.flows.size()) {  // what a stage passes on is what the stage below receives
        EXPECT_NEAR(r.flows[k].passedOn, r.flows[k + 1].received, 1e-11 * scale) << r.flows[k].stage;
      }
    }
    EXPECT_NEAR(r.flows.back().passedOn, r.tokens.perToken.sum(), 1e-11 * scale);
  }
}

TEST_P(Lrp, AbsorbedShareIsReportedWithBiasFactorZero) {
  const LrpResult r = layerwiseRelevance(vectors_, x_, target_);
  double absorbed = 0;
  for (const RelevanceFlow& f : r.flows) absorbed += f.absorbed();
  // The stages' absorbed shares add up to the whole gap between the score and what reached the inputs.
  EXPECT_NEAR(absorbed, r.conservationError(), 1e-11 * (1 + std::abs(r.tokens.score)));
  // The zero initial state is no source of signal: with no bias share, nothing reaches it.
  EXPECT_EQ(r.initialStateRelevance, 0);
}

INSTANTIATE_TEST_SUITE_P(Cases, Lrp, kAttributionCases);

// No LRP rule through a head that pools every step is implemented: a logit target is refused by name, and a
// unit target (which does not pass through the head) still works.
using LrpThroughPooling = AttributionCase;
TEST_P(LrpThroughPooling, IsRefusedForALogitAndWorksForAUnit) {
  try {
    layerwiseRelevance(vectors_, x_, target_, {});
    ADD_FAILURE() << "no error";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("pools over time"), std::string::npos) << e.what();
  }
  const LrpResult r = layerwiseRelevance(vectors_, x_, cellTarget(), {0.01, 1});
  expectMatchesReference(vectors_.arch, ref(), "attribution/cell_target/lrp/eps0.01_beta1", r);
}
INSTANTIATE_TEST_SUITE_P(PoolingHeads, LrpThroughPooling, kPoolingCases);

TEST(LrpOptions, RejectsNegativeEpsilon) {
  Network<double> net;
  try {
    layerwiseRelevance(net, Mat<double>::Zero(1, 1), {}, {-1, 0});
    ADD_FAILURE() << "no error";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("epsilon"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace lstmscope::test
