// Everything that defines a training run: model, data, optimisation, device, seed and where
// the run directory goes. The command line and the window fill it in and validate it the same
// way; config.json in a run directory is its JSON form.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "dataset.h"
#include "model/network.h"

namespace gode {

enum class OptimizerKind { Sgd, AdamW };
std::string toString(OptimizerKind kind);                        // "sgd", "adamw"
OptimizerKind optimizerKindFromString(const std::string& name);  // throws InvalidSetting

//  Step: the learning rate times gamma at each milestone (fractions of the run's epochs).
//  Cosine: half a cosine from lr down to 0 over all iterations.
//  OneCycle: warm up from lr/25 to lr over the first 30 % of iterations, then anneal to
//            lr/25e4, both along half cosines (the usual one-cycle shape).
// The one-cycle schedule leaves SGD's momentum fixed at 0.9 instead of cycling it as well.
enum class ScheduleKind { Step, Cosine, OneCycle };
std::string toString(ScheduleKind kind);  // "step", "cosine", "onecycle"
ScheduleKind scheduleKindFromString(const std::string& name);

struct DataConfig {
    DatasetKind dataset = DatasetKind::Mnist;
    std::string directory;   // the folder with the dataset's standard files
    int64_t trainLimit = 0;  // use only the first N training images (0: all)
    int64_t testLimit = 0;   // use only the first N test images (0: all)
    int cropPadding = 4;     // random-crop augmentation; 0 turns it off
};

struct OptimConfig {
    OptimizerKind optimizer = OptimizerKind::Sgd;
    double learningRate = 0.1;
    double momentum = 0.9;  // SGD only
    double weightDecay = 0.0;
    ScheduleKind schedule = ScheduleKind::Step;
    // Step schedule: epochs (as fractions of `epochs`) where the rate is multiplied by gamma.
    // The published 60/100/140 of 160 epochs are 0.375, 0.625 and 0.875.
    std::vector<double> milestones = {0.375, 0.625, 0.875};
    double gamma = 0.1;
    int epochs = 1;
    int64_t batchSize = 128;
    int64_t testBatchSize = 1000;
};

struct TrainConfig {
    ModelConfig model;
    DataConfig data;
    OptimConfig optim;
    std::string device = "cpu";  // "cpu" or "cuda"
    int threads = 0;             // CPU threads for LibTorch; 0 uses all cores
    uint64_t seed = 1;
    std::string outputDirectory = "runs/latest";

    // Sets the dataset and the model's input channels and image size to match it.
    void setDataset(DatasetKind kind);

    // Throws InvalidSetting naming the first bad field and its value.
    void validate() const;
};

// The CPU default: 3 epochs that reach 99 % MNIST test accuracy in about a minute on 2 cores.
TrainConfig defaultTrainConfig();

// Exactly the published configurations (method.md).
TrainConfig paperMnistConfig();
TrainConfig paperCifar10Config();
std::vector<std::string> presetNames();             // "paper-mnist", "paper-cifar10"
TrainConfig presetConfig(const std::string& name);  // throws InvalidSetting with the choices

// JSON with snake_case keys grouped as model / data / optimization. fromJson starts from the
// defaults, so missing keys keep them; unknown keys and wrong types throw InvalidSetting naming
// the field (for example "optimization.lr").
nlohmann::json toJson(const TrainConfig& config);
TrainConfig trainConfigFromJson(const nlohmann::json& json);

// A configuration file: a run's config.json, or some of its keys (the others as in
// trainConfigFromJson).
// Throws InvalidSetting naming the file: unreadable, not JSON, or a bad field.
TrainConfig trainConfigFromFile(const std::string& path);

nlohmann::json toJson(const ModelConfig& config);
nlohmann::json toJson(const SolverOptions& options);

// The learning rate at an iteration: `epoch` counts from 0, `batch` is the batch within it.
double learningRateAt(const OptimConfig& optim, int64_t epoch, int64_t batch,
                      int64_t batchesPerEpoch);

// The number of CPU threads a configuration asks for, with 0 resolved to all cores.
int resolvedThreads(int threads);

}  // namespace gode
