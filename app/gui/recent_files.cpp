#include "app/gui/recent_files.h"

#include <QFileInfo>
#include <QMenu>
#include <QSettings>

namespace lstmscope::app {
namespace {

constexpr int kMaxRecent = 8;
const QString kModelsKey = QStringLiteral("recentModels");
const QString kTextsKey = QStringLiteral("recentTexts");

}  // namespace

RecentFiles::RecentFiles(QMenu* menu) : QObject(menu), menu_(menu) {
  rebuildMenu();
}

void RecentFiles::addModel(const QString& path) {
  add(kModelsKey, path);
}

void RecentFiles::addText(const QString& path) {
  add(kTextsKey, path);
}

void RecentFiles::add(const QString& key, const QString& path) {
  if (!remembering_) return;
  QSettings settings;
  const QString absolute = QFileInfo(path).absoluteFilePath();
  QStringList list = settings.value(key).toStringList();
  list.removeAll(absolute);
  list.prepend(absolute);
  while (list.size() > kMaxRecent) list.removeLast();
  settings.setValue(key, list);
  rebuildMenu();
}

void RecentFiles::rebuildMenu() {
  menu_->clear();
  QSettings settings;
  for (const QString& path : settings.value(kModelsKey).toStringList())
    menu_->addAction(tr("Model: %1").arg(path), this, [this, path] { emit modelChosen(path); });
  for (const QString& path : settings.value(kTextsKey).toStringList())
    menu_->addAction(tr("Text: %1").arg(path), this, [this, path] { emit textChosen(path); });
  menu_->setEnabled(!menu_->isEmpty());
}

}  // namespace lstmscope::app
