// What the trainer reports, and the observer interface it reports to. All methods are called
// on the training thread; the defaults do nothing. Keep them quick: the trainer waits for them.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "model/network.h"
#include "train_config.h"

namespace gode {

struct RunInfo {
    TrainConfig config;
    int64_t parameters = 0;
    int64_t trainImages = 0;
    int64_t testImages = 0;
    int64_t iterationsPerEpoch = 0;
    std::string device;      // "cpu" or "cuda:0"
    int threads = 0;         // LibTorch CPU threads in use
    int64_t startEpoch = 0;  // epochs already done (non-zero when resuming)
    int64_t startBatch = 0;  // batches already done in that epoch
    bool resumed = false;
};

struct IterationReport {
    int64_t epoch = 0;  // counts from 1
    int64_t batch = 0;  // counts from 1 within the epoch
    int64_t iterationsPerEpoch = 0;
    int64_t iteration = 0;        // counts from 1 over the whole run
    int64_t totalIterations = 0;  // of the whole run
    double loss = 0.0;
    double accuracy = 0.0;  // of this batch, in [0, 1]
    double learningRate = 0.0;
    int64_t nfeForward = 0;         // evaluations of f in this iteration's forward pass
    int64_t nfeBackward = 0;        // backward work in evaluations of f (gradient_modes.h)
    std::vector<double> stepSizes;  // the solver's accepted step sizes in the forward pass
    double imagesPerSecond = 0.0;   // over this run's iterations so far
    double elapsedSeconds = 0.0;    // of the whole run, across resumes
};

struct EpochReport {
    int64_t epoch = 0;  // counts from 1
    int64_t epochs = 0;
    double trainLoss = 0.0;
    double trainAccuracy = 0.0;
    double testLoss = 0.0;
    double testAccuracy = 0.0;
    double learningRate = 0.0;  // at the epoch's last iteration
    double nfeForward = 0.0;    // mean evaluations of f per training forward pass
    double nfeBackward = 0.0;
    double seconds = 0.0;  // this epoch, training and evaluation
    double elapsedSeconds = 0.0;
};

// The run's outcome; also the final JSON line of gode-train.
struct TrainingSummary {
    double testAccuracy = 0.0;
    double testLoss = 0.0;
    double trainLoss = 0.0;
    double trainAccuracy = 0.0;
    int64_t epochs = 0;      // completed
    int64_t iterations = 0;  // completed, including those before a resume
    double seconds = 0.0;    // training and evaluation, across resumes
    int64_t parameters = 0;
    double nfeForward = 0.0;  // mean per training forward pass
    double nfeBackward = 0.0;
    double imagesPerSecond = 0.0;
    bool stopped = false;  // ended by a stop request before the last epoch
    std::string runDirectory;
    std::string device;
    int threads = 0;
};

class TrainingObserver {
  public:
    virtual ~TrainingObserver() = default;
    virtual void onStart(const RunInfo&) {}
    virtual void onIteration(const IterationReport&, GodeNetImpl&) {}
    virtual void onEpoch(const EpochReport&, GodeNetImpl&) {}
    virtual void onFinish(const TrainingSummary&) {}
};

}  // namespace gode
