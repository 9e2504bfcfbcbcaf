#include "iteration_measurement.h"

#include <malloc.h>
#include <torch/cuda.h>

#include <algorithm>
#include <chrono>
#include <cstdio>

#include "process_tools.h"

namespace gode::bench {

TrainingIteration::TrainingIteration(const ModelConfig& config, int64_t batch, torch::Device device)
    : net_(config),
      optimizer_(net_->parameters(), torch::optim::SGDOptions(0.1).momentum(0.9)),
      images_(torch::randn({batch, config.inputChannels, config.imageSize, config.imageSize})),
      labels_(torch::randint(0, config.classes, {batch}, torch::kLong)),
      device_(device) {
    net_->to(device_);
    images_ = images_.to(device_);
    labels_ = labels_.to(device_);
}

IterationTime TrainingIteration::run() {
    const double cpuStart = processCpuSeconds();
    const auto start = std::chrono::steady_clock::now();

    optimizer_.zero_grad();
    torch::Tensor loss = torch::nn::functional::cross_entropy(net_->forward(images_), labels_);
    loss.backward();
    optimizer_.step();
    synchronize();

    const auto wall = std::chrono::steady_clock::now() - start;
    return {std::chrono::duration<double>(wall).count(), processCpuSeconds() - cpuStart};
}

void TrainingIteration::synchronize() const {
    // CUDA runs asynchronously: without this the clock would stop before the GPU has finished.
    if (device_.is_cuda())
        torch::cuda::synchronize();
}

// Peak memory: glibc keeps freed blocks for reuse, so resident memory would show the
// allocator's history rather than what the iteration needs. A low fixed mmap threshold makes
// every block of 64 KiB or more (states, spline weights W(t)) its own mapping, returned on free,
// and malloc_trim hands back the free pages of smaller blocks. After one warm-up iteration
// (gradients, momentum buffers, thread pools), the peak resident growth of the next iteration is
// then the memory that iteration needs.
// This method relies on glibc's malloc (mallopt, malloc_trim) and Linux's /proc; another
// allocator or system would need another way to see the memory in use.
void prepareMemoryMeasurement() {
    mallopt(M_MMAP_THRESHOLD, 64 * 1024);
}

nlohmann::json measurePeakMemory(TrainingIteration& iteration) {
    iteration.run();
    malloc_trim(0);
    const bool reset = resetPeakResident();
    const int64_t baseline = residentKiB(reset ? "VmRSS" : "VmHWM");
    iteration.run();
    const int64_t peak = residentKiB("VmHWM");
    return {{"baselineMiB", baseline / 1024.0},
            {"peakGrowthMiB", (peak - baseline) / 1024.0},
            {"peakMethod", reset ? "reset VmHWM, then VmHWM - VmRSS"
                                 : "VmHWM growth (could not reset the peak)"}};
}

// The mapping-per-block policy of prepareMemoryMeasurement costs page faults on every
// allocation, so it is lifted (glibc's largest mmap threshold, no trimming) before timing.
std::vector<IterationTime> measureTimes(TrainingIteration& iteration, int warmups, int repeats) {
    mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024);
    mallopt(M_TRIM_THRESHOLD, 1 << 30);
    for (int i = 0; i < warmups; ++i)
        iteration.run();

    std::vector<IterationTime> times;
    for (int i = 0; i < repeats; ++i)
        times.push_back(iteration.run());
    return times;
}

nlohmann::json measureRowInChild(const std::vector<std::string>& arguments,
                                 const std::string& what) {
    const std::string output = runSelf(arguments);
    try {
        return nlohmann::json::parse(output);
    } catch (const nlohmann::json::exception& error) {
        throw BenchmarkFailure("the child measuring " + what + " printed no valid JSON (" +
                               error.what() + "): '" + output + "'");
    }
}

double median(std::vector<double> values) {
    if (values.empty())
        return 0.0;
    std::sort(values.begin(), values.end());
    const size_t middle = values.size() / 2;
    return values.size() % 2 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
}

std::string cell(double value, int precision, int width) {
    char text[64];
    std::snprintf(text, sizeof text, "%*.*f", width, precision, value);
    return text;
}

std::string leftCell(std::string text, size_t width) {
    text.resize(width, ' ');
    return text;
}

}  // namespace gode::bench
