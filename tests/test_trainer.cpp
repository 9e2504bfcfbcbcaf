// The trainer on a small synthetic dataset: determinism, exact resume after a stop at an epoch
// boundary and in the middle of an epoch, pause, divergence, observer reports and the files
// of the run directory (including the exported model read by Python's torch when available).
#include <atomic>
#include <filesystem>
#include <fstream>
#include <functional>
#include <thread>

#include "fixtures.h"
#include "test_support.h"
#include "train/run_directory.h"
#include "train/train_errors.h"
#include "train/trainer.h"

using gode::TrainConfig;
using gode::TrainingSummary;
using nlohmann::json;

namespace {

// Records every report and can act on the training thread.
class RecordingObserver : public gode::TrainingObserver {
  public:
    std::function<void(const gode::IterationReport&)> afterIteration;
    std::function<void(const gode::EpochReport&)> afterEpoch;
    std::vector<gode::IterationReport> iterations;
    std::vector<gode::EpochReport> epochs;
    std::atomic<int> iterationCount{0};
    gode::RunInfo info;

    void onStart(const gode::RunInfo& runInfo) override { info = runInfo; }
    void onIteration(const gode::IterationReport& report, gode::GodeNetImpl&) override {
        iterations.push_back(report);
        ++iterationCount;
        if (afterIteration)
            afterIteration(report);
    }
    void onEpoch(const gode::EpochReport& report, gode::GodeNetImpl&) override {
        epochs.push_back(report);
        if (afterEpoch)
            afterEpoch(report);
    }
};

// The deterministic part of a metrics line: everything but timings.
json withoutTimes(json line) {
    line.erase("seconds");
    line.erase("elapsed_seconds");
    return line;
}

std::vector<json> metricsOf(const std::string& runFolder) {
    std::vector<json> lines;
    for (const json& line : gode::RunDirectory(runFolder).readMetrics())
        lines.push_back(withoutTimes(line));
    return lines;
}

void verifySameWeights(const std::string& runA, const std::string& runB) {
    const auto a = gode::readExportedModel(gode::RunDirectory(runA).modelPath());
    const auto b = gode::readExportedModel(gode::RunDirectory(runB).modelPath());
    QCOMPARE(a.size(), b.size());
    for (const auto& [name, tensor] : a)
        QVERIFY2(torch::equal(tensor, b.at(name)), name.c_str());
}

std::string readAll(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

}  // namespace

class TestTrainer : public QObject {
    Q_OBJECT

  private slots:
    void initTestCase();
    void sameSeedGivesIdenticalMetrics();
    void resumeAfterAnEpochIsExact();
    void stopMidEpochLeavesALoadableCheckpointAndResumesExactly();
    void pauseBlocksAndStopStillWorks();
    void observerReportsSolverFigures();
    void runDirectoryHoldsConfigMetricsAndModel();
    void exportedModelLoadsInPython();
    void divergenceKeepsTheLastGoodCheckpoint();
    void freshRunRefusesAnExistingRun();

  private:
    TrainConfig config(const QString& run) const {
        return gode::test::tinyTrainConfig(data_.path().toStdString(), run.toStdString());
    }

