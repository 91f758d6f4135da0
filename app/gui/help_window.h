// Help › Contents (F1): the user documentation shipped inside the app (docs/*.md, compiled in), rendered
// with its links between pages; and the About box with the versions of everything LSTMScope runs on.
#pragma once

#include <QDialog>
#include <QString>

class QMainWindow;
class QTextBrowser;

namespace lstmscope::app {

class HelpWindow : public QDialog {
  Q_OBJECT
 public:
  explicit HelpWindow(QWidget* parent = nullptr);

  void showPage(const QString& page);  // "APP.md", "ATTRIBUTION.md", ...
  QTextBrowser* browser() const { return browser_; }

 private:
  QTextBrowser* browser_ = nullptr;
};

// Help › Contents (F1) and Help › About on `window`'s menu bar.
void addHelpMenu(QMainWindow* window);

// "LSTMScope 0.1.0 · Qt 6.4.2 · HDF5 1.10.8 · Eigen 3.4.0" and what the program is, for the About box.
QString aboutText();

}  // namespace lstmscope::app
