#include "app/gui/main_window.h"

#include <QApplication>
#include <QCloseEvent>
#include <QDockWidget>
#include <QDragEnterEvent>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QFontDatabase>
#include <QFormLayout>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QSettings>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTemporaryDir>
#include <QVBoxLayout>

#include "app/gui/export_dialog.h"
#include "core/formats/model_loader.h"
#include "core/formats/native_model.h"

namespace lstmscope::app {
namespace {

constexpr int kEditPauseMs = 600;
constexpr int kMaxRecent = 8;
constexpr qint64 kMaxTextBytes = 64 << 20;

QDockWidget* dock(QMainWindow* window, const QString& title, const QString& objectName, QWidget* content,
                  Qt::DockWidgetArea area) {
  auto* d = new QDockWidget(title, window);
  d->setObjectName(objectName);  // for saveState/restoreState
  d->setWidget(content);
  window->addDockWidget(area, d);
  return d;
}

}  // namespace

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent) {
  setWindowTitle(tr("LSTMScope"));
  setAcceptDrops(true);
  setDockOptions(QMainWindow::AnimatedDocks | QMainWindow::AllowTabbedDocks);
  controls_ = new HeatmapControls(this);
  addToolBar(Qt::TopToolBarArea, controls_);
  heatmap_ = new viz::HeatmapView(this);
  setCentralWidget(heatmap_);
  buildDocks();
  buildMenus();

  hoverLabel_ = new QLabel(this);
  modelLabel_ = new QLabel(this);
  progress_ = new QProgressBar(this);
  progress_->setMaximumWidth(220);
  progress_->setFormat(tr("analysing %p%"));
  cancel_ = new QPushButton(tr("Cancel"), this);
  cancel_->setToolTip(tr("Stop the running analysis (Esc)"));
  statusBar()->addWidget(hoverLabel_, 1);
  statusBar()->addPermanentWidget(modelLabel_);
  statusBar()->addPermanentWidget(progress_);
  statusBar()->addPermanentWidget(cancel_);
  progress_->hide(), cancel_->hide();

  editPause_.setSingleShot(true);
  editPause_.setInterval(kEditPauseMs);
  connect(&editPause_, &QTimer::timeout, this, &MainWindow::analyseNow);
  connect(textEdit_, &QPlainTextEdit::textChanged, &editPause_, qOverload<>(&QTimer::start));
  connect(textEdit_, &QPlainTextEdit::textChanged, this, [this] { textIsSample_ = false; });
  connect(cancel_, &QPushButton::clicked, &runner_, &AnalysisRunner::cancel);
  connect(&runner_, &AnalysisRunner::busyChanged, this, [this](bool busy) {
    progress_->setVisible(busy), cancel_->setVisible(busy);
    progress_->setValue(0);
  });
  connect(&runner_, &AnalysisRunner::progress, this, &MainWindow::onProgress);
  connect(&runner_, &AnalysisRunner::finished, this, &MainWindow::onFinished);
  connect(&runner_, &AnalysisRunner::failed, this, [this](quint64, const QString& message) { showError(message); });
  connect(&runner_, &AnalysisRunner::cancelled, this, [this](quint64) {
    statusBar()->showMessage(tr("Analysis cancelled; the views show the previous result."), 5000);
  });
  connect(&runner_, &AnalysisRunner::projectionReady, this,
          [this](quint64, std::shared_ptr<const Projection> p, const QString& what) {
            projection_->setProjection(std::move(p), stepTokens_, what);
            applyCurrent();
          });
  connect(controls_, &HeatmapControls::changed, this, &MainWindow::applyHeatmapChoice);
  connect(heatmap_, &viz::HeatmapView::currentPicked, this, &MainWindow::pickCurrent);
  connect(heatmap_, &viz::HeatmapView::rangeBrushed, this, &MainWindow::brushSteps);
  connect(heatmap_, &viz::HeatmapView::unitToggled, this, &MainWindow::toggleUnit);
  connect(heatmap_, &viz::HeatmapView::hovered, this, &MainWindow::updateHoverText);
  connect(heatmap_, &viz::HeatmapView::viewportChanged, this, [this] {
    const auto& vp = heatmap_->viewport();
    trajectories_->setWindow(static_cast<long>(vp.firstStep),
                             static_cast<long>(std::ceil(vp.firstStep + vp.visibleSteps)));
  });
  connect(heatmap_, &viz::HeatmapView::frameReady, this, [this] {
    if (std::exchange(announcePending_, false)) emit analysisShown();
  });
  connect(trajectories_, &viz::TrajectoryChart::thresholdDragged, this, &MainWindow::setThreshold);
  connect(trajectories_, &viz::TrajectoryChart::stepClicked, this,
          [this](long s) { pickCurrent(s, state_.currentUnit); });
  connect(textColours_, &viz::TextColourView::stepClicked, this,
          [this](long s) { pickCurrent(s, state_.currentUnit); });
  connect(textColours_, &viz::TextColourView::unitStepped, this, [this](int delta) {
    // Flip through units in the heatmap's order, so sorting by match score flips through the best first.
    const auto& rows = heatmap_->rowUnits();
    const auto it = std::find(rows.begin(), rows.end(), state_.currentUnit);
    const long row = it == rows.end() ? 0 : std::clamp<long>((it - rows.begin()) + delta, 0, long(rows.size()) - 1);
    if (!rows.empty()) pickCurrent(state_.currentStep, rows[static_cast<size_t>(row)]);
  });
  connect(saturation_, &viz::SaturationView::unitPicked, this, [this](int u) { pickCurrent(state_.currentStep, u); });
  connect(projection_, &viz::ProjectionView::stepClicked, this, [this](long s) { pickCurrent(s, state_.currentUnit); });
  connect(projection_, &viz::ProjectionView::stepHovered, this, [this](long s) {
    if (s >= 0) hoverLabel_->setText(tr("step %1  “%2”").arg(s).arg(stepTokens_.value(s)));
  });
  resize(1280, 800);
}

