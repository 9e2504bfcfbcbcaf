// Measuring one training iteration (forward, backward, SGD step) of a GodeNet on random inputs:
// its peak memory and its time. Shared by the benchmark tables.
#pragma once

#include <torch/torch.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "model/network.h"

namespace gode::bench {

struct IterationTime {
    double wall = 0.0;
    double cpu = 0.0;  // of all threads of this process
};

class TrainingIteration {
  public:
    TrainingIteration(const ModelConfig& config, int64_t batch, torch::Device device = torch::kCPU);

    // Forward, backward and SGD step; waits for the device before it returns.
    IterationTime run();

    GodeNetImpl& net() { return *net_; }
    const OdeBlockImpl& block() const { return *net_->block; }
    int64_t batch() const { return images_.size(0); }

  private:
    void synchronize() const;

    GodeNet net_;
    torch::optim::SGD optimizer_;
    torch::Tensor images_;
    torch::Tensor labels_;
    torch::Device device_;
};

// Prepares glibc so that resident memory follows what is in use: call it first in the process,
// before LibTorch allocates anything (see measurePeakMemory).
void prepareMemoryMeasurement();

// Peak resident growth during one iteration after a warm-up one (CPU only). Fields:
// baselineMiB, peakGrowthMiB, peakMethod.
nlohmann::json measurePeakMemory(TrainingIteration& iteration);

// `warmups` untimed iterations, then `repeats` timed ones, with glibc's usual allocation policy
// restored so that the times are those of a training loop.
std::vector<IterationTime> measureTimes(TrainingIteration& iteration, int warmups, int repeats);

// Runs this program again with `arguments` to measure one row in a fresh process, and returns
// the JSON object the child printed; `what` names the row in the error when it printed none.
nlohmann::json measureRowInChild(const std::vector<std::string>& arguments,
                                 const std::string& what);

double median(std::vector<double> values);

// `value` right-aligned in `width` characters with `precision` decimals.
std::string cell(double value, int precision, int width);

// `text` left-aligned, padded or cut to `width` characters.
std::string leftCell(std::string text, size_t width);

}  // namespace gode::bench
