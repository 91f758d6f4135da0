// The batched, resumed scoring of intervened runs against one plain forward pass per run with the same
// interventions, on every LSTM variant; and the identities a no-op intervention must keep.
#include "core/intervention/batched_runs.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "core/engine/forward.h"
#include "core/engine/packed_weights.h"
#include "tests/intervention/random_models.h"

namespace lstmscope::test {
namespace {

// 1..3 random interventions: any slot, unit and step range of any layer and direction, set or shifted.
std::vector<UnitIntervention> randomRun(const Architecture& arch, long steps, std::mt19937_64& rng) {
  std::vector<UnitIntervention> run;
  const int count = 1 + static_cast<int>(rng() % 3);
  for (int k = 0; k < count; ++k) {
    UnitIntervention v;
    v.layer = static_cast<int>(rng() % arch.layers.size());
    const LayerSpec& spec = arch.layers[static_cast<size_t>(v.layer)];
    v.direction = static_cast<int>(rng() % static_cast<uint64_t>(spec.directions()));
    v.slot = static_cast<EditSlot>(rng() % 6);
    v.unit = static_cast<int>(rng() % static_cast<uint64_t>(spec.hidden));
    v.firstStep = static_cast<long>(rng() % static_cast<uint64_t>(steps));
    v.endStep = v.firstStep + 1 + static_cast<long>(rng() % 6);
    v.add = rng() % 3 == 0;
    v.value = std::uniform_real_distribution<double>(-1.5, 1.5)(rng);
    run.push_back(v);
  }
  return run;
}

InterventionTarget randomTarget(const Network<double>& net, long steps, std::mt19937_64& rng) {
  InterventionTarget target;
  target.step = static_cast<long>(rng() % static_cast<uint64_t>(steps));
  switch (rng() % 3) {
    case 0:
      target.kind = ScoreKind::Logit;
      target.output = static_cast<int>(rng() % static_cast<uint64_t>(net.headOutputs()));
      break;
    case 1:
      target.kind = ScoreKind::LogProbability;
      target.output = static_cast<int>(rng() % static_cast<uint64_t>(net.headOutputs()));
      break;
    default:
      target.kind = ScoreKind::Unit;
      target.layer = static_cast<int>(rng() % net.arch.layers.size());
      target.direction = static_cast<int>(rng() % static_cast<uint64_t>(net.arch.layers[target.layer].directions()));
      target.quantity = static_cast<Quantity>(rng() % 6);
      target.unit = static_cast<int>(rng() % static_cast<uint64_t>(net.arch.layers[target.layer].hidden));
  }
  return target;
}

double plainScore(const Network<double>& net, const Inputs<double>& in, const std::vector<UnitIntervention>& run,
                  const InterventionTarget& target) {
  const InterventionPlan plan(run, net.arch);
  ForwardOptions options;
  options.interventions = &plan;
  Tape<double> tape;
  forward(net, in, tape, options);
  return targetScore(net, tape, target);
}

class BatchedRuns : public ::testing::TestWithParam<Variant> {};

TEST_P(BatchedRuns, ScoreAsOnePlainForwardPassPerRun) {
  const Variant v = GetParam();
  const Network<double> net = randomModel(v, 3);
  const long steps = 23;
  const Inputs<double> in = randomTokens(steps, net.arch.vocab.size(), 5);
  const Tape<double> reference = referenceRun(net, in);
  std::mt19937_64 rng(17);
  for (int trial = 0; trial < 6; ++trial) {
    const InterventionTarget target = randomTarget(net, steps, rng);
    std::vector<std::vector<UnitIntervention>> runs;
    for (int r = 0; r < 9; ++r) runs.push_back(randomRun(net.arch, steps, rng));
    const ScoredRuns scored = scoreRuns(net, in, reference, runs, target);
    const double unchanged = plainScore(net, in, {}, target);
    int changed = 0;
    for (size_t r = 0; r < runs.size(); ++r) {
      const double expected = plainScore(net, in, runs[r], target);
      EXPECT_NEAR(scored.scores[r], expected, 1e-12 * (1 + std::abs(expected)))
          << v.name << " trial " << trial << " run " << r << " " << describeTarget(net.arch, target);
      EXPECT_NEAR(scored.controls[r], unchanged, 1e-12 * (1 + std::abs(unchanged)));
      changed += scored.scores[r] != scored.controls[r];
    }
    if (trial == 0) {
      EXPECT_GT(changed, 0) << "no intervention reached the target: the test checks nothing";
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Variants, BatchedRuns, ::testing::ValuesIn(interventionVariants()),
                         [](const auto& info) { return info.param.name; });

// Adding zero and setting a unit to the value it has change nothing, bit for bit: in a plain pass, and in
// a batch, where such a run scores exactly its group's control.
TEST(NoOpInterventions, ChangeNothingBitForBit) {
  for (const Variant& v : interventionVariants()) {
    const Network<double> net = randomModel(v, 9);
    const Inputs<double> in = randomTokens(19, net.arch.vocab.size(), 2);
    Tape<double> plain;
    forward(net, in, plain);
    std::vector<UnitIntervention> noOps;
    for (size_t l = 0; l < net.arch.layers.size(); ++l)
      for (int d = 0; d < net.arch.layers[l].directions(); ++d)
        for (int slot = 0; slot < 6; ++slot) {
          UnitIntervention add;
          add.layer = static_cast<int>(l), add.direction = d, add.slot = static_cast<EditSlot>(slot);
          add.unit = slot % net.arch.layers[l].hidden, add.firstStep = 0, add.endStep = 19, add.add = true;
          noOps.push_back(add);
        }
    const InterventionPlan plan(noOps, net.arch);
    ForwardOptions options;
    options.interventions = &plan;
    Tape<double> edited;
    forward(net, in, edited, options);
    for (size_t l = 0; l < plain.layers.size(); ++l)
      for (size_t d = 0; d < plain.layers[l].size(); ++d) {
        EXPECT_TRUE(plain.layers[l][d].gates == edited.layers[l][d].gates) << v.name;
        EXPECT_TRUE(plain.layers[l][d].c == edited.layers[l][d].c) << v.name;
        EXPECT_TRUE(plain.layers[l][d].h == edited.layers[l][d].h) << v.name;
      }
    EXPECT_TRUE(plain.logits == edited.logits) << v.name;

    // Setting c of unit 0 at step 7 to the value it has there (in the same kind of pass) changes nothing.
    UnitIntervention same;
    same.slot = EditSlot::C, same.firstStep = 7, same.endStep = 8;
    same.value = plain.layers[0][0].c(0, 7);
    const InterventionPlan samePlan({same}, net.arch);
    options.interventions = &samePlan;
    Tape<double> set;
    forward(net, in, set, options);
    EXPECT_TRUE(plain.layers.back()[0].h == set.layers.back()[0].h) << v.name;
    EXPECT_TRUE(plain.logits == set.logits) << v.name;
    // In a batch, adding zero scores exactly as the group's control. (A value taken from the plain pass
    // may differ from the batch's own in the last bit: their matrix products sum in different orders.)
    InterventionTarget target;
    target.kind = ScoreKind::LogProbability;
    target.step = 18;
    const Tape<double> reference = referenceRun(net, in);
    const ScoredRuns scored = scoreRuns(net, in, reference, {noOps}, target);
    EXPECT_EQ(scored.scores[0], scored.controls[0]) << v.name;
  }
}

// More runs than one group holds (at most 512 columns): the groups run side by side, one per core, and
// every run still scores as its own plain pass; progress counts runs up to all of them, and a cancel
// between groups stops the whole computation with Cancelled.
TEST(ManyGroups, ScoreAsPlainPassesWithProgressAndCancel) {
  const Network<double> net = randomModel(interventionVariants().back(), 21);
  const long steps = 11;
  const Inputs<double> in = randomTokens(steps, net.arch.vocab.size(), 8);
  const Tape<double> reference = referenceRun(net, in);
  std::mt19937_64 rng(23);
  InterventionTarget target;
  target.kind = ScoreKind::Logit, target.step = steps - 1, target.output = 1;
  std::vector<std::vector<UnitIntervention>> runs;
  for (int r = 0; r < 1100; ++r) runs.push_back(randomRun(net.arch, steps, rng));

  std::vector<long> reported;
  ProgressCallbacks callbacks;
  callbacks.progress = [&](long done, long total) {
    EXPECT_EQ(total, 1100);
    reported.push_back(done);
  };
  const ScoredRuns scored = scoreRuns(net, in, reference, runs, target, callbacks);
  const double unchanged = plainScore(net, in, {}, target);
  for (size_t r = 0; r < runs.size(); ++r) {
    const double expected = plainScore(net, in, runs[r], target);
    ASSERT_NEAR(scored.scores[r], expected, 1e-12 * (1 + std::abs(expected))) << "run " << r;
    ASSERT_NEAR(scored.controls[r], unchanged, 1e-12 * (1 + std::abs(unchanged))) << "run " << r;
  }
  ASSERT_FALSE(reported.empty());
  EXPECT_EQ(reported.back(), 1100);
  EXPECT_TRUE(std::is_sorted(reported.begin(), reported.end()));

  int polls = 0;
  callbacks.cancelled = [&] { return ++polls > 1; };  // given up once the first group is under way
  EXPECT_THROW(scoreRuns(net, in, reference, runs, target, callbacks), Cancelled);
}

// With our kernel every column of a step's product is computed alike (docs/ENGINE.md "Batched steps"), so in
// float32 too a run that adds zero scores exactly as its group's control, among runs that change things.
TEST(NoOpInterventions, ScoreAsTheControlInFloat32WithOurKernel) {
  if (!kernels::packedWeightsAvailable())
    GTEST_SKIP() << "our kernel is not in use (no AVX-512F, or LSTMSCOPE_GEMM chose another): OpenBLAS's SGEMM "
                    "makes no such promise";
  for (const Variant& v : interventionVariants()) {
    const Network<float> net = randomModel(v, 11).cast<float>();
    const Inputs<double> tokens = randomTokens(19, net.arch.vocab.size(), 3);
    Inputs<float> in;
    in.steps = tokens.steps, in.tokens = tokens.tokens;
    std::mt19937_64 rng(5);
    std::vector<std::vector<UnitIntervention>> runs;
    for (int r = 0; r < 21; ++r) {
      if (r % 3 != 0) {
        runs.push_back(randomRun(net.arch, in.steps, rng));
        continue;
      }
      UnitIntervention addZero;
      addZero.layer = r % static_cast<int>(net.arch.layers.size());
      addZero.slot = static_cast<EditSlot>(r % 6);
      addZero.unit = r % net.arch.layers[static_cast<size_t>(addZero.layer)].hidden;
      addZero.firstStep = 0, addZero.endStep = in.steps, addZero.add = true, addZero.value = 0;
      runs.push_back({addZero});
    }
    InterventionTarget target;
    target.kind = ScoreKind::LogProbability;
    target.step = 18;
    const ScoredRuns scored = scoreRuns(net, in, referenceRun(net, in), runs, target);
    for (size_t r = 0; r < runs.size(); r += 3)
      EXPECT_EQ(scored.scores[r], scored.controls[r]) << v.name << " run " << r;
  }
}

}  // namespace
}  // namespace lstmscope::test
