// Training from the window on the embedded MNIST sample: the controller's worker thread reports
// every iteration in order, pauses, resumes and stops; the window shows progress and errors,
// closes cleanly while training, fills the four plots, exports them, reopens and continues a
// run, and remembers its settings.
#include <qcustomplot.h>

#include <QAction>
#include <QFile>
#include <QProgressBar>
#include <QTemporaryDir>

#include "test_support.h"
#include "train/run_directory.h"
#include "ui/config_panel.h"
#include "ui/data_location.h"
#include "ui/main_window.h"
#include "ui/training_controller.h"
#include "viz/flow_plot.h"
#include "viz/solver_stats_plot.h"
#include "viz/training_curves_plot.h"
#include "viz/weights_over_depth_plot.h"

using gode::MainWindow;
using gode::TrainingController;
using Curve = gode::TrainingCurvesPlot::Curve;

namespace {

constexpr int kWaitMs = 120000;  // generous: the machine running the tests may be busy

// A run of `trainImages / 16` iterations per epoch on a small network.
gode::TrainConfig tinyConfig(const QString& data, int trainImages, int epochs, int batch = 16) {
    gode::TrainConfig config = gode::defaultTrainConfig();
    config.data.directory = data.toStdString();
    config.data.trainLimit = trainImages;
    config.data.testLimit = 100;
    config.data.cropPadding = 0;
    config.model.width = 16;
    config.optim.epochs = epochs;
    config.optim.batchSize = batch;
    config.threads = 1;
    return config;
}

bool fileStartsWith(const QString& path, const QByteArray& start, int within = 0) {
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return false;
    const QByteArray head = file.read(512);
    return within == 0 ? head.startsWith(start) : head.indexOf(start) >= 0;
}

// Collects the iteration numbers the controller delivers, to check that none is lost or repeated.
struct IterationLog {
    std::vector<int64_t> iterations;
    void connectTo(TrainingController& controller) {
        QObject::connect(&controller, &TrainingController::iterations,
                         [this](const QVector<gode::IterationReport>& reports) {
                             for (const auto& report : reports)
                                 iterations.push_back(report.iteration);
                         });
    }
    bool consecutiveFrom(int64_t first) const {
        for (size_t i = 0; i < iterations.size(); ++i)
            if (iterations[i] != first + static_cast<int64_t>(i))
                return false;
        return true;
    }
};

}  // namespace

class TestUiTraining : public QObject {
    Q_OBJECT

  private slots:
    void initTestCase();
    void controllerReportsEveryIterationAndWritesTheRunDirectory();
    void pauseResumeAndStop();
    void divergedLossEndsAsAFailure();
    void badDataShowsTheErrorAndGivesTheControlsBack();
    void closingDuringTrainingAsksThenStopsCleanly();
    void firstStartWithoutDataUsesTheEmbeddedSample();
    void windowTrainsExportsReopensAndRemembers();

  private:
    gode::MainWindowOptions windowOptions(const QString& settingsName) const;

    QTemporaryDir root_;
    QString sample_;
};

void TestUiTraining::initTestCase() {
    QVERIFY(root_.isValid());
    sample_ = gode::unpackEmbeddedSample(root_.filePath("sample"));
}

gode::MainWindowOptions TestUiTraining::windowOptions(const QString& settingsName) const {
    gode::MainWindowOptions options;
    options.settingsFile = root_.filePath(settingsName + ".ini");
    options.sampleDir = sample_;
    options.runsFolder = root_.filePath("runs");
    options.programDir = root_.filePath("no-program-dir");
    return options;
}

