// TrainConfig: JSON round trip of every field, errors that name the field, the published
// presets and the learning-rate schedules against hand-computed values.
#include <cmath>
#include <fstream>

#include "model/errors.h"
#include "test_support.h"
#include "train/train_config.h"

using gode::InvalidSetting;
using gode::TrainConfig;
using nlohmann::json;

namespace {

// A configuration where every field differs from its default.
TrainConfig unusualConfig() {
    TrainConfig c;
    c.setDataset(gode::DatasetKind::Cifar10);
    c.model.kind = gode::ModelKind::Resnet;
    c.model.width = 96;
    c.model.splineOrder = 3;
    c.model.interiorKnots = 5;
    c.model.placement = gode::KnotPlacement::Published;
    c.model.horizon = 2.5;
    c.model.blocks = 7;
    c.model.solver.method = "dopri5";
    c.model.solver.backprop = gode::Backprop::Adjoint;
    c.model.solver.steps = 9;
    c.model.solver.rtol = 2e-4;
    c.model.solver.atol = 3e-6;
    c.model.solver.maxSteps = 321;
    c.model.solver.firstStep = 0.125;
    c.data.directory = "/data/cifar";
    c.data.trainLimit = 1234;
    c.data.testLimit = 567;
    c.data.cropPadding = 2;
    c.optim.optimizer = gode::OptimizerKind::AdamW;
    c.optim.learningRate = 0.003;
    c.optim.momentum = 0.8;
    c.optim.weightDecay = 0.05;
    c.optim.schedule = gode::ScheduleKind::Cosine;
    c.optim.milestones = {0.5, 0.75};
    c.optim.gamma = 0.2;
    c.optim.epochs = 17;
    c.optim.batchSize = 64;
    c.optim.testBatchSize = 250;
    c.device = "cuda";
    c.threads = 3;
    c.seed = 123456789012345ULL;
    c.outputDirectory = "/tmp/run";
    return c;
}

// Field-by-field equality, written out so that a field missing from the JSON fails here.
void compareConfigs(const TrainConfig& a, const TrainConfig& b) {
    GODE_COMPARE_NAMES(a.model.kind, b.model.kind);
    QCOMPARE(a.model.inputChannels, b.model.inputChannels);
    QCOMPARE(a.model.imageSize, b.model.imageSize);
    QCOMPARE(a.model.classes, b.model.classes);
    QCOMPARE(a.model.width, b.model.width);
    QCOMPARE(a.model.splineOrder, b.model.splineOrder);
    QCOMPARE(a.model.interiorKnots, b.model.interiorKnots);
    GODE_COMPARE_NAMES(a.model.placement, b.model.placement);
    QCOMPARE(a.model.horizon, b.model.horizon);
    QCOMPARE(a.model.blocks, b.model.blocks);
    QCOMPARE(a.model.solver.method, b.model.solver.method);
    GODE_COMPARE_NAMES(a.model.solver.backprop, b.model.solver.backprop);
    QCOMPARE(a.model.solver.steps, b.model.solver.steps);
    QCOMPARE(a.model.solver.rtol, b.model.solver.rtol);
    QCOMPARE(a.model.solver.atol, b.model.solver.atol);
    QCOMPARE(a.model.solver.maxSteps, b.model.solver.maxSteps);
    QCOMPARE(a.model.solver.firstStep, b.model.solver.firstStep);
    GODE_COMPARE_NAMES(a.data.dataset, b.data.dataset);
    QCOMPARE(a.data.directory, b.data.directory);
    QCOMPARE(a.data.trainLimit, b.data.trainLimit);
    QCOMPARE(a.data.testLimit, b.data.testLimit);
    QCOMPARE(a.data.cropPadding, b.data.cropPadding);
    GODE_COMPARE_NAMES(a.optim.optimizer, b.optim.optimizer);
    QCOMPARE(a.optim.learningRate, b.optim.learningRate);
    QCOMPARE(a.optim.momentum, b.optim.momentum);
    QCOMPARE(a.optim.weightDecay, b.optim.weightDecay);
    GODE_COMPARE_NAMES(a.optim.schedule, b.optim.schedule);
    QVERIFY(a.optim.milestones == b.optim.milestones);
    QCOMPARE(a.optim.gamma, b.optim.gamma);
    QCOMPARE(a.optim.epochs, b.optim.epochs);
    QCOMPARE(a.optim.batchSize, b.optim.batchSize);
    QCOMPARE(a.optim.testBatchSize, b.optim.testBatchSize);
    QCOMPARE(a.device, b.device);
    QCOMPARE(a.threads, b.threads);
    QCOMPARE(a.seed, b.seed);
    QCOMPARE(a.outputDirectory, b.outputDirectory);
}

bool near(double a, double b) {
    return std::abs(a - b) <= 1e-12 * std::max(1.0, std::abs(b));
}

}  // namespace

