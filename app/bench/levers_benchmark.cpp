#include "levers_benchmark.h"

#include <torch/torch.h>
#include <CLI/CLI.hpp>

#include <chrono>
#include <iostream>
#include <memory>

#include "iteration_measurement.h"
#include "model/spline_weight.h"
#include "process_tools.h"
#include "train/train_config.h"

namespace gode::bench {

namespace {

struct LeverOptions {
    int64_t width = 64;
    int64_t batch = 128;
    int64_t mapSize = 6;  // the ODE block's maps for 28x28 inputs
    int threads = 0;
    int repeats = 30;
};

// The field's tensors in one layout and precision.
struct FieldTensors {
    torch::Tensor state, weight1, weight2, normWeight, normBias;
};

FieldTensors makeTensors(const LeverOptions& options, torch::ScalarType type,
                         torch::MemoryFormat format) {
    torch::manual_seed(0);
    const int64_t width = options.width;
    auto make = [&](std::vector<int64_t> shape, double scale) {
        torch::Tensor value = (torch::randn(shape) * scale).to(type);
        if (shape.size() == 4)
            value = value.contiguous(format);
        return value.requires_grad_();
    };
    return {make({options.batch, width, options.mapSize, options.mapSize}, 1.0),
            make({width, width, 3, 3}, 1.0 / std::sqrt(9.0 * width)),
            make({width, width, 3, 3}, 1.0 / std::sqrt(9.0 * width)), make({width}, 1.0),
            make({width}, 0.1)};
}

// One evaluation of f and its backward pass; seconds.
double evaluateOnce(FieldTensors& tensors, int64_t groups) {
    namespace F = torch::nn::functional;
    const auto conv = F::Conv2dFuncOptions().padding(1);
    const auto norm =
        F::GroupNormFuncOptions(groups).weight(tensors.normWeight).bias(tensors.normBias);
    const auto start = std::chrono::steady_clock::now();

    torch::Tensor out =
        F::conv2d(torch::relu(F::group_norm(tensors.state, norm)), tensors.weight1, conv);
    out = F::conv2d(torch::relu(F::group_norm(out, norm)), tensors.weight2, conv);
    out.sum().backward();

    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

double medianSeconds(const LeverOptions& options, torch::ScalarType type,
                     torch::MemoryFormat format) {
    FieldTensors tensors = makeTensors(options, type, format);
    const int64_t groups = std::min<int64_t>(32, options.width);
    for (int i = 0; i < 3; ++i)
        evaluateOnce(tensors, groups);
    std::vector<double> seconds;
    for (int i = 0; i < options.repeats; ++i)
        seconds.push_back(evaluateOnce(tensors, groups));
    return median(seconds);
}

// Building W(t) for one convolution from its non-zero bases (order 2, K = 4, as published):
// what caching the weights per distinct time could save at most.
double splineWeightSeconds(const LeverOptions& options) {
    auto basis = std::make_shared<const BSplineBasis>(2, 2, 1.0, KnotPlacement::Published);
    SplineWeight weight(basis, std::vector<int64_t>{options.width, options.width, 3, 3});
    std::vector<double> seconds;
    for (int i = 0; i < 3 + options.repeats; ++i) {
        const auto start = std::chrono::steady_clock::now();
        torch::Tensor value = weight->at(0.3);
        const double elapsed =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        if (i >= 3)
            seconds.push_back(elapsed);
    }
    return median(seconds);
}

void runLevers(const LeverOptions& options) {
    torch::set_num_threads(resolvedThreads(options.threads));
    std::cout << "Levers: one evaluation of the vector field, forward and backward, on "
              << options.batch << " x " << options.width << " x " << options.mapSize << " x "
              << options.mapSize << ".\nMachine: " << machineDescription() << "; LibTorch "
              << TORCH_VERSION << "; threads " << torch::get_num_threads() << "; median of "
              << options.repeats << ".\n\n"
              << "variant                   seconds  relative to float32\n"
              << "------------------------  -------  -------------------\n";

    struct Variant {
        const char* name;
        torch::ScalarType type;
        torch::MemoryFormat format;
    };
    const Variant variants[] = {
        {"float32 (as the model)", torch::kFloat, torch::MemoryFormat::Contiguous},
        {"float32, channels-last", torch::kFloat, torch::MemoryFormat::ChannelsLast},
        {"bfloat16", torch::kBFloat16, torch::MemoryFormat::Contiguous},
        {"bfloat16, channels-last", torch::kBFloat16, torch::MemoryFormat::ChannelsLast},
    };
    double reference = 0.0;
    for (const Variant& variant : variants) {
        const double seconds = medianSeconds(options, variant.type, variant.format);
        if (reference == 0.0)
            reference = seconds;
        std::cout << leftCell(variant.name, 24) << "  " << cell(seconds, 5, 7) << "  "
                  << cell(seconds / reference, 2, 19) << std::endl;
    }

    const double weight = splineWeightSeconds(options);
    std::cout << "\nBuilding one spline weight W(t) (with autograd, as in training): "
              << cell(weight * 1e6, 1, 0) << " microseconds, "
              << cell(100.0 * 2.0 * weight / reference, 2, 0)
              << " % of the float32 evaluation that uses two of them.\n";
}

}  // namespace

void addLeversCommand(CLI::App& app) {
    auto options = std::make_shared<LeverOptions>();
    CLI::App* command = app.add_subcommand(
        "levers",
        "One evaluation of the vector field, forward and backward, in float32, channels-last "
        "and bfloat16");
    command->add_option("--width", options->width, "channels")->capture_default_str();
    command->add_option("--batch", options->batch, "batch size")->capture_default_str();
    command->add_option("--map-size", options->mapSize, "side of the feature maps")
        ->capture_default_str();
    command->add_option("--threads", options->threads, "LibTorch threads (0: all cores)")
        ->capture_default_str();
    command->add_option("--repeats", options->repeats, "timed evaluations")
        ->check(CLI::Range(1, 100000))
        ->capture_default_str();
    command->callback([options] { runLevers(*options); });
}

}  // namespace gode::bench
