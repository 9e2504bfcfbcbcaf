#include "dataset.h"

#include <zlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "model/errors.h"
#include "train_errors.h"

namespace gode {

namespace fs = std::filesystem;

namespace {

constexpr uint32_t kIdxImagesMagic = 0x00000803;  // unsigned bytes, 3 dimensions
constexpr uint32_t kIdxLabelsMagic = 0x00000801;  // unsigned bytes, 1 dimension
constexpr int64_t kCifarRecords = 10000;
constexpr int64_t kCifarPixels = 3 * 32 * 32;
constexpr int64_t kCifarBatchBytes = kCifarRecords * (1 + kCifarPixels);  // 30,730,000

std::string hex(uint32_t value) {
    std::ostringstream text;
    text << "0x" << std::hex;
    text.width(8);
    text.fill('0');
    text << value;
    return text.str();
}

uint32_t bigEndian32(const std::vector<uint8_t>& bytes, size_t offset) {
    return (uint32_t(bytes[offset]) << 24) | (uint32_t(bytes[offset + 1]) << 16) |
           (uint32_t(bytes[offset + 2]) << 8) | uint32_t(bytes[offset + 3]);
}

bool isGzip(const std::vector<uint8_t>& bytes) {
    return bytes.size() >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b;
}

// Reads the IDX header, checks the magic and the exact file size, and returns the dimensions.
std::vector<int64_t> idxDimensions(const std::vector<uint8_t>& bytes, const std::string& name,
                                   uint32_t magic, const std::string& what) {
    if (bytes.size() < 4)
        throw DataError(name + ": " + std::to_string(bytes.size()) +
                        " bytes is too short for an IDX file; expected " + what);
    const uint32_t found = bigEndian32(bytes, 0);
    if (found != magic)
        throw DataError(name + ": wrong magic number " + hex(found) + ", expected " + hex(magic) +
                        " (" + what + ")");

    const size_t rank = magic & 0xff;
    const size_t header = 4 + 4 * rank;
    if (bytes.size() < header)
        throw DataError(name + ": the file ends inside its " + std::to_string(header) +
                        "-byte header");
    std::vector<int64_t> dims;
    int64_t payload = 1;
    for (size_t axis = 0; axis < rank; ++axis) {
        dims.push_back(bigEndian32(bytes, 4 + 4 * axis));
        payload *= dims.back();
    }

    const int64_t expected = int64_t(header) + payload;
    if (int64_t(bytes.size()) != expected) {
        std::ostringstream text;
        text << name << ": the header promises " << dims[0] << " items (" << expected
             << " bytes in all) but the data holds " << bytes.size() << " bytes"
             << (int64_t(bytes.size()) < expected ? "; the file is truncated" : "");
        throw DataError(text.str());
    }
    return dims;
}

torch::Tensor bytesToTensor(const std::vector<uint8_t>& bytes, size_t offset,
                            std::vector<int64_t> shape) {
    torch::Tensor out = torch::empty(shape, torch::kUInt8);
    std::memcpy(out.data_ptr<uint8_t>(), bytes.data() + offset, size_t(out.numel()));
    return out;
}

void checkLabels(const torch::Tensor& labels, int64_t classes, const std::string& name) {
    if (labels.numel() == 0)
        return;
    const int64_t largest = labels.max().item<int64_t>();
    if (largest >= classes) {
        const int64_t index = (labels >= classes).nonzero()[0][0].item<int64_t>();
        throw DataError(name + ": label " + std::to_string(labels[index].item<int64_t>()) +
                        " at index " + std::to_string(index) + " is out of range; expected 0 to " +
                        std::to_string(classes - 1));
    }
}

// `base` or `base.gz` inside `folder`, raw name first; names both when neither exists.
std::string findIdxFile(const fs::path& folder, const std::string& base) {
    const fs::path raw = fs::absolute(folder / base);
    const fs::path gz = fs::absolute(folder / (base + ".gz"));
    if (fs::exists(raw))
        return raw.string();
    if (fs::exists(gz))
        return gz.string();
    throw DataError("missing dataset file: neither " + raw.string() + " nor " + gz.string() +
                    " exists");
}

LabelledImages readIdxPair(const fs::path& folder, const std::string& prefix, ImageShape shape,
                           int64_t classes) {
    const std::string imagesPath = findIdxFile(folder, prefix + "-images-idx3-ubyte");
    const std::string labelsPath = findIdxFile(folder, prefix + "-labels-idx1-ubyte");
    torch::Tensor images = readIdxImages(readFileBytes(imagesPath), imagesPath);
    if (images.size(2) != shape.height || images.size(3) != shape.width)
        throw DataError(imagesPath + ": images are " + std::to_string(images.size(2)) + "x" +
                        std::to_string(images.size(3)) + ", expected " +
                        std::to_string(shape.height) + "x" + std::to_string(shape.width));
    torch::Tensor labels = readIdxLabels(readFileBytes(labelsPath), labelsPath, classes);
    return pairIdx(images, imagesPath, labels, labelsPath);
}

LabelledImages concatenate(const std::vector<LabelledImages>& parts) {
    std::vector<torch::Tensor> images, labels;
    for (const LabelledImages& part : parts) {
        images.push_back(part.images);
        labels.push_back(part.labels);
    }
    return {torch::cat(images), torch::cat(labels)};
}

LabelledImages readCifarFile(const fs::path& folder, const std::string& fileName) {
    const std::string path = fs::absolute(folder / fileName).string();
    return readCifarBatch(readFileBytes(path), path);
}

}  // namespace

// ---------------------------------------------------------------------------------------------

std::string toString(DatasetKind kind) {
    switch (kind) {
        case DatasetKind::Mnist:
            return "mnist";
        case DatasetKind::FashionMnist:
            return "fashion-mnist";
        case DatasetKind::Cifar10:
            return "cifar10";
    }
    return "mnist";
}

std::vector<std::string> datasetNames() {
    return {"mnist", "fashion-mnist", "cifar10"};
}

DatasetKind datasetKindFromString(const std::string& name) {
    for (DatasetKind kind : {DatasetKind::Mnist, DatasetKind::FashionMnist, DatasetKind::Cifar10})
        if (toString(kind) == name)
            return kind;
    throw InvalidSetting("dataset '" + name + "' is unknown; choose one of mnist, fashion-mnist, " +
                         "cifar10");
}

ImageShape imageShape(DatasetKind kind) {
    if (kind == DatasetKind::Cifar10)
        return {3, 32, 32};
    return {1, 28, 28};
}

int64_t classCount(DatasetKind) {
    return 10;
}

LabelledImages LabelledImages::first(int64_t count) const {
    if (count <= 0 || count >= size())
        return *this;
    return {images.narrow(0, 0, count), labels.narrow(0, 0, count)};
}

// ---------------------------------------------------------------------------------------------

std::vector<uint8_t> readFileBytes(const std::string& path) {
    const std::string absolute = fs::absolute(path).string();
    std::error_code error;
    if (!fs::is_regular_file(absolute, error))
        throw DataError("missing dataset file: " + absolute + " does not exist or is not a file");

    std::ifstream in(absolute, std::ios::binary);
    std::vector<uint8_t> bytes(fs::file_size(absolute, error));
    if (!in || error ||
        !in.read(reinterpret_cast<char*>(bytes.data()), std::streamsize(bytes.size())))
        throw DataError("cannot read dataset file " + absolute);
    return bytes;
}

std::vector<uint8_t> gunzipIfNeeded(std::vector<uint8_t> bytes, const std::string& name) {
    if (!isGzip(bytes))
        return bytes;

    z_stream stream{};
    if (inflateInit2(&stream, 16 + MAX_WBITS) != Z_OK)
        throw DataError(name + ": cannot start the gzip decoder");
    stream.next_in = bytes.data();
    stream.avail_in = uInt(bytes.size());

    std::vector<uint8_t> out;
    std::vector<uint8_t> chunk(1 << 20);
    int status = Z_OK;
    while (status != Z_STREAM_END) {
        stream.next_out = chunk.data();
        stream.avail_out = uInt(chunk.size());
        status = inflate(&stream, Z_NO_FLUSH);
        out.insert(out.end(), chunk.data(), chunk.data() + (chunk.size() - stream.avail_out));
        if (status == Z_STREAM_END && stream.avail_in > 0) {
            inflateReset(&stream);  // concatenated gzip members
            status = Z_OK;
        } else if (status != Z_OK && status != Z_STREAM_END) {
            const std::string reason = status == Z_BUF_ERROR
                                           ? "the gzip data ends early (truncated file)"
                                           : std::string("corrupt gzip data (") +
                                                 (stream.msg ? stream.msg : "zlib error") + ")";
            inflateEnd(&stream);
            throw DataError(name + ": " + reason);
        }
    }
    inflateEnd(&stream);
    return out;
}

torch::Tensor readIdxImages(const std::vector<uint8_t>& raw, const std::string& name) {
    const std::vector<uint8_t> bytes = gunzipIfNeeded(raw, name);
    const std::vector<int64_t> dims =
        idxDimensions(bytes, name, kIdxImagesMagic, "an IDX image file, 0x00000803");
    return bytesToTensor(bytes, 16, {dims[0], 1, dims[1], dims[2]});
}

torch::Tensor readIdxLabels(const std::vector<uint8_t>& raw, const std::string& name,
                            int64_t classes) {
    const std::vector<uint8_t> bytes = gunzipIfNeeded(raw, name);
    const std::vector<int64_t> dims =
        idxDimensions(bytes, name, kIdxLabelsMagic, "an IDX label file, 0x00000801");
    torch::Tensor labels = bytesToTensor(bytes, 8, {dims[0]}).to(torch::kInt64);
    checkLabels(labels, classes, name);
    return labels;
}

LabelledImages pairIdx(torch::Tensor images, const std::string& imagesName, torch::Tensor labels,
                       const std::string& labelsName) {
    if (images.size(0) != labels.size(0))
        throw DataError(labelsName + ": holds " + std::to_string(labels.size(0)) + " labels but " +
                        imagesName + " holds " + std::to_string(images.size(0)) +
                        " images; expected one label per image");
    return {std::move(images), std::move(labels)};
}

LabelledImages readCifarBatch(const std::vector<uint8_t>& raw, const std::string& name) {
    const std::vector<uint8_t> bytes = gunzipIfNeeded(raw, name);
    if (int64_t(bytes.size()) != kCifarBatchBytes)
        throw DataError(name + ": a CIFAR-10 batch must be exactly " +
                        std::to_string(kCifarBatchBytes) + " bytes (10,000 records of 3,073), " +
                        "found " + std::to_string(bytes.size()));

    torch::Tensor records = bytesToTensor(bytes, 0, {kCifarRecords, 1 + kCifarPixels});
    torch::Tensor labels = records.select(1, 0).to(torch::kInt64);
    checkLabels(labels, 10, name);
    torch::Tensor images = records.narrow(1, 1, kCifarPixels).reshape({kCifarRecords, 3, 32, 32});
    return {images.contiguous(), labels};
}

Dataset loadDataset(DatasetKind kind, const std::string& folderName) {
    const fs::path folder = fs::absolute(folderName);
    if (!fs::is_directory(folder))
        throw DataError("dataset folder " + folder.string() + " does not exist");

    Dataset dataset;
    dataset.kind = kind;
    if (kind == DatasetKind::Cifar10) {
        std::vector<LabelledImages> parts;
        for (int batch = 1; batch <= 5; ++batch)
            parts.push_back(readCifarFile(folder, "data_batch_" + std::to_string(batch) + ".bin"));
        dataset.train = concatenate(parts);
        dataset.test = readCifarFile(folder, "test_batch.bin");
        return dataset;
    }

    dataset.train = readIdxPair(folder, "train", imageShape(kind), classCount(kind));
    dataset.test = readIdxPair(folder, "t10k", imageShape(kind), classCount(kind));
    return dataset;
}

}  // namespace gode
