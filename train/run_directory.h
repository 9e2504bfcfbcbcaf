// The files of one training run, in one folder:
//   config.json     the full TrainConfig plus the program and LibTorch versions
//   metrics.jsonl   one JSON object per finished epoch, flushed as it is written
//   checkpoint.pt   model, optimizer state and the position in the run (epoch, batch, sums)
//   model.pt        the weights as a name -> tensor dictionary that Python's torch.load reads
// Files that must survive a crash (config, checkpoint, model) are written to a temporary file
// and renamed over the old one.
#pragma once

#include <torch/torch.h>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "train_config.h"
#include "training_observer.h"

namespace gode {

// Where a run stands, saved in every checkpoint. Random choices are functions of the seed and
// this position, so no random-generator state needs saving for an exact resume.
struct TrainingPosition {
    int64_t epoch = 0;      // epochs finished
    int64_t batch = 0;      // batches finished in the next epoch (non-zero after a stop)
    int64_t iteration = 0;  // batches finished over the whole run

    // Sums over the unfinished epoch's batches, so its metrics come out as if never stopped.
    double epochLossSum = 0.0;  // loss times batch size
    int64_t epochCorrect = 0;
    int64_t epochSeen = 0;
    int64_t epochNfeForward = 0;
    int64_t epochNfeBackward = 0;
    double epochSeconds = 0.0;

    // Whole-run totals.
    int64_t nfeForward = 0;
    int64_t nfeBackward = 0;
    int64_t trainedImages = 0;
    double trainingSeconds = 0.0;  // inside training iterations
    double elapsedSeconds = 0.0;   // training and evaluation

    // The last finished epoch's figures (for the summary of a resumed, finished run).
    nlohmann::json lastEpoch = nlohmann::json::object();
};

nlohmann::json toJson(const TrainingPosition& position);
TrainingPosition trainingPositionFromJson(const nlohmann::json& json);

class RunDirectory {
  public:
    explicit RunDirectory(const std::string& path);

    const std::string& path() const { return path_; }
    std::string configPath() const { return path_ + "/config.json"; }
    std::string metricsPath() const { return path_ + "/metrics.jsonl"; }
    std::string checkpointPath() const { return path_ + "/checkpoint.pt"; }
    std::string modelPath() const { return path_ + "/model.pt"; }

    // Creates the folder (and its parents); throws RunDirectoryError naming it.
    void create() const;
    bool hasCheckpoint() const;

    void writeConfig(const TrainConfig& config) const;
    TrainConfig readConfig() const;  // errors name config.json and the field

    void appendMetrics(const nlohmann::json& line) const;
    std::vector<nlohmann::json> readMetrics() const;
    // Drops lines for epochs after `epochs` (left by a run that stopped before its checkpoint).
    void keepMetricsUpTo(int64_t epochs) const;

    void writeCheckpoint(const torch::nn::Module& model, const torch::optim::Optimizer& optimizer,
                         const TrainingPosition& position) const;
    // Loads the model's and optimizer's state in place, with every tensor on `device` (the
    // optimizer's momentum buffers must live where the parameters do), and returns the position.
    TrainingPosition readCheckpoint(torch::nn::Module& model, torch::optim::Optimizer& optimizer,
                                    torch::Device device = torch::kCPU) const;

    void exportModel(const torch::nn::Module& model) const;

  private:
    std::string path_;
};

// Every parameter and buffer by its dotted name ("block.field.conv1.coefficients"), on the CPU.
std::map<std::string, torch::Tensor> namedTensors(const torch::nn::Module& model);

// Reads an exported model.pt back; throws RunDirectoryError naming the file.
std::map<std::string, torch::Tensor> readExportedModel(const std::string& path);

// One metrics.jsonl line, and the final JSON line of gode-train (snake_case keys).
nlohmann::json toJson(const EpochReport& report);
nlohmann::json toJson(const TrainingSummary& summary);

// The program and library versions written into config.json and printed by --version.
nlohmann::json programInfo();

}  // namespace gode
