#include "fixtures.h"

#include <zlib.h>

#include <fstream>
#include <stdexcept>

namespace gode::test {

namespace {

void appendBigEndian(Bytes& bytes, uint32_t value) {
    for (int shift = 24; shift >= 0; shift -= 8)
        bytes.push_back(uint8_t(value >> shift));
}

}  // namespace

Bytes idxImageBytes(const torch::Tensor& images) {
    const torch::Tensor data = images.to(torch::kUInt8).contiguous();
    Bytes bytes;
    appendBigEndian(bytes, 0x00000803);
    for (int axis = 0; axis < 3; ++axis)
        appendBigEndian(bytes, uint32_t(data.size(axis)));
    const uint8_t* pixels = data.data_ptr<uint8_t>();
    bytes.insert(bytes.end(), pixels, pixels + data.numel());
    return bytes;
}

Bytes idxLabelBytes(const std::vector<uint8_t>& labels) {
    Bytes bytes;
    appendBigEndian(bytes, 0x00000801);
    appendBigEndian(bytes, uint32_t(labels.size()));
    bytes.insert(bytes.end(), labels.begin(), labels.end());
    return bytes;
}

Bytes gzipBytes(const Bytes& bytes) {
    z_stream stream{};
    if (deflateInit2(&stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 16 + MAX_WBITS, 8,
                     Z_DEFAULT_STRATEGY) != Z_OK)
        throw std::runtime_error("deflateInit2 failed");
    Bytes out(deflateBound(&stream, uLong(bytes.size())) + 64);
    stream.next_in = const_cast<uint8_t*>(bytes.data());
    stream.avail_in = uInt(bytes.size());
    stream.next_out = out.data();
    stream.avail_out = uInt(out.size());
    if (deflate(&stream, Z_FINISH) != Z_STREAM_END)
        throw std::runtime_error("deflate did not finish");
    out.resize(stream.total_out);
    deflateEnd(&stream);
    return out;
}

Bytes cifarBatchBytes(const torch::Tensor& images, const std::vector<uint8_t>& labels) {
    const torch::Tensor data = images.to(torch::kUInt8).contiguous();
    const uint8_t* pixels = data.data_ptr<uint8_t>();
    const int64_t perImage = 3 * 32 * 32;
    Bytes bytes;
    for (size_t record = 0; record < labels.size(); ++record) {
        bytes.push_back(labels[record]);
        bytes.insert(bytes.end(), pixels + record * perImage, pixels + (record + 1) * perImage);
    }
    return bytes;
}

void writeBytes(const std::string& path, const Bytes& bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
    if (!out)
        throw std::runtime_error("cannot write fixture " + path);
}

SyntheticImages syntheticDigits(int64_t count, uint64_t seed) {
    torch::Generator generator = at::detail::createCPUGenerator(seed);
    SyntheticImages out;
    out.images = torch::randint(0, 60, {count, 28, 28}, generator, torch::kInt64);
    for (int64_t i = 0; i < count; ++i) {
        const int label = int(i % 10);
        const int64_t top = 2 + (label / 4) * 9;
        const int64_t left = 1 + (label % 4) * 7;
        out.images[i].narrow(0, top, 7).narrow(1, left, 6).fill_(230);
        out.labels.push_back(uint8_t(label));
    }
    out.images = out.images.to(torch::kUInt8);
    return out;
}

void writeSyntheticMnist(const std::string& folder, int64_t trainCount, int64_t testCount,
                         bool gzip) {
    const auto encode = [gzip](const Bytes& bytes) { return gzip ? gzipBytes(bytes) : bytes; };
    const std::string suffix = gzip ? ".gz" : "";
    const SyntheticImages train = syntheticDigits(trainCount, 11);
    const SyntheticImages test = syntheticDigits(testCount, 12);
    writeBytes(folder + "/train-images-idx3-ubyte" + suffix, encode(idxImageBytes(train.images)));
    writeBytes(folder + "/train-labels-idx1-ubyte" + suffix, encode(idxLabelBytes(train.labels)));
    writeBytes(folder + "/t10k-images-idx3-ubyte" + suffix, encode(idxImageBytes(test.images)));
    writeBytes(folder + "/t10k-labels-idx1-ubyte" + suffix, encode(idxLabelBytes(test.labels)));
}

TrainConfig tinyTrainConfig(const std::string& dataFolder, const std::string& runFolder) {
    TrainConfig config;
    config.setDataset(DatasetKind::Mnist);
    config.data.directory = dataFolder;
    config.model.width = 8;
    config.model.solver.method = "euler";
    config.model.solver.steps = 2;
    config.optim.optimizer = OptimizerKind::Sgd;
    config.optim.learningRate = 0.05;
    config.optim.schedule = ScheduleKind::Cosine;
    config.optim.epochs = 2;
    config.optim.batchSize = 16;
    config.optim.testBatchSize = 32;
    config.threads = 1;
    config.seed = 7;
    config.outputDirectory = runFolder;
    return config;
}

}  // namespace gode::test
