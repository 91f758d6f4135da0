#include "app/gui/main_window.h"

#include <QCloseEvent>
#include <QDockWidget>
#include <QDragEnterEvent>
#include <QFile>
#include <QFileDialog>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QPlainTextEdit>
#include <QSettings>
#include <QStatusBar>

#include "app/gui/analysis_session.h"
#include "app/gui/attribution_panel.h"
#include "app/gui/audio_analysis.h"
#include "app/gui/corpus_panel.h"
#include "app/gui/effects_panel.h"
#include "app/gui/encoder_panel.h"
#include "app/gui/export_dialog.h"
#include "app/gui/exported_views.h"
#include "app/gui/heatmap_controls.h"
#include "app/gui/help_window.h"
#include "app/gui/input_pane.h"
#include "app/gui/installed_files.h"
#include "app/gui/intervention_actions.h"
#include "app/gui/interventions_panel.h"
#include "app/gui/match_panel.h"
#include "app/gui/model_opening.h"
#include "app/gui/probes_link.h"
#include "app/gui/probes_panel.h"
#include "app/gui/recent_files.h"
#include "app/gui/select_panel.h"
#include "app/gui/status_area.h"
#include "app/gui/unit_panel.h"
#include "app/gui/view_linker.h"
#include "core/formats/model_formats.h"
#include "core/formats/model_loader.h"
#include "core/formats/trace_file.h"
#include "core/formats/wav.h"
#include "viz/heatmap_view.h"
#include "viz/predictions_view.h"
#include "viz/projection_view.h"
#include "viz/saturation_view.h"
#include "viz/text_colour_view.h"
#include "viz/trajectory_chart.h"

namespace lstmscope::app {
namespace {

QDockWidget* dock(QMainWindow* window, const QString& title, const QString& objectName, QWidget* content,
                  Qt::DockWidgetArea area) {
  auto* d = new QDockWidget(title, window);
  d->setObjectName(objectName);  // for saveState/restoreState, and --dock NAME
  d->setWidget(content);
  window->addDockWidget(area, d);
  return d;
}

}  // namespace

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent), session_(new AnalysisSession(this)) {
  setWindowTitle(tr("LSTMScope"));
  setAcceptDrops(true);
  setDockOptions(QMainWindow::AnimatedDocks | QMainWindow::AllowTabbedDocks);
  controls_ = new HeatmapControls(this);
  addToolBar(Qt::TopToolBarArea, controls_);
  heatmap_ = new viz::HeatmapView(this);
  setCentralWidget(heatmap_);
  buildDocks();
  buildMenus();
  status_ = new StatusArea(statusBar(), session_);
  linker_ = new ViewLinker(
      session_,
      {controls_, heatmap_, select_, textColours_, predictions_, saturation_, projection_, attribution_, encoder_},
      this);
  connect(linker_, &ViewLinker::statusMessage, status_, &StatusArea::showMessage);
  connect(linker_, &ViewLinker::hint, status_, &StatusArea::showHint);
  connect(linker_, &ViewLinker::withdrawn, status_, &StatusArea::withdraw);
  connect(linker_, &ViewLinker::hoverText, status_, &StatusArea::setHoverText);
  connect(linker_, &ViewLinker::attributionRequested, this,
          [this] { findChild<QDockWidget*>(QStringLiteral("attribution"))->raise(); });
  connectSession();
  resize(1280, 800);
}

MainWindow::~MainWindow() = default;