MainWindow::~MainWindow() = default;

void MainWindow::buildDocks() {
  auto* textDock = dock(this, tr("Text"), QStringLiteral("text"), buildInputPane(), Qt::RightDockWidgetArea);

  auto* select = new QWidget(this);
  auto* selectLayout = new QVBoxLayout(select);
  selectLayout->setContentsMargins(2, 2, 2, 2);
  trajectories_ = new viz::TrajectoryChart(select);
  auto* form = new QFormLayout;
  thresholdBox_ = new QDoubleSpinBox(select);
  thresholdBox_->setRange(-1e6, 1e6), thresholdBox_->setDecimals(3), thresholdBox_->setSingleStep(0.05);
  thresholdBox_->setValue(state_.threshold);
  offBeforeBox_ = new QSpinBox(select);
  offAfterBox_ = new QSpinBox(select);
  offBeforeBox_->setRange(0, 1000), offAfterBox_->setRange(0, 1000);
  offBeforeBox_->setValue(int(state_.offBefore)), offAfterBox_->setValue(int(state_.offAfter));
  form->addRow(tr("Threshold"), thresholdBox_);
  form->addRow(tr("Off before"), offBeforeBox_);
  form->addRow(tr("Off after"), offAfterBox_);
  unitList_ = new QListWidget(select);
  unitList_->setToolTip(tr("Units selected by the brushed range (ranked by margin) or by clicks"));
  auto* side = new QVBoxLayout;
  side->addLayout(form);
  side->addWidget(unitList_, 1);
  auto* row = new QHBoxLayout;
  row->addWidget(trajectories_, 1);
  row->addLayout(side);
  selectLayout->addLayout(row);
  dock(this, tr("Trajectories (select)"), QStringLiteral("trajectories"), select, Qt::BottomDockWidgetArea);
  connect(thresholdBox_, &QDoubleSpinBox::valueChanged, this, &MainWindow::setThreshold);
  for (QSpinBox* box : {offBeforeBox_, offAfterBox_})
    connect(box, &QSpinBox::valueChanged, this, [this] {
      state_.offBefore = offBeforeBox_->value(), state_.offAfter = offAfterBox_->value();
      runSelectionRule();
    });
  connect(unitList_, &QListWidget::currentRowChanged, this, [this](int row) {
    if (row >= 0 && row < static_cast<int>(state_.selectedUnits.size()) &&
        state_.selectedUnits[row] != state_.currentUnit)
      pickCurrent(state_.currentStep, state_.selectedUnits[static_cast<size_t>(row)]);
  });

  textColours_ = new viz::TextColourView(this);
  auto* colouringDock =
      dock(this, tr("Text colouring"), QStringLiteral("textColouring"), textColours_, Qt::RightDockWidgetArea);
  tabifyDockWidget(textDock, colouringDock);
  colouringDock->raise();
  predictions_ = new viz::PredictionsView(this);
  auto* predictionsDock =
      dock(this, tr("Predictions"), QStringLiteral("predictions"), predictions_, Qt::RightDockWidgetArea);
  projection_ = new viz::ProjectionView(this);
  auto* projectionDock =
      dock(this, tr("State trajectory (PCA)"), QStringLiteral("projection"), projection_, Qt::RightDockWidgetArea);
  saturation_ = new viz::SaturationView(this);
  auto* saturationDock =
      dock(this, tr("Gate saturation"), QStringLiteral("saturation"), saturation_, Qt::BottomDockWidgetArea);
  tabifyDockWidget(predictionsDock, projectionDock);
  predictionsDock->raise();
  tabifyDockWidget(findChild<QDockWidget*>(QStringLiteral("trajectories")), saturationDock);
  findChild<QDockWidget*>(QStringLiteral("trajectories"))->raise();
  attribution_ = new AttributionPanel(this);
  auto* attributionDock =
      dock(this, tr("Attribution"), QStringLiteral("attribution"), attribution_, Qt::BottomDockWidgetArea);
  tabifyDockWidget(saturationDock, attributionDock);
  connect(attribution_, &AttributionPanel::stepClicked, this,
          [this](long step) { pickCurrent(step, state_.currentUnit); });
  // (the status bar's hover label is made after the docks)
  connect(attribution_, &AttributionPanel::hovered, this, [this](const QString& text) { hoverLabel_->setText(text); });
  connect(attribution_, &AttributionPanel::reportReady, this, &MainWindow::takeUnitAttribution);
  connect(predictions_, &viz::PredictionsView::predictionClicked, this, [this, attributionDock](int id) {
    attribution_->setTargetOutput(id);
    attributionDock->raise();
  });
  resizeDocks({colouringDock}, {380}, Qt::Horizontal);
  resizeDocks({saturationDock}, {250}, Qt::Vertical);
}