void TestUiTraining::controllerReportsEveryIterationAndWritesTheRunDirectory() {
    TrainingController controller;
    controller.setFlowImageCount(50);
    IterationLog log;
    log.connectTo(controller);
    QSignalSpy started(&controller, &TrainingController::started);
    QSignalSpy epochs(&controller, &TrainingController::epochFinished);
    QSignalSpy weights(&controller, &TrainingController::weightsChanged);
    QSignalSpy flows(&controller, &TrainingController::flowsChanged);
    QSignalSpy finished(&controller, &TrainingController::finished);
    QSignalSpy running(&controller, &TrainingController::runningChanged);

    gode::TrainConfig config = tinyConfig(sample_, 160, 2);
    config.outputDirectory = root_.filePath("controller-run").toStdString();
    controller.start(config);
    QVERIFY(controller.isRunning());
    QVERIFY(finished.wait(kWaitMs));
    QVERIFY(!controller.isRunning());

    QCOMPARE(started.count(), 1);
    const auto info = started.at(0).at(0).value<gode::RunInfo>();
    QCOMPARE(info.iterationsPerEpoch, int64_t{10});
    QCOMPARE(log.iterations.size(), size_t{20});  // 160 / 16 per epoch, 2 epochs, none lost
    QVERIFY(log.consecutiveFrom(1));
    QCOMPARE(epochs.count(), 2);
    QVERIFY(weights.count() >= 2);  // at least the snapshots of the two epoch ends
    QVERIFY(flows.count() >= 2);
    const auto projection = flows.last().at(0).value<gode::FlowProjection>();
    QCOMPARE(projection.imageCount, int64_t{50});
    QCOMPARE(running.count(), 2);  // true, then false

    const auto summary = finished.at(0).at(0).value<gode::TrainingSummary>();
    QVERIFY(!summary.stopped);
    QCOMPARE(summary.iterations, int64_t{20});
    // The same files as gode-train.
    const gode::RunDirectory directory(config.outputDirectory);
    for (const std::string& path : {directory.configPath(), directory.metricsPath(),
                                    directory.checkpointPath(), directory.modelPath()})
        QVERIFY2(QFileInfo::exists(QString::fromStdString(path)), path.c_str());
    QCOMPARE(directory.readMetrics().size(), size_t{2});
    const auto lastEpoch = epochs.last().at(0).value<gode::EpochReport>();
    QCOMPARE(directory.readMetrics().back().at("test_accuracy").get<double>(),
             lastEpoch.testAccuracy);
}

void TestUiTraining::pauseResumeAndStop() {
    TrainingController controller;
    controller.setFlowImageCount(0);
    controller.setRedrawIntervalMs(20);
    IterationLog log;
    log.connectTo(controller);
    QSignalSpy finished(&controller, &TrainingController::finished);

    gode::TrainConfig config = tinyConfig(sample_, 2000, 5, 4);  // 2,500 iterations
    config.outputDirectory = root_.filePath("paused-run").toStdString();
    controller.start(config);
    QTRY_VERIFY_WITH_TIMEOUT(log.iterations.size() >= 3, kWaitMs);

    controller.setPaused(true);
    QVERIFY(controller.isPaused());
    // The iteration in flight ends and is delivered: wait until the count holds still for 300 ms
    // (on a busy machine that may take a while; a pause that did not work never gets there).
    size_t whilePaused = log.iterations.size();
    for (int tries = 0; tries < 100; ++tries) {
        QTest::qWait(300);
        if (log.iterations.size() == whilePaused)
            break;
        whilePaused = log.iterations.size();
    }
    QTest::qWait(600);
    QCOMPARE(log.iterations.size(), whilePaused);
    QVERIFY(controller.isRunning());

    controller.setPaused(false);
    QTRY_VERIFY_WITH_TIMEOUT(log.iterations.size() > whilePaused + 3, kWaitMs);

    controller.requestStop();
    QVERIFY(finished.wait(kWaitMs));
    const auto summary = finished.at(0).at(0).value<gode::TrainingSummary>();
    QVERIFY(summary.stopped);
    QVERIFY(summary.iterations < 2500);
    QCOMPARE(static_cast<int64_t>(log.iterations.size()), summary.iterations);
    QVERIFY(log.consecutiveFrom(1));
    QVERIFY(gode::RunDirectory(config.outputDirectory).hasCheckpoint());
}

// A learning rate of 1e6 makes the loss NaN or infinite within a few iterations.
void TestUiTraining::divergedLossEndsAsAFailure() {
    TrainingController controller;
    controller.setFlowImageCount(0);
    QSignalSpy failed(&controller, &TrainingController::failed);
    QSignalSpy finished(&controller, &TrainingController::finished);
    gode::TrainConfig config = tinyConfig(sample_, 800, 1);
    config.optim.learningRate = 1e6;
    config.optim.schedule = gode::ScheduleKind::Cosine;
    config.outputDirectory = root_.filePath("diverged-run").toStdString();
    controller.start(config);

    QVERIFY(failed.wait(kWaitMs));
    QCOMPARE(finished.count(), 0);
    QVERIFY(!controller.isRunning());
    const QString message = failed.at(0).at(0).toString();
    QVERIFY2(message.contains("training diverged"), qPrintable(message));
    QVERIFY2(message.contains("Lower the learning rate"), qPrintable(message));
}

