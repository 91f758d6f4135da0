// LRP in the Attribution dock as a user meets it on the demo: the app's default gives a bounded result late
// in the text, the note's advice follows the numbers (a larger ε only where that helps), and the note and
// title stay inside the view at the default window size. Driven by clicks and keys on a shown window.
#include <gtest/gtest.h>

#include <QApplication>
#include <QDockWidget>
#include <QDoubleSpinBox>
#include <QImage>
#include <QScrollArea>
#include <QSignalSpy>
#include <QTabBar>
#include <QTest>

#include "tests/app/test_window.h"

namespace lstmscope::app {
namespace {

class LrpDefaultTest : public testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(test::openDemoForTest(window_));
    raiseAttributionDock();
  }

  AttributionPanel& panel() { return *window_.attribution(); }

  // A click on the dock's tab, as a user brings it to the front.
  void raiseAttributionDock() {
    for (QTabBar* bar : window_.findChildren<QTabBar*>())
      for (int k = 0; k < bar->count(); ++k)
        if (bar->tabText(k) == QStringLiteral("Attribution")) {
          QTest::mouseClick(bar, Qt::LeftButton, {}, bar->tabRect(k).center());
          QApplication::processEvents();
        }
    ASSERT_TRUE(panel().isVisible());
  }

  // Down/Up on the method box until it shows `method`.
  void chooseMethod(AttributionMethod method) {
    QComboBox* box = nullptr;
    for (QComboBox* b : panel().findChildren<QComboBox*>())
      if (b->findData(static_cast<int>(method)) >= 0) box = b;
    ASSERT_NE(box, nullptr);
    box->setFocus();
    const int wanted = box->findData(static_cast<int>(method));
    for (int k = 0; k < 10 && box->currentIndex() != wanted; ++k)
      QTest::keyClick(box, box->currentIndex() < wanted ? Qt::Key_Down : Qt::Key_Up);
    ASSERT_EQ(box->currentIndex(), wanted);
  }

  // The LRP spin boxes, found by their tooltips: ε, then the bias factor.
  QDoubleSpinBox* lrpBox(const char* tooltipStart) {
    for (QDoubleSpinBox* b : panel().findChildren<QDoubleSpinBox*>())
      if (b->toolTip().startsWith(QString::fromUtf8(tooltipStart))) return b;
    return nullptr;
  }

  // Typed as a user does: select all, type, Enter.
  void typeInto(QDoubleSpinBox* box, const QString& text) {
    ASSERT_NE(box, nullptr);
    box->setFocus();
    QTest::keyClick(box, Qt::Key_A, Qt::ControlModifier);
    QTest::keyClicks(box, text);
    QTest::keyClick(box, Qt::Key_Return);
  }

  void settle() {
    QTest::qWait(50);
    for (int k = 0; k < 18000 && !panel().settled(); ++k) QTest::qWait(10);  // generous for ASan
    ASSERT_TRUE(panel().settled());
    QApplication::processEvents();
  }

  const MethodAttribution& lrpResult() {
    for (const MethodAttribution& m : panel().report()->methods)
      if (m.lrp) return m;
    ADD_FAILURE() << "no LRP result";
    return panel().report()->methods.front();
  }

