// The probes' planted tests (docs/PROBES.md): on the bracket fixture (trained with our trainer to count
// nesting depth), the unit ranked first for builtin:bracket-depth tracks depth at |r| > 0.9 and ablating it
// breaks the model's counting, while ablating a unit ranked low does not; a linear probe reads the depth
// off the trained state far better than off a randomly initialised model's, beside a control task: the
// random model's probe reads the random labels of the three characters better than the depth; and on random
// weights a label the token decides is read no better than its control task (selectivity near zero).
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "core/analysis/recording.h"
#include "core/analysis/text_labels.h"
#include "core/formats/native_model.h"
#include "core/probing/label_sources.h"
#include "core/probing/probe_study.h"
#include "core/training/init.h"
#include "tests/support/bracket_model.h"

namespace lstmscope::test {
namespace {

EditSlot slotOf(Quantity q) {
  switch (q) {
    case Quantity::I:
      return EditSlot::I;
    case Quantity::F:
      return EditSlot::F;
    case Quantity::G:
      return EditSlot::G;
    case Quantity::O:
      return EditSlot::O;
    case Quantity::H:
      return EditSlot::H;
    default:
      return EditSlot::C;
  }
}

struct BracketRun {
  Recording recording;
  ProbeLabel depth;
  std::vector<QuantityRef> everyQuantity;
};

QuantityValues readerOf(const Recording& recording) {
  return [&recording](const QuantityRef& q) { return recording.values(q.layer, q.direction, q.quantity); };
}

BracketRun runOnBrackets(const Model& model, const std::string& text) {
  BracketRun run;
  run.recording = recordInMemory(model, encodeText(model.arch, text, "brackets", 1'000'000));
  const std::vector<double> depth = builtinLabel("bracket-depth", run.recording.tokens, {0, run.recording.steps}, "");
  run.depth = makeProbeLabel("builtin:bracket-depth", depth, {});
  for (const Quantity q : kRecordedQuantities) run.everyQuantity.push_back({0, 0, q});
  return run;
}

TEST(PlantedProbe, TheTopRankedUnitTracksDepthAndAblatingItBreaksCounting) {
  const Model model = loadNativeModel(bracketFixturePath());
  const std::string text = bracketText(40, 7);
  const BracketRun run = runOnBrackets(model, text);
  const QuantityValues read = readerOf(run.recording);
  const UnitRanking ranking = rankUnits(run.everyQuantity, read, run.depth, RankingMetric::Pearson, 2);
  ASSERT_FALSE(ranking.ranked.empty());
  const RankedUnit& top = ranking.ranked.front();
  EXPECT_GT(std::abs(top.score.score), 0.9) << "unit " << top.unit << " of " << quantityName(top.where.quantity);

  // Ablating it (to its mean over the text) breaks the decision only a counting model makes; ablating the
  // unit ranked last of the same quantity does not.
  const Network<double> net = model.cast<double>();
  const BracketInput b = bracketInput(net.arch, text);
  const auto meanOf = [&](const QuantityRef& q, int unit) { return static_cast<double>(read(q).row(unit).mean()); };
  const RankedUnit* low = nullptr;
  for (auto it = ranking.ranked.rbegin(); it != ranking.ranked.rend() && low == nullptr; ++it)
    if (it->where.quantity == top.where.quantity) low = &*it;
  ASSERT_NE(low, nullptr);
  const double intact = closingAccuracy(net, b, {});
  const double ablated =
      closingAccuracy(net, b, unitAt(slotOf(top.where.quantity), top.unit, b.in.steps, meanOf(top.where, top.unit)));
  const double lowAblated = closingAccuracy(
      net, b, unitAt(slotOf(low->where.quantity), low->unit, b.in.steps, meanOf(low->where, low->unit)));
  EXPECT_GT(intact, 0.95);
  EXPECT_LT(ablated, 0.5) << "ablating the top-ranked unit left counting intact";
  EXPECT_GT(lowAblated, 0.9) << "ablating the unit ranked last broke counting";
  std::printf(
      "top unit %d of %s: r = %.3f; accuracy at depth 0 %.3f intact, %.3f with it ablated, %.3f with the "
      "last-ranked unit %d ablated\n",
      top.unit, quantityName(top.where.quantity), top.score.score, intact, ablated, lowAblated, low->unit);
}

TEST(PlantedProbe, TheTrainedStateHoldsDepthARandomOneDoesNot) {
  const Model trained = loadNativeModel(bracketFixturePath());
  InitShape shape;
  shape.embedding = static_cast<int>(trained.params.embedding.rows());
  for (const auto& dense : trained.params.headPre) shape.headPre.push_back(static_cast<int>(dense.weight.rows()));
  shape.headOutputs = trained.headOutputs();
  const Model random = initialiseModel(trained.arch, shape, 11);
  const std::string text = bracketText(80, 3);
  for (const auto& [model, name] : {std::pair{&trained, "trained"}, std::pair{&random, "random"}}) {
    const BracketRun run = runOnBrackets(*model, text);
    const ProbeSplit split = splitByDocuments({0, run.recording.steps});
    const std::vector<double> control = controlLabels(run.depth, run.recording.tokens, 1);
    ProbeSettings ridge;
    const ProbeOutcome p = runProbe(0, Quantity::C, {1}, readerOf(run.recording), run.depth, control, split, ridge);
    std::printf("%s: R^2 train %.3f test %.3f, control %.3f, selectivity %.3f\n", name, p.trainScore, p.testScore,
                p.controlScore, p.selectivity());
    if (model == &trained) {
      EXPECT_GT(p.testScore, 0.9);
      EXPECT_GT(p.selectivity(), 0.4);  // the language has three characters: any state tells them apart
    } else {
      EXPECT_LT(p.selectivity(), 0.1);  // the control task (the character) is read as well as depth, or better
    }
  }
}

// Hewitt & Liang's case for the control task: a label that the token alone decides (here: is it a vowel) is
// read off even random weights, since their state still says which token came last. The control task gives
// each token type a random label, which such a state tells just as well: the selectivity is near zero, and
// the probe's high accuracy is exposed as reading the token, not anything the model computed.
TEST(PlantedProbe, ARandomModelReadsATokenLabelNoBetterThanItsControl) {
  const Model trained = loadNativeModel(bracketFixturePath());
  Architecture arch = trained.arch;  // the fixture's shape (16 units) with 26 letters beside the brackets
  std::vector<std::string> tokens = arch.vocab.tokens();
  for (char ch = 'a'; ch <= 'z'; ++ch) tokens.push_back(std::string(1, ch));
  arch.vocab = Vocabulary(TokenLevel::Char, tokens);
  InitShape shape;
  shape.headOutputs = static_cast<int>(tokens.size());
  std::mt19937 rng(5);
  std::string text;  // bracket lines with runs of random letters after each bracket
  for (const char ch : bracketText(80, 3)) {
    text += ch;
    if (ch != '\n')
      while (rng() % 2) text += static_cast<char>('a' + rng() % 26);
  }
  for (const uint64_t seed : {11, 12, 13}) {
    const Model random = initialiseModel(arch, shape, seed);
    const Recording recording = recordInMemory(random, encodeText(random.arch, text, "letters", 1'000'000));
    const std::vector<int64_t> offsets{0, recording.steps};
    const ProbeLabel vowel = probeLabelFromSpec("regex:[aeiou]", recording.tokens, offsets, "");
    const ProbeSplit split = splitByDocuments(offsets);
    ProbeSettings logistic;
    logistic.kind = ProbeKind::Logistic;
    const ProbeOutcome p = runProbe(0, Quantity::C, {1}, readerOf(recording), vowel,
                                    controlLabels(vowel, recording.tokens, 1), split, logistic);
    std::printf("random weights (seed %d): accuracy test %.3f, control %.3f, selectivity %.3f\n",
                static_cast<int>(seed), p.testScore, p.controlScore, p.selectivity());
    EXPECT_GT(p.testScore, 0.85);                                  // the label is read off well...
    EXPECT_LT(std::abs(p.selectivity()), 0.1) << "seed " << seed;  // ...and its control just as well
  }
}

}  // namespace
}  // namespace lstmscope::test
