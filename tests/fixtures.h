// Dataset files written by the tests themselves: IDX (raw or gzip) and CIFAR-10 batches, and a
// small learnable MNIST-like dataset for trainer and command-line tests.
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <string>
#include <vector>

#include "train/train_config.h"

namespace gode::test {

using Bytes = std::vector<uint8_t>;

// IDX image file bytes for uint8 images [N, H, W].
Bytes idxImageBytes(const torch::Tensor& images);
// IDX label file bytes.
Bytes idxLabelBytes(const std::vector<uint8_t>& labels);
// The gzip form of `bytes` (zlib, gzip header).
Bytes gzipBytes(const Bytes& bytes);
// CIFAR-10 batch bytes: per record one label byte and the 3 x 32 x 32 pixels of `images`.
Bytes cifarBatchBytes(const torch::Tensor& images, const std::vector<uint8_t>& labels);

void writeBytes(const std::string& path, const Bytes& bytes);

// Images whose class c shows a bright 7x7 square at its own place on a 4x3 grid, over noise,
// so that a tiny network learns them in a few dozen iterations.
struct SyntheticImages {
    torch::Tensor images;  // uint8 [N, 28, 28]
    std::vector<uint8_t> labels;
};
SyntheticImages syntheticDigits(int64_t count, uint64_t seed);

// Writes the four MNIST IDX files of a synthetic dataset into `folder`, gzip or raw.
void writeSyntheticMnist(const std::string& folder, int64_t trainCount, int64_t testCount,
                         bool gzip = true);

// A configuration small enough for a test: width 8, two Euler steps, batch 16, one thread.
TrainConfig tinyTrainConfig(const std::string& dataFolder, const std::string& runFolder);

}  // namespace gode::test
