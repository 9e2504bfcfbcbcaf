#include "main_window.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDateTime>
#include <QDir>
#include <QDockWidget>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QProgressBar>
#include <QScreen>
#include <QScrollArea>
#include <QSettings>
#include <QSplitter>
#include <QStandardPaths>
#include <QStatusBar>
#include <QToolBar>
#include <QToolButton>
#include <QVBoxLayout>

#include <cmath>

#include "about.h"
#include "config_panel.h"
#include "data_location.h"
#include "run_history.h"
#include "train/run_directory.h"
#include "train/train_errors.h"
#include "training_controller.h"
#include "viz/flow_plot.h"
#include "viz/solver_stats_plot.h"
#include "viz/training_curves_plot.h"
#include "viz/weights_over_depth_plot.h"

namespace gode {

namespace {

QString qs(const std::string& text) {
    return QString::fromStdString(text);
}

// "1:05:09" or "4:07": hours only when needed.
QString clockText(double seconds) {
    const auto total = static_cast<long long>(std::llround(std::max(0.0, seconds)));
    const long long hours = total / 3600, minutes = total / 60 % 60, rest = total % 60;
    if (hours > 0)
        return QString("%1:%2:%3")
            .arg(hours)
            .arg(minutes, 2, 10, QChar('0'))
            .arg(rest, 2, 10, QChar('0'));
    return QString("%1:%2").arg(minutes).arg(rest, 2, 10, QChar('0'));
}

// A legend label that tells runs of a session apart: the model and what matters for it.
QString runLabel(const TrainConfig& config, int number) {
    const ModelConfig& model = config.model;
    QString text;
    switch (model.kind) {
        case ModelKind::Gode:
            text = QString("GODE p=%1 K=%2")
                       .arg(model.splineOrder)
                       .arg(model.splineOrder + model.interiorKnots);
            break;
        case ModelKind::Node:
            text = "Neural-ODE";
            break;
        case ModelKind::Resnet:
            text = QString("ResNet %1 blocks").arg(model.blocks);
            break;
    }
    if (model.kind != ModelKind::Resnet)
        text += ", " + qs(model.solver.method);
    return QString("#%1 %2").arg(number).arg(text);
}

QStringList classNames(DatasetKind kind) {
    if (kind == DatasetKind::FashionMnist)
        return {"T-shirt", "Trouser", "Pullover", "Dress", "Coat",
                "Sandal",  "Shirt",   "Sneaker",  "Bag",   "Boot"};
    if (kind == DatasetKind::Cifar10)
        return {"plane", "car", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"};
    return {};
}

// Step sizes vary only under an adaptive solver (a ResNet always takes fixed Euler steps).
bool showsStepSizes(const TrainConfig& config) {
    return config.model.kind != ModelKind::Resnet &&
           solverInfo(config.model.solver.method).adaptive;
}

bool folderHoldsData(const TrainConfig& config) {
    const QString folder = qs(config.data.directory);
    if (folder.isEmpty())
        return false;
    if (config.data.dataset == DatasetKind::Cifar10)
        return QFileInfo::exists(QDir(folder).filePath("test_batch.bin"));
    return holdsMnistFiles(folder);
}

}  // namespace

MainWindow::MainWindow(const MainWindowOptions& options, QWidget* parent)
    : QMainWindow(parent), options_(options) {
    settings_ = options.settingsFile.isEmpty()
                    ? std::make_unique<QSettings>()
                    : std::make_unique<QSettings>(options.settingsFile, QSettings::IniFormat);
    confirmClose_ = [this] {
        return QMessageBox::question(this, tr("Training is running"),
                                     tr("A training run is going on. Stop it (a checkpoint is "
                                        "written, so it can be continued) and close?")) ==
               QMessageBox::Yes;
    };

    setWindowTitle(tr("GODE Explorer"));
    setWindowIcon(applicationIcon());
    controller_ = new TrainingController(this);
    buildCentralArea();
    buildActions();
    buildMenus();
    buildStatusBar();
    connectController();
    restoreSettings();
    stats_->setStepSizesShown(showsStepSizes(panel_->config()));
    updateActions();
}

MainWindow::~MainWindow() {
    // The controller is a child: its destructor stops and joins the thread. Doing it here first
    // keeps the plots alive until no more signals can come.
    controller_->stopAndWait();
}

// ---- building ---------------------------------------------------------------------------------

void MainWindow::buildCentralArea() {
    panel_ = new ConfigPanel;
    auto* scroll = new QScrollArea;
    scroll->setWidget(panel_);
    scroll->setWidgetResizable(true);
    scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    scroll->setMinimumWidth(panel_->sizeHint().width() + 24);
    auto* dock = new QDockWidget(tr("Configuration"), this);
    dock->setObjectName("configurationDock");
    dock->setWidget(scroll);
    dock->setFeatures(QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetFloatable);
    addDockWidget(Qt::LeftDockWidgetArea, dock);

    curves_ = new TrainingCurvesPlot;
    weights_ = new WeightsOverDepthPlot;
    flows_ = new FlowPlot;
    stats_ = new SolverStatsPlot;
    auto* top = new QSplitter(Qt::Horizontal);
    top->addWidget(curves_);
    top->addWidget(weights_);
    auto* bottom = new QSplitter(Qt::Horizontal);
    bottom->addWidget(flows_);
    bottom->addWidget(stats_);
    auto* rows = new QSplitter(Qt::Vertical);
    rows->setObjectName("plotRows");
    rows->addWidget(top);
    rows->addWidget(bottom);

    messageBar_ = new QWidget;
    auto* messageLayout = new QHBoxLayout(messageBar_);
    messageLayout->setContentsMargins(8, 4, 4, 4);
    messageLabel_ = new QLabel;
    messageLabel_->setWordWrap(true);
    messageLabel_->setTextInteractionFlags(Qt::TextBrowserInteraction);
    connect(messageLabel_, &QLabel::linkActivated, this, [this](const QString& link) {
        if (link == "choose-data")
            chooseDataFolder();
    });
    auto* closeMessage = new QToolButton;
    closeMessage->setText(QStringLiteral("\u2715"));
    closeMessage->setToolTip(tr("Hide this message."));
    closeMessage->setAutoRaise(true);
    connect(closeMessage, &QToolButton::clicked, this, &MainWindow::hideMessage);
    messageLayout->addWidget(messageLabel_, 1);
    messageLayout->addWidget(closeMessage, 0, Qt::AlignTop);
    messageBar_->hide();

    auto* central = new QWidget;
    auto* layout = new QVBoxLayout(central);
    layout->setContentsMargins(2, 2, 2, 2);
    layout->addWidget(messageBar_);
    layout->addWidget(rows, 1);
    setCentralWidget(central);
}

void MainWindow::buildActions() {
    startAction_ = new QAction(tr("Start"), this);
    startAction_->setShortcut(Qt::Key_F5);
    startAction_->setToolTip(tr("Start training with the configuration on the left (F5)."));
    connect(startAction_, &QAction::triggered, this, &MainWindow::startTraining);

    pauseAction_ = new QAction(tr("Pause"), this);
    pauseAction_->setShortcut(Qt::Key_F6);
    pauseAction_->setToolTip(tr("Pause or resume the training after its current step (F6)."));
    connect(pauseAction_, &QAction::triggered, this, &MainWindow::togglePause);

    stopAction_ = new QAction(tr("Stop"), this);
    stopAction_->setShortcut(QKeySequence(Qt::SHIFT | Qt::Key_F5));
    stopAction_->setToolTip(
        tr("Stop the training; a checkpoint is written so it can be "
           "continued (Shift+F5)."));
    connect(stopAction_, &QAction::triggered, this, &MainWindow::stopTraining);

    continueAction_ = new QAction(tr("Continue run"), this);
    continueAction_->setToolTip(
        tr("Continue the opened run from its checkpoint, up to the "
           "epochs set on the left."));
    connect(continueAction_, &QAction::triggered, this, &MainWindow::continueOpenedRun);

    auto* toolbar = addToolBar(tr("Training"));
    toolbar->setObjectName("trainingToolbar");
    toolbar->setToolButtonStyle(Qt::ToolButtonTextOnly);
    toolbar->addAction(startAction_);
    toolbar->addAction(pauseAction_);
    toolbar->addAction(stopAction_);
    toolbar->addSeparator();
    toolbar->addAction(continueAction_);
}

void MainWindow::buildMenus() {
    QMenu* file = menuBar()->addMenu(tr("&File"));
    file->addAction(tr("&Open run..."), QKeySequence::Open, this, &MainWindow::openRunWithDialog);
    file->addAction(tr("Choose &data folder..."), this, &MainWindow::chooseDataFolder);
    file->addSeparator();
    file->addAction(tr("Export &metrics as CSV..."), this, &MainWindow::exportMetricsWithDialog);
    file->addAction(tr("Export trained &model..."), this, &MainWindow::exportModelWithDialog);
    file->addSeparator();
    file->addAction(tr("&Quit"), QKeySequence::Quit, this, &QWidget::close);

    QMenu* training = menuBar()->addMenu(tr("&Training"));
    training->addActions({startAction_, pauseAction_, stopAction_, continueAction_});

    QMenu* plots = menuBar()->addMenu(tr("&Plots"));
    const std::pair<PlotPanel*, QString> panels[] = {{curves_, tr("Loss and accuracy")},
                                                     {weights_, tr("Weights over depth")},
                                                     {flows_, tr("Hidden-state flows")},
                                                     {stats_, tr("Solver statistics")}};
    for (const auto& [panel, title] : panels) {
        QMenu* submenu = plots->addMenu(title);
        for (const QString suffix : {"png", "pdf", "svg"})
            submenu->addAction(
                tr("Export as %1...").arg(suffix.toUpper()), this,
                [this, panel = panel, suffix] { exportPlotWithDialog(panel, suffix); });
    }

    QMenu* help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About GODE Explorer"), this, [this] { showAboutDialog(this); });
}

void MainWindow::buildStatusBar() {
    progress_ = new QProgressBar;
    progress_->setMaximumWidth(260);
    progress_->setRange(0, 1);
    progress_->setValue(0);
    progress_->setToolTip(tr("Iterations done of the whole run."));
    speedLabel_ = new QLabel;
    speedLabel_->setToolTip(tr("Training images per second, averaged over the run."));
    etaLabel_ = new QLabel;
    etaLabel_->setToolTip(
        tr("Time left for the training iterations (test evaluations come on "
           "top)."));
    statusBar()->addPermanentWidget(speedLabel_);
    statusBar()->addPermanentWidget(etaLabel_);
    statusBar()->addPermanentWidget(progress_);
}

void MainWindow::connectController() {
    connect(controller_, &TrainingController::started, this, &MainWindow::onStarted);
    connect(controller_, &TrainingController::iterations, this, &MainWindow::onIterations);
    connect(controller_, &TrainingController::epochFinished, this, &MainWindow::onEpoch);
    connect(controller_, &TrainingController::weightsChanged, weights_,
            &WeightsOverDepthPlot::setSnapshot);
    connect(controller_, &TrainingController::flowsChanged, flows_, &FlowPlot::setProjection);
    connect(controller_, &TrainingController::finished, this, &MainWindow::onFinished);
    connect(controller_, &TrainingController::failed, this, &MainWindow::onFailed);
    connect(controller_, &TrainingController::runningChanged, this, [this](bool running) {
        panel_->setEditable(!running);
        updateActions();
    });
    connect(panel_, &ConfigPanel::validityChanged, this, &MainWindow::updateActions);
    // Before the first run the empty step-size panels appear only for an adaptive solver, as
    // they will once it runs; afterwards they belong to the last run's data.
    connect(panel_, &ConfigPanel::configChanged, this, [this] {
        if (runCount_ == 0)
            stats_->setStepSizesShown(showsStepSizes(panel_->config()));
    });
}

// ---- settings and data ------------------------------------------------------------------------

void MainWindow::restoreSettings() {
    const QString defaultRuns =
        QDir(QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation))
            .filePath("GODE Explorer runs");
    runsFolder_ = !options_.runsFolder.isEmpty()
                      ? options_.runsFolder
                      : settings_->value("runsFolder", defaultRuns).toString();

