// The Interventions dock (docs/APP.md "Interventions"): the interventions the text runs under, as specs
// (docs/INTERVENTIONS.md), each switched on or off, edited in place or removed; which run the views show
// (the intervened run, the original, or their difference); and what went wrong, inline.
#pragma once

#include <QStringList>
#include <QWidget>
#include <functional>

#include "app/gui/analysis_runner.h"

class QComboBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QListWidgetItem;
class QPushButton;

namespace lstmscope::app {

class GenerationPanel;

class InterventionsPanel : public QWidget {
  Q_OBJECT
 public:
  explicit InterventionsPanel(QWidget* parent = nullptr);

  // Checks a spec before it is listed: an empty string, or what is wrong with it.
  void setValidator(std::function<QString(const QString& spec)> validate) { validate_ = std::move(validate); }
  // Adds a spec (switched on), unless it is invalid (then the reason is shown and false returned).
  bool addSpec(const QString& spec);
  // Adds those of `specs` not listed yet, in order, stopping at an invalid one; one specsChanged (one new
  // run) for all. Returns how many were added.
  int addSpecs(const QStringList& specs);
  QStringList specs() const;         // every listed spec, in order
  QStringList enabledSpecs() const;  // those switched on
  void setEnabledAt(int row, bool on);
  void removeAt(int row);
  RunShown runShown() const;
  void setRunShown(RunShown run);
  // A line under the list: what the last analysis applied, or (error) why it could not; `details` is its
  // tooltip (none: no tooltip).
  void showMessage(const QString& message, bool error, const QString& details = {});
  QLineEdit* entry() const { return entry_; }
  GenerationPanel* generation() const { return generation_; }
  QString message() const;

 signals:
  void specsChanged();  // a spec added, edited, switched or removed
  void runShownChanged(lstmscope::app::RunShown run);

 private:
  void addFromEntry();
  bool appendSpec(const QString& spec);  // addSpec without the signal
  void itemEdited(QListWidgetItem* item);

  QListWidget* list_;
  QLineEdit* entry_;
  QPushButton* add_;
  QPushButton* remove_;
  QComboBox* shown_;
  QLabel* message_;
  GenerationPanel* generation_;
  std::function<QString(const QString&)> validate_;
  bool updating_ = false;  // while the panel itself changes items
};

}  // namespace lstmscope::app