void MainWindow::buildMenus() {
  QMenu* file = menuBar()->addMenu(tr("&File"));
  file->addAction(tr("Open &Model…"), QKeySequence::Open, this, [this] {
    const QString path = QFileDialog::getOpenFileName(
        this, tr("Open model"), QString(),
        tr("Models (*.h5 *.hdf5 *.keras *.pt *.pth *.bin *.safetensors *.onnx *.json);;All files (*)"));
    if (!path.isEmpty()) openModelInteractively(path);
  });
  file->addAction(tr("Open &Text or CSV…"), QKeySequence(tr("Ctrl+Shift+O")), this, [this] {
    const QString path = QFileDialog::getOpenFileName(this, tr("Open text or CSV table"), QString(),
                                                      tr("Text and CSV (*.txt *.csv *.tsv *.py *.md);;All files (*)"));
    if (!path.isEmpty()) openTextFile(path);
  });
  recentMenu_ = file->addMenu(tr("Open &Recent"));
  file->addAction(tr("Open &Demo"), this, &MainWindow::openDemo);
  file->addAction(tr("&Import Settings…"), this, &MainWindow::importSettings);
  file->addSeparator();
  file->addAction(tr("&Export View…"), QKeySequence(tr("Ctrl+E")), this, &MainWindow::exportDialog);
  file->addSeparator();
  file->addAction(tr("&Quit"), QKeySequence::Quit, this, &QWidget::close);

  QMenu* analysis = menuBar()->addMenu(tr("&Analysis"));
  analysis->addAction(tr("&Re-run"), QKeySequence::Refresh, this, &MainWindow::analyseNow);
  analysis->addAction(tr("&Cancel"), QKeySequence(Qt::Key_Escape), &runner_, &AnalysisRunner::cancel);
  analysis->addAction(tr("Clear &Selection"), QKeySequence(tr("Ctrl+D")), this, [this] {
    state_.brush = {}, state_.selectedUnits.clear(), state_.matchScores.clear();
    applySelection();
  });

  QMenu* view = menuBar()->addMenu(tr("&View"));
  view->addAction(tr("Fit &All"), QKeySequence(tr("Ctrl+0")), this, [this] { heatmap_->showSteps(0, 1e18); });
  for (QDockWidget* d : findChildren<QDockWidget*>()) view->addAction(d->toggleViewAction());
  rebuildRecentMenu();
}

