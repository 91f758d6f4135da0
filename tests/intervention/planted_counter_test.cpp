// The planted mechanism: the bracket fixture (trained with our trainer) must count nesting depth to know
// that a line may end (and no bracket close) at depth 0. The ablation sweep (to the mean) finds the unit
// that carries the count, the same unit whose cell follows the depth (what the select view shows);
// ablating it collapses that decision, ablating the other units mostly does not.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "core/engine/forward.h"
#include "core/formats/native_model.h"
#include "core/intervention/ablation.h"
#include "core/text/vocabulary.h"
#include "tests/support/bracket_model.h"

namespace lstmscope::test {
namespace {

TEST(PlantedCounter, TheSweepFindsTheDepthUnitAndAblatingItCollapsesClosing) {
  const Network<double> net =
      loadNativeModel(std::string(LSTMSCOPE_SOURCE_DIR) + "/resources/fixtures/brackets_char.h5").cast<double>();
  const BracketInput b = bracketInput(net.arch, bracketText(40, 7));
  ASSERT_GT(b.in.steps, 200);

  // The target: the line end's log-probability at the last step where a line may end (depth back at 0
  // after a ')'): only a model that counted knows it may.
  InterventionTarget target;
  target.kind = ScoreKind::LogProbability;
  target.output = net.arch.vocab.idOf("\n");
  for (long t = b.in.steps - 1; t > 0; --t)
    if (b.depth[static_cast<size_t>(t)] == 0 && b.depth[static_cast<size_t>(t - 1)] > 0) {
      target.step = t;
      break;
    }
  AblationRequest toMean;
  toMean.toMean = true;  // a cell's zero is far from its usual values: the mean removes only what it carries
  const AblationEffects sweep = ablationSweep(net, b.in, target, toMean);
  const int H = net.arch.layers[0].hidden;
  int found = 0;
  for (int u = 1; u < H; ++u)
    if (std::abs(sweep.effects[static_cast<size_t>(u)]) > std::abs(sweep.effects[static_cast<size_t>(found)]))
      found = u;

  // The unit found is the one whose cell follows the depth (what the select view shows a user).
  Tape<double> tape;
  forward(net, b.in, tape);
  Eigen::VectorXd depth(b.in.steps);
  for (int t = 0; t < b.in.steps; ++t) depth[t] = b.depth[static_cast<size_t>(t)];
  int mostCorrelated = 0;
  double best = 0;
  for (int u = 0; u < H; ++u) {
    const Eigen::VectorXd c = tape.layers[0][0].c.row(u).transpose();
    const Eigen::VectorXd x = c.array() - c.mean(), y = depth.array() - depth.mean();
    const double r = std::abs(x.dot(y) / std::sqrt(x.squaredNorm() * y.squaredNorm()));
    if (r > best) best = r, mostCorrelated = u;
  }
  EXPECT_EQ(found, mostCorrelated) << "effects of the sweep and the depth correlation point at different units";

  const double intact = closingAccuracy(net, b, {});
  const double ablated = closingAccuracy(net, b, cellAt(found, b.in.steps, sweep.values[static_cast<size_t>(found)]));
  EXPECT_GT(intact, 0.95);
  EXPECT_LT(ablated, 0.1) << "ablating unit " << found << " left the decision intact";
  // The fixture's other units: one more (a helper of the count) also matters; the rest do not.
  std::vector<double> others;
  for (int u = 0; u < H; ++u)
    if (u != found)
      others.push_back(closingAccuracy(net, b, cellAt(u, b.in.steps, sweep.values[static_cast<size_t>(u)])));
  std::sort(others.begin(), others.end());
  EXPECT_GT(others[others.size() / 2], 0.95) << "the median unit's ablation";
  EXPECT_GE(std::count_if(others.begin(), others.end(), [](double a) { return a >= 0.85; }), H - 4);
  std::printf("depth unit %d: accuracy at depth 0 %.3f intact, %.3f ablated; other units: median %.3f, lowest %.3f\n",
              found, intact, ablated, others[others.size() / 2], others.front());
}

}  // namespace
}  // namespace lstmscope::test
