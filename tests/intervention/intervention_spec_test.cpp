// Writing interventions: L/DIR/Q:U[,U...][@A:B]=V read and written back, every malformed spec refused
// with a message that says what is wrong, and specs checked against the model and the input.
#include "core/intervention/intervention_spec.h"

#include <gtest/gtest.h>

#include "core/common/error.h"
#include "core/intervention/intervention_target.h"
#include "tests/intervention/random_models.h"
#include "tests/support/test_models.h"

namespace lstmscope::test {
namespace {

// A forecaster's outputs are the forecasts: "Change in output 0", never "Change in logit 0".
TEST(InterventionTargetDescription, RegressionOutputsAreNotCalledLogits) {
  const Model forecaster = test::smallFeatureModel();
  EXPECT_EQ(describeTarget(forecaster.arch, InterventionTarget{}), "output 0");
  Architecture classifier = forecaster.arch;
  classifier.task = Task::Classifier;
  EXPECT_EQ(describeTarget(classifier, InterventionTarget{ScoreKind::Logit, 3, 1}), "logit 1");
}

TEST(InterventionSpec, ReadsEveryFormAndWritesItBack) {
  const InterventionSpec a = parseInterventionSpec("1/fwd/c:17@40:60=zero");
  EXPECT_EQ(a.layer, 1);
  EXPECT_EQ(a.direction, "fwd");
  EXPECT_EQ(a.quantity, Quantity::C);
  EXPECT_EQ(a.units, std::vector<int>{17});
  EXPECT_EQ(a.firstStep, 40);
  EXPECT_EQ(a.endStep, 60);
  EXPECT_EQ(a.value, InterventionValue::Zero);
  const InterventionSpec b = parseInterventionSpec("0/bwd/f:3,8,40=1");
  EXPECT_EQ(b.units, (std::vector<int>{3, 8, 40}));
  EXPECT_FALSE(b.firstStep);
  EXPECT_EQ(b.value, InterventionValue::Number);
  EXPECT_EQ(b.number, 1.0);
  const InterventionSpec c = parseInterventionSpec("2/fwd/h:5@:9=add:-0.5");
  EXPECT_FALSE(c.firstStep);
  EXPECT_EQ(c.endStep, 9);
  EXPECT_EQ(c.value, InterventionValue::Add);
  EXPECT_EQ(c.number, -0.5);
  EXPECT_EQ(parseInterventionSpec("0/fwd/o:2@7:=mean").value, InterventionValue::Mean);
  for (const char* text : {"1/fwd/c:17@40:60=zero", "0/bwd/f:3,8,40=1", "2/fwd/h:5@:9=add:-0.5", "0/fwd/o:2@7:=mean",
                           "0/fwd/g:1=0.1", "0/fwd/i:0=1e-300"})
    EXPECT_EQ(parseInterventionSpec(text).text(), text);
}

TEST(InterventionSpec, MalformedSpecsAreRefusedWithTheReason) {
  const std::pair<const char*, const char*> cases[] = {
      {"1/fwd/c:17", "no '='"},
      {"1/fwd/c=0", "no ':'"},
      {"1/c:3=0", "LAYER/DIRECTION/QUANTITY"},
      {"x/fwd/c:3=0", "layer is not a whole number"},
      {"0/up/c:3=0", "fwd or bwd"},
      {"0/fwd/pre_i:3=0", "one of i f g o c h"},
      {"0/fwd/q:3=0", "one of i f g o c h"},
      {"0/fwd/c:=0", "unit is not a whole number"},
      {"0/fwd/c:3,,4=0", "unit is not a whole number"},
      {"0/fwd/c:-3=0", "unit is not a whole number"},
      {"0/fwd/c:3@5=0", "A:B"},
      {"0/fwd/c:3@9:5=0", "empty"},
      {"0/fwd/c:3@x:5=0", "first step"},
      {"0/fwd/c:3=nan", "finite number"},
      {"0/fwd/c:3=inf", "finite number"},
      {"0/fwd/c:3=1e999", "finite number"},
      {"0/fwd/c:3= 1", "finite number"},
      {"0/fwd/c:3=add:", "add: needs"},
      {"0/fwd/c:3=half", "finite number"},
  };
  for (const auto& [text, reason] : cases) {
    try {
      parseInterventionSpec(text);
      ADD_FAILURE() << text << " was accepted";
    } catch (const InputError& e) {
      const std::string message = e.what();
      EXPECT_NE(message.find(text), std::string::npos) << message;
      EXPECT_NE(message.find(reason), std::string::npos) << text << ": " << message;
    }
  }
}

TEST(InterventionSpec, ResolvesAgainstTheModelAndTheInput) {
  const Network<double> net = randomModel(interventionVariants()[2], 1);  // bidirectional, 5 and 4 units
  const UnitMean mean = [](int layer, int direction, Quantity q, int unit) {
    return 100.0 * layer + 10.0 * direction + static_cast<int>(q) + unit / 100.0;
  };
  const auto units = resolveIntervention(parseInterventionSpec("1/bwd/c:1,3@2:50=mean"), net.arch, 20, mean);
  ASSERT_EQ(units.size(), 2u);
  EXPECT_EQ(units[0].direction, 1);
  EXPECT_EQ(units[0].slot, EditSlot::C);
  EXPECT_EQ(units[1].unit, 3);
  EXPECT_EQ(units[0].firstStep, 2);
  EXPECT_EQ(units[0].endStep, 20);  // clipped to the input
  EXPECT_DOUBLE_EQ(units[1].value, 100 + 10 + 4 + 0.03);
  const auto shift = resolveIntervention(parseInterventionSpec("0/fwd/h:0=add:2"), net.arch, 20, mean);
  EXPECT_TRUE(shift[0].add);
  EXPECT_EQ(shift[0].endStep, 20);
  const std::pair<const char*, const char*> bad[] = {
      {"2/fwd/c:0=0", "no layer 2"}, {"1/fwd/c:4=0", "no unit 4"}, {"0/fwd/c:0@20:30=0", "starts at step 20"}};
  for (const auto& [text, reason] : bad) {
    try {
      resolveIntervention(parseInterventionSpec(text), net.arch, 20, mean);
      ADD_FAILURE() << text << " was accepted";
    } catch (const InputError& e) {
      EXPECT_NE(std::string(e.what()).find(reason), std::string::npos) << e.what();
    }
  }
  const Network<double> forwardOnly = randomModel(interventionVariants()[0], 1);
  try {
    resolveIntervention(parseInterventionSpec("0/bwd/c:0=0"), forwardOnly.arch, 20, mean);
    ADD_FAILURE();
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("no direction bwd"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace lstmscope::test
