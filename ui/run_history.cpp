#include "run_history.h"

#include <QDir>
#include <QFileInfo>

#include "model/network.h"
#include "train/batches.h"
#include "train/dataset.h"
#include "train/run_directory.h"
#include "train/train_errors.h"

namespace gode {

namespace {

EpochReport epochFromJson(const nlohmann::json& line, const std::string& file) {
    try {
        EpochReport report;
        report.epoch = line.at("epoch").get<int64_t>();
        report.epochs = line.value("epochs", int64_t{0});
        report.trainLoss = line.at("train_loss").get<double>();
        report.trainAccuracy = line.at("train_accuracy").get<double>();
        report.testLoss = line.at("test_loss").get<double>();
        report.testAccuracy = line.at("test_accuracy").get<double>();
        report.learningRate = line.value("lr", 0.0);
        report.nfeForward = line.value("nfe_forward", 0.0);
        report.nfeBackward = line.value("nfe_backward", 0.0);
        report.seconds = line.value("seconds", 0.0);
        report.elapsedSeconds = line.value("elapsed_seconds", 0.0);
        return report;
    } catch (const nlohmann::json::exception& error) {
        throw RunDirectoryError(file + ": a line lacks an epoch field or has the wrong type (" +
                                error.what() + ")");
    }
}

// Puts the exported tensors into a freshly built model of the run's configuration, so the
// snapshots come from the same code as during training.
GodeNet modelFromExport(const TrainConfig& config, const std::string& path) {
    const std::map<std::string, torch::Tensor> tensors = readExportedModel(path);
    GodeNet net(config.model);
    torch::NoGradGuard noGrad;
    for (auto& item : net->named_parameters()) {
        const auto found = tensors.find(item.key());
        if (found == tensors.end() || !found->second.sizes().equals(item.value().sizes()))
            throw RunDirectoryError(path + " does not match the run's config.json: tensor '" +
                                    item.key() + "' is missing or has another shape");
        item.value().copy_(found->second);
    }
    return net;
}

// The flows are a bonus of reopening: a data folder that moved or vanished leaves them out.
std::optional<FlowProjection> flowsIfDataReadable(const TrainConfig& config, GodeNetImpl& net) {
    try {
        return projectedFlows(net, readFlowImages(config, 200));
    } catch (const Error&) {
        return std::nullopt;
    }
}

}  // namespace

LoadedRun loadRun(const QString& folder) {
    const RunDirectory directory(folder.toStdString());
    LoadedRun run;
    run.folder = QString::fromStdString(directory.path());
    run.config = directory.readConfig();
    // The folder may have moved since the run was written: where it is now is what counts.
    run.config.outputDirectory = directory.path();
    for (const nlohmann::json& line : directory.readMetrics())
        run.epochs.push_back(epochFromJson(line, directory.metricsPath()));
    if (QFileInfo::exists(QString::fromStdString(directory.modelPath()))) {
        GodeNet net = modelFromExport(run.config, directory.modelPath());
        run.weights = takeWeightSnapshot(*net);
        run.flows = flowsIfDataReadable(run.config, *net);
    }
    run.hasCheckpoint = directory.hasCheckpoint();
    return run;
}

FlowImages readFlowImages(const TrainConfig& config, int64_t count) {
    const Dataset dataset = loadDataset(config.data.dataset, config.data.directory);
    const LabelledImages first = dataset.test.first(count);
    const BatchMaker maker(first, normalization(config.data.dataset), first.size(), 0, config.seed);
    const Batch batch = maker.evaluation(0);
    return {batch.images, batch.labels};
}

FlowProjection projectedFlows(GodeNetImpl& net, const FlowImages& images) {
    return projectFlows(computeFlows(net, images.images, images.labels, defaultFlowTimes(net)));
}

// CIFAR-10 always has 50,000 training images. An MNIST-style folder may be a sample, so its
// label file (small) is counted; when it cannot be read, the standard 60,000 is assumed.
int64_t trainImagesOf(const TrainConfig& config) {
    int64_t whole = 50000;
    if (config.data.dataset != DatasetKind::Cifar10) {
        whole = 60000;
        const QDir dir(QString::fromStdString(config.data.directory));
        for (const QString name : {"train-labels-idx1-ubyte", "train-labels-idx1-ubyte.gz"}) {
            const QString path = dir.filePath(name);
            if (!QFileInfo::exists(path))
                continue;
            try {
                whole = readIdxLabels(readFileBytes(path.toStdString()), path.toStdString(),
                                      classCount(config.data.dataset))
                            .size(0);
            } catch (const Error&) {
                // A damaged file: keep the standard size; the trainer will name the file if
                // the run is continued.
            }
            break;
        }
    }
    return config.data.trainLimit > 0 ? std::min(config.data.trainLimit, whole) : whole;
}

double iterationAtEpochEnd(const TrainConfig& config, int64_t trainImages, int64_t epoch) {
    const int64_t batch = std::max<int64_t>(1, config.optim.batchSize);
    const int64_t perEpoch = (trainImages + batch - 1) / batch;
    return static_cast<double>(perEpoch * epoch);
}

}  // namespace gode
