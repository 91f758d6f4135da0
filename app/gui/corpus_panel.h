// The Corpus dock, for an open trace: what the trace holds, which window of it the views show, the
// document list (names, lengths, first steps; filtered by name) and "go to step". Choosing a document or
// a step asks for the window that holds it; the views then show it (AnalysisSession::showTraceStep).
#pragma once

#include <QWidget>
#include <memory>

class QLabel;
class QLineEdit;
class QPushButton;
class QSortFilterProxyModel;
class QSpinBox;
class QTableView;

namespace lstmscope {
class TraceReader;
struct TraceWindow;
}  // namespace lstmscope

namespace lstmscope::app {

class DocumentTable;

class CorpusPanel : public QWidget {
  Q_OBJECT
 public:
  explicit CorpusPanel(QWidget* parent = nullptr);
  ~CorpusPanel() override;

  // A trace opened (null: none, the dock says how to open one); `modelNote` says which model is used.
  void setTrace(std::shared_ptr<const TraceReader> trace, const QString& name = {});
  void showWindow(const TraceWindow& window, const QString& modelNote);
  void setNameFilter(const QString& text);
  QTableView* documentList() const { return list_; }
  int visibleDocuments() const;  // rows the name filter leaves
  QString windowText() const;

 signals:
  void stepRequested(long step);  // a trace step

 private:
  void goToRow(const QModelIndex& index);

  std::shared_ptr<const TraceReader> trace_;
  QLabel* header_;
  QLabel* window_;
  QLineEdit* filter_;
  QSpinBox* step_;
  QPushButton* go_;
  QPushButton* previous_;
  QPushButton* next_;
  QTableView* list_;
  DocumentTable* documents_;
  QSortFilterProxyModel* filtered_;
  long windowFirst_ = 0, windowEnd_ = 0;
};

}  // namespace lstmscope::app