class TestTrainConfig : public QObject {
    Q_OBJECT

  private slots:
    void jsonRoundTripKeepsEveryField();
    void missingKeysKeepDefaults();
    void configFileErrorsNameTheFile();
    void badJsonNamesTheField_data();
    void badJsonNamesTheField();
    void validateNamesTheField_data();
    void validateNamesTheField();
    void presetsArePublished_data();
    void presetsArePublished();
    void stepScheduleDecaysAtPublishedEpochs();
    void cosineAndOneCycleFollowTheirFormulas();
};

void TestTrainConfig::jsonRoundTripKeepsEveryField() {
    const TrainConfig original = unusualConfig();
    const json document = gode::toJson(original);
    QCOMPARE(document["model"]["solver"]["backprop"].get<std::string>(), std::string("adjoint"));
    QCOMPARE(document["optimization"]["lr"].get<double>(), 0.003);

    // Through text, as config.json is.
    const TrainConfig read = gode::trainConfigFromJson(json::parse(document.dump()));
    compareConfigs(read, original);
}

// A file with only some keys reads like the JSON; every failure names the file's absolute path.
void TestTrainConfig::configFileErrorsNameTheFile() {
    QTemporaryDir folder;
    const std::string path = QDir(folder.path()).absoluteFilePath("config.json").toStdString();
    auto write = [&](const std::string& text) { std::ofstream(path, std::ios::trunc) << text; };

    write(R"({"optimization": {"lr": 0.05}, "threads": 2})");
    const TrainConfig read = gode::trainConfigFromFile(path);
    QCOMPARE(read.optim.learningRate, 0.05);
    QCOMPARE(read.threads, 2);
    QCOMPARE(read.optim.batchSize, TrainConfig().optim.batchSize);  // as trainConfigFromJson

    const std::string missing = path + ".absent";
    GODE_VERIFY_CONTAINS(
        gode::test::messageOf<InvalidSetting>([&] { gode::trainConfigFromFile(missing); }),
        "cannot read the configuration file " + missing);
    write("{not json");
    const std::string notJson =
        gode::test::messageOf<InvalidSetting>([&] { gode::trainConfigFromFile(path); });
    GODE_VERIFY_CONTAINS(notJson, path + " is not valid JSON");
    write(R"({"optimization": {"lr": "fast"}})");
    const std::string badField =
        gode::test::messageOf<InvalidSetting>([&] { gode::trainConfigFromFile(path); });
    GODE_VERIFY_CONTAINS(badField, path + ": ");
    GODE_VERIFY_CONTAINS(badField, "optimization.lr");
}

void TestTrainConfig::missingKeysKeepDefaults() {
    const TrainConfig read =
        gode::trainConfigFromJson(json::parse(R"({"optimization":{"epochs":3}})"));
    const TrainConfig defaults;
    QCOMPARE(read.optim.epochs, 3);
    QCOMPARE(read.optim.learningRate, defaults.optim.learningRate);
    QCOMPARE(read.model.width, defaults.model.width);
}

