// The window's configuration side: the panel produces the configuration its controls show,
// counts parameters like the paper, explains invalid settings, disables CUDA without a GPU;
// the first-start data search; the version and licence text.
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFile>
#include <QLabel>
#include <QSpinBox>
#include <QTemporaryDir>

#include "gode/version.h"
#include "test_support.h"
#include "train/dataset.h"
#include "train/train_errors.h"
#include "ui/about.h"
#include "ui/config_panel.h"
#include "ui/data_location.h"

using gode::ConfigPanel;

namespace {

template <typename Widget>
Widget* control(const ConfigPanel& panel, const char* name) {
    Widget* found = panel.findChild<Widget*>(name);
    if (!found)
        qFatal("the panel has no control named %s", name);
    return found;
}

void choose(const ConfigPanel& panel, const char* name, const QString& value) {
    QComboBox* box = control<QComboBox>(panel, name);
    const int index = box->findData(value);
    QVERIFY2(index >= 0, qPrintable(QString("%1 has no choice %2").arg(name, value)));
    box->setCurrentIndex(index);
}

QByteArray contentsOf(const QString& path) {
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

// Creates the four MNIST file names (empty files: the search looks at names only).
void createMnistNames(const QString& folder) {
    QDir().mkpath(folder);
    for (const char* name : {"train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
                             "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte.gz"}) {
        QFile file(QDir(folder).filePath(name));
        QVERIFY(file.open(QIODevice::WriteOnly));
    }
}

}  // namespace

class TestUiConfig : public QObject {
    Q_OBJECT