void MainWindow::connectSession() {
  connect(session_, &AnalysisSession::analysed, this, &MainWindow::onAnalysed);  // after the linker's views
  connect(session_, &AnalysisSession::failed, this, &MainWindow::showError);
  connect(session_, &AnalysisSession::inputRejected, this, &MainWindow::showInputProblem);
  connect(input_, &InputPane::sampleRequested, this, [this] {
    input_->showSampleText();
    analyseNow();
  });
  connect(input_, &InputPane::editSettled, this, &MainWindow::analyseNow);
  connect(input_, &InputPane::notes, status_, [this](const QString& notes) { status_->showMessage(notes, 10000); });
  connect(input_, &InputPane::labelColumnChosen, this, [this](const QString& column) {
    setStepLabelColumn(column);
    analyseNow();
  });
  connect(heatmap_, &viz::HeatmapView::frameReady, this, [this] {
    if (std::exchange(announcePending_, false)) emit analysisShown();
  });
  connect(corpus_, &CorpusPanel::stepRequested, this, [this](long step) { goToStep(step); });
  connect(match_, &MatchPanel::jumpRequested, this, [this](long step, long length) { goToStep(step, length); });
  connect(match_, &MatchPanel::hovered, status_, [this](const QString& text) { status_->setHoverText(text); });
  connect(session_, &AnalysisSession::lstmvisOpened, this, [this](const QStringList& notes) {
    showOpenedTrace();
    if (!notes.isEmpty()) status_->showMessage(notes.join(QStringLiteral("; ")), 15000);
  });
  connect(unit_, &UnitPanel::jumpRequested, this, [this](long step) { goToStep(step); });
  connect(unit_, &UnitPanel::hovered, status_, [this](const QString& text) { status_->setHoverText(text); });
  connect(linker_, &ViewLinker::currentChanged, this, [this] {
    const ViewState& s = linker_->state();
    const std::shared_ptr<const TraceReader> trace = session_->trace();
    const std::shared_ptr<const Recording> recording = session_->recording();
    if (!recording || !recording->has(s.layer, s.direction, s.quantity)) return;
    unit_->show({trace, trace ? nullptr : recording, s.layer, s.direction, s.quantity, s.currentUnit});
  });
  match_->setSetupProvider([this] {
    MatchPanel::Setup setup;
    const ViewState& s = linker_->state();
    setup.source = {session_->trace(), session_->recording(), s.layer, s.direction, s.quantity, session_->metaStyles()};
    setup.units = s.selectedUnits;
    setup.threshold = s.threshold;
    return setup;
  });
}

void MainWindow::buildDocks() {
  input_ = new InputPane(this);
  auto* textDock = dock(this, tr("Text"), QStringLiteral("text"), input_, Qt::RightDockWidgetArea);
  select_ = new SelectPanel(ViewState{}, this);
  auto* selectDock =
      dock(this, tr("Trajectories (select)"), QStringLiteral("trajectories"), select_, Qt::BottomDockWidgetArea);
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
  tabifyDockWidget(selectDock, saturationDock);
  selectDock->raise();
  attribution_ = new AttributionPanel(this);
  auto* attributionDock =
      dock(this, tr("Attribution"), QStringLiteral("attribution"), attribution_, Qt::BottomDockWidgetArea);
  tabifyDockWidget(saturationDock, attributionDock);
  encoder_ = new EncoderPanel(this);  // an encoder–decoder's encoder, on the input's own steps
  auto* encoderDock = dock(this, tr("Encoder"), QStringLiteral("encoder"), encoder_, Qt::BottomDockWidgetArea);
  tabifyDockWidget(attributionDock, encoderDock);
  match_ = new MatchPanel(this);
  auto* matchDock = dock(this, tr("Match"), QStringLiteral("match"), match_, Qt::BottomDockWidgetArea);
  tabifyDockWidget(encoderDock, matchDock);
  unit_ = new UnitPanel(this);
  auto* unitDock = dock(this, tr("Unit"), QStringLiteral("unit"), unit_, Qt::BottomDockWidgetArea);
  tabifyDockWidget(matchDock, unitDock);
  interventions_ = new InterventionsPanel(this);
  auto* interventionsDock =
      dock(this, tr("Interventions"), QStringLiteral("interventions"), interventions_, Qt::BottomDockWidgetArea);
  tabifyDockWidget(unitDock, interventionsDock);
  interventionActions_ = new InterventionActions(
      session_, heatmap_, interventions_, interventionsDock, [this]() -> const ViewState& { return state(); }, this);
  effects_ = new EffectsPanel(this);
  auto* effectsDock = dock(this, tr("Effects"), QStringLiteral("effects"), effects_, Qt::BottomDockWidgetArea);
  tabifyDockWidget(interventionsDock, effectsDock);
  interventionActions_->connectEffects(effects_, [this](long step, int unit) { pickCurrent(step, unit); });
  probes_ = new ProbesPanel(this);
  auto* probesDock = dock(this, tr("Probes"), QStringLiteral("probes"), probes_, Qt::BottomDockWidgetArea);
  tabifyDockWidget(effectsDock, probesDock);
  linkProbes(*this, *probes_);
  corpus_ = new CorpusPanel(this);
  auto* corpusDock = dock(this, tr("Corpus"), QStringLiteral("corpus"), corpus_, Qt::RightDockWidgetArea);
  tabifyDockWidget(colouringDock, corpusDock);
  corpusDock->hide();   // until a trace is opened
  encoderDock->hide();  // until an encoder–decoder is analysed
  colouringDock->raise();
  selectDock->raise();
  resizeDocks({colouringDock}, {380}, Qt::Horizontal);
  resizeDocks({saturationDock}, {250}, Qt::Vertical);
}