void TestTrainConfig::badJsonNamesTheField_data() {
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("mentions");
    QTest::newRow("lr as text") << R"({"optimization":{"lr":"fast"}})"
                                << "'optimization.lr': expected a number, found string";
    QTest::newRow("unknown backprop") << R"({"model":{"solver":{"backprop":"magic"}}})"
                                      << "'model.solver.backprop': backprop mode 'magic'";
    QTest::newRow("unknown key") << R"({"optimisation":{}})"
                                 << "'optimisation' is unknown";
    QTest::newRow("nested unknown key") << R"({"data":{"folder":"x"}})"
                                        << "'data.folder'";
    QTest::newRow("negative seed") << R"({"seed":-4})"
                                   << "'seed': expected an integer >= 0";
    QTest::newRow("fractional epochs") << R"({"optimization":{"epochs":1.5}})"
                                       << "'optimization.epochs': expected an integer";
    QTest::newRow("milestones") << R"({"optimization":{"milestones":[0.5,"x"]}})"
                                << "'optimization.milestones': expected an array of numbers";
    QTest::newRow("dataset") << R"({"data":{"dataset":"svhn"}})"
                             << "'data.dataset': dataset 'svhn' is unknown; choose one of mnist";
    QTest::newRow("model not an object") << R"({"model":3})"
                                         << "'model': expected an object, found number";
}

void TestTrainConfig::badJsonNamesTheField() {
    QFETCH(QString, text);
    QFETCH(QString, mentions);
    const std::string message = gode::test::messageOf<InvalidSetting>(
        [&] { gode::trainConfigFromJson(json::parse(text.toStdString())); });
    GODE_VERIFY_CONTAINS(message, mentions.toStdString());
}

void TestTrainConfig::validateNamesTheField_data() {
    QTest::addColumn<QString>("field");
    QTest::addColumn<QString>("mentions");
    QTest::newRow("lr") << "lr"
                        << "lr = -1 is invalid";
    QTest::newRow("epochs") << "epochs"
                            << "epochs = 0 is invalid";
    QTest::newRow("batch") << "batch"
                           << "batch size = 0 is invalid";
    QTest::newRow("momentum") << "momentum"
                              << "momentum = 1 is invalid";
    QTest::newRow("milestones") << "milestones"
                                << "milestone = 0.5 is invalid";
    QTest::newRow("device") << "device"
                            << "device 'tpu' is unknown; choose one of cpu, cuda";
    QTest::newRow("threads") << "threads"
                             << "threads = -2 is invalid";
    QTest::newRow("data directory") << "directory"
                                    << "data directory is empty";
    QTest::newRow("crop") << "crop"
                          << "crop padding = 40 is invalid";
    QTest::newRow("width") << "width"
                           << "width = 48 is invalid";
    QTest::newRow("channels") << "channels"
                              << "dataset cifar10 has 3x32x32 images";
}

void TestTrainConfig::validateNamesTheField() {
    QFETCH(QString, field);
    QFETCH(QString, mentions);
    TrainConfig config = gode::defaultTrainConfig();
    config.data.directory = "/data";
    config.validate();  // the defaults are valid

    if (field == "lr")
        config.optim.learningRate = -1;
    else if (field == "epochs")
        config.optim.epochs = 0;
    else if (field == "batch")
        config.optim.batchSize = 0;
    else if (field == "momentum")
        config.optim.momentum = 1.0;
    else if (field == "milestones")
        config.optim.milestones = {0.7, 0.5};
    else if (field == "device")
        config.device = "tpu";
    else if (field == "threads")
        config.threads = -2;
    else if (field == "directory")
        config.data.directory.clear();
    else if (field == "crop")
        config.data.cropPadding = 40;
    else if (field == "width")
        config.model.width = 48;
    else if (field == "channels")
        config.data.dataset = gode::DatasetKind::Cifar10;  // model left at 1x28x28

    const std::string message = gode::test::messageOf<InvalidSetting>([&] { config.validate(); });
    GODE_VERIFY_CONTAINS(message, mentions.toStdString());
}

void TestTrainConfig::presetsArePublished_data() {
    QTest::addColumn<QString>("preset");
    QTest::addColumn<int>("channels");
    QTest::addColumn<int>("basisCount");
    QTest::addColumn<int>("parameters");
    QTest::newRow("paper-mnist") << "paper-mnist" << 1 << 4 << 428042;
    QTest::newRow("paper-cifar10") << "paper-cifar10" << 3 << 8 << 724106;
}

