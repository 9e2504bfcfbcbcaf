// Turning stored images into training batches: the epoch's shuffle order, random crops with
// zero padding, per-channel normalisation, and a thread that prepares batches ahead.
//
// Every random choice is a pure function of (seed, epoch, batch index), so a resumed run sees
// exactly the batches it would have seen, and the prefetch thread's timing cannot change them.
#pragma once

#include <torch/torch.h>

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "dataset.h"

namespace gode {

// SplitMix64 over the combined words: a well-mixed 64-bit value from a few integers.
uint64_t mixSeed(uint64_t seed, uint64_t a, uint64_t b = 0, uint64_t c = 0);

// A permutation of 0..size-1 (Fisher-Yates) drawn from (seed, epoch) alone.
std::vector<int64_t> epochOrder(int64_t size, uint64_t seed, int64_t epoch);

// (pixel / 255 - mean) / std per channel. Identity-like for MNIST (mean 0, std 1).
struct Normalization {
    std::vector<double> mean;
    std::vector<double> std;
};
Normalization normalization(DatasetKind kind);  // published: CIFAR-10 mean/std, MNIST none

struct Batch {
    torch::Tensor images;  // float32 [B, C, H, W]
    torch::Tensor labels;  // int64 [B]
    int64_t epoch = 0;
    int64_t index = 0;  // batch number within the epoch
};

// Builds the batches of one split. Training batches are shuffled and cropped; evaluation
// batches are in order and unchanged apart from normalisation.
class BatchMaker {
  public:
    BatchMaker(LabelledImages data, Normalization normalization, int64_t batchSize, int cropPadding,
               uint64_t seed);

    int64_t size() const { return data_.size(); }
    int64_t batchSize() const { return batchSize_; }
    int64_t batchesPerEpoch() const { return (size() + batchSize_ - 1) / batchSize_; }

    // Training batch `index` of `epoch`, where `order` is epochOrder(size(), seed, epoch).
    Batch training(const std::vector<int64_t>& order, int64_t epoch, int64_t index) const;

    // Evaluation batch `index`: examples in stored order, no augmentation.
    Batch evaluation(int64_t index) const;

    uint64_t seed() const { return seed_; }

  private:
    torch::Tensor assemble(const std::vector<int64_t>& examples,
                           const std::vector<std::pair<int, int>>& offsets) const;

    LabelledImages data_;
    std::vector<std::vector<float>> pixelTable_;  // per channel: the float of each byte value
    int64_t batchSize_;
    int cropPadding_;
    uint64_t seed_;
};

// Prepares the training batches of one epoch, from `firstBatch` on, on its own thread, keeping
// at most `depth` ready. Errors on that thread come back from next().
class BatchPrefetcher {
  public:
    BatchPrefetcher(const BatchMaker& maker, int64_t epoch, int64_t firstBatch, int depth = 2);
    ~BatchPrefetcher();
    BatchPrefetcher(const BatchPrefetcher&) = delete;
    BatchPrefetcher& operator=(const BatchPrefetcher&) = delete;

    // The next batch in order, or nothing after the epoch's last one.
    std::optional<Batch> next();

  private:
    void produce();

    const BatchMaker& maker_;
    int64_t epoch_;
    int64_t nextToMake_;
    int depth_;

    std::mutex mutex_;
    std::condition_variable changed_;
    std::deque<Batch> ready_;
    bool finished_ = false;
    bool cancelled_ = false;
    std::exception_ptr error_;
    std::thread worker_;
};

}  // namespace gode
