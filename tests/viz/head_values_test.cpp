// The Predictions view's values of a forecaster's head (viz/head_values.h): what the interventions changed.
#include "viz/head_values.h"

#include <gtest/gtest.h>

namespace lstmscope::viz {
namespace {

// The change is the interventions' doing, and the value it changed from is the one without them.
TEST(HeadValues, TheInterventionNoteGivesTheChangeAndTheValueWithoutThem) {
  EXPECT_EQ(interventionNote(-0.0137911, -0.023331).toStdString(),
            "(+0.00954 by the interventions; -0.023331 without them)");
  EXPECT_EQ(interventionNote(1.0, 1.5).toStdString(), "(-0.5 by the interventions; 1.5 without them)");
}

}  // namespace
}  // namespace lstmscope::viz