void MainWindow::showError(const QString& message) {
  lastError_ = message;
  statusBar()->showMessage(message, 15000);
  emit analysisFailed(message);
  if (interactive_) QMessageBox::critical(this, tr("LSTMScope"), message);
}

void MainWindow::openDemo(bool withSampleText) {
  // The demo is compiled in; HDF5 reads files, so it is copied out to a private temporary directory once.
  static QTemporaryDir dir;
  const QString path = dir.path() + QStringLiteral("/python_char.h5");
  if (!QFileInfo::exists(path) && !QFile::copy(QStringLiteral(":/demo/python_char.h5"), path))
    return showError(tr("the embedded demo model could not be unpacked to %1").arg(dir.path()));
  if (withSampleText) showSampleText();
  model_.reset();
  modelPath_ = path, vocabPath_.clear(), importChoices_.reset();
  analyseNow();
}

void MainWindow::openModel(const QString& path, const QString& vocabPath, std::optional<ImportChoices> importChoices) {
  model_.reset();
  modelPath_ = path, vocabPath_ = vocabPath, importChoices_ = std::move(importChoices);
  if (textEdit_->toPlainText().isEmpty()) showSampleText();  // something to look at
  addRecent(QStringLiteral("recentModels"), path);
  analyseNow();
}

bool MainWindow::openTextFile(const QString& path) {
  QFile file(path);
  if (!file.open(QIODevice::ReadOnly)) return showError(tr("%1: cannot open: %2").arg(path, file.errorString())), false;
  if (file.size() > kMaxTextBytes)
    return showError(tr("%1: the text is %2 MB; the app analyses up to %3 MB (lstmscope-cli record takes longer texts)")
                         .arg(path)
                         .arg(file.size() >> 20)
                         .arg(kMaxTextBytes >> 20)),
           false;
  const QByteArray bytes = file.readAll();
  QString text = QString::fromUtf8(bytes);
  if (text.toUtf8() != bytes && !(bytes.startsWith("\xEF\xBB\xBF")))
    return showError(tr("%1: the file is not valid UTF-8 text").arg(path)), false;
  setTextQuietly(text);
  addRecent(QStringLiteral("recentTexts"), path);
  analyseNow();
  return true;
}

void MainWindow::setText(const QString& text) {
  textEdit_->setPlainText(text);
}

void MainWindow::setTextQuietly(const QString& text) {
  const QSignalBlocker blocker(textEdit_);  // the caller analyses; no edit pause
  textEdit_->setPlainText(text);
  textIsSample_ = false;
}

void MainWindow::showSampleText() {
  QFile sample(QStringLiteral(":/demo/sample.py"));
  sample.open(QIODevice::ReadOnly);
  setTextQuietly(QString::fromUtf8(sample.readAll()));
  textIsSample_ = true;
}