    QTemporaryDir data_;
    QTemporaryDir runs_;
    TrainingSummary straight_;  // two epochs without interruption, the reference for resumes
};

void TestTrainer::initTestCase() {
    gode::test::writeSyntheticMnist(data_.path().toStdString(), 96, 40);
    straight_ = gode::Trainer(config(runs_.filePath("straight"))).run();
    QCOMPARE(straight_.epochs, int64_t(2));
    QCOMPARE(straight_.iterations, int64_t(12));  // 96 / 16 = 6 batches per epoch
    QVERIFY(!straight_.stopped);
}

void TestTrainer::sameSeedGivesIdenticalMetrics() {
    const TrainingSummary again = gode::Trainer(config(runs_.filePath("again"))).run();
    QCOMPARE(again.testLoss, straight_.testLoss);
    QCOMPARE(again.trainLoss, straight_.trainLoss);
    QVERIFY(metricsOf(runs_.filePath("again").toStdString()) ==
            metricsOf(runs_.filePath("straight").toStdString()));
    verifySameWeights(runs_.filePath("again").toStdString(),
                      runs_.filePath("straight").toStdString());

    // A different seed trains differently (so the comparison above can fail).
    TrainConfig other = config(runs_.filePath("other-seed"));
    other.seed = 8;
    QVERIFY(gode::Trainer(other).run().trainLoss != straight_.trainLoss);
}

void TestTrainer::resumeAfterAnEpochIsExact() {
    const QString run = runs_.filePath("stop-after-epoch");
    gode::TrainingControl control;
    RecordingObserver observer;
    observer.afterEpoch = [&](const gode::EpochReport&) { control.requestStop(); };
    const TrainingSummary first = gode::Trainer(config(run), &observer, &control).run();
    QVERIFY(first.stopped);
    QCOMPARE(first.epochs, int64_t(1));
    QCOMPARE(first.iterations, int64_t(6));

    const TrainingSummary resumed = gode::Trainer(config(run)).resume();
    QVERIFY(!resumed.stopped);
    QCOMPARE(resumed.iterations, straight_.iterations);
    QCOMPARE(resumed.epochs, straight_.epochs);
    QVERIFY(std::abs(resumed.testLoss - straight_.testLoss) < 1e-6);
    QCOMPARE(resumed.testAccuracy, straight_.testAccuracy);
    QVERIFY(metricsOf(run.toStdString()) == metricsOf(runs_.filePath("straight").toStdString()));
    verifySameWeights(run.toStdString(), runs_.filePath("straight").toStdString());
}

void TestTrainer::stopMidEpochLeavesALoadableCheckpointAndResumesExactly() {
    const QString run = runs_.filePath("stop-mid-epoch");
    gode::TrainingControl control;
    RecordingObserver observer;
    observer.afterIteration = [&](const gode::IterationReport& report) {
        if (report.iteration == 9)  // epoch 2, batch 3
            control.requestStop();
    };
    const TrainingSummary first = gode::Trainer(config(run), &observer, &control).run();
    QVERIFY(first.stopped);
    QCOMPARE(first.iterations, int64_t(9));

    // The checkpoint loads into a fresh model and says where the run stood.
    gode::GodeNet model(config(run).model);
    torch::optim::SGD optimizer(model->parameters(), torch::optim::SGDOptions(0.1).momentum(0.9));
    const gode::TrainingPosition position =
        gode::RunDirectory(run.toStdString()).readCheckpoint(*model, optimizer);
    QCOMPARE(position.epoch, int64_t(1));
    QCOMPARE(position.batch, int64_t(3));
    QCOMPARE(position.iteration, int64_t(9));
    QCOMPARE(position.epochSeen, int64_t(48));

    const TrainingSummary resumed = gode::Trainer(config(run)).resume();
    QCOMPARE(resumed.iterations, straight_.iterations);
    QVERIFY(std::abs(resumed.testLoss - straight_.testLoss) < 1e-6);
    QVERIFY(std::abs(resumed.trainLoss - straight_.trainLoss) < 1e-6);
    QVERIFY(metricsOf(run.toStdString()) == metricsOf(runs_.filePath("straight").toStdString()));
    verifySameWeights(run.toStdString(), runs_.filePath("straight").toStdString());
}

void TestTrainer::pauseBlocksAndStopStillWorks() {
    gode::TrainingControl control;
    RecordingObserver observer;
    observer.afterIteration = [&](const gode::IterationReport& report) {
        if (report.iteration == 2)
            control.setPaused(true);
    };
    TrainingSummary summary;
    std::thread training([&] {
        summary = gode::Trainer(config(runs_.filePath("paused")), &observer, &control).run();
    });

    QTRY_COMPARE_WITH_TIMEOUT(observer.iterationCount.load(), 2, 20000);
    QTest::qWait(300);
    QCOMPARE(observer.iterationCount.load(), 2);  // still waiting, not training
    QVERIFY(control.isPaused());

    control.requestStop();  // while paused
    training.join();
    QVERIFY(summary.stopped);
    QCOMPARE(summary.iterations, int64_t(2));

    // Un-pausing lets a run finish.
    gode::TrainingControl resumeControl;
    RecordingObserver resumeObserver;
    resumeObserver.afterIteration = [&](const gode::IterationReport& report) {
        if (report.iteration == 8)
            resumeControl.setPaused(true);
    };
    std::thread finishing([&] {
        summary = gode::Trainer(config(runs_.filePath("paused")), &resumeObserver, &resumeControl)
                      .resume();
    });
    QTRY_COMPARE_WITH_TIMEOUT(resumeObserver.iterationCount.load(), 6, 20000);
    QTest::qWait(200);
    QCOMPARE(resumeObserver.iterationCount.load(), 6);
    resumeControl.setPaused(false);
    finishing.join();
    QVERIFY(!summary.stopped);
    QCOMPARE(summary.iterations, int64_t(12));
    QVERIFY(std::abs(summary.testLoss - straight_.testLoss) < 1e-6);
}

void TestTrainer::observerReportsSolverFigures() {
    // A Neural-ODE has no knots, so three Euler steps are exactly three evaluations of 1/3.
    TrainConfig node = config(runs_.filePath("node"));
    node.model.kind = gode::ModelKind::Node;
    node.model.solver.steps = 3;
    node.optim.epochs = 1;
    RecordingObserver observer;
    const TrainingSummary summary = gode::Trainer(node, &observer).run();

    QCOMPARE(observer.info.iterationsPerEpoch, int64_t(6));
    QCOMPARE(observer.info.trainImages, int64_t(96));
    QCOMPARE(observer.info.parameters, summary.parameters);
    QCOMPARE(int(observer.iterations.size()), 6);
    for (size_t i = 0; i < observer.iterations.size(); ++i) {
        const gode::IterationReport& report = observer.iterations[i];
        QCOMPARE(report.iteration, int64_t(i + 1));
        QCOMPARE(report.batch, int64_t(i + 1));
        QCOMPARE(report.nfeForward, int64_t(3));
        // Direct backprop passes once through each of the three recorded evaluations.
        QCOMPARE(report.nfeBackward, int64_t(3));
        QCOMPARE(int(report.stepSizes.size()), 3);
        QVERIFY(std::abs(report.stepSizes[1] - 1.0 / 3) < 1e-12);
        QVERIFY(std::isfinite(report.loss) && report.accuracy >= 0 && report.accuracy <= 1);
        QVERIFY(std::abs(report.learningRate - gode::learningRateAt(node.optim, 0, int64_t(i), 6)) <
                1e-15);
    }
    QCOMPARE(int(observer.epochs.size()), 1);
    QCOMPARE(observer.epochs[0].nfeForward, 3.0);
    QCOMPARE(summary.nfeForward, 3.0);
    QCOMPARE(summary.testLoss, observer.epochs[0].testLoss);
}

void TestTrainer::runDirectoryHoldsConfigMetricsAndModel() {
    const gode::RunDirectory run(runs_.filePath("straight").toStdString());
    const json config = json::parse(readAll(run.configPath()));
    QCOMPARE(config["program"]["name"].get<std::string>(), std::string("gode-train"));
    QVERIFY(!config["program"]["version"].get<std::string>().empty());
    QCOMPARE(run.readConfig().optim.batchSize, int64_t(16));

    const std::vector<json> metrics = run.readMetrics();
    QCOMPARE(int(metrics.size()), 2);
    QCOMPARE(metrics[1]["epoch"].get<int>(), 2);
    QCOMPARE(metrics[1]["test_loss"].get<double>(), straight_.testLoss);
    QVERIFY(!std::filesystem::exists(run.checkpointPath() + ".tmp"));

    // The exported weights are the model's parameters and buffers, by name.
    const auto weights = gode::readExportedModel(run.modelPath());
    gode::GodeNet model(run.readConfig().model);
    const auto expectedNames = gode::namedTensors(*model);
    QCOMPARE(weights.size(), expectedNames.size());
    QVERIFY(weights.count("block.field.conv1.coefficients") == 1);
    QCOMPARE(weights.at("stem.conv1.weight").sizes().vec(), (std::vector<int64_t>{8, 1, 3, 3}));

    // Accuracy computed independently from the exported weights on the test images.
    const gode::Dataset data =
        gode::loadDataset(gode::DatasetKind::Mnist, data_.path().toStdString());
    {
        torch::NoGradGuard noGrad;
        for (auto& item : model->named_parameters())
            item.value().copy_(weights.at(item.key()));
        const torch::Tensor logits = model->forward(data.test.images.to(torch::kFloat32) / 255.0);
        const double accuracy =
            logits.argmax(1).eq(data.test.labels).to(torch::kFloat64).mean().item<double>();
        QCOMPARE(accuracy, straight_.testAccuracy);
    }
}

void TestTrainer::exportedModelLoadsInPython() {
    QProcess probe;
    probe.start("/usr/bin/python3", {"-c", "import torch"});
    if (!probe.waitForFinished(60000) || probe.exitCode() != 0)
        QSKIP("/usr/bin/python3 has no torch module (apt-get install python3-torch)");

    const gode::RunDirectory run(runs_.filePath("straight").toStdString());
    const auto weights = gode::readExportedModel(run.modelPath());
    QProcess python;
    python.start("/usr/bin/python3",
                 {"-c",
                  "import sys, torch\n"
                  "w = torch.load(sys.argv[1])\n"
                  "print(len(w), float(w['block.field.conv1.coefficients'].double().sum()))\n",
                  QString::fromStdString(run.modelPath())});
    QVERIFY(python.waitForFinished(120000));
    QCOMPARE(python.exitCode(), 0);
    const QStringList answer = QString(python.readAllStandardOutput()).trimmed().split(' ');
    QCOMPARE(answer.size(), 2);
    QCOMPARE(answer[0].toInt(), int(weights.size()));
    const double sum =
        weights.at("block.field.conv1.coefficients").to(torch::kFloat64).sum().item<double>();
    QVERIFY2(std::abs(answer[1].toDouble() - sum) < 1e-9 * std::max(1.0, std::abs(sum)),
             qPrintable(answer.join(' ')));
}

void TestTrainer::divergenceKeepsTheLastGoodCheckpoint() {
    const QString runFolder = runs_.filePath("diverge");
    TrainConfig good = config(runFolder);
    good.optim.epochs = 1;
    gode::Trainer(good).run();
    const gode::RunDirectory run(runFolder.toStdString());
    const std::string checkpointBefore = readAll(run.checkpointPath());

    TrainConfig wild = good;
    wild.optim.epochs = 2;
    wild.optim.learningRate = 1e20;
    wild.optim.schedule = gode::ScheduleKind::Step;
    const std::string message =
        gode::test::messageOf<gode::TrainingDiverged>([&] { gode::Trainer(wild).resume(); });
    GODE_VERIFY_CONTAINS(message, "training diverged at epoch 2");
    GODE_VERIFY_CONTAINS(message, "Lower the learning rate");
    GODE_VERIFY_CONTAINS(message, run.checkpointPath());
    QVERIFY(readAll(run.checkpointPath()) == checkpointBefore);
    QCOMPARE(int(run.readMetrics().size()), 1);
}

void TestTrainer::freshRunRefusesAnExistingRun() {
    const std::string message = gode::test::messageOf<gode::RunDirectoryError>(
        [&] { gode::Trainer(config(runs_.filePath("straight"))).run(); });
    GODE_VERIFY_CONTAINS(message, "already holds a run");
    GODE_VERIFY_CONTAINS(message, "--resume");
}

QTEST_GUILESS_MAIN(TestTrainer)
#include "test_trainer.moc"
