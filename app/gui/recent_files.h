// File › Open Recent: the models and texts opened last, kept in the app's settings.
#pragma once

#include <QObject>
#include <QString>

class QMenu;

namespace lstmscope::app {

class RecentFiles : public QObject {
  Q_OBJECT
 public:
  explicit RecentFiles(QMenu* menu);  // fills `menu` and keeps it up to date

  void addModel(const QString& path);
  void addText(const QString& path);
  // Off for runs that must leave the user's settings as they were (--screenshot, --export).
  void setRemembering(bool remembering) { remembering_ = remembering; }

 signals:
  void modelChosen(QString path);
  void textChosen(QString path);

 private:
  void add(const QString& key, const QString& path);
  void rebuildMenu();

  QMenu* menu_;
  bool remembering_ = true;
};

}  // namespace lstmscope::app
