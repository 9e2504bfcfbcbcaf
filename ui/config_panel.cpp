#include "config_panel.h"

#include <QComboBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QImage>
#include <QLabel>
#include <QLineEdit>
#include <QPainter>
#include <QPushButton>
#include <QSpinBox>
#include <QStandardItemModel>
#include <QVBoxLayout>

#include <torch/torch.h>

#include <cstring>
#include <limits>

#include "model/bspline.h"
#include "model/network.h"
#include "train/dataset.h"

namespace gode {

// A grid of the first test images of the chosen dataset with their labels, or why they cannot
// be read. Reads only the test files (one small file for MNIST, one batch for CIFAR-10).
class DataPreview : public QLabel {
  public:
    static constexpr int kColumns = 8;
    static constexpr int kRows = 2;

    DataPreview() {
        setAlignment(Qt::AlignCenter);
        setWordWrap(true);
        setMinimumHeight(2 * 44);
        setToolTip(
            tr("The first test images of the chosen dataset with their labels, so you can "
               "check that the folder holds what you expect."));
    }

    void showImagesOf(DatasetKind kind, const QString& folder) {
        try {
            const LabelledImages images = readTestImages(kind, folder);
            setPixmap(QPixmap::fromImage(grid(images, kind)));
        } catch (const std::exception& error) {
            setPixmap(QPixmap());
            setText("<span style='color:#b00020'>" +
                    QString::fromStdString(error.what()).toHtmlEscaped() + "</span>");
        }
    }

  private:
    static LabelledImages readTestImages(DatasetKind kind, const QString& folder) {
        const int count = kColumns * kRows;
        const QDir dir(folder);
        if (kind == DatasetKind::Cifar10) {
            const std::string path = dir.filePath("test_batch.bin").toStdString();
            return readCifarBatch(readFileBytes(path), path).first(count);
        }
        const auto idx = [&](const QString& name) {
            const QString raw = dir.filePath(name);
            const std::string path =
                QFileInfo(raw).exists() ? raw.toStdString() : (raw + ".gz").toStdString();
            return std::make_pair(readFileBytes(path), path);
        };
        const auto [imageBytes, imagePath] = idx("t10k-images-idx3-ubyte");
        const auto [labelBytes, labelPath] = idx("t10k-labels-idx1-ubyte");
        return pairIdx(readIdxImages(imageBytes, imagePath), imagePath,
                       readIdxLabels(labelBytes, labelPath, classCount(kind)), labelPath)
            .first(count);
    }

    static QString labelName(DatasetKind kind, int64_t label) {
        static const char* fashion[] = {"T-shirt", "Trouser", "Pullover", "Dress", "Coat",
                                        "Sandal",  "Shirt",   "Sneaker",  "Bag",   "Boot"};
        static const char* cifar[] = {"plane", "car",  "bird",  "cat",  "deer",
                                      "dog",   "frog", "horse", "ship", "truck"};
        if (label >= 0 && label < 10 && kind == DatasetKind::FashionMnist)
            return fashion[label];
        if (label >= 0 && label < 10 && kind == DatasetKind::Cifar10)
            return cifar[label];
        return QString::number(label);
    }

    static QImage grid(const LabelledImages& images, DatasetKind kind) {
        const int cell = 40, scale = 28, labelHeight = 12;
        QImage canvas(kColumns * cell, kRows * (cell + labelHeight - 8), QImage::Format_RGB32);
        canvas.fill(Qt::white);
        QPainter painter(&canvas);
        QFont font = painter.font();
        font.setPointSize(7);
        painter.setFont(font);
        const torch::Tensor pixels = images.images.permute({0, 2, 3, 1}).contiguous();
        for (int64_t i = 0; i < images.size(); ++i) {
            const int column = static_cast<int>(i % kColumns), row = static_cast<int>(i / kColumns);
            const QRect target(column * cell + (cell - scale) / 2, row * (cell + labelHeight - 8),
                               scale, scale);
            painter.drawImage(target, toImage(pixels[i]));
            painter.drawText(QRect(column * cell, target.bottom() + 1, cell, labelHeight),
                             Qt::AlignHCenter | Qt::AlignTop,
                             labelName(kind, images.labels[i].item<int64_t>()));
        }
        return canvas;
    }