void MainWindow::buildMenus() {
  QMenu* file = menuBar()->addMenu(tr("&File"));
  file->addAction(tr("Open &Model or Trace…"), QKeySequence::Open, this, [this] {
    const QString path = QFileDialog::getOpenFileName(
        this, tr("Open model or trace"), QString(),
        tr("Models, traces and LSTMVis projects (*.h5 *.hdf5 *.keras *.pt *.pth *.bin *.safetensors *.onnx *.json "
           "*.yml);;All files (*)"));
    if (!path.isEmpty()) openModelInteractively(path);
  });
  file->addAction(tr("Open &Text, CSV or Audio…"), QKeySequence(tr("Ctrl+Shift+O")), this, [this] {
    const QString path =
        QFileDialog::getOpenFileName(this, tr("Open text, CSV table or audio"), QString(),
                                     tr("Text, CSV and WAV audio (*.txt *.csv *.tsv *.py *.md *.wav);;All files (*)"));
    if (!path.isEmpty()) openTextFile(path);
  });
  recent_ = new RecentFiles(file->addMenu(tr("Open &Recent")));
  connect(recent_, &RecentFiles::modelChosen, this, &MainWindow::openModelInteractively);
  connect(recent_, &RecentFiles::textChosen, this, &MainWindow::openTextFile);
  file->addAction(tr("Open &Demo"), this, [this] { openDemo(); });
  // The installed examples (docs/PACKAGING.md); a build folder has none, so the entry is off there.
  const QString examples = installedExamplesFolder();
  QAction* openExample = file->addAction(tr("Open E&xample…"), this, [this, examples] {
    const QString path = QFileDialog::getOpenFileName(this, tr("Open an example model"), examples,
                                                      tr("LSTMScope models (*.h5);;All files (*)"));
    if (!path.isEmpty()) openModelInteractively(path);
  });
  openExample->setEnabled(!examples.isEmpty());
  openExample->setStatusTip(examples.isEmpty() ? tr("No examples: this LSTMScope is not installed")
                                               : tr("Open a model from %1").arg(examples));
  file->addAction(tr("&Import Settings…"), this, &MainWindow::importSettings);
  file->addSeparator();
  file->addAction(tr("&Export View…"), QKeySequence(tr("Ctrl+E")), this, [this] {
    ExportDialog dialog(exportableViews(), this);
    dialog.exec();
  });
  file->addSeparator();
  file->addAction(tr("&Quit"), QKeySequence::Quit, this, &QWidget::close);

  QMenu* analysis = menuBar()->addMenu(tr("&Analysis"));
  analysis->addAction(tr("&Re-run"), QKeySequence::Refresh, this, &MainWindow::analyseNow);
  analysis->addAction(tr("&Cancel"), QKeySequence(Qt::Key_Escape), session_, &AnalysisSession::cancel);
  analysis->addAction(tr("Clear &Selection"), QKeySequence(tr("Ctrl+D")), this, [this] { linker_->clearSelection(); });

  QMenu* view = menuBar()->addMenu(tr("&View"));
  view->addAction(tr("Fit &All"), QKeySequence(tr("Ctrl+0")), this, [this] { heatmap_->showSteps(0, 1e18); });
  for (QDockWidget* d : findChildren<QDockWidget*>()) view->addAction(d->toggleViewAction());
  addHelpMenu(this);
}

void MainWindow::showError(const QString& message) {
  const bool repeated = message == lastError_;  // nothing has succeeded since it was shown
  lastError_ = message;
  status_->showMessage(message, 15000);
  emit analysisFailed(message);
  if (interactive_ && !repeated) QMessageBox::critical(this, tr("LSTMScope"), message);
}

void MainWindow::showInputProblem(const QString& message, const QList<std::pair<qsizetype, qsizetype>>& marks) {
  lastError_ = message;
  emit analysisFailed(message);
  // The sample helps when the model can read it and it is not what was rejected.
  input_->showProblem(message, marks, !input_->isSample() && session_->reads(InputPane::sampleText()));
  findChild<QDockWidget*>(QStringLiteral("text"))->raise();  // the problem is shown where the text is
  status_->showMessage(tr("The model cannot read this input: see the Text panel."), 8000);
}

void MainWindow::openDemo(bool withSampleText) {
  QString error;
  const QString path = unpackDemoModel(error);
  if (path.isEmpty()) return showError(error);
  if (withSampleText) input_->showSampleText();
  session_->setModel(path);
  analyseNow();
}