void TestUiTraining::badDataShowsTheErrorAndGivesTheControlsBack() {
    MainWindow window(windowOptions("bad-data"));
    window.show();
    const QString empty = root_.filePath("empty-data");
    QDir().mkpath(empty);
    window.configPanel()->setConfig(tinyConfig(empty, 160, 1));
    QSignalSpy failed(window.controller(), &TrainingController::failed);

    window.startTraining();
    QVERIFY(window.isTraining());
    QVERIFY(!window.startAction()->isEnabled());
    QVERIFY(failed.wait(kWaitMs));

    QVERIFY(!window.isTraining());
    QVERIFY(window.messageIsError());
    QVERIFY2(window.message().contains(QDir(empty).absolutePath()), qPrintable(window.message()));
    QVERIFY(window.startAction()->isEnabled());
    QVERIFY(!window.stopAction()->isEnabled());
    QVERIFY(window.configPanel()->findChild<QWidget*>("epochs")->isEnabled());
}

void TestUiTraining::closingDuringTrainingAsksThenStopsCleanly() {
    MainWindow window(windowOptions("closing"));
    window.show();
    window.configPanel()->setConfig(tinyConfig(sample_, 2000, 5, 4));
    window.startTraining();
    QTRY_VERIFY_WITH_TIMEOUT(window.progressBar()->value() >= 2, kWaitMs);

    int asked = 0;
    window.setCloseConfirmation([&] {
        ++asked;
        return false;
    });
    QVERIFY(!window.close());
    QCOMPARE(asked, 1);
    QVERIFY(window.isTraining());
    QVERIFY(window.isVisible());

    // Paused, so that the close must also wake the waiting trainer.
    window.togglePause();
    QVERIFY(window.controller()->isPaused());
    QCOMPARE(window.pauseAction()->text(), QString("Resume"));
    window.setCloseConfirmation([&] {
        ++asked;
        return true;
    });
    QVERIFY(window.close());
    QCOMPARE(asked, 2);
    QVERIFY(!window.isTraining());  // stopped and joined before close() returned
    QVERIFY(gode::RunDirectory(window.lastRunDirectory().toStdString()).hasCheckpoint());
}

void TestUiTraining::firstStartWithoutDataUsesTheEmbeddedSample() {
    gode::MainWindowOptions options = windowOptions("first-start");
    options.sampleDir = root_.filePath("first-start-sample");
    MainWindow window(options);
    QCOMPARE(window.configPanel()->dataFolder(), QDir(options.sampleDir).absolutePath());
    QVERIFY(gode::holdsMnistFiles(options.sampleDir));
    QVERIFY(!window.messageIsError());
    QVERIFY2(window.message().contains("built-in sample"), qPrintable(window.message()));
    QVERIFY(window.message().contains("choose-data"));  // the link that opens a folder dialog
    QVERIFY(window.startAction()->isEnabled());

    // Empty step-size panels only for an adaptive solver.
    QVERIFY(!window.solverStatsPlot()->stepSizesShown());
    gode::TrainConfig adaptive = window.configPanel()->config();
    adaptive.model.solver.method = "dopri5";
    window.configPanel()->setConfig(adaptive);
    QVERIFY(window.solverStatsPlot()->stepSizesShown());
}

