// The job mechanism: results of superseded requests are dropped, cancellation stops a run, errors
// arrive as messages that name the problem.
#include "app/gui/analysis_runner.h"

#include <gtest/gtest.h>

#include <QSignalSpy>
#include <QTest>

#include "core/formats/native_model.h"

namespace lstmscope::app {
namespace {

std::shared_ptr<const Model> demoModel() {
  return std::make_shared<const Model>(
      loadNativeModel(std::string(LSTMSCOPE_SOURCE_DIR) + "/resources/demo/python_char.h5"));
}

AnalysisRequest requestFor(std::shared_ptr<const Model> model, QString text) {
  AnalysisRequest r;
  r.model = std::move(model);
  r.text = std::move(text);
  r.textSource = QStringLiteral("test");
  return r;
}

TEST(AnalysisRunner, DeliversOnlyTheNewestRequest) {
  AnalysisRunner runner;
  QSignalSpy finished(&runner, &AnalysisRunner::finished);
  QSignalSpy busy(&runner, &AnalysisRunner::busyChanged);
  const auto model = demoModel();
  const quint64 first = runner.start(requestFor(model, QString(20000, QLatin1Char('x'))));
  const quint64 second = runner.start(requestFor(model, QStringLiteral("def f():\n")));
  EXPECT_GT(second, first);
  ASSERT_TRUE(finished.wait(60000));
  // Let the first job (cancelled or finished) report too, then check nothing stale arrived.
  for (int k = 0; k < 50 && runner.busy(); ++k) QTest::qWait(20);
  ASSERT_EQ(finished.size(), 1);
  EXPECT_EQ(finished[0][0].value<quint64>(), second);
  EXPECT_EQ(finished[0][1].value<AnalysisResult>().recording->steps, 9);
  EXPECT_FALSE(runner.busy());
  EXPECT_FALSE(busy.last()[0].toBool());
}

TEST(AnalysisRunner, CancelStopsTheRun) {
  AnalysisRunner runner;
  QSignalSpy cancelled(&runner, &AnalysisRunner::cancelled);
  QSignalSpy finished(&runner, &AnalysisRunner::finished);
  QSignalSpy progress(&runner, &AnalysisRunner::progress);
  const quint64 id = runner.start(requestFor(demoModel(), QString(400000, QLatin1Char('a'))));
  ASSERT_TRUE(progress.wait(60000));  // it is running
  runner.cancel();
  ASSERT_TRUE(cancelled.wait(60000));
  EXPECT_EQ(cancelled[0][0].value<quint64>(), id);
  EXPECT_EQ(finished.size(), 0);
}

TEST(AnalysisRunner, ReportsBadModelFilesByName) {
  AnalysisRunner runner;
  QSignalSpy failed(&runner, &AnalysisRunner::failed);
  AnalysisRequest r;
  r.modelPath = QStringLiteral("/no/such/model.h5");
  r.text = QStringLiteral("x");
  runner.start(r);
  ASSERT_TRUE(failed.wait(60000));
  EXPECT_TRUE(failed[0][1].toString().contains(QStringLiteral("/no/such/model.h5")))
      << failed[0][1].toString().toStdString();
}

TEST(AnalysisRunner, ReportsUnknownCharacters) {
  AnalysisRunner runner;
  // About the input, not the model: reported as an input problem, with the character's place in the text.
  QSignalSpy rejected(&runner, &AnalysisRunner::inputRejected);
  runner.start(requestFor(demoModel(), QString::fromUtf8("x = \"☃\"")));
  ASSERT_TRUE(rejected.wait(60000));
  const auto problem = rejected[0][1].value<InputProblem>();
  EXPECT_FALSE(problem.message.isEmpty());
  ASSERT_EQ(problem.marks.size(), 1);
  EXPECT_EQ(problem.marks[0], (std::pair<qsizetype, qsizetype>{5, 1}));
  EXPECT_NE(problem.model, nullptr);  // loaded, for the corrected text
}

}  // namespace
}  // namespace lstmscope::app