void MainWindow::openModel(const QString& path, const QString& vocabPath, std::optional<ImportChoices> importChoices) {
  session_->setModel(path, vocabPath, std::move(importChoices));
  if (input_->text().isEmpty()) input_->showSampleText();  // something to look at
  recent_->addModel(path);
  analyseNow();
}

void MainWindow::openModelInteractively(const QString& path) {
  if (isTraceFile(path.toStdString())) {
    openTrace(path);
    return;
  }
  if (isLstmvisProject(path)) {
    session_->openLstmvisProject(path);
    recent_->addModel(path);
    return;
  }
  const ModelOpening opening = chooseImport(path, {}, interactive_, this);
  if (!opening.accepted) return;
  openModel(path, opening.vocabPath, opening.choices);
  if (!opening.note.isEmpty()) status_->showMessage(opening.note, 10000);
}

bool isLstmvisProject(const QString& path) {
  return path.endsWith(QStringLiteral(".yml"), Qt::CaseInsensitive) ||
         path.endsWith(QStringLiteral(".yaml"), Qt::CaseInsensitive);
}

bool MainWindow::openTrace(const QString& path, long firstStep) {
  try {
    session_->openTrace(path, {}, {}, firstStep);
  } catch (const InputError& e) {
    showError(QString::fromStdString(e.what()));
    return false;
  }
  showOpenedTrace();
  recent_->addModel(path);
  return true;
}

void MainWindow::showOpenedTrace() {
  corpus_->setTrace(session_->trace(), session_->traceName());
  QDockWidget* corpusDock = findChild<QDockWidget*>(QStringLiteral("corpus"));
  corpusDock->show();
  corpusDock->raise();
  // Room for the document list: half the window's height for the dock group it sits in.
  resizeDocks({corpusDock}, {height() / 2}, Qt::Vertical);
  pendingFocus_.reset();
}

void MainWindow::goToStep(long step, long length) {
  const std::shared_ptr<const TraceReader> trace = session_->trace();
  if (!trace) return focusSteps(step, length);
  const AnalysisResult* shown = session_->result();
  if (shown && shown->trace == trace && shown->window.contains(step))
    return focusSteps(step - shown->window.first, length);
  pendingFocus_ = {step, length};
  session_->showTraceStep(step);
}

void MainWindow::focusSteps(long step, long length) {
  const Recording* r = recording();
  if (!r) return;
  step = std::clamp(step, 0L, r->steps - 1);
  // The run with some context on both sides, as wide as at least 60 steps.
  const double visible = std::max(60.0, 3.0 * static_cast<double>(length));
  heatmap_->showSteps(std::max(0.0, step - (visible - length) / 2), visible);
  linker_->pickCurrent(step, linker_->state().currentUnit);
}

void MainWindow::showTraceWindow() {
  const AnalysisResult& result = *session_->result();
  corpus_->showWindow(
      result.window,
      result.modelProblem.isEmpty()
          ? tr("Model: %1.").arg(QFileInfo(result.modelPath).fileName())
          : tr("Without the model (%1): predictions and attribution are not available.").arg(result.modelProblem));
  QString text;
  for (const std::string& token : result.recording->tokens) text += QString::fromStdString(token);
  input_->setTextQuietly(text);
  input_->editor()->setReadOnly(true);
  setWindowTitle(tr("%1 — LSTMScope").arg(session_->traceName()));
  if (const auto focus = std::exchange(pendingFocus_, std::nullopt))
    focusSteps(focus->first - result.window.first, focus->second);
}

void MainWindow::importSettings() {
  const QString& path = session_->modelPath();
  if (path.isEmpty() || !isForeignModel(path.toStdString()))
    return showError(tr("Import settings apply to PyTorch and Keras models; the current model is a native file."));
  const ModelOpening opening = reviewImport(path, session_->vocabPath(), this);
  if (opening.accepted) openModel(path, opening.vocabPath, opening.choices);
}

bool MainWindow::openTextFile(const QString& path) {
  if (QFile file(path); file.open(QIODevice::ReadOnly) && looksLikeWav(file.read(12).toStdString()))
    return openAudioFile(path);
  if (const QString error = input_->openFile(path); !error.isEmpty()) return showError(error), false;
  session_->replaceInput();
  recent_->addText(path);
  analyseNow();
  return true;
}

