// Image classification datasets read from their standard files: MNIST and Fashion-MNIST from
// the four IDX files (raw or gzip), CIFAR-10 from its binary batches. Readers take bytes, so
// the same code serves files on disk and data embedded in the program.
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <string>
#include <vector>

namespace gode {

enum class DatasetKind { Mnist, FashionMnist, Cifar10 };

std::string toString(DatasetKind kind);                      // "mnist", "fashion-mnist", "cifar10"
DatasetKind datasetKindFromString(const std::string& name);  // throws InvalidSetting
std::vector<std::string> datasetNames();

// What the images of a dataset kind look like.
struct ImageShape {
    int64_t channels = 1;
    int64_t height = 28;
    int64_t width = 28;
};
ImageShape imageShape(DatasetKind kind);
int64_t classCount(DatasetKind kind);

// One split: images uint8 [N, C, H, W] and labels int64 [N], on the CPU.
struct LabelledImages {
    torch::Tensor images;
    torch::Tensor labels;

    int64_t size() const { return labels.defined() ? labels.size(0) : 0; }
    // The first `count` examples (all of them when count is 0 or larger than the split).
    LabelledImages first(int64_t count) const;
};

struct Dataset {
    DatasetKind kind = DatasetKind::Mnist;
    LabelledImages train;
    LabelledImages test;
};

// The bytes of a file; throws DataError naming the absolute path when it is missing or unreadable.
std::vector<uint8_t> readFileBytes(const std::string& path);

// Inflates gzip data (recognised by its magic bytes 1f 8b, whatever the name); other bytes come
// back unchanged. `name` labels error messages.
std::vector<uint8_t> gunzipIfNeeded(std::vector<uint8_t> bytes, const std::string& name);

// IDX files (magic 0x00000803 images, 0x00000801 labels; big-endian sizes). Raw or gzip bytes.
// `name` (a file path or a resource name) appears in every error message.
torch::Tensor readIdxImages(const std::vector<uint8_t>& bytes, const std::string& name);
torch::Tensor readIdxLabels(const std::vector<uint8_t>& bytes, const std::string& name,
                            int64_t classes = 10);

// Pairs images with labels, checking that their counts agree.
LabelledImages pairIdx(torch::Tensor images, const std::string& imagesName, torch::Tensor labels,
                       const std::string& labelsName);

// One CIFAR-10 binary batch: exactly 10,000 records of 1 label byte + 3,072 pixel bytes.
LabelledImages readCifarBatch(const std::vector<uint8_t>& bytes, const std::string& name);

// Reads a whole dataset from `folder` (the one holding the standard files). IDX files are
// looked up under their raw name first, then with ".gz". Throws DataError naming the file.
Dataset loadDataset(DatasetKind kind, const std::string& folder);

}  // namespace gode