void MainWindow::analyseNow() {
  editPause_.stop();
  if (modelPath_.isEmpty() && !model_) return;
  if (textEdit_->toPlainText().isEmpty()) {
    // Clearing the text to type a new one is not an error worth a dialog.
    statusBar()->showMessage(tr("Type, paste or open a text to analyse."), 8000);
    return;
  }
  AnalysisRequest request;
  request.modelPath = modelPath_;
  request.vocabPath = vocabPath_;
  request.importChoices = importChoices_;
  request.model = model_;
  request.text = textEdit_->toPlainText();
  request.textSource = tr("the text");
  request.labelColumn = stepLabelColumn_;
  request.textIsSample = textIsSample_;
  job_ = runner_.start(std::move(request));
}

void MainWindow::onProgress(quint64, long done, long total) {
  progress_->setMaximum(1000);
  progress_->setValue(total > 0 ? static_cast<int>(1000.0 * done / total) : 0);
}

void MainWindow::onFinished(quint64, const AnalysisResult& result) {
  model_ = result.model;
  recording_ = result.recording;
  squashedCells_ = result.squashedCells;
  saturationTable_ = result.saturation;
  showInputKind(result);
  if (result.importReport) showImportReport(*result.importReport);
  modelLabel_->setText(tr("%1 · %2 steps in %3 s")
                           .arg(QFileInfo(modelPath_).fileName())
                           .arg(recording_->steps)
                           .arg(result.seconds, 0, 'f', 2));
  lastError_.clear();
  announcePending_ = true;
  for (auto& units : attributionUnits_) units.clear();  // they belong to the previous text
  applyRecording();
  Inputs<double> inputs;
  inputs.steps = static_cast<int>(recording_->steps);
  inputs.tokens = recording_->ids;
  inputs.features = recording_->features.cast<double>();
  attribution_->setSubject(model_, QFileInfo(modelPath_).fileName(), std::move(inputs), stepTokens_,
                           vocabularyDisplay_);
  if (startup_) applyStartupChoices();
}

void MainWindow::applyStartupChoices() {
  const StartupChoices c = *std::exchange(startup_, std::nullopt);
  if (c.layer >= 0) controls_->setLayer(std::min<int>(c.layer, static_cast<int>(recording_->arch.layers.size()) - 1));
  const std::pair<const char*, UnitAttributionKind> attributionQuantities[] = {
      {"gxa(h)", UnitAttributionKind::GradientH},
      {"gxa(c)", UnitAttributionKind::GradientC},
      {"lrp(h)", UnitAttributionKind::RelevanceH},
      {"lrp(c)", UnitAttributionKind::RelevanceC}};
  for (const auto& [name, kind] : attributionQuantities)
    if (c.quantity == QLatin1String(name)) controls_->setAttribution(kind);
  if (!c.quantity.isEmpty() && controls_->attribution() == UnitAttributionKind::None) {
    Quantity q = Quantity::C;
    const bool squashed = c.quantity == QLatin1String("tanh(c)");
    if (!squashed && !parseQuantity(c.quantity.toStdString(), q))
      showError(tr("unknown quantity “%1”").arg(c.quantity));
    controls_->setQuantity(q, squashed);
  }
  if (c.brush.size() > 0)
    brushSteps({std::min(c.brush.first, recording_->steps - 1), std::min(c.brush.end, recording_->steps)});
  const int unit = c.unit >= 0                     ? c.unit
                   : !state_.selectedUnits.empty() ? state_.selectedUnits.front()
                                                   : state_.currentUnit;
  pickCurrent(c.step >= 0 ? c.step : c.brush.size() > 0 ? c.brush.first : state_.currentStep, unit);
  if (c.brush.size() > 0) {
    // Frame the brushed range with some context on either side.
    const double context = std::max<double>(20, c.brush.size());
    heatmap_->showSteps(c.brush.first - context, c.brush.size() + 2 * context);
  }
  if (!c.dock.isEmpty()) {
    if (auto* d = findChild<QDockWidget*>(c.dock)) d->raise();
  }
  if (!c.attribution.isEmpty()) {
    findChild<QDockWidget*>(QStringLiteral("attribution"))->raise();
    AttributionMethod method;
    if (c.attribution == QLatin1String("all"))
      attribution_->setCompareAll(true);
    else if (c.attribution == QLatin1String("matrix"))
      attribution_->showMatrix();
    else if (parseAttributionMethod(c.attribution.toStdString(), method))
      attribution_->setMethod(method);
    else
      showError(
          tr("unknown attribution “%1” (saliency, gradxinput, ig, lrp, occlusion, all, matrix)").arg(c.attribution));
  }
}