  // Every row's note and the title lie inside the text view, and inside the part of it the scroll area
  // shows across: wrapped below the label where label and note do not fit on one line.
  void expectTextInsideTheView() {
    viz::AttributionTextView* view = panel().textView();
    const auto* scroll = qobject_cast<QScrollArea*>(view->parentWidget()->parentWidget());
    ASSERT_NE(scroll, nullptr);
    EXPECT_LE(view->width(), scroll->viewport()->width());
    const QFontMetrics fm(view->font(), view);
    const QRect inside = view->rect();
    for (int r = 0; r < static_cast<int>(view->rows().size()); ++r) {
      const QString& note = view->rows()[static_cast<size_t>(r)].note;
      const QRect area = view->noteArea(r);
      EXPECT_TRUE(inside.contains(area)) << note.toStdString();
      const QRect needed = fm.boundingRect(area, Qt::AlignLeft | Qt::TextWordWrap, note);
      EXPECT_LE(needed.width(), area.width()) << note.toStdString();
      EXPECT_LE(needed.height(), area.height()) << note.toStdString();
      const bool besideTheLabel = area.left() == view->titleArea().left();  // not indented below the label
      if (besideTheLabel) {  // the label on the left and the note on the right must not overlap
        const QString label = view->rowLabel(static_cast<size_t>(r));
        EXPECT_LE(fm.horizontalAdvance(label) + fm.horizontalAdvance(note), area.width()) << note.toStdString();
      }
    }
    const QRect title = view->titleArea();
    EXPECT_TRUE(inside.contains(title));
    QFont bold = view->font();
    bold.setBold(true);
    const QRect neededTitle =
        QFontMetrics(bold, view).boundingRect(title, Qt::AlignLeft | Qt::TextWordWrap, view->figureTitle());
    EXPECT_LE(neededTitle.width(), title.width());
    EXPECT_LE(neededTitle.height(), title.height());
  }

  MainWindow window_;
};

TEST_F(LrpDefaultTest, DefaultIsBoundedAndConservedLateInTheDemo) {
  chooseMethod(AttributionMethod::Lrp);
  window_.pickCurrent(2000, 0);
  settle();
  ASSERT_EQ(panel().report()->target.step, 2000);
  const MethodAttribution& m = lrpResult();
  const double score = m.values.score;
  ASSERT_NE(score, 0);
  // Bounded: the strongest token gets at most the score (the CLI's ε = 0.001 gives ±1e13 here).
  EXPECT_LE(m.values.perToken.cwiseAbs().maxCoeff(), std::abs(score));
  // Mostly reaches the input, nothing absorbed, and nothing to warn about.
  const double reaching = m.values.perToken.sum() / score;
  EXPECT_GT(reaching, 0.8);
  EXPECT_LT(reaching, 1.2);
  EXPECT_LT(std::abs(absorbedShare(m.lrp->conservationError(), score)), 0.01);
  ASSERT_EQ(panel().textView()->rows().size(), 1u);
  EXPECT_FALSE(panel().textView()->rows().front().warning) << panel().textView()->rows().front().note.toStdString();
  expectTextInsideTheView();
  panel().textView()->grab().save(QStringLiteral("/tmp/lrp-default-2000.png"));
}

TEST_F(LrpDefaultTest, AdviceFollowsTheNumbersAndTheNoteStaysInsideTheView) {
  chooseMethod(AttributionMethod::Lrp);
  window_.pickCurrent(2000, 0);
  // The CLI's default: amplified by small denominators, where a larger ε is the cure.
  typeInto(lrpBox("LRP: the share"), QStringLiteral("0"));
  typeInto(lrpBox("LRP: the ε"), QStringLiteral("0.001"));
  settle();
  const viz::AttributionRow* row = &panel().textView()->rows().front();
  EXPECT_TRUE(row->warning);
  EXPECT_TRUE(row->note.contains(QStringLiteral("try a larger ε"))) << row->note.toStdString();
  expectTextInsideTheView();
  panel().textView()->grab().save(QStringLiteral("/tmp/lrp-amplified-2000.png"));

  // ε = 0.1 with bias factor 0: lost to biases and ε, where a larger ε would absorb even more.
  typeInto(lrpBox("LRP: the ε"), QStringLiteral("0.1"));
  settle();
  row = &panel().textView()->rows().front();
  EXPECT_TRUE(row->warning);
  EXPECT_FALSE(row->note.contains(QStringLiteral("larger ε"))) << row->note.toStdString();
  EXPECT_TRUE(row->note.contains(QStringLiteral("bias factor towards 1"))) << row->note.toStdString();
  expectTextInsideTheView();
  panel().textView()->grab().save(QStringLiteral("/tmp/lrp-lost-2000.png"));
}

}  // namespace
}  // namespace lstmscope::app
