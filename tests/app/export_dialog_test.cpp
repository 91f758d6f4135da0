// File › Export View as a user drives it (Ctrl+E, then the keyboard and mouse in the dialog, the file
// name typed): a size typed in millimetres gives a PNG of exactly that size at the resolution, and the
// dialog says so before saving.
#include "app/gui/export_dialog.h"

#include <gtest/gtest.h>

#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QImage>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <functional>

#include "tests/app/test_window.h"

namespace lstmscope::app {
namespace {

// Runs `act` on the first modal widget of type T to appear (from inside its event loop), within 60 s
// (the ASan build is slow to open a file dialog).
template <typename T>
void whenModal(const std::function<void(T*)>& act) {
  auto* timer = new QTimer;
  auto* waited = new int(0);
  QObject::connect(timer, &QTimer::timeout, [timer, waited, act] {
    if (auto* modal = qobject_cast<T*>(QApplication::activeModalWidget())) {
      timer->stop(), timer->deleteLater(), delete waited;
      act(modal);
    } else if (++*waited > 3000) {
      timer->stop(), timer->deleteLater(), delete waited;
      ADD_FAILURE() << "no " << T::staticMetaObject.className() << " appeared";
      if (QWidget* other = QApplication::activeModalWidget()) {  // say what is there, and never hang in it
        for (const QLabel* label : other->findChildren<QLabel*>())
          ADD_FAILURE() << other->metaObject()->className() << " says: " << label->text().toStdString();
        other->close();
      }
    }
  });
  timer->start(20);
}

// After `seconds`, reports and closes whatever modal dialog is still open, so that a test fails instead
// of hanging in it.
void closeLeftoverDialogsAfter(int seconds) {
  QTimer::singleShot(seconds * 1000, [] {
    while (QWidget* modal = QApplication::activeModalWidget()) {
      std::string texts;
      for (const QLabel* label : modal->findChildren<QLabel*>()) texts += label->text().toStdString() + " | ";
      ADD_FAILURE() << "left open: " << modal->metaObject()->className() << ": " << texts;
      modal->close();
      QApplication::processEvents();
    }
  });
}

void typeInto(QWidget* box, const QString& text) {
  box->setFocus();
  QTest::keyClick(box, Qt::Key_A, Qt::ControlModifier);  // select what is there
  QTest::keyClicks(box, text);
}

class ExportDialogTest : public testing::Test {
 protected:
  void SetUp() override {
    QSettings().remove(QStringLiteral("export"));  // the dialog remembers the last size and unit
    ASSERT_TRUE(test::openDemoForTest(window_));
    window_.activateWindow();
    ASSERT_TRUE(QTest::qWaitForWindowActive(&window_));
  }
  MainWindow window_;
  QTemporaryDir dir_;
};

TEST_F(ExportDialogTest, MillimetresTypedGiveAPngOfThatSizeAtTheResolution) {
  const QString path = dir_.filePath(QStringLiteral("column.png"));
  QString outcome;
  whenModal<ExportDialog>([&](ExportDialog* dialog) {
    auto* unit = dialog->findChild<QComboBox*>(QStringLiteral("unit"));
    ASSERT_NE(unit, nullptr);
    unit->setFocus();
    QTest::keyClick(unit, Qt::Key_Down);  // pixels -> mm
    typeInto(dialog->findChild<QDoubleSpinBox*>(QStringLiteral("width")), QStringLiteral("89"));
    typeInto(dialog->findChild<QDoubleSpinBox*>(QStringLiteral("height")), QStringLiteral("60"));
    for (QCheckBox* box : dialog->findChildren<QCheckBox*>())
      if (box->isChecked()) QTest::mouseClick(box, Qt::LeftButton, {}, QPoint(4, box->height() / 2));
    outcome = dialog->outcome();
    typeInto(dialog->findChild<QLineEdit*>(QStringLiteral("path")), path);
    QPushButton* save = nullptr;
    for (QPushButton* b : dialog->findChildren<QPushButton*>())
      if (b->text().contains(QStringLiteral("Save"))) save = b;
    ASSERT_NE(save, nullptr);
    QTest::mouseClick(save, Qt::LeftButton);
  });
  closeLeftoverDialogsAfter(120);
  QTest::keyClick(QApplication::focusWidget() ? QApplication::focusWidget() : &window_, Qt::Key_E, Qt::ControlModifier);
  EXPECT_TRUE(outcome.contains(QStringLiteral("1051 × 709 px"))) << outcome.toStdString();
  EXPECT_TRUE(outcome.contains(QStringLiteral("89 × 60 mm"))) << outcome.toStdString();
  const QImage image(path);
  ASSERT_FALSE(image.isNull()) << "nothing written to " << path.toStdString();
  EXPECT_EQ(image.size(), QSize(1051, 709));  // 89 x 60 mm at 300 dpi
  EXPECT_NEAR(image.dotsPerMeterX() * 0.0254, 300, 1);
}

}  // namespace
}  // namespace lstmscope::app
