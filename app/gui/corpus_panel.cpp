#include "app/gui/corpus_panel.h"

#include <QAbstractTableModel>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalBlocker>
#include <QSortFilterProxyModel>
#include <QSpinBox>
#include <QTableView>
#include <QVBoxLayout>
#include <limits>

#include "core/analysis/trace_window.h"

namespace lstmscope::app {

// The documents of a trace as a table (name, steps, first step), read from the trace's document table;
// a model over the vectors, so that a corpus of 100,000 documents costs no item objects.
class DocumentTable : public QAbstractTableModel {
 public:
  using QAbstractTableModel::QAbstractTableModel;
  void setTrace(const TraceReader* trace) {
    beginResetModel();
    trace_ = trace;
    endResetModel();
  }
  int rowCount(const QModelIndex& parent = {}) const override {
    return parent.isValid() || !trace_ ? 0 : trace_->documents();
  }
  int columnCount(const QModelIndex& parent = {}) const override { return parent.isValid() ? 0 : 3; }
  QVariant data(const QModelIndex& index, int role) const override {
    if (!trace_ || !index.isValid()) return {};
    const auto d = static_cast<size_t>(index.row());
    const auto& offsets = trace_->documentOffsets();
    if (role == Qt::DisplayRole || role == Qt::UserRole) {
      switch (index.column()) {
        case 0: {
          const QString name = QString::fromStdString(trace_->documentNames()[d]);
          return name.isEmpty() && role == Qt::DisplayRole ? tr("(document %1)").arg(d) : name;
        }
        case 1:
          return static_cast<qlonglong>(offsets[d + 1] - offsets[d]);
        default:
          return static_cast<qlonglong>(offsets[d]);
      }
    }
    if (role == Qt::TextAlignmentRole && index.column() > 0) return int(Qt::AlignRight | Qt::AlignVCenter);
    return {};
  }
  QVariant headerData(int section, Qt::Orientation orientation, int role) const override {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
    return section == 0 ? tr("document") : section == 1 ? tr("steps") : tr("first step");
  }

