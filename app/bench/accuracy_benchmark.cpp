#include "accuracy_benchmark.h"

#include <torch/torch.h>
#include <CLI/CLI.hpp>

#include <chrono>
#include <filesystem>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>

#include <unistd.h>

#include "iteration_measurement.h"
#include "process_tools.h"
#include "train/evaluation.h"
#include "train/trainer.h"

namespace gode::bench {

namespace {

using Json = nlohmann::json;
using Clock = std::chrono::steady_clock;

TrainConfig benchmarkConfig(const AccuracyOptions& options, const std::string& runDirectory) {
    TrainConfig config =
        options.configPath.empty() ? defaultTrainConfig() : trainConfigFromFile(options.configPath);
    config.data.directory = options.dataDirectory;
    config.data.trainLimit = config.data.testLimit = 0;  // the full dataset, by definition
    if (options.epochs > 0)
        config.optim.epochs = options.epochs;
    if (options.threads > 0)
        config.threads = options.threads;
    config.outputDirectory = runDirectory;
    config.validate();
    return config;
}

struct Checkpoint {
    int64_t iteration = 0;
    double epochs = 0.0;           // fractional epochs trained
    double trainingSeconds = 0.0;  // wall time, without this benchmark's evaluations
    double testAccuracy = 0.0;
    double testLoss = 0.0;
};

// Evaluates the model on the whole test split every `interval` iterations and at each epoch's
// end, and keeps the wall clock of training apart from the time those evaluations take.
class AccuracyRecorder : public TrainingObserver {
  public:
    AccuracyRecorder(const TrainConfig& config, int evaluationsPerEpoch)
        : config_(config), evaluationsPerEpoch_(evaluationsPerEpoch) {}

    void onStart(const RunInfo& info) override {
        const Dataset dataset = loadDataset(config_.data.dataset, config_.data.directory);
        test_.emplace(dataset.test, normalization(config_.data.dataset),
                      config_.optim.testBatchSize, 0, config_.seed);
        iterationsPerEpoch_ = info.iterationsPerEpoch;
        interval_ = std::max<int64_t>(1, info.iterationsPerEpoch / evaluationsPerEpoch_);
        start_ = Clock::now();
    }

    void onIteration(const IterationReport& report, GodeNetImpl& model) override {
        // The epoch's end is measured by the trainer: skip a point too close before it.
        const bool nearEpochEnd = report.batch + interval_ / 2 > report.iterationsPerEpoch;
        if (report.batch % interval_ == 0 && !nearEpochEnd)
            record(report.iteration, model);
    }

    // The trainer has just evaluated the whole test split itself. That evaluation stays in the
    // training time, as it does in any real run.
    void onEpoch(const EpochReport& report, GodeNetImpl&) override {
        checkpoints_.push_back({report.epoch * iterationsPerEpoch_, double(report.epoch),
                                trainingSeconds(), report.testAccuracy, report.testLoss});
        print(checkpoints_.back());
    }

    const std::vector<Checkpoint>& checkpoints() const { return checkpoints_; }

  private:
    void record(int64_t iteration, GodeNetImpl& model) {
        const double trained = trainingSeconds();
        const auto evaluationStart = Clock::now();
        const torch::Device device = model.parameters().front().device();
        const Evaluation test = evaluateClassifier(model, *test_, device);
        evaluationSeconds_ += std::chrono::duration<double>(Clock::now() - evaluationStart).count();

        checkpoints_.push_back({iteration, double(iteration) / iterationsPerEpoch_, trained,
                                test.accuracy, test.loss});
        print(checkpoints_.back());
    }

    double trainingSeconds() const {
        return std::chrono::duration<double>(Clock::now() - start_).count() - evaluationSeconds_;
    }

    static void print(const Checkpoint& point) {
        std::cout << cell(point.iteration, 0, 9) << "  " << cell(point.epochs, 2, 6) << "  "
                  << cell(point.trainingSeconds, 1, 9) << "  "
                  << cell(100.0 * point.testAccuracy, 2, 13) << "  " << cell(point.testLoss, 4, 9)
                  << std::endl;
    }

