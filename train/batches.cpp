#include "batches.h"

#include <cstring>

namespace gode {

namespace {

uint64_t splitMix(uint64_t x) {
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

// Uniform integer in [0, bound) without the modulo bias of plain `%` mattering (bound << 2^64).
uint64_t below(uint64_t random, uint64_t bound) {
    return static_cast<uint64_t>((static_cast<unsigned __int128>(random) * bound) >> 64);
}

}  // namespace

uint64_t mixSeed(uint64_t seed, uint64_t a, uint64_t b, uint64_t c) {
    uint64_t h = splitMix(seed);
    h = splitMix(h ^ a);
    h = splitMix(h ^ b);
    return splitMix(h ^ c);
}

std::vector<int64_t> epochOrder(int64_t size, uint64_t seed, int64_t epoch) {
    std::vector<int64_t> order(size);
    for (int64_t i = 0; i < size; ++i)
        order[i] = i;

    uint64_t state = mixSeed(seed, 0x5348554646ULL /* "SHUFF" */, uint64_t(epoch));
    for (int64_t i = size - 1; i > 0; --i) {
        state = splitMix(state);
        std::swap(order[i], order[below(state, uint64_t(i + 1))]);
    }
    return order;
}

Normalization normalization(DatasetKind kind) {
    if (kind == DatasetKind::Cifar10)
        return {{0.491, 0.482, 0.447}, {0.247, 0.243, 0.262}};
    return {{0.0}, {1.0}};
}

// ---------------------------------------------------------------------------------------------

BatchMaker::BatchMaker(LabelledImages data, Normalization normalization, int64_t batchSize,
                       int cropPadding, uint64_t seed)
    : data_(std::move(data)), batchSize_(batchSize), cropPadding_(cropPadding), seed_(seed) {
    data_.images = data_.images.contiguous();
    const int64_t channels = data_.images.size(1);
    for (int64_t channel = 0; channel < channels; ++channel) {
        const size_t which = normalization.mean.size() == 1 ? 0 : size_t(channel);
        std::vector<float> table(256);
        for (int value = 0; value < 256; ++value)
            table[value] =
                float((value / 255.0 - normalization.mean[which]) / normalization.std[which]);
        pixelTable_.push_back(std::move(table));
    }
}

Batch BatchMaker::training(const std::vector<int64_t>& order, int64_t epoch, int64_t index) const {
    const int64_t begin = index * batchSize_;
    const int64_t end = std::min(begin + batchSize_, size());

    std::vector<int64_t> examples(order.begin() + begin, order.begin() + end);
    std::vector<std::pair<int, int>> offsets;
    const uint64_t span = uint64_t(2 * cropPadding_ + 1);
    for (int64_t slot = 0; slot < end - begin; ++slot) {
        const uint64_t random =
            mixSeed(seed_, 0x43524f50ULL /* "CROP" */, uint64_t(epoch), uint64_t(begin + slot));
        const int dy = int(below(random, span)) - cropPadding_;
        const int dx = int(below(splitMix(random), span)) - cropPadding_;
        offsets.emplace_back(dy, dx);
    }

    Batch batch;
    batch.images = assemble(examples, offsets);
    batch.labels = data_.labels.index_select(0, torch::tensor(examples, torch::kInt64));
    batch.epoch = epoch;
    batch.index = index;
    return batch;
}

Batch BatchMaker::evaluation(int64_t index) const {
    const int64_t begin = index * batchSize_;
    const int64_t end = std::min(begin + batchSize_, size());
    std::vector<int64_t> examples;
    for (int64_t i = begin; i < end; ++i)
        examples.push_back(i);

    Batch batch;
    batch.images = assemble(examples, std::vector<std::pair<int, int>>(examples.size(), {0, 0}));
    batch.labels = data_.labels.narrow(0, begin, end - begin);
    batch.index = index;
    return batch;
}

// Output pixel (y, x) of an example shifted by (dy, dx) reads stored pixel (y + dy, x + dx),
// or the zero padding outside the image: the same as padding by p and cropping at p + offset.
torch::Tensor BatchMaker::assemble(const std::vector<int64_t>& examples,
                                   const std::vector<std::pair<int, int>>& offsets) const {
    const int64_t channels = data_.images.size(1);
    const int64_t height = data_.images.size(2);
    const int64_t width = data_.images.size(3);
    torch::Tensor out =
        torch::empty({int64_t(examples.size()), channels, height, width}, torch::kFloat32);
    float* target = out.data_ptr<float>();
    const uint8_t* source = data_.images.data_ptr<uint8_t>();

    for (size_t slot = 0; slot < examples.size(); ++slot) {
        const auto [dy, dx] = offsets[slot];
        for (int64_t channel = 0; channel < channels; ++channel) {
            const std::vector<float>& table = pixelTable_[channel];
            const uint8_t* plane = source + (examples[slot] * channels + channel) * height * width;
            for (int64_t y = 0; y < height; ++y) {
                const int64_t sy = y + dy;
                for (int64_t x = 0; x < width; ++x) {
                    const int64_t sx = x + dx;
                    const bool inside = sy >= 0 && sy < height && sx >= 0 && sx < width;
                    *target++ = table[inside ? plane[sy * width + sx] : 0];
                }
            }
        }
    }
    return out;
}

// ---------------------------------------------------------------------------------------------

BatchPrefetcher::BatchPrefetcher(const BatchMaker& maker, int64_t epoch, int64_t firstBatch,
                                 int depth)
    : maker_(maker), epoch_(epoch), nextToMake_(firstBatch), depth_(std::max(1, depth)) {
    worker_ = std::thread([this] { produce(); });
}

BatchPrefetcher::~BatchPrefetcher() {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        cancelled_ = true;
    }
    changed_.notify_all();
    worker_.join();
}

void BatchPrefetcher::produce() {
    try {
        const std::vector<int64_t> order = epochOrder(maker_.size(), maker_.seed(), epoch_);
        while (nextToMake_ < maker_.batchesPerEpoch()) {
            Batch batch = maker_.training(order, epoch_, nextToMake_++);
            std::unique_lock<std::mutex> lock(mutex_);
            changed_.wait(lock, [&] { return cancelled_ || int(ready_.size()) < depth_; });
            if (cancelled_)
                return;
            ready_.push_back(std::move(batch));
            changed_.notify_all();
        }
    } catch (...) {
        std::lock_guard<std::mutex> lock(mutex_);
        error_ = std::current_exception();
    }
    std::lock_guard<std::mutex> lock(mutex_);
    finished_ = true;
    changed_.notify_all();
}

std::optional<Batch> BatchPrefetcher::next() {
    std::unique_lock<std::mutex> lock(mutex_);
    changed_.wait(lock, [&] { return !ready_.empty() || finished_; });
    if (!ready_.empty()) {
        Batch batch = std::move(ready_.front());
        ready_.pop_front();
        changed_.notify_all();
        return batch;
    }
    if (error_)
        std::rethrow_exception(error_);
    return std::nullopt;
}

}  // namespace gode