void TestUiTraining::windowTrainsExportsReopensAndRemembers() {
    const gode::MainWindowOptions options = windowOptions("full");
    QString runFolder;
    std::string savedConfig;
    {
        MainWindow window(options);
        window.show();
        gode::TrainConfig config = tinyConfig(sample_, 256, 1);
        config.seed = 7;
        window.configPanel()->setConfig(config);
        QSignalSpy finished(window.controller(), &TrainingController::finished);
        window.startTraining();
        QVERIFY(finished.wait(kWaitMs));

        // The four plots received the run (drawn on the next event-loop pass, or now).
        window.curvesPlot()->refreshNow();
        QCOMPARE(window.curvesPlot()->iterationCount("run-1"), 16);
        QCOMPARE(window.curvesPlot()->graph("run-1", Curve::TestAccuracy)->dataCount(), 1);
        QCOMPARE(window.solverStatsPlot()->iterationCount(), 16);
        QVERIFY(window.weightsPlot()->hasSnapshot());
        QCOMPARE(window.weightsPlot()->basisCount(), 3);
        QVERIFY(window.flowPlot()->timeCount() >= 2);
        QCOMPARE(window.progressBar()->value(), 16);
        QCOMPARE(window.progressBar()->maximum(), 16);
        QVERIFY2(window.speedText().contains("images/s"), qPrintable(window.speedText()));

        // Every export writes a non-empty file of its type.
        QTemporaryDir out;
        const std::vector<gode::PlotPanel*> panels{window.curvesPlot(), window.weightsPlot(),
                                                   window.flowPlot(), window.solverStatsPlot()};
        for (gode::PlotPanel* panel : panels) {
            const QString base = out.filePath(panel->baseName());
            panel->exportImage(base + ".png");
            panel->exportImage(base + ".pdf");
            panel->exportImage(base + ".svg");
            QVERIFY(fileStartsWith(base + ".png", "\x89PNG"));
            QVERIFY(fileStartsWith(base + ".pdf", "%PDF"));
            QVERIFY(fileStartsWith(base + ".svg", "<svg", 1));
        }
        window.curvesPlot()->exportCsv(out.filePath("metrics.csv"));
        QFile csv(out.filePath("metrics.csv"));
        QVERIFY(csv.open(QIODevice::ReadOnly));
        QCOMPARE(csv.readLine().trimmed(),
                 QByteArray("run,label,kind,epoch,iteration,loss,accuracy"));
        QCOMPARE(csv.readAll().count('\n'), 17);  // 16 iterations and 1 test epoch
        window.exportModel(out.filePath("model.pt"));
        const auto tensors = gode::readExportedModel(out.filePath("model.pt").toStdString());
        QVERIFY(tensors.count("block.field.conv1.coefficients") == 1);

        runFolder = window.lastRunDirectory();
        savedConfig = gode::toJson(window.configPanel()->config()).dump();
        QVERIFY(window.close());
    }

    // A new window remembers the configuration, reopens the run and continues it.
    MainWindow window(options);
    window.show();
    QCOMPARE(gode::toJson(window.configPanel()->config()).dump(), savedConfig);

    QVERIFY(window.openRun(runFolder));
    window.curvesPlot()->refreshNow();
    QVERIFY(window.curvesPlot()->hasRun("run-1"));
    QCPGraph* testAccuracy = window.curvesPlot()->graph("run-1", Curve::TestAccuracy);
    QCOMPARE(testAccuracy->dataCount(), 1);
    QCOMPARE(testAccuracy->data()->at(0)->key, 16.0);  // 256 images / batch 16
    const double written = gode::RunDirectory(runFolder.toStdString())
                               .readMetrics()
                               .front()
                               .at("test_accuracy")
                               .get<double>();
    QCOMPARE(testAccuracy->data()->at(0)->value, 100.0 * written);
    QVERIFY(window.weightsPlot()->hasSnapshot());
    QCOMPARE(window.flowPlot()->projection().imageCount, int64_t{200});  // data still readable

    window.configPanel()->findChild<QSpinBox*>("epochs")->setValue(2);
    QSignalSpy finished(window.controller(), &TrainingController::finished);
    window.continueOpenedRun();
    QVERIFY(finished.wait(kWaitMs));
    const auto summary = finished.at(0).at(0).value<gode::TrainingSummary>();
    QCOMPARE(summary.epochs, int64_t{2});
    QCOMPARE(summary.runDirectory, runFolder.toStdString());
    QCOMPARE(window.curvesPlot()->iterationCount("run-2"), 16);  // only the new epoch
    QCOMPARE(gode::RunDirectory(runFolder.toStdString()).readMetrics().size(), size_t{2});

    // An unreadable folder is explained in the message bar.
    QVERIFY(!window.openRun(root_.filePath("no-such-run")));
    QVERIFY(window.messageIsError());
    QVERIFY(window.message().contains("no-such-run"));
}

QTEST_MAIN(TestUiTraining)

#include "test_ui_training.moc"