    // One uint8 image [H, W, C] (C = 1 or 3) as a QImage that owns its pixels.
    static QImage toImage(const torch::Tensor& hwc) {
        const int height = static_cast<int>(hwc.size(0)), width = static_cast<int>(hwc.size(1));
        const bool grey = hwc.size(2) == 1;
        QImage image(width, height, grey ? QImage::Format_Grayscale8 : QImage::Format_RGB888);
        const uint8_t* data = hwc.data_ptr<uint8_t>();
        const int rowBytes = width * static_cast<int>(hwc.size(2));
        for (int y = 0; y < height; ++y)
            std::memcpy(image.scanLine(y), data + y * rowBytes, rowBytes);
        return grey ? image.convertToFormat(QImage::Format_RGB32) : image;
    }
};

// ---------------------------------------------------------------------------------------------

namespace {

QComboBox* comboOf(const QList<QPair<QString, QString>>& itemsAndValues, const QString& tip) {
    auto* box = new QComboBox;
    for (const auto& [text, value] : itemsAndValues)
        box->addItem(text, value);
    box->setToolTip(tip);
    return box;
}

QSpinBox* spinOf(int low, int high, const QString& tip, const QString& special = {}) {
    auto* box = new QSpinBox;
    box->setRange(low, high);
    box->setToolTip(tip);
    if (!special.isEmpty())
        box->setSpecialValueText(special);
    return box;
}

QDoubleSpinBox* doubleOf(double low, double high, int decimals, double step, const QString& tip) {
    auto* box = new QDoubleSpinBox;
    box->setRange(low, high);
    box->setDecimals(decimals);
    box->setSingleStep(step);
    box->setToolTip(tip);
    return box;
}

void selectData(QComboBox* box, const QString& value) {
    const int index = box->findData(value);
    if (index >= 0)
        box->setCurrentIndex(index);
}

QString dataOf(const QComboBox* box) {
    return box->currentData().toString();
}

QString qs(const std::string& text) {
    return QString::fromStdString(text);
}

std::string ss(const QString& text) {
    return text.toStdString();
}

// Adds a labelled row whose label carries the same tooltip as its field.
void addRow(QFormLayout* form, const QString& label, QWidget* field) {
    auto* text = new QLabel(label);
    text->setToolTip(field->toolTip());
    form->addRow(text, field);
}

QFormLayout* group(QVBoxLayout* column, const QString& title) {
    auto* box = new QGroupBox(title);
    auto* form = new QFormLayout(box);
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    column->addWidget(box);
    return form;
}

}  // namespace

ConfigPanel::ConfigPanel(QWidget* parent) : QWidget(parent), base_(defaultTrainConfig()) {
    auto* column = new QVBoxLayout(this);
    column->setContentsMargins(4, 4, 4, 4);

    presetBox_ = new QComboBox;
    presetBox_->addItems(presetNames());
    presetBox_->setPlaceholderText(tr("(own settings)"));
    presetBox_->setToolTip(
        tr("Fill in every setting for a well-known model; you can change any "
           "of them afterwards."));
    auto* presetRow = new QFormLayout;
    addRow(presetRow, tr("Preset"), presetBox_);
    column->addLayout(presetRow);

    buildDataGroup(group(column, tr("Data")));
    buildModelGroup(group(column, tr("Model")));
    buildSolverGroup(group(column, tr("Solver")));
    buildTrainingGroup(group(column, tr("Training")));
    buildDeviceGroup(group(column, tr("Device")));

    problemLabel_ = new QLabel;
    problemLabel_->setWordWrap(true);
    problemLabel_->setStyleSheet("color: #b00020;");
    column->addWidget(problemLabel_);
    column->addStretch(1);

    nameControls();
    setConfig(base_);
    connectChanges();
    connect(presetBox_, &QComboBox::activated, this,
            [this](int index) { applyPreset(presetBox_->itemText(index)); });
}

void ConfigPanel::buildDataGroup(QFormLayout* form) {
    datasetBox_ =
        comboOf({{"MNIST", "mnist"}, {"Fashion-MNIST", "fashion-mnist"}, {"CIFAR-10", "cifar10"}},
                tr("Which images to classify: handwritten digits, clothing pictures, or "
                   "small colour photos."));
    addRow(form, tr("Dataset"), datasetBox_);

    folderEdit_ = new QLineEdit;
    folderEdit_->setToolTip(
        tr("The folder that holds the dataset's standard files (IDX files "
           "for MNIST, binary batches for CIFAR-10)."));
    folderButton_ = new QPushButton(tr("Choose..."));
    folderButton_->setToolTip(tr("Pick the dataset folder in a file dialog."));
    connect(folderButton_, &QPushButton::clicked, this, &ConfigPanel::chooseDataFolder);
    auto* folderRow = new QWidget;
    auto* folderLayout = new QHBoxLayout(folderRow);
    folderLayout->setContentsMargins(0, 0, 0, 0);
    folderLayout->addWidget(folderEdit_, 1);
    folderLayout->addWidget(folderButton_);
    folderRow->setToolTip(folderEdit_->toolTip());
    addRow(form, tr("Folder"), folderRow);

    preview_ = new DataPreview;
    form->addRow(preview_);

    trainLimitBox_ = spinOf(0, std::numeric_limits<int>::max(),
                            tr("Train on only the first N images, for a quicker try; 0 uses all "
                               "of them."),
                            tr("all"));
    addRow(form, tr("Training images"), trainLimitBox_);
    testLimitBox_ =
        spinOf(0, std::numeric_limits<int>::max(),
               tr("Test on only the first N test images; 0 uses all of them."), tr("all"));
    addRow(form, tr("Test images"), testLimitBox_);
    cropBox_ = spinOf(0, 16,
                      tr("Random-crop augmentation: pad each image by this many pixels and cut a "
                         "random window back out; 0 turns it off."),
                      tr("off"));
    addRow(form, tr("Crop padding"), cropBox_);
}

void ConfigPanel::buildModelGroup(QFormLayout* form) {
    modelBox_ = comboOf({{tr("GODE (spline weights)"), "gode"},
                         {tr("Neural-ODE (one weight)"), "node"},
                         {tr("ResNet (one weight per block)"), "resnet"}},
                        tr("GODE lets the weights change with depth along a spline; a Neural-ODE "
                           "keeps one weight; a ResNet has separate weights per block."));
    addRow(form, tr("Model"), modelBox_);

    orderBox_ = spinOf(1, 6,
                       tr("Spline order: 1 is piecewise constant, 2 piecewise linear, 4 cubic "
                          "(smoother weights over depth)."));
    addRow(form, tr("Spline order"), orderBox_);
    knotsBox_ = spinOf(0, 64,
                       tr("Interior knots: places inside the depth range where the weights may "
                          "change course; more knots mean more weights to learn."));
    addRow(form, tr("Interior knots"), knotsBox_);
    placementBox_ = comboOf({{tr("Clamped"), "clamped"}, {tr("Published"), "published"}},
                            tr("Clamped knots make the basis sum to 1 everywhere; 'published' "
                               "spaces them like the paper's code, where the weights start at 0."));
    addRow(form, tr("Knot placement"), placementBox_);
    blocksBox_ = spinOf(1, 200,
                        tr("Number of ResNet blocks, each with its own weights (one Euler step "
                           "per block)."));
    addRow(form, tr("ResNet blocks"), blocksBox_);
    widthBox_ = spinOf(8, 512,
                       tr("Channels of the hidden state: wider learns more but costs more time "
                          "and memory (32 or a multiple of 32)."));
    widthBox_->setSingleStep(32);
    addRow(form, tr("Width"), widthBox_);

    sizeLabel_ = new QLabel;
    sizeLabel_->setToolTip(
        tr("K is the number of spline basis functions (interior knots + "
           "order); the parameter count is of the whole network."));
    form->addRow(sizeLabel_);
}

void ConfigPanel::buildSolverGroup(QFormLayout* form) {
    solverBox_ = new QComboBox;
    for (const SolverInfo& info : solverCatalog()) {
        solverBox_->addItem(qs(info.name), qs(info.name));
        solverBox_->setItemData(solverBox_->count() - 1, qs(info.description), Qt::ToolTipRole);
    }
    solverBox_->setToolTip(
        tr("How the ODE is solved over depth: Euler is the simplest, "
           "Dormand-Prince (dopri5) picks its own steps to meet a tolerance."));
    addRow(form, tr("Solver"), solverBox_);

    backpropBox_ = comboOf(
        {{tr("direct"), "direct"}, {tr("checkpoint"), "checkpoint"}, {tr("adjoint"), "adjoint"}},
        tr("How gradients pass back through the solver: direct is fastest, "
           "checkpoint saves memory exactly, adjoint saves the most but is "
           "approximate."));
    addRow(form, tr("Backprop"), backpropBox_);

    stepsBox_ = spinOf(1, 1000,
                       tr("Equal steps over depth for fixed-step solvers; knots may split them "
                          "further."));
    addRow(form, tr("Steps"), stepsBox_);
    rtolBox_ = doubleOf(1e-8, 1.0, 8, 1e-4,
                        tr("Relative tolerance of Dormand-Prince: smaller is more accurate and "
                           "slower."));
    addRow(form, tr("rtol"), rtolBox_);
    atolBox_ = doubleOf(1e-10, 1.0, 10, 1e-5,
                        tr("Absolute tolerance of Dormand-Prince: the error allowed near zero."));
    addRow(form, tr("atol"), atolBox_);
}

void ConfigPanel::buildTrainingGroup(QFormLayout* form) {
    epochsBox_ = spinOf(1, 10000, tr("How many times training goes through all training images."));
    addRow(form, tr("Epochs"), epochsBox_);
    batchBox_ = spinOf(1, 65536,
                       tr("Images per training step: small batches learn more per "
                          "image, large ones run faster per image."));
    addRow(form, tr("Batch"), batchBox_);
    lrBox_ = doubleOf(1e-6, 10.0, 5, 0.01,
                      tr("Peak learning rate: how big the optimizer's steps are; too big "
                         "diverges, too small learns slowly."));
    addRow(form, tr("Learning rate"), lrBox_);
    optimizerBox_ = comboOf({{"SGD (momentum 0.9)", "sgd"}, {"AdamW", "adamw"}},
                            tr("The rule that updates the weights from their gradients."));
    addRow(form, tr("Optimizer"), optimizerBox_);
    scheduleBox_ = comboOf(
        {{tr("one-cycle"), "onecycle"}, {tr("cosine"), "cosine"}, {tr("step (x0.1)"), "step"}},
        tr("How the learning rate changes over the run: one-cycle warms up "
           "then anneals, cosine decays smoothly, step drops it 10x at set "
           "epochs."));
    addRow(form, tr("Schedule"), scheduleBox_);
    weightDecayBox_ = doubleOf(0.0, 1.0, 6, 1e-4,
                               tr("Pulls weights gently towards zero each step to curb "
                                  "overfitting; 0 turns it off."));
    addRow(form, tr("Weight decay"), weightDecayBox_);
}

void ConfigPanel::buildDeviceGroup(QFormLayout* form) {
    deviceBox_ = comboOf({{"CPU", "cpu"}, {"CUDA (GPU)", "cuda"}},
                         tr("Where the arithmetic runs: the processor, or an NVIDIA graphics "
                            "card if LibTorch can use one."));
    // The CUDA choice stays visible, greyed, with the reason: a student then knows it exists.
    if (!torch::cuda::is_available()) {
        auto* model = qobject_cast<QStandardItemModel*>(deviceBox_->model());
        QStandardItem* cuda = model->item(1);
        cuda->setEnabled(false);
        cuda->setToolTip(
            tr("Disabled: LibTorch sees no CUDA GPU on this computer (or was built "
               "without CUDA)."));
    }
    addRow(form, tr("Device"), deviceBox_);
    threadsBox_ =
        spinOf(0, 256, tr("CPU threads LibTorch may use; 0 uses all cores."), tr("all cores"));
    addRow(form, tr("Threads"), threadsBox_);
    seedBox_ = spinOf(0, std::numeric_limits<int>::max(),
                      tr("Starting point of every random choice: the same seed repeats the same "
                         "run."));
    addRow(form, tr("Seed"), seedBox_);
}

// Object names let tests and style sheets find the controls; they are the config's field names.
void ConfigPanel::nameControls() {
    const std::pair<QWidget*, const char*> names[] = {{presetBox_, "preset"},
                                                      {datasetBox_, "dataset"},
                                                      {folderEdit_, "folder"},
                                                      {trainLimitBox_, "trainLimit"},
                                                      {testLimitBox_, "testLimit"},
                                                      {cropBox_, "cropPadding"},
                                                      {modelBox_, "model"},
                                                      {orderBox_, "splineOrder"},
                                                      {knotsBox_, "interiorKnots"},
                                                      {placementBox_, "placement"},
                                                      {blocksBox_, "blocks"},
                                                      {widthBox_, "width"},
                                                      {solverBox_, "solver"},
                                                      {backpropBox_, "backprop"},
                                                      {stepsBox_, "steps"},
                                                      {rtolBox_, "rtol"},
                                                      {atolBox_, "atol"},
                                                      {epochsBox_, "epochs"},
                                                      {batchBox_, "batch"},
                                                      {lrBox_, "learningRate"},
                                                      {optimizerBox_, "optimizer"},
                                                      {scheduleBox_, "schedule"},
                                                      {weightDecayBox_, "weightDecay"},
                                                      {deviceBox_, "device"},
                                                      {threadsBox_, "threads"},
                                                      {seedBox_, "seed"},
                                                      {problemLabel_, "problem"},
                                                      {sizeLabel_, "size"}};
    for (const auto& [widget, name] : names)
        widget->setObjectName(name);
}

void ConfigPanel::connectChanges() {
    for (QComboBox* box : findChildren<QComboBox*>())
        if (box != presetBox_)
            connect(box, &QComboBox::currentIndexChanged, this, &ConfigPanel::onChanged);
    for (QSpinBox* box : findChildren<QSpinBox*>())
        connect(box, &QSpinBox::valueChanged, this, &ConfigPanel::onChanged);
    for (QDoubleSpinBox* box : findChildren<QDoubleSpinBox*>())
        connect(box, &QDoubleSpinBox::valueChanged, this, &ConfigPanel::onChanged);
    connect(folderEdit_, &QLineEdit::editingFinished, this, [this] {
        onChanged();
        updatePreview();
    });
    connect(datasetBox_, &QComboBox::currentIndexChanged, this, &ConfigPanel::switchDataset);
    // Any edit makes the configuration the user's own: the preset box stops naming a preset.
    connect(this, &ConfigPanel::configChanged, this, [this] { presetBox_->setCurrentIndex(-1); });
}

void ConfigPanel::switchDataset() {
    if (updating_)
        return;
    foldersByDataset_[shownDataset_] = dataFolder();
    shownDataset_ = dataOf(datasetBox_);
    folderEdit_->setText(foldersByDataset_.value(shownDataset_));
    onChanged();
    updatePreview();
}

QHash<QString, QString> ConfigPanel::foldersByDataset() const {
    QHash<QString, QString> folders = foldersByDataset_;
    folders[shownDataset_] = dataFolder();
    return folders;
}

void ConfigPanel::setFoldersByDataset(const QHash<QString, QString>& folders) {
    foldersByDataset_ = folders;
}

// ---------------------------------------------------------------------------------------------

QStringList ConfigPanel::presetNames() {
    return {"GODE", "Neural-ODE", "ResNet", "Published MNIST", "Published CIFAR-10"};
}

void ConfigPanel::applyPreset(const QString& name) {
    TrainConfig preset = defaultTrainConfig();
    if (name == "Neural-ODE")
        preset.model.kind = ModelKind::Node;
    else if (name == "ResNet")
        preset.model.kind = ModelKind::Resnet;
    else if (name == "Published MNIST")
        preset = paperMnistConfig();
    else if (name == "Published CIFAR-10")
        preset = paperCifar10Config();
    else if (name != "GODE")
        return;

    // The data folder belongs to the computer, not to the preset: the preset's dataset gets
    // the folder last used for it. The thread count does come from the preset: the fastest
    // one depends on the batch (one thread for the GODE defaults' small batches, all cores
    // for the published batch of 128).
    const TrainConfig current = config();
    preset.data.directory =
        foldersByDataset().value(qs(toString(preset.data.dataset))).toStdString();
    preset.device = current.device;
    preset.outputDirectory = current.outputDirectory;
    setConfig(preset);
    presetBox_->setCurrentIndex(presetNames().indexOf(name));
}

TrainConfig ConfigPanel::config() const {
    TrainConfig config = base_;
    config.setDataset(datasetKindFromString(ss(dataOf(datasetBox_))));
    config.data.directory = ss(folderEdit_->text().trimmed());
    config.data.trainLimit = trainLimitBox_->value();
    config.data.testLimit = testLimitBox_->value();
    config.data.cropPadding = cropBox_->value();

    ModelConfig& model = config.model;
    model.kind = modelKindFromString(ss(dataOf(modelBox_)));
    model.splineOrder = orderBox_->value();
    model.interiorKnots = knotsBox_->value();
    model.placement = knotPlacementFromString(ss(dataOf(placementBox_)));
    model.blocks = blocksBox_->value();
    model.width = widthBox_->value();
    model.solver.method = ss(dataOf(solverBox_));
    model.solver.backprop = backpropFromString(ss(dataOf(backpropBox_)));
    model.solver.steps = stepsBox_->value();
    model.solver.rtol = rtolBox_->value();
    model.solver.atol = atolBox_->value();

    OptimConfig& optim = config.optim;
    optim.epochs = epochsBox_->value();
    optim.batchSize = batchBox_->value();
    optim.learningRate = lrBox_->value();
    optim.optimizer = optimizerKindFromString(ss(dataOf(optimizerBox_)));
    optim.schedule = scheduleKindFromString(ss(dataOf(scheduleBox_)));
    optim.weightDecay = weightDecayBox_->value();

    config.device = ss(dataOf(deviceBox_));
    config.threads = threadsBox_->value();
    config.seed = static_cast<uint64_t>(seedBox_->value());
    return config;
}

void ConfigPanel::setConfig(const TrainConfig& config) {
    updating_ = true;
    base_ = config;
    selectData(datasetBox_, qs(toString(config.data.dataset)));
    shownDataset_ = dataOf(datasetBox_);
    folderEdit_->setText(qs(config.data.directory));
    trainLimitBox_->setValue(static_cast<int>(config.data.trainLimit));
    testLimitBox_->setValue(static_cast<int>(config.data.testLimit));
    cropBox_->setValue(config.data.cropPadding);

    const ModelConfig& model = config.model;
    selectData(modelBox_, qs(toString(model.kind)));
    orderBox_->setValue(model.splineOrder);
    knotsBox_->setValue(model.interiorKnots);
    selectData(placementBox_, qs(toString(model.placement)));
    blocksBox_->setValue(model.blocks);
    widthBox_->setValue(static_cast<int>(model.width));
    selectData(solverBox_, qs(model.solver.method));
    selectData(backpropBox_, qs(toString(model.solver.backprop)));
    stepsBox_->setValue(model.solver.steps);
    rtolBox_->setValue(model.solver.rtol);
    atolBox_->setValue(model.solver.atol);

    epochsBox_->setValue(config.optim.epochs);
    batchBox_->setValue(static_cast<int>(config.optim.batchSize));
    lrBox_->setValue(config.optim.learningRate);
    selectData(optimizerBox_, qs(toString(config.optim.optimizer)));
    selectData(scheduleBox_, qs(toString(config.optim.schedule)));
    weightDecayBox_->setValue(config.optim.weightDecay);

    // A saved "cuda" on a computer without a GPU falls back to the CPU rather than to an error.
    selectData(deviceBox_, config.device == "cuda" && cudaSelectable() ? "cuda" : "cpu");
    threadsBox_->setValue(config.threads);
    seedBox_->setValue(
        static_cast<int>(std::min<uint64_t>(config.seed, std::numeric_limits<int>::max())));
    updating_ = false;

    onChanged();
    updatePreview();
    presetBox_->setCurrentIndex(-1);
}

QString ConfigPanel::dataFolder() const {
    return folderEdit_->text().trimmed();
}

void ConfigPanel::setDataFolder(const QString& folder) {
    folderEdit_->setText(folder);
    onChanged();
    updatePreview();
}

void ConfigPanel::chooseDataFolder() {
    const QString folder =
        QFileDialog::getExistingDirectory(this, tr("Dataset folder"), dataFolder());
    if (!folder.isEmpty())
        setDataFolder(folder);
}

void ConfigPanel::setEditable(bool editable) {
    for (QWidget* child : findChildren<QWidget*>())
        if (qobject_cast<QComboBox*>(child) || qobject_cast<QAbstractSpinBox*>(child) ||
            qobject_cast<QLineEdit*>(child) || qobject_cast<QPushButton*>(child))
            child->setEnabled(editable);
    if (editable)
        updateEnabledControls();
}

bool ConfigPanel::cudaSelectable() const {
    auto* model = qobject_cast<QStandardItemModel*>(deviceBox_->model());
    return model->item(1)->isEnabled();
}

QString ConfigPanel::cudaToolTip() const {
    auto* model = qobject_cast<QStandardItemModel*>(deviceBox_->model());
    return model->item(1)->toolTip();
}

// ---------------------------------------------------------------------------------------------

void ConfigPanel::onChanged() {
    if (updating_)
        return;
    updateEnabledControls();
    updateDerived();
    emit configChanged();
}

// Settings that the chosen model or solver ignores are greyed out rather than hidden, so the
// panel does not jump around.
void ConfigPanel::updateEnabledControls() {
    const QString kind = dataOf(modelBox_);
    const bool spline = kind == "gode";
    orderBox_->setEnabled(spline);
    knotsBox_->setEnabled(spline);
    placementBox_->setEnabled(spline);
    blocksBox_->setEnabled(kind == "resnet");
    // A ResNet is exactly one Euler step per block: its solver is not a choice.
    solverBox_->setEnabled(kind != "resnet");
    const bool adaptive = solverInfo(ss(dataOf(solverBox_))).adaptive;
    stepsBox_->setEnabled(!adaptive && kind != "resnet");
    rtolBox_->setEnabled(adaptive && kind != "resnet");
    atolBox_->setEnabled(adaptive && kind != "resnet");
}

// K, the parameter count and the first problem, recomputed on every change. The model's figures
// need only a valid model, so they show even before a data folder is chosen. Building the model
// takes milliseconds even for the published sizes, and it is the only count that cannot drift
// from what the trainer builds.
void ConfigPanel::updateDerived() {
    const bool wasValid = isValid();
    problem_.clear();
    basisCount_ = 0;
    parameterCount_ = 0;
    try {
        const TrainConfig current = config();
        current.model.validate();
        const BlockSpec spec = blockSpec(current.model);
        basisCount_ = spec.splineOrder + spec.interiorKnots;
        torch::NoGradGuard noGrad;
        parameterCount_ = countParameters(*GodeNet(current.model));
        current.validate();
    } catch (const std::exception& error) {
        problem_ = QString::fromStdString(error.what());
    }

    if (parameterCount_ > 0)
        sizeLabel_->setText(
            tr("K = %1 basis functions, %2 parameters")
                .arg(basisCount_)
                .arg(QLocale(QLocale::English).toString(qlonglong(parameterCount_))));
    else
        sizeLabel_->setText(tr("K and parameters: fix the model setting below first"));
    problemLabel_->setText(problem_);
    problemLabel_->setVisible(!isValid());
    if (wasValid != isValid())
        emit validityChanged(isValid());
}

void ConfigPanel::updatePreview() {
    if (updating_)
        return;
    const QString folder = dataFolder();
    if (folder.isEmpty()) {
        preview_->setPixmap(QPixmap());
        preview_->setText(tr("Choose the dataset folder to see its images."));
        return;
    }
    preview_->showImagesOf(datasetKindFromString(ss(dataOf(datasetBox_))), folder);
}

}  // namespace gode