void MainWindow::addRecent(const QString& key, const QString& path) {
  QSettings settings;
  QStringList list = settings.value(key).toStringList();
  list.removeAll(path);
  list.prepend(QFileInfo(path).absoluteFilePath());
  while (list.size() > kMaxRecent) list.removeLast();
  settings.setValue(key, list);
  rebuildRecentMenu();
}

void MainWindow::rebuildRecentMenu() {
  recentMenu_->clear();
  QSettings settings;
  for (const QString& path : settings.value(QStringLiteral("recentModels")).toStringList())
    recentMenu_->addAction(tr("Model: %1").arg(path), this, [this, path] { openModelInteractively(path); });
  for (const QString& path : settings.value(QStringLiteral("recentTexts")).toStringList())
    recentMenu_->addAction(tr("Text: %1").arg(path), this, [this, path] { openTextFile(path); });
  recentMenu_->setEnabled(!recentMenu_->isEmpty());
}

void MainWindow::restoreSettings() {
  QSettings settings;
  restoreGeometry(settings.value(QStringLiteral("geometry")).toByteArray());
  restoreState(settings.value(QStringLiteral("windowState")).toByteArray());
  controls_->setColourMaps(settings.value(QStringLiteral("sequentialMap"), QStringLiteral("viridis")).toString(),
                           settings.value(QStringLiteral("divergingMap"), QStringLiteral("blue-red")).toString());
}

void MainWindow::saveSettings() const {
  QSettings settings;
  settings.setValue(QStringLiteral("geometry"), saveGeometry());
  settings.setValue(QStringLiteral("windowState"), saveState());
  settings.setValue(QStringLiteral("sequentialMap"), controls_->sequentialMap());
  settings.setValue(QStringLiteral("divergingMap"), controls_->divergingMap());
}

void MainWindow::closeEvent(QCloseEvent* event) {
  runner_.cancel();
  if (interactive_) saveSettings();
  event->accept();
}

void MainWindow::dragEnterEvent(QDragEnterEvent* event) {
  if (event->mimeData()->hasUrls()) event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent* event) {
  for (const QUrl& url : event->mimeData()->urls()) {
    const QString path = url.toLocalFile();
    if (path.isEmpty()) continue;
    // A model by its content (native or a foreign format), anything else as text.
    if (isNativeModelFile(path.toStdString()) || isForeignModel(path.toStdString()))
      openModelInteractively(path);
    else
      openTextFile(path);
  }
}

std::vector<std::pair<QString, viz::ExportableView*>> MainWindow::exportableViews() const {
  return {{tr("Heatmap"), heatmap_},
          {tr("Trajectories"), trajectories_},
          {tr("Text colouring"), textColours_},
          {tr("Predictions"), predictions_},
          {tr("Gate saturation"), saturation_},
          {tr("State trajectory"), projection_},
          {tr("Attribution text"), attribution_->textView()},
          {tr("Attribution bars"), attribution_->barChart()},
          {tr("Attribution, all targets"), attribution_->matrixView()}};
}

viz::ExportableView* MainWindow::exportableView(const QString& key) const {
  const std::pair<const char*, viz::ExportableView*> views[] = {{"heatmap", heatmap_},
                                                                {"trajectories", trajectories_},
                                                                {"textColouring", textColours_},
                                                                {"predictions", predictions_},
                                                                {"saturation", saturation_},
                                                                {"projection", projection_},
                                                                {"attribution", attribution_->textView()},
                                                                {"attributionBars", attribution_->barChart()},
                                                                {"attributionMatrix", attribution_->matrixView()}};
  for (const auto& [name, view] : views)
    if (key == QLatin1String(name)) return view;
  return nullptr;
}

void MainWindow::exportDialog() {
  ExportDialog dialog(exportableViews(), this);
  dialog.exec();
}

}  // namespace lstmscope::app