    TrainConfig config_;
    int evaluationsPerEpoch_;
    std::optional<BatchMaker> test_;
    int64_t iterationsPerEpoch_ = 1;
    int64_t interval_ = 1;
    Clock::time_point start_;
    double evaluationSeconds_ = 0.0;
    std::vector<Checkpoint> checkpoints_;
};

Json targetResults(const std::vector<Checkpoint>& checkpoints, const std::vector<double>& targets) {
    Json results = Json::array();
    for (double target : targets) {
        Json result{{"target", target}, {"reached", false}};
        for (const Checkpoint& point : checkpoints) {
            if (point.testAccuracy < target)
                continue;
            result = {{"target", target},
                      {"reached", true},
                      {"seconds", point.trainingSeconds},
                      {"iteration", point.iteration},
                      {"epochs", point.epochs},
                      {"testAccuracy", point.testAccuracy}};
            break;
        }
        results.push_back(result);
    }
    return results;
}

void printTargets(const Json& results, const std::vector<Checkpoint>& checkpoints) {
    double best = 0.0;
    for (const Checkpoint& point : checkpoints)
        best = std::max(best, point.testAccuracy);
    std::cout << "\ntarget    wall time to reach it\n------    ---------------------\n";
    for (const Json& result : results) {
        std::cout << cell(100.0 * result["target"].get<double>(), 1, 5) << " %   ";
        if (result["reached"])
            std::cout << cell(result["seconds"], 1, 0) << " s (" << cell(result["epochs"], 2, 0)
                      << " epochs)\n";
        else
            std::cout << "not reached (best " << cell(100.0 * best, 2, 0) << " %)\n";
    }
}

void printHeader(const TrainConfig& config, const AccuracyOptions& options) {
    std::cout << "Time to accuracy: " << toString(config.data.dataset) << " from "
              << config.data.directory << ", " << config.optim.epochs << " epoch(s).\n"
              << "Machine: " << machineDescription() << "; LibTorch " << TORCH_VERSION
              << "; threads " << resolvedThreads(config.threads) << ".\n"
              << "Configuration: " << toJson(config).dump() << "\n"
              << "Test accuracy on the whole test split " << options.evaluationsPerEpoch
              << " times per epoch; the wall time leaves out those evaluations\n"
              << "(but keeps the trainer's own at each epoch's end, as in any run).\n\n"
              << "iteration  epochs  seconds  test accuracy  test loss\n"
              << "---------  ------  -------  -------------  ---------\n";
}

void runAccuracyBenchmark(const AccuracyOptions& options) {
    const std::filesystem::path runDirectory =
        std::filesystem::temp_directory_path() /
        ("gode-bench-accuracy-" + std::to_string(::getpid()));
    const TrainConfig config = benchmarkConfig(options, runDirectory.string());
    printHeader(config, options);

    AccuracyRecorder recorder(config, options.evaluationsPerEpoch);
    Trainer trainer(config, &recorder);
    const TrainingSummary summary = trainer.run();
    std::filesystem::remove_all(runDirectory);

    const Json results = targetResults(recorder.checkpoints(), options.targets);
    printTargets(results, recorder.checkpoints());
    Json document{{"benchmark", "accuracy"},    {"machine", machineDescription()},
                  {"libtorch", TORCH_VERSION},  {"config", toJson(config)},
                  {"targets", results},         {"finalTestAccuracy", summary.testAccuracy},
                  {"seconds", summary.seconds}, {"imagesPerSecond", summary.imagesPerSecond}};
    Json points = Json::array();
    for (const Checkpoint& point : recorder.checkpoints())
        points.push_back({{"iteration", point.iteration},
                          {"epochs", point.epochs},
                          {"seconds", point.trainingSeconds},
                          {"testAccuracy", point.testAccuracy},
                          {"testLoss", point.testLoss}});
    document["checkpoints"] = points;
    if (!options.jsonPath.empty())
        writeFileAtomically(options.jsonPath, document.dump(2) + "\n");
    document.erase("checkpoints");
    std::cout << document.dump() << std::endl;
}

}  // namespace

void addAccuracyCommand(CLI::App& app) {
    auto options = std::make_shared<AccuracyOptions>();
    if (const char* mnist = std::getenv("GODE_MNIST_DIR"))
        options->dataDirectory = mnist;

    CLI::App* command = app.add_subcommand(
        "accuracy",
        "Wall time until the test accuracy reaches each target, training the CPU default (or "
        "--config) on the full dataset");
    command
        ->add_option("--data-dir", options->dataDirectory,
                     "folder with the dataset's files; may be left out when $GODE_MNIST_DIR "
                     "names it")
        ->required(options->dataDirectory.empty());
    command->add_option("--config", options->configPath,
                        "a config.json to train instead of the CPU default");
    command->add_option("--epochs", options->epochs, "epochs (0: the configuration's)")
        ->capture_default_str();
    command->add_option("--threads", options->threads, "CPU threads (0: the configuration's)")
        ->capture_default_str();
    command->add_option("--targets", options->targets, "test accuracies, as fractions")
        ->capture_default_str();
    command
        ->add_option("--evaluations-per-epoch", options->evaluationsPerEpoch,
                     "how often the whole test split is evaluated")
        ->check(CLI::Range(1, 1000))
        ->capture_default_str();
    command->add_option("--json", options->jsonPath, "also write the results to this file");
    command->callback([options] { runAccuracyBenchmark(*options); });
}

}  // namespace gode::bench