  private slots:
    void controlsProduceTheConfiguration();
    void setConfigShowsEveryField();
    void publishedPresetsCountThePapersParameters();
    void modelPresetsSetTheSpecialCases();
    void eachDatasetKeepsItsFolder();
    void invalidSettingIsExplainedInPlace();
    void solverChoiceEnablesItsSettings();
    void cudaIsDisabledWithoutGpu();
    void dataSearchOrder();
    void embeddedSampleUnpacksToTheSampleFiles();
    void versionTextNamesVersionsAndLicences();
    void iconComesFromTheResources();
};

void TestUiConfig::controlsProduceTheConfiguration() {
    ConfigPanel panel;
    choose(panel, "dataset", "cifar10");
    control<QLineEdit>(panel, "folder")->setText("/data/cifar");
    choose(panel, "model", "gode");
    control<QSpinBox>(panel, "splineOrder")->setValue(4);
    control<QSpinBox>(panel, "interiorKnots")->setValue(3);
    choose(panel, "placement", "published");
    control<QSpinBox>(panel, "width")->setValue(64);
    choose(panel, "solver", "dopri5");
    choose(panel, "backprop", "adjoint");
    control<QDoubleSpinBox>(panel, "rtol")->setValue(1e-4);
    control<QDoubleSpinBox>(panel, "atol")->setValue(1e-6);
    control<QSpinBox>(panel, "epochs")->setValue(7);
    control<QSpinBox>(panel, "batch")->setValue(64);
    control<QDoubleSpinBox>(panel, "learningRate")->setValue(0.05);
    choose(panel, "optimizer", "adamw");
    choose(panel, "schedule", "cosine");
    control<QSpinBox>(panel, "threads")->setValue(3);
    control<QSpinBox>(panel, "seed")->setValue(42);
    control<QSpinBox>(panel, "trainLimit")->setValue(1000);
    control<QSpinBox>(panel, "cropPadding")->setValue(3);  // the default is 2

    const gode::TrainConfig config = panel.config();
    GODE_COMPARE_NAMES(config.data.dataset, gode::DatasetKind::Cifar10);
    QCOMPARE(config.model.inputChannels, int64_t{3});  // the dataset sets the input shape
    QCOMPARE(config.model.imageSize, int64_t{32});
    QCOMPARE(config.data.directory, std::string("/data/cifar"));
    QCOMPARE(config.data.trainLimit, int64_t{1000});
    QCOMPARE(config.data.cropPadding, 3);
    QCOMPARE(config.model.splineOrder, 4);
    QCOMPARE(config.model.interiorKnots, 3);
    GODE_COMPARE_NAMES(config.model.placement, gode::KnotPlacement::Published);
    QCOMPARE(config.model.width, int64_t{64});
    QCOMPARE(config.model.solver.method, std::string("dopri5"));
    GODE_COMPARE_NAMES(config.model.solver.backprop, gode::Backprop::Adjoint);
    QCOMPARE(config.model.solver.rtol, 1e-4);
    QCOMPARE(config.model.solver.atol, 1e-6);
    QCOMPARE(config.optim.epochs, 7);
    QCOMPARE(config.optim.batchSize, int64_t{64});
    QCOMPARE(config.optim.learningRate, 0.05);
    GODE_COMPARE_NAMES(config.optim.optimizer, gode::OptimizerKind::AdamW);
    GODE_COMPARE_NAMES(config.optim.schedule, gode::ScheduleKind::Cosine);
    QCOMPARE(config.threads, 3);
    QCOMPARE(config.seed, uint64_t{42});
    QVERIFY(panel.isValid());
    QCOMPARE(panel.basisCount(), 7);  // K = m + p
}

// What setConfig shows comes back unchanged from config(), fields the panel does not show too.
void TestUiConfig::setConfigShowsEveryField() {
    gode::TrainConfig expected = gode::paperCifar10Config();
    expected.data.directory = "/somewhere/cifar";
    expected.optim.epochs = 3;
    expected.optim.gamma = 0.5;  // not on the panel
    expected.model.solver.steps = 7;
    expected.seed = 9;
    ConfigPanel panel;
    panel.setConfig(expected);
    QCOMPARE(QString::fromStdString(gode::toJson(panel.config()).dump()),
             QString::fromStdString(gode::toJson(expected).dump()));
}

// method.md: 428,042 (MNIST, K = 4) and 724,106 (CIFAR-10, K = 8) parameters in the paper.
void TestUiConfig::publishedPresetsCountThePapersParameters() {
    ConfigPanel panel;
    panel.applyPreset("Published MNIST");
    QCOMPARE(panel.basisCount(), 4);
    QCOMPARE(panel.parameterCount(), int64_t{428042});
    QVERIFY(control<QLabel>(panel, "size")->text().contains("428,042"));

    panel.applyPreset("Published CIFAR-10");
    QCOMPARE(panel.basisCount(), 8);
    QCOMPARE(panel.parameterCount(), int64_t{724106});
    GODE_COMPARE_NAMES(panel.config().data.dataset, gode::DatasetKind::Cifar10);
}

void TestUiConfig::modelPresetsSetTheSpecialCases() {
    ConfigPanel panel;
    panel.setDataFolder("/data/mnist");
    panel.applyPreset("Neural-ODE");
    GODE_COMPARE_NAMES(panel.config().model.kind, gode::ModelKind::Node);
    QCOMPARE(panel.basisCount(), 1);  // one constant weight
    QVERIFY(!control<QSpinBox>(panel, "splineOrder")->isEnabled());
    QCOMPARE(panel.config().data.directory, std::string("/data/mnist"));  // the folder is kept

    panel.applyPreset("ResNet");
    GODE_COMPARE_NAMES(panel.config().model.kind, gode::ModelKind::Resnet);
    QCOMPARE(panel.basisCount(), panel.config().model.blocks);  // one piece per block
    QVERIFY(control<QSpinBox>(panel, "blocks")->isEnabled());
    QVERIFY(!control<QComboBox>(panel, "solver")->isEnabled());

    panel.applyPreset("GODE");
    GODE_COMPARE_NAMES(panel.config().model.kind, gode::ModelKind::Gode);
}

void TestUiConfig::eachDatasetKeepsItsFolder() {
    ConfigPanel panel;
    panel.setFoldersByDataset({{"cifar10", "/data/cifar"}});
    panel.setDataFolder("/data/mnist");
    choose(panel, "dataset", "cifar10");
    QCOMPARE(panel.dataFolder(), QString("/data/cifar"));
    choose(panel, "dataset", "fashion-mnist");
    QCOMPARE(panel.dataFolder(), QString());  // none known: the panel asks for one
    QVERIFY(!panel.isValid());
    choose(panel, "dataset", "mnist");
    QCOMPARE(panel.dataFolder(), QString("/data/mnist"));
    QCOMPARE(panel.foldersByDataset().value("cifar10"), QString("/data/cifar"));

    // A preset for another dataset takes that dataset's folder; an edit leaves the preset.
    panel.applyPreset("Published CIFAR-10");
    QCOMPARE(panel.config().data.directory, std::string("/data/cifar"));
    QCOMPARE(panel.presetBox()->currentText(), QString("Published CIFAR-10"));
    control<QSpinBox>(panel, "epochs")->setValue(3);
    QCOMPARE(panel.presetBox()->currentIndex(), -1);
}

void TestUiConfig::invalidSettingIsExplainedInPlace() {
    ConfigPanel panel;
    panel.setDataFolder("/data/mnist");
    QVERIFY(panel.isValid());
    QSignalSpy validity(&panel, &ConfigPanel::validityChanged);

    control<QSpinBox>(panel, "width")->setValue(40);  // above 32, not a multiple of 32
    QVERIFY(!panel.isValid());
    QCOMPARE(validity.count(), 1);
    QCOMPARE(validity.at(0).at(0).toBool(), false);
    QVERIFY2(panel.problem().contains("width"), qPrintable(panel.problem()));
    QLabel* problem = control<QLabel>(panel, "problem");
    QCOMPARE(problem->text(), panel.problem());
    QVERIFY(!problem->isHidden());
    QCOMPARE(panel.parameterCount(), int64_t{0});

    // A missing data folder is a problem too, but the model's figures still show.
    control<QSpinBox>(panel, "width")->setValue(64);
    panel.setDataFolder("");
    QVERIFY(!panel.isValid());
    QVERIFY2(panel.problem().contains("data directory"), qPrintable(panel.problem()));
    QVERIFY(panel.parameterCount() > 0);
    panel.setDataFolder("/data/mnist");
    QVERIFY(panel.isValid());
    QCOMPARE(validity.count(), 4);  // width bad, good; folder missing, given
    QVERIFY(problem->isHidden());
}

void TestUiConfig::solverChoiceEnablesItsSettings() {
    ConfigPanel panel;
    choose(panel, "solver", "dopri5");
    QVERIFY(control<QDoubleSpinBox>(panel, "rtol")->isEnabled());
    QVERIFY(control<QDoubleSpinBox>(panel, "atol")->isEnabled());
    QVERIFY(!control<QSpinBox>(panel, "steps")->isEnabled());
    choose(panel, "solver", "rk4");
    QVERIFY(!control<QDoubleSpinBox>(panel, "rtol")->isEnabled());
    QVERIFY(control<QSpinBox>(panel, "steps")->isEnabled());
    // The backprop mode sits beside the solver and reaches the configuration.
    choose(panel, "backprop", "checkpoint");
    GODE_COMPARE_NAMES(panel.config().model.solver.backprop, gode::Backprop::Checkpoint);
}

void TestUiConfig::cudaIsDisabledWithoutGpu() {
    ConfigPanel panel;
    if (torch::cuda::is_available()) {
        QVERIFY(panel.cudaSelectable());
        return;
    }
    QVERIFY(!panel.cudaSelectable());
    QVERIFY2(panel.cudaToolTip().contains("no CUDA"), qPrintable(panel.cudaToolTip()));
    // A configuration saved on a GPU machine falls back to the CPU here.
    gode::TrainConfig config = gode::defaultTrainConfig();
    config.device = "cuda";
    panel.setConfig(config);
    QCOMPARE(panel.config().device, std::string("cpu"));
}

void TestUiConfig::dataSearchOrder() {
    QTemporaryDir root;
    const QString configured = root.filePath("remembered");
    const QString environment = root.filePath("env");
    const QString program = root.filePath("bin");
    createMnistNames(configured);
    createMnistNames(environment + "/mnist");  // a data folder with an mnist/ subfolder
    createMnistNames(program + "/data");
    const QString sample = root.filePath("sample");

    gode::DataLocation found = gode::findStartupData(configured, environment, program, sample);
    QCOMPARE(found.source, gode::DataSource::Configured);
    QCOMPARE(found.folder, QDir(configured).absolutePath());

    found = gode::findStartupData("", environment, program, sample);
    QCOMPARE(found.source, gode::DataSource::Environment);
    QCOMPARE(found.folder, QDir(environment + "/mnist").absolutePath());

    found = gode::findStartupData(root.filePath("missing"), "", program, sample);
    QCOMPARE(found.source, gode::DataSource::BesideProgram);
    QCOMPARE(found.folder, QDir(program + "/data").absolutePath());

    // A folder that lacks one of the four files does not count.
    QFile::remove(QDir(program + "/data").filePath("t10k-images-idx3-ubyte"));
    found = gode::findStartupData("", "", program, sample);
    QCOMPARE(found.source, gode::DataSource::EmbeddedSample);
    QCOMPARE(found.folder, QDir(sample).absolutePath());
    QVERIFY(found.description.contains("built-in sample"));
}

void TestUiConfig::embeddedSampleUnpacksToTheSampleFiles() {
    QTemporaryDir root;
    const QString folder = gode::unpackEmbeddedSample(root.filePath("sample"));
    const QDir source(GODE_SOURCE_DIR "/resources/mnist-sample");
    for (const char* name : {"train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
                             "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"}) {
        const QByteArray unpacked = contentsOf(QDir(folder).filePath(name));
        QVERIFY(!unpacked.isEmpty());
        QCOMPARE(unpacked, contentsOf(source.filePath(name)));
    }
    const gode::Dataset dataset = gode::loadDataset(gode::DatasetKind::Mnist, folder.toStdString());
    QCOMPARE(dataset.train.size(), int64_t{2000});
    QCOMPARE(dataset.test.size(), int64_t{500});

    // A second unpack over the first works (the copies are writable).
    QCOMPARE(gode::unpackEmbeddedSample(folder), folder);

    // An unwritable place is named in the error.
    const std::string message = gode::test::messageOf<gode::DataError>(
        [] { gode::unpackEmbeddedSample("/proc/no-such-place/sample"); });
    GODE_VERIFY_CONTAINS(message, "/proc/no-such-place/sample");
}

void TestUiConfig::versionTextNamesVersionsAndLicences() {
    const QString text = gode::versionText();
    QVERIFY(text.contains(QString("gode-explorer ") + GODE_VERSION));
    QVERIFY(text.contains(QString("LibTorch ") + GODE_LIBTORCH_VERSION));
    QVERIFY(text.contains(QString("Qt ") + QT_VERSION_STR + " (compiled), " + qVersion()));
    for (const char* licence : {"LGPL-3.0", "BSD-3-Clause", "QCustomPlot: GPL-3.0", "MIT",
                                "zlib licence", "CC BY-SA 3.0", "LeCun", "GODE Explorer: GPL-3.0"})
        QVERIFY2(text.contains(licence), licence);
}

void TestUiConfig::iconComesFromTheResources() {
    const QIcon icon = gode::applicationIcon();
    QVERIFY(!icon.isNull());
    const QImage image = icon.pixmap(64, 64).toImage();
    QCOMPARE(image.size(), QSize(64, 64));
    QCOMPARE(image, QImage(GODE_SOURCE_DIR "/resources/icons/gode-explorer-64.png")
                        .convertToFormat(image.format()));
}

QTEST_MAIN(TestUiConfig)

#include "test_ui_config.moc"