void TestTrainConfig::presetsArePublished() {
    QFETCH(QString, preset);
    QFETCH(int, channels);
    QFETCH(int, basisCount);
    QFETCH(int, parameters);
    TrainConfig config = gode::presetConfig(preset.toStdString());
    config.data.directory = "/data";
    config.validate();

    QCOMPARE(config.model.inputChannels, int64_t(channels));
    GODE_COMPARE_NAMES(config.model.kind, gode::ModelKind::Gode);
    QCOMPARE(config.model.width, int64_t(64));
    QCOMPARE(config.model.splineOrder, 2);
    QCOMPARE(config.model.interiorKnots + config.model.splineOrder, basisCount);
    GODE_COMPARE_NAMES(config.model.placement, gode::KnotPlacement::Published);
    QCOMPARE(config.model.solver.method, std::string("euler"));
    QCOMPARE(config.model.horizon / config.model.solver.steps, 0.05);
    GODE_COMPARE_NAMES(config.model.solver.backprop, gode::Backprop::Direct);
    QCOMPARE(config.data.cropPadding, 4);
    GODE_COMPARE_NAMES(config.optim.optimizer, gode::OptimizerKind::Sgd);
    QCOMPARE(config.optim.learningRate, 0.1);
    QCOMPARE(config.optim.momentum, 0.9);
    QCOMPARE(config.optim.weightDecay, 0.0);
    GODE_COMPARE_NAMES(config.optim.schedule, gode::ScheduleKind::Step);
    QCOMPARE(config.optim.epochs, 160);
    QCOMPARE(config.optim.batchSize, int64_t(128));
    QCOMPARE(config.optim.testBatchSize, int64_t(1000));
    gode::GodeNet net(config.model);
    QCOMPARE(gode::countParameters(*net), int64_t(parameters));
}

void TestTrainConfig::stepScheduleDecaysAtPublishedEpochs() {
    const gode::OptimConfig optim = gode::paperMnistConfig().optim;
    // 0-based epochs 59 and 60 are the published 60th and 61st: the decay starts after 60.
    const std::vector<std::pair<int, double>> expected = {{0, 0.1},      {59, 0.1},    {60, 0.01},
                                                          {99, 0.01},    {100, 0.001}, {139, 0.001},
                                                          {140, 0.0001}, {159, 0.0001}};
    for (const auto& [epoch, rate] : expected)
        QVERIFY2(near(gode::learningRateAt(optim, epoch, 17, 469), rate),
                 qPrintable(QString("epoch %1").arg(epoch)));
}

void TestTrainConfig::cosineAndOneCycleFollowTheirFormulas() {
    gode::OptimConfig optim;
    optim.learningRate = 0.2;
    optim.epochs = 4;
    optim.schedule = gode::ScheduleKind::Cosine;
    // 100 batches per epoch, 400 in all: halfway lr / 2, a quarter in lr (1 + cos(pi/4)) / 2.
    QVERIFY(near(gode::learningRateAt(optim, 0, 0, 100), 0.2));
    QVERIFY(near(gode::learningRateAt(optim, 2, 0, 100), 0.1));
    QVERIFY(near(gode::learningRateAt(optim, 1, 0, 100), 0.1 * (1 + std::sqrt(0.5))));

    optim.schedule = gode::ScheduleKind::OneCycle;
    // Warm-up over the first 120 batches from 0.2 / 25 = 0.008, peak 0.2 at batch 120,
    // halfway through the warm-up (0.008 + 0.2) / 2; then down to 0.008 / 1e4 at the end.
    QVERIFY(near(gode::learningRateAt(optim, 0, 0, 100), 0.008));
    QVERIFY(near(gode::learningRateAt(optim, 0, 60, 100), 0.104));
    QVERIFY(near(gode::learningRateAt(optim, 1, 20, 100), 0.2));
    QVERIFY(near(gode::learningRateAt(optim, 2, 60, 100), (0.2 + 8e-7) / 2));
    QVERIFY(near(gode::learningRateAt(optim, 4, 0, 100), 8e-7));
}

QTEST_GUILESS_MAIN(TestTrainConfig)
#include "test_train_config.moc"
