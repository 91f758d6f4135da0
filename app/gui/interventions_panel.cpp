#include "app/gui/interventions_panel.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QShortcut>
#include <QVBoxLayout>

#include "app/gui/generation_panel.h"

namespace lstmscope::app {

InterventionsPanel::InterventionsPanel(QWidget* parent)
    : QWidget(parent),
      list_(new QListWidget(this)),
      entry_(new QLineEdit(this)),
      add_(new QPushButton(tr("Add"), this)),
      remove_(new QPushButton(tr("Remove"), this)),
      shown_(new QComboBox(this)),
      message_(new QLabel(this)),
      generation_(new GenerationPanel(this)) {
  // The interventions on the left, generation with and without them on the right.
  auto* layout = new QHBoxLayout(this);
  auto* left = new QVBoxLayout;
  layout->addLayout(left, 1);
  layout->addWidget(generation_, 1);
  auto* showRow = new QHBoxLayout;
  showRow->addWidget(new QLabel(tr("Show:"), this));
  shown_->addItems({tr("Intervened run"), tr("Original run"), tr("Difference (intervened − original)")});
  shown_->setToolTip(tr("Which run every view shows; the difference is drawn in a diverging colour map"));
  showRow->addWidget(shown_, 1);
  left->addLayout(showRow);
  list_->setToolTip(tr("Tick to apply, double-click to edit, Delete to remove"));
  list_->setMinimumHeight(2 * fontMetrics().height());
  left->addWidget(list_, 1);
  auto* entryRow = new QHBoxLayout;
  entry_->setPlaceholderText(tr("L/DIR/Q:U[,U…][@A:B]=V, e.g. 1/fwd/c:17@40:60=zero"));
  entry_->setToolTip(
      tr("Set quantity Q (i f g o c h) of units U of layer L, direction fwd or bwd, over steps "
         "[A, B) to V: a number, zero, mean or add:X. Or right-click the heatmap."));
  entryRow->addWidget(entry_, 1);
  entryRow->addWidget(add_);
  entryRow->addWidget(remove_);
  left->addLayout(entryRow);
  message_->setWordWrap(true);
  message_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  left->addWidget(message_);
  showMessage(tr("Right-click the heatmap to clamp or ablate a unit."), false);

  connect(add_, &QPushButton::clicked, this, &InterventionsPanel::addFromEntry);
  connect(entry_, &QLineEdit::returnPressed, this, &InterventionsPanel::addFromEntry);
  connect(remove_, &QPushButton::clicked, this, [this] {
    if (list_->currentRow() >= 0) removeAt(list_->currentRow());
  });
  auto* deleteKey = new QShortcut(QKeySequence::Delete, list_, nullptr, nullptr, Qt::WidgetShortcut);
  connect(deleteKey, &QShortcut::activated, remove_, &QPushButton::click);
  connect(list_, &QListWidget::itemChanged, this, &InterventionsPanel::itemEdited);
  connect(shown_, &QComboBox::currentIndexChanged, this,
          [this](int index) { emit runShownChanged(static_cast<RunShown>(index)); });
}

bool InterventionsPanel::addSpec(const QString& spec) {
  if (!appendSpec(spec)) return false;
  emit specsChanged();
  return true;
}

int InterventionsPanel::addSpecs(const QStringList& specs) {
  const QStringList listed = this->specs();
  int added = 0;
  for (const QString& spec : specs) {
    if (listed.contains(spec.trimmed())) continue;  // already there (switched on or off)
    if (!appendSpec(spec)) break;
    ++added;
  }
  if (added > 0) emit specsChanged();  // one new run for all of them
  return added;
}

bool InterventionsPanel::appendSpec(const QString& spec) {
  const QString problem = validate_ ? validate_(spec.trimmed()) : QString();
  if (!problem.isEmpty()) {
    showMessage(problem, true);
    return false;
  }
  updating_ = true;
  auto* item = new QListWidgetItem(spec.trimmed(), list_);
  item->setFlags(item->flags() | Qt::ItemIsUserCheckable | Qt::ItemIsEditable);
  item->setCheckState(Qt::Checked);
  item->setData(Qt::UserRole, spec.trimmed());  // the last valid text, restored after a bad edit
  updating_ = false;
  list_->setCurrentItem(item);
  return true;
}

void InterventionsPanel::addFromEntry() {
  if (entry_->text().trimmed().isEmpty()) return;
  if (addSpec(entry_->text())) entry_->clear();
}

void InterventionsPanel::itemEdited(QListWidgetItem* item) {
  if (updating_) return;
  const QString text = item->text().trimmed();
  const QString problem = validate_ ? validate_(text) : QString();
  if (!problem.isEmpty()) {
    showMessage(problem, true);
    const QSignalBlocker blocker(list_);
    item->setText(item->data(Qt::UserRole).toString());
    return;
  }
  item->setData(Qt::UserRole, text);
  emit specsChanged();
}

QStringList InterventionsPanel::specs() const {
  QStringList out;
  for (int k = 0; k < list_->count(); ++k) out << list_->item(k)->text();
  return out;
}

QStringList InterventionsPanel::enabledSpecs() const {
  QStringList out;
  for (int k = 0; k < list_->count(); ++k)
    if (list_->item(k)->checkState() == Qt::Checked) out << list_->item(k)->text();
  return out;
}

void InterventionsPanel::setEnabledAt(int row, bool on) {
  if (auto* item = list_->item(row)) item->setCheckState(on ? Qt::Checked : Qt::Unchecked);
}

void InterventionsPanel::removeAt(int row) {
  delete list_->takeItem(row);
  emit specsChanged();
}

RunShown InterventionsPanel::runShown() const {
  return static_cast<RunShown>(shown_->currentIndex());
}

void InterventionsPanel::setRunShown(RunShown run) {
  shown_->setCurrentIndex(static_cast<int>(run));
}

QString InterventionsPanel::message() const {
  return message_->text();
}

void InterventionsPanel::showMessage(const QString& message, bool error, const QString& details) {
  message_->setText(message);
  message_->setToolTip(details);
  message_->setStyleSheet(error ? QStringLiteral("color: #b00020;") : QString());
}

}  // namespace lstmscope::app