 private:
  const TraceReader* trace_ = nullptr;
};

CorpusPanel::CorpusPanel(QWidget* parent) : QWidget(parent) {
  header_ = new QLabel(tr("Open a trace (File › Open, or drop a trace file here) to browse a recorded corpus."), this);
  header_->setWordWrap(true);
  window_ = new QLabel(this);
  window_->setWordWrap(true);
  step_ = new QSpinBox(this);
  step_->setPrefix(tr("step "));
  step_->setGroupSeparatorShown(true);
  go_ = new QPushButton(tr("Go"), this);
  previous_ = new QPushButton(tr("◀ Previous"), this);
  previous_->setToolTip(tr("The window before this one"));
  next_ = new QPushButton(tr("Next ▶"), this);
  next_->setToolTip(tr("The window after this one"));
  filter_ = new QLineEdit(this);
  filter_->setPlaceholderText(tr("Find documents by name"));
  filter_->setClearButtonEnabled(true);
  documents_ = new DocumentTable(this);
  filtered_ = new QSortFilterProxyModel(this);
  filtered_->setSourceModel(documents_);
  filtered_->setFilterKeyColumn(0);
  filtered_->setFilterCaseSensitivity(Qt::CaseInsensitive);
  filtered_->setSortRole(Qt::UserRole);
  list_ = new QTableView(this);
  list_->setModel(filtered_);
  list_->setSelectionBehavior(QAbstractItemView::SelectRows);
  list_->setSelectionMode(QAbstractItemView::SingleSelection);
  list_->setSortingEnabled(true);
  list_->sortByColumn(2, Qt::AscendingOrder);
  list_->verticalHeader()->hide();
  list_->horizontalHeader()->setSectionResizeMode(0, QHeaderView::Stretch);
  list_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  // At least four documents in view: the dock asks for that much room rather than showing half a row.
  list_->setMinimumHeight(list_->horizontalHeader()->sizeHint().height() +
                          4 * list_->verticalHeader()->defaultSectionSize() + 4);

  auto* position = new QHBoxLayout;
  position->addWidget(previous_);
  position->addWidget(next_);
  position->addStretch(1);
  position->addWidget(step_);
  position->addWidget(go_);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(4, 4, 4, 4);
  layout->addWidget(header_);
  layout->addWidget(window_);
  layout->addLayout(position);
  layout->addWidget(filter_);
  layout->addWidget(list_, 1);
  setTrace(nullptr);

  connect(filter_, &QLineEdit::textChanged, this, &CorpusPanel::setNameFilter);
  connect(list_, &QTableView::activated, this, &CorpusPanel::goToRow);
  connect(list_, &QTableView::clicked, this, &CorpusPanel::goToRow);
  connect(go_, &QPushButton::clicked, this, [this] { emit stepRequested(step_->value()); });
  connect(step_, &QSpinBox::editingFinished, this, [this] {
    if (step_->hasFocus()) emit stepRequested(step_->value());
  });
  connect(previous_, &QPushButton::clicked, this, [this] {
    if (windowFirst_ > 0) emit stepRequested(windowFirst_ - 1);
  });
  connect(next_, &QPushButton::clicked, this, [this] {
    if (trace_ && windowEnd_ < trace_->steps()) emit stepRequested(windowEnd_);
  });
}

CorpusPanel::~CorpusPanel() = default;

void CorpusPanel::setTrace(std::shared_ptr<const TraceReader> trace, const QString& name) {
  trace_ = std::move(trace);
  documents_->setTrace(trace_.get());
  for (QWidget* w : std::initializer_list<QWidget*>{step_, go_, previous_, next_, filter_, list_})
    w->setEnabled(trace_ != nullptr);
  window_->clear();
  if (!trace_) return;
  step_->setRange(0, static_cast<int>(std::min<long>(trace_->steps() - 1, std::numeric_limits<int>::max())));
  header_->setText(
      tr("<b>%1</b>: %L2 steps in %L3 document(s), recorded with model “%4”.")
          .arg((name.isEmpty() ? QFileInfo(QString::fromStdString(trace_->path())).fileName() : name).toHtmlEscaped())
          .arg(trace_->steps())
          .arg(trace_->documents())
          .arg(QString::fromStdString(trace_->modelName()).toHtmlEscaped()));
}

void CorpusPanel::showWindow(const TraceWindow& window, const QString& modelNote) {
  if (!trace_) return;
  windowFirst_ = window.first, windowEnd_ = window.end();
  const auto& offsets = trace_->documentOffsets();
  const long docFirst = offsets[static_cast<size_t>(window.document)];
  const long docSteps = offsets[static_cast<size_t>(window.document) + 1] - docFirst;
  const QString name = QString::fromStdString(trace_->documentNames()[static_cast<size_t>(window.document)]);
  QString text = tr("Showing steps %L1–%L2 of document %3%4 (%L5 steps; heatmap step 0 is trace step %L1).")
                     .arg(window.first)
                     .arg(window.end() - 1)
                     .arg(window.document)
                     .arg(name.isEmpty() ? QString() : QStringLiteral(" “%1”").arg(name))
                     .arg(docSteps);
  if (!modelNote.isEmpty()) text += QLatin1Char(' ') + modelNote;
  window_->setText(text);
  {
    const QSignalBlocker blocker(step_);  // shows where the window starts; asks for nothing
    step_->setValue(static_cast<int>(std::min<long>(window.first, step_->maximum())));
  }
  previous_->setEnabled(window.first > 0);
  next_->setEnabled(window.end() < trace_->steps());
  // The document in the list (only clicks ask for a document, so selecting it asks for nothing); the
  // selection model's signals stay on: the list repaints the row it leaves through them.
  const QModelIndex row = filtered_->mapFromSource(documents_->index(window.document, 0));
  if (row.isValid()) {
    list_->selectRow(row.row());
    list_->scrollTo(row);
  } else {
    list_->clearSelection();
  }
}

void CorpusPanel::setNameFilter(const QString& text) {
  if (filter_->text() != text) filter_->setText(text);
  filtered_->setFilterFixedString(text);
}

int CorpusPanel::visibleDocuments() const {
  return filtered_->rowCount();
}

QString CorpusPanel::windowText() const {
  return window_->text();
}

void CorpusPanel::goToRow(const QModelIndex& index) {
  if (!trace_ || !index.isValid()) return;
  const QModelIndex source = filtered_->mapToSource(index);
  const auto d = static_cast<size_t>(source.row());
  const auto& offsets = trace_->documentOffsets();
  if (offsets[d + 1] == offsets[d]) return;  // an empty document has no step to show
  emit stepRequested(offsets[d]);
}

}  // namespace lstmscope::app
