// Activation patching's identities: patching every value of a layer's output restores the clean score
// exactly, patching nothing leaves the corrupted score; and the patch map agrees with plain forward passes.
#include <gtest/gtest.h>

#include <algorithm>

#include "core/engine/forward.h"
#include "core/intervention/patching.h"
#include "tests/intervention/random_models.h"

namespace lstmscope::test {
namespace {

TEST(Patching, EverythingRestoresTheCleanScoreAndNothingKeepsTheCorruptedOne) {
  for (const Variant& v : interventionVariants()) {
    const Network<double> net = randomModel(v, 21);
    const Inputs<double> clean = randomTokens(17, net.arch.vocab.size(), 4);
    Inputs<double> corrupt = clean;
    corrupt.tokens[3] = (corrupt.tokens[3] + 1) % net.arch.vocab.size();
    corrupt.tokens[9] = (corrupt.tokens[9] + 2) % net.arch.vocab.size();
    InterventionTarget target;
    target.kind = ScoreKind::LogProbability;
    target.step = 16;
    const Tape<double> cleanRun = referenceRun(net, clean), corruptRun = referenceRun(net, corrupt);
    const double cleanScore = unintervenedScore(net, clean, cleanRun, target);
    const double corruptScore = unintervenedScore(net, corrupt, corruptRun, target);
    ASSERT_NE(cleanScore, corruptScore) << v.name;

    // Every unit of h (each direction) at every step, from the clean run, of every layer the head reads:
    // the last one, and a pooling head's skip connections.
    std::vector<UnitIntervention> everything;
    const std::vector<int> sources = net.arch.headSources();
    for (int layer = 0; layer < static_cast<int>(net.arch.layers.size()); ++layer) {
      const bool read = std::count(sources.begin(), sources.end(), layer + 1) > 0;
      if (!read && layer + 1 < static_cast<int>(net.arch.layers.size())) continue;
      for (int d = 0; d < net.arch.layers[layer].directions(); ++d)
        for (int u = 0; u < net.arch.layers[layer].hidden; ++u)
          for (long t = 0; t < 17; ++t) {
            UnitIntervention p;
            p.layer = layer, p.direction = d, p.slot = EditSlot::H, p.unit = u;
            p.firstStep = t, p.endStep = t + 1, p.value = cleanRun.layers[layer][d].h(u, t);
            everything.push_back(p);
          }
    }
    const ScoredRuns scored = scoreRuns(net, corrupt, corruptRun, {everything, {}}, target);
    if (std::count(sources.begin(), sources.end(), 0)) {
      // A head that reads the embedding itself sees the corrupted tokens whatever the LSTM does.
      EXPECT_NE(scored.scores[0], cleanScore) << v.name << ": the corrupted tokens reach the head directly";
    } else {
      EXPECT_EQ(scored.scores[0], cleanScore) << v.name << ": patching everything";
    }
    EXPECT_EQ(scored.scores[1], scored.controls[1]) << v.name << ": patching nothing";
    EXPECT_NEAR(scored.controls[1], corruptScore, 1e-12) << v.name;

    // The map's shares from plain forward passes, for c of layer 0.
    PatchRequest request;
    request.quantity = Quantity::C;
    const PatchMap map = patchMap(net, clean, corrupt, target, request);
    EXPECT_EQ(map.cleanScore, cleanScore);
    for (long t : {0L, 5L, 16L})
      for (int u = 0; u < net.arch.layers[0].hidden; u += 3) {
        UnitIntervention p;
        p.slot = EditSlot::C, p.unit = u, p.firstStep = t, p.endStep = t + 1, p.value = cleanRun.layers[0][0].c(u, t);
        const InterventionPlan plan({p}, net.arch);
        ForwardOptions options;
        options.interventions = &plan;
        Tape<double> tape;
        forward(net, corrupt, tape, options);
        const double expected = (targetScore(net, tape, target) - corruptScore) / (cleanScore - corruptScore);
        EXPECT_NEAR(map.restored(t, u), expected, 1e-9 * (1 + std::abs(expected)))
            << v.name << " t " << t << " u " << u;
      }
  }
}

}  // namespace
}  // namespace lstmscope::test