    QHash<QString, QString> folders;
    settings_->beginGroup("dataFolders");
    for (const QString& dataset : settings_->childKeys())
        folders[dataset] = settings_->value(dataset).toString();
    settings_->endGroup();
    panel_->setFoldersByDataset(folders);

    const QString saved = settings_->value("config").toString();
    if (!saved.isEmpty()) {
        try {
            panel_->setConfig(trainConfigFromJson(nlohmann::json::parse(saved.toStdString())));
        } catch (const std::exception& error) {
            showMessage(tr("The saved configuration could not be read (%1); the defaults are "
                           "shown instead.")
                            .arg(qs(error.what())),
                        true);
        }
    }
    restoreGeometry(settings_->value("geometry").toByteArray());
    restoreState(settings_->value("windowState").toByteArray());
    if (settings_->value("geometry").isNull())
        resize(firstStartSize());

    if (!folderHoldsData(panel_->config()))
        findDataOnFirstStart();
}

// 1600 x 1000 shows every plot comfortably; a smaller screen gets 90 % of its free area.
QSize MainWindow::firstStartSize() const {
    const QSize wanted(1600, 1000);
    const QScreen* screen = this->screen();
    if (screen == nullptr)
        return wanted;
    return wanted.boundedTo(screen->availableGeometry().size() * 0.9);
}

void MainWindow::saveSettings() const {
    settings_->setValue("config", qs(toJson(panel_->config()).dump()));
    // A window without a window system (offscreen smoke tests) has no real geometry: keeping
    // it would shrink the next real start.
    if (QGuiApplication::platformName() != "offscreen") {
        settings_->setValue("geometry", saveGeometry());
        settings_->setValue("windowState", saveState());
    }
    settings_->setValue("runsFolder", runsFolder_);
    const QHash<QString, QString> folders = panel_->foldersByDataset();
    for (auto it = folders.begin(); it != folders.end(); ++it)
        if (!it.key().isEmpty() && !it.value().isEmpty())
            settings_->setValue("dataFolders/" + it.key(), it.value());
    settings_->sync();
}

// MNIST from the remembered folder, $GODE_DATA_DIR or data/ beside the program; otherwise the
// embedded sample, said plainly with a link to choose the full dataset.
void MainWindow::findDataOnFirstStart() {
    const QString remembered = settings_->value("dataFolders/mnist").toString();
    const QString sampleDir =
        options_.sampleDir.isEmpty() ? defaultSampleFolder() : options_.sampleDir;
    try {
        const DataLocation found =
            findStartupData(remembered, options_.dataEnvironment, options_.programDir, sampleDir);
        TrainConfig config = panel_->config();
        config.setDataset(DatasetKind::Mnist);
        config.data.directory = found.folder.toStdString();
        panel_->setConfig(config);
        if (found.source == DataSource::EmbeddedSample)
            showMessage(
                found.description +
                    QStringLiteral(" <a href='choose-data'>%1</a>").arg(tr("Choose a folder...")),
                false);
        else
            statusBar()->showMessage(found.description, 10000);
    } catch (const std::exception& error) {
        showMessage(qs(error.what()), true);
    }
}

void MainWindow::chooseDataFolder() {
    const QString folder =
        QFileDialog::getExistingDirectory(this, tr("Dataset folder"), panel_->dataFolder());
    if (folder.isEmpty())
        return;
    panel_->setDataFolder(folder);
    hideMessage();
}

// ---- messages ---------------------------------------------------------------------------------

void MainWindow::showMessage(const QString& text, bool error) {
    messageIsError_ = error;
    messageLabel_->setText(text);
    messageBar_->setStyleSheet(error ? "background: #fde7e9; color: #6b0010;"
                                     : "background: #e8f1fb; color: #0b3d6b;");
    messageBar_->show();
}

void MainWindow::hideMessage() {
    messageBar_->hide();
    messageLabel_->clear();
    messageIsError_ = false;
}

QString MainWindow::message() const {
    return messageBar_->isHidden() ? QString() : messageLabel_->text();
}

QString MainWindow::speedText() const {
    return speedLabel_->text() + ' ' + etaLabel_->text();
}

void MainWindow::updateActions() {
    const bool running = controller_->isRunning();
    startAction_->setEnabled(!running && panel_->isValid());
    startAction_->setToolTip(panel_->isValid()
                                 ? tr("Start training with the configuration on the left (F5).")
                                 : tr("Fix the configuration first: %1").arg(panel_->problem()));
    pauseAction_->setEnabled(running);
    pauseAction_->setText(running && controller_->isPaused() ? tr("Resume") : tr("Pause"));
    stopAction_->setEnabled(running);
    continueAction_->setEnabled(!running && openedRunConfig_.has_value());
}

// ---- training ---------------------------------------------------------------------------------

QString MainWindow::newRunFolder(const TrainConfig& config) const {
    const QString stamp = QDateTime::currentDateTime().toString("yyyyMMdd-HHmmss");
    const QString base =
        QDir(runsFolder_).filePath(qs(toString(config.data.dataset)) + '-' + stamp);
    QString folder = base;
    for (int suffix = 2; QFileInfo::exists(folder); ++suffix)
        folder = base + '-' + QString::number(suffix);
    return folder;
}

void MainWindow::startTraining() {
    if (controller_->isRunning())
        return;
    if (!panel_->isValid()) {
        showMessage(tr("Cannot start: %1").arg(panel_->problem()), true);
        return;
    }
    TrainConfig config = panel_->config();
    config.outputDirectory = newRunFolder(config).toStdString();
    beginRun(config, false, runLabel(config, runCount_ + 1));
}

void MainWindow::continueOpenedRun() {
    if (controller_->isRunning() || !openedRunConfig_)
        return;
    // Only what gode-train --resume lets change: epochs, threads and device.
    TrainConfig config = *openedRunConfig_;
    const TrainConfig panelConfig = panel_->config();
    config.optim.epochs = panelConfig.optim.epochs;
    config.threads = panelConfig.threads;
    config.device = panelConfig.device;
    beginRun(config, true, runLabel(config, runCount_ + 1) + tr(" (continued)"));
}

void MainWindow::beginRun(const TrainConfig& config, bool resume, const QString& label) {
    hideMessage();
    try {
        controller_->start(config, resume);
    } catch (const std::exception& error) {
        showMessage(qs(error.what()), true);
        return;
    }
    ++runCount_;
    currentRunId_ = QStringLiteral("run-%1").arg(runCount_);
    curves_->addRun(currentRunId_, label);
    stats_->clear();
    stats_->setStepSizesShown(showsStepSizes(config));
    flows_->clear();
    flows_->setClassNames(classNames(config.data.dataset));
    weights_->clearSnapshot();
    lastRunDirectory_ = qs(config.outputDirectory);
    runBatchSize_ = config.optim.batchSize;
    lastIteration_ = 0;
    progress_->setRange(0, 0);  // busy until the trainer has read the data
    speedLabel_->clear();
    etaLabel_->clear();
    statusBar()->showMessage(tr("Reading the data..."));
}

void MainWindow::togglePause() {
    if (!controller_->isRunning())
        return;
    const bool pause = !controller_->isPaused();
    controller_->setPaused(pause);
    statusBar()->showMessage(pause ? tr("Paused") : tr("Training"));
    updateActions();
}

void MainWindow::stopTraining() {
    if (!controller_->isRunning())
        return;
    controller_->setPaused(false);
    controller_->requestStop();
    statusBar()->showMessage(tr("Stopping after the current iteration..."));
}

bool MainWindow::isTraining() const {
    return controller_->isRunning();
}

void MainWindow::onStarted(const RunInfo& info) {
    progress_->setRange(0, static_cast<int>(info.iterationsPerEpoch * info.config.optim.epochs));
    progress_->setValue(
        static_cast<int>(info.startEpoch * info.iterationsPerEpoch + info.startBatch));
    statusBar()->showMessage(tr("Training %1 parameters on %2 images (%3, %4 threads) into %5")
                                 .arg(info.parameters)
                                 .arg(info.trainImages)
                                 .arg(qs(info.device))
                                 .arg(info.threads)
                                 .arg(qs(info.config.outputDirectory)));
}

void MainWindow::onIterations(const QVector<IterationReport>& reports) {
    for (const IterationReport& report : reports) {
        const double iteration = static_cast<double>(report.iteration);
        curves_->appendIteration(currentRunId_, iteration, report.loss, report.accuracy);
        stats_->appendIteration(iteration, report.nfeForward, report.nfeBackward, report.stepSizes);
        lastIteration_ = iteration;
    }
    if (reports.isEmpty())
        return;

    const IterationReport& last = reports.back();
    progress_->setMaximum(static_cast<int>(last.totalIterations));
    progress_->setValue(static_cast<int>(last.iteration));
    speedLabel_->setText(tr("%1 images/s").arg(last.imagesPerSecond, 0, 'f', 0));
    // Known shortcoming: the ETA counts training iterations only; the test evaluation after
    // each epoch comes on top.
    const double iterationsPerSecond = last.imagesPerSecond / std::max<int64_t>(1, runBatchSize_);
    if (iterationsPerSecond > 0)
        etaLabel_->setText(tr("ETA %1").arg(
            clockText((last.totalIterations - last.iteration) / iterationsPerSecond)));
}

void MainWindow::onEpoch(const EpochReport& report) {
    curves_->appendEpoch(currentRunId_, static_cast<int>(report.epoch), lastIteration_,
                         report.testLoss, report.testAccuracy);
    statusBar()->showMessage(tr("Epoch %1 of %2: test accuracy %3 %, test loss %4")
                                 .arg(report.epoch)
                                 .arg(report.epochs)
                                 .arg(100.0 * report.testAccuracy, 0, 'f', 2)
                                 .arg(report.testLoss, 0, 'g', 4));
}

void MainWindow::onFinished(const TrainingSummary& summary) {
    etaLabel_->clear();
    const QString result = tr("test accuracy %1 %, %2 epochs in %3")
                               .arg(100.0 * summary.testAccuracy, 0, 'f', 2)
                               .arg(summary.epochs)
                               .arg(clockText(summary.seconds));
    if (summary.stopped)
        statusBar()->showMessage(tr("Stopped (%1). The checkpoint in %2 can be continued.")
                                     .arg(result, qs(summary.runDirectory)));
    else
        statusBar()->showMessage(
            tr("Finished: %1. Run directory %2").arg(result, qs(summary.runDirectory)));
    // A stopped or finished run can be continued (a finished one with more epochs).
    try {
        openedRunConfig_ = RunDirectory(summary.runDirectory).readConfig();
        openedRunConfig_->outputDirectory = summary.runDirectory;
    } catch (const Error&) {
        openedRunConfig_.reset();
    }
    updateActions();
}

void MainWindow::onFailed(const QString& message) {
    etaLabel_->clear();
    progress_->setRange(0, 1);
    progress_->setValue(0);
    statusBar()->showMessage(tr("Training stopped with an error"));
    showMessage(tr("Training stopped: %1").arg(message.toHtmlEscaped()), true);
    updateActions();
}

void MainWindow::closeEvent(QCloseEvent* event) {
    if (controller_->isRunning()) {
        if (!confirmClose_()) {
            event->ignore();
            return;
        }
        statusBar()->showMessage(tr("Stopping the training..."));
        controller_->stopAndWait();
    }
    saveSettings();
    event->accept();
}

// ---- open, export -----------------------------------------------------------------------------

bool MainWindow::openRun(const QString& folder) {
    if (controller_->isRunning()) {
        showMessage(tr("Stop the training before opening another run."), true);
        return false;
    }
    LoadedRun run;
    try {
        run = loadRun(folder);
    } catch (const std::exception& error) {
        showMessage(tr("Cannot open the run: %1").arg(qs(error.what()).toHtmlEscaped()), true);
        return false;
    }

    ++runCount_;
    const QString id = QStringLiteral("run-%1").arg(runCount_);
    curves_->addRun(
        id, runLabel(run.config, runCount_) + " (" + QFileInfo(run.folder).fileName() + ")");
    const int64_t images = trainImagesOf(run.config);
    for (const EpochReport& epoch : run.epochs)
        curves_->appendEpoch(id, static_cast<int>(epoch.epoch),
                             iterationAtEpochEnd(run.config, images, epoch.epoch), epoch.testLoss,
                             epoch.testAccuracy);
    if (run.weights)
        weights_->setSnapshot(*run.weights);
    if (run.flows) {
        flows_->setClassNames(classNames(run.config.data.dataset));
        flows_->setProjection(*run.flows);
    }
    panel_->setConfig(run.config);
    lastRunDirectory_ = run.folder;
    openedRunConfig_.reset();
    if (run.hasCheckpoint)
        openedRunConfig_ = run.config;
    updateActions();
    statusBar()->showMessage(
        tr("Opened %1: %2 epochs%3")
            .arg(run.folder)
            .arg(run.epochs.size())
            .arg(run.hasCheckpoint ? tr("; Continue run trains it further") : QString()));
    return true;
}

void MainWindow::openRunWithDialog() {
    const QString folder =
        QFileDialog::getExistingDirectory(this, tr("Open a run directory"), runsFolder_);
    if (!folder.isEmpty())
        openRun(folder);
}

void MainWindow::exportPlotWithDialog(PlotPanel* panel, const QString& suffix) {
    const QString path =
        QFileDialog::getSaveFileName(this, tr("Export plot"), panel->baseName() + '.' + suffix,
                                     tr("%1 files (*.%2)").arg(suffix.toUpper(), suffix));
    if (path.isEmpty())
        return;
    try {
        panel->exportImage(path);
    } catch (const std::exception& error) {
        showMessage(qs(error.what()).toHtmlEscaped(), true);
    }
}

void MainWindow::exportMetricsWithDialog() {
    const QString path = QFileDialog::getSaveFileName(this, tr("Export metrics"), "metrics.csv",
                                                      tr("CSV files (*.csv)"));
    if (path.isEmpty())
        return;
    try {
        curves_->exportCsv(path);
    } catch (const std::exception& error) {
        showMessage(qs(error.what()).toHtmlEscaped(), true);
    }
}

void MainWindow::exportModel(const QString& path) const {
    if (lastRunDirectory_.isEmpty())
        throw RunDirectoryError("no run yet: train or open a run before exporting its model");
    const QString source = qs(RunDirectory(lastRunDirectory_.toStdString()).modelPath());
    if (!QFileInfo::exists(source))
        throw RunDirectoryError(
            source.toStdString() +
            " does not exist yet: the model is written at the end of each epoch");
    QFile::remove(path);
    if (!QFile::copy(source, path))
        throw RunDirectoryError("cannot write the model to " + path.toStdString());
}

void MainWindow::exportModelWithDialog() {
    const QString path = QFileDialog::getSaveFileName(this, tr("Export trained model"), "model.pt",
                                                      tr("PyTorch tensors (*.pt)"));
    if (path.isEmpty())
        return;
    try {
        exportModel(path);
    } catch (const std::exception& error) {
        showMessage(qs(error.what()).toHtmlEscaped(), true);
    }
}

}  // namespace gode
