#include "app/gui/help_window.h"

#include <QComboBox>
#include <QKeySequence>
#include <QMainWindow>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QTextBrowser>
#include <QUrl>
#include <QVBoxLayout>

#include "core/common/version.h"

namespace lstmscope::app {
namespace {

// The pages of docs/ compiled in under :/docs (app/CMakeLists.txt), in reading order.
const char* const kPages[] = {"APP.md", "ATTRIBUTION.md", "IMPORT.md", "CLI.md", "FORMAT.md", "ENGINE.md", "DEMO.md"};

}  // namespace

HelpWindow::HelpWindow(QWidget* parent) : QDialog(parent) {
  setWindowTitle(tr("LSTMScope Help"));
  setObjectName(QStringLiteral("help"));
  auto* layout = new QVBoxLayout(this);
  auto* pages = new QComboBox(this);
  for (const char* page : kPages) pages->addItem(QString::fromLatin1(page));
  browser_ = new QTextBrowser(this);
  browser_->setOpenLinks(true);
  browser_->setOpenExternalLinks(true);  // web links go to the browser; links between pages stay here
  layout->addWidget(pages);
  layout->addWidget(browser_, 1);
  connect(pages, &QComboBox::textActivated, this, &HelpWindow::showPage);
  resize(900, 700);
  showPage(QStringLiteral("APP.md"));
}

void HelpWindow::showPage(const QString& page) {
  browser_->setSource(QUrl(QStringLiteral("qrc:/docs/") + page), QTextDocument::MarkdownResource);
}

void addHelpMenu(QMainWindow* window) {
  QMenu* help = window->menuBar()->addMenu(HelpWindow::tr("&Help"));
  help->addAction(HelpWindow::tr("&Contents"), QKeySequence::HelpContents, window, [window] {
    auto* shown = window->findChild<HelpWindow*>();
    if (!shown) shown = new HelpWindow(window);  // kept (hidden) when closed, so it opens where it was
    shown->show();
    shown->raise();
  });
  help->addAction(HelpWindow::tr("&About LSTMScope"), window,
                  [window] { QMessageBox::about(window, HelpWindow::tr("About LSTMScope"), aboutText()); });
}

QString aboutText() {
  return HelpWindow::tr(
             "<h3>LSTMScope %1</h3><p>See inside a trained LSTM: every gate, cell and hidden state at every step, "
             "attribution of its predictions, and figures for papers.</p>"
             "<p>Qt %2 (built with %3) · HDF5 %4 · Eigen %5</p>")
      .arg(QString::fromUtf8(kVersion), QString::fromLatin1(qVersion()), QStringLiteral(QT_VERSION_STR),
           QString::fromStdString(hdf5Version()), QString::fromStdString(eigenVersion()));
}

}  // namespace lstmscope::app
