// The Text dock: what the model reads. Text for a model of tokens; for a model of numeric features a CSV
// table (core/formats/feature_csv.h), whose steps are labelled by number or by one of its columns.
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QLabel>
#include <QSignalBlocker>
#include <QStatusBar>
#include <QVBoxLayout>

#include "app/gui/main_window.h"

namespace lstmscope::app {

QWidget* MainWindow::buildInputPane() {
  auto* pane = new QWidget(this);
  auto* layout = new QVBoxLayout(pane);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->setSpacing(2);
  stepLabelRow_ = new QWidget(pane);
  auto* row = new QHBoxLayout(stepLabelRow_);
  row->setContentsMargins(4, 2, 4, 0);
  row->addWidget(new QLabel(tr("Label steps by"), stepLabelRow_));
  stepLabels_ = new QComboBox(stepLabelRow_);
  stepLabels_->addItem(tr("step number"));
  stepLabels_->setToolTip(
      tr("What the heatmap's axis and the other views show for each row of the table: its "
         "number, or its value in one column (a date column, say)"));
  row->addWidget(stepLabels_, 1);
  stepLabelRow_->hide();  // until a model of numeric features is analysed
  layout->addWidget(stepLabelRow_);
  textEdit_ = new QPlainTextEdit(pane);
  textEdit_->setPlaceholderText(tr("Type or paste text here; it is analysed after a short pause."));
  textEdit_->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
  layout->addWidget(textEdit_);
  // Relabelling re-runs the analysis: the labels travel with the recording into every view.
  connect(stepLabels_, &QComboBox::activated, this, [this](int index) {
    stepLabelColumn_ = index > 0 ? stepLabels_->itemText(index) : QString();
    analyseNow();
  });
  return pane;
}

void MainWindow::showInputKind(const AnalysisResult& result) {
  const Architecture& arch = result.model->arch;
  const bool table = arch.inputKind == InputKind::Features;
  textEdit_->setPlaceholderText(
      table ? tr("This model reads %1 numeric feature(s) per step: paste or open a CSV table, one row per step and "
                 "one column per feature (header optional; a date column labels the steps). It is analysed after a "
                 "short pause.")
                  .arg(arch.featureDim)
            : tr("Type or paste text here; it is analysed after a short pause."));
  stepLabelRow_->setVisible(table);
  // Words and table rows are shown apart; characters (spaces included) run on as the text does.
  textColours_->setSeparateTokens(table || arch.vocab.level() == TokenLevel::Word);
  const QSignalBlocker blocker(stepLabels_);
  stepLabels_->clear();
  stepLabels_->addItem(tr("step number"));
  stepLabels_->addItems(result.labelChoices);
  stepLabels_->setCurrentIndex(result.labelColumn.isEmpty() ? 0
                                                            : std::max(0, stepLabels_->findText(result.labelColumn)));
  if (!result.inputNotes.isEmpty()) statusBar()->showMessage(result.inputNotes.join(QStringLiteral("; ")), 10000);
}

}  // namespace lstmscope::app