bool MainWindow::openAudioFile(const QString& path) {
  input_->showAudio(path, describeAudioInput(path, audioChunk_, audioHop_));
  session_->replaceInput();
  recent_->addText(path);
  analyseNow();
  return true;
}

void MainWindow::setRemembersRecentFiles(bool remembers) {
  recent_->setRemembering(remembers);
}

void MainWindow::setAudioCalls(long chunk, long hop) {
  audioChunk_ = chunk, audioHop_ = hop;
}

void MainWindow::setText(const QString& text) {
  input_->setText(text);
}

void MainWindow::setStepLabelColumn(const QString& column) {
  session_->setLabelColumn(column);
}

void MainWindow::analyseNow() {
  if (!input_->audioPath().isEmpty())
    session_->setAudio(input_->audioPath(), audioChunk_, audioHop_);
  else
    session_->setInput(input_->text(), input_->isSample(), input_->sourceFile());
  // Clearing the text to type a new one is not an error worth a dialog.
  if (!session_->analyse() && session_->hasModel())
    status_->showMessage(tr("Type, paste or open a text to analyse."), 8000);
}

void MainWindow::onAnalysed() {
  const AnalysisResult& result = *session_->result();
  input_->clearProblem();
  input_->showInputKind(result);
  if (result.trace) {
    showTraceWindow();
  } else {
    corpus_->setTrace(nullptr);
    input_->editor()->setReadOnly(false);
    setWindowTitle(tr("LSTMScope"));
  }
  if (result.importReport) status_->showImportReport(*result.importReport, session_->modelName());
  status_->showAnalysed();
  lastError_.clear();
  announcePending_ = true;
  if (!startup_) return;
  const QString error = applyStartupChoices(*std::exchange(startup_, std::nullopt), *this);
  if (!error.isEmpty()) showError(error);
}

void MainWindow::setInteractive(bool interactive) {
  interactive_ = interactive;
  probes_->setFileDialogs(interactive);
}

void MainWindow::restoreSettings() {
  QSettings settings;
  restoreGeometry(settings.value(QStringLiteral("geometry")).toByteArray());
  restoreState(settings.value(QStringLiteral("windowState")).toByteArray());
  controls_->setColourMaps(settings.value(QStringLiteral("sequentialMap"), QStringLiteral("viridis")).toString(),
                           settings.value(QStringLiteral("divergingMap"), QStringLiteral("blue-red")).toString());
  select_->restoreOptions(settings);
}

void MainWindow::saveSettings() const {
  QSettings settings;
  settings.setValue(QStringLiteral("geometry"), saveGeometry());
  settings.setValue(QStringLiteral("windowState"), saveState());
  settings.setValue(QStringLiteral("sequentialMap"), controls_->sequentialMap());
  settings.setValue(QStringLiteral("divergingMap"), controls_->divergingMap());
  select_->saveOptions(settings);
}

void MainWindow::closeEvent(QCloseEvent* event) {
  session_->cancel();
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
    // A model by its content (any format of the table, which also claims traces so that they get the
    // native reader's message), anything else as the input: a WAV file as audio, the rest as text.
    QFile file(path);
    const bool audio = file.open(QIODevice::ReadOnly) && looksLikeWav(file.read(12).toStdString());
    if (!audio && (sniffModelFormat(path.toStdString()) || isLstmvisProject(path)))
      openModelInteractively(path);
    else
      openTextFile(path);
  }
}

void MainWindow::pickCurrent(long step, int unit) {
  linker_->pickCurrent(step, unit);
}

void MainWindow::brushSteps(viz::IndexSpan steps) {
  linker_->brushSteps(steps);
}

void MainWindow::toggleUnit(int unit) {
  linker_->toggleUnit(unit);
}

void MainWindow::setThreshold(double threshold) {
  linker_->setThreshold(threshold);
}

const ViewState& MainWindow::state() const {
  return linker_->state();
}

const Recording* MainWindow::recording() const {
  return session_->recording().get();
}

viz::TrajectoryChart* MainWindow::trajectories() const {
  return select_->trajectories();
}

QPlainTextEdit* MainWindow::textEditor() const {
  return input_->editor();
}

QComboBox* MainWindow::stepLabelChoice() const {
  return input_->stepLabelChoice();
}

std::vector<std::pair<QString, viz::ExportableView*>> MainWindow::exportableViews() const {
  return exportTitles(exportEntries(*this));
}

viz::ExportableView* MainWindow::exportableView(const QString& key) const {
  return findExportView(exportEntries(*this), key);
}

}  // namespace lstmscope::app
