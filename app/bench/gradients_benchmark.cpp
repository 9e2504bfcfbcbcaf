#include "gradients_benchmark.h"

#include <malloc.h>
#include <torch/torch.h>
#include <CLI/CLI.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "model/network.h"
#include "process_tools.h"

namespace gode::bench {

namespace {

using Json = nlohmann::json;

// method.md: width 64, order-2 spline with K = 4 bases at the published knots, Euler steps.
ModelConfig publishedMnist(Backprop mode, int steps) {
    ModelConfig config;
    config.inputChannels = 1;
    config.imageSize = 28;
    config.width = 64;
    config.splineOrder = 2;
    config.interiorKnots = 2;
    config.placement = KnotPlacement::Published;
    config.solver.method = "euler";
    config.solver.steps = steps;
    config.solver.backprop = mode;
    return config;
}

struct IterationTime {
    double wall = 0.0;
    double cpu = 0.0;  // of all threads of this process
};

class TrainingIteration {
  public:
    TrainingIteration(const ModelConfig& config, int batch)
        : net_(config),
          optimizer_(net_->parameters(), torch::optim::SGDOptions(0.1).momentum(0.9)),
          images_(torch::randn({batch, 1, 28, 28})),
          labels_(torch::randint(0, 10, {batch}, torch::kLong)) {}

    // Forward, backward and SGD step.
    IterationTime run() {
        const double cpuStart = processCpuSeconds();
        const auto start = std::chrono::steady_clock::now();
        optimizer_.zero_grad();
        torch::Tensor loss = torch::nn::functional::cross_entropy(net_->forward(images_), labels_);
        loss.backward();
        optimizer_.step();
        const auto wall = std::chrono::steady_clock::now() - start;
        return {std::chrono::duration<double>(wall).count(), processCpuSeconds() - cpuStart};
    }

    const OdeBlockImpl& block() const { return *net_->block; }

  private:
    GodeNet net_;
    torch::optim::SGD optimizer_;
    torch::Tensor images_;
    torch::Tensor labels_;
};

double median(std::vector<double> values) {
    std::sort(values.begin(), values.end());
    const size_t middle = values.size() / 2;
    return values.size() % 2 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
}

// Peak memory: glibc keeps freed blocks for reuse, so resident memory would show the
// allocator's history rather than what the iteration needs. A low fixed mmap threshold makes
// every block of 64 KiB or more (states, spline weights W(t)) its own mapping, returned on free,
// and malloc_trim hands back the free pages of smaller blocks. After one warm-up iteration
// (gradients, momentum buffers, thread pools), the peak resident growth of the next iteration is
// then the memory that iteration needs.
// This method relies on glibc's malloc (mallopt, malloc_trim) and Linux's /proc; another
// allocator or system would need another way to see the memory in use.
Json measurePeakMemory(TrainingIteration& iteration) {
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

// Time: the mapping-per-block policy above costs page faults on every allocation, so it is
// lifted (glibc's largest mmap threshold, no trimming) and, after another warm-up, the
// iterations are timed as a training loop would run them. CPU time is reported beside wall time
// because on a shared machine it depends less on the other processes.
std::vector<IterationTime> measureTimes(TrainingIteration& iteration, int repeats) {
    mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024);
    mallopt(M_TRIM_THRESHOLD, 1 << 30);
    iteration.run();
    std::vector<IterationTime> times;
    for (int i = 0; i < repeats; ++i)
        times.push_back(iteration.run());
    return times;
}

std::string cell(double value, int precision, int width) {
    char text[64];
    std::snprintf(text, sizeof text, "%*.*f", width, precision, value);
    return text;
}

void printHeader(const GradientsOptions& options, const Json& firstRow) {
    std::cout << "Gradient modes: one training iteration (forward, backward, SGD step) of the "
                 "published MNIST configuration\n"
              << "(width 64, order 2, K = 4 published knots, batch " << options.batch
              << ", random 1x28x28 inputs), Euler steps.\n"
              << "Machine: " << machineDescription() << "; LibTorch " << TORCH_VERSION
              << ", intra-op threads: " << firstRow["threads"].get<int>() << ".\n"
              << "Each row in a fresh process. Memory: peak resident growth during one iteration "
                 "after a warm-up one.\nTime: median of "
              << options.repeats << " iterations, wall clock and CPU time of the process.\n\n"
              << "mode         steps  fwd evals  bwd evals  peak memory (MiB)  wall s/iter  "
                 "CPU s/iter\n"
              << "-----------  -----  ---------  ---------  -----------------  -----------  "
                 "----------\n";
}

void printRow(const Json& row) {
    std::string mode = row["mode"];
    mode.resize(11, ' ');
    std::cout << mode << "  " << cell(row["steps"], 0, 5) << "  "
              << cell(row["forwardEvaluations"], 0, 9) << "  "
              << cell(row["backwardEvaluations"], 0, 9) << "  " << cell(row["peakGrowthMiB"], 1, 17)
              << "  " << cell(row["secondsMedian"], 3, 11) << "  "
              << cell(row["cpuSecondsMedian"], 3, 10) << std::endl;
}

Json parseRow(const std::string& output, const std::string& mode, int steps) {
    try {
        return Json::parse(output);
    } catch (const Json::exception& error) {
        throw BenchmarkFailure("the child measuring " + mode + " with " + std::to_string(steps) +
                               " steps printed no valid JSON (" + error.what() + "): '" + output +
                               "'");
    }
}

std::vector<std::string> childArguments(const GradientsOptions& options, const std::string& mode,
                                        int steps) {
    return {"gradients",
            "--row-mode",
            mode,
            "--row-steps",
            std::to_string(steps),
            "--batch",
            std::to_string(options.batch),
            "--repeats",
            std::to_string(options.repeats),
            "--threads",
            std::to_string(options.threads)};
}

void checkOptions(const GradientsOptions& options) {
    for (const std::string& mode : options.modes)
        backpropFromString(mode);  // throws, listing the choices
    for (int steps : options.steps)
        if (steps < 1)
            throw InvalidSetting("steps = " + std::to_string(steps) +
                                 " is invalid; it must be >= 1");
    if (options.batch < 1)
        throw InvalidSetting("batch = " + std::to_string(options.batch) +
                             " is invalid; it must be >= 1");
    if (options.repeats < 1)
        throw InvalidSetting("repeats = " + std::to_string(options.repeats) +
                             " is invalid; it must be >= 1");
}

}  // namespace

void addGradientsCommand(CLI::App& app) {
    auto options = std::make_shared<GradientsOptions>();
    CLI::App* command = app.add_subcommand(
        "gradients",
        "Peak memory and time of one training iteration per backprop mode and number of Euler "
        "steps (published MNIST configuration, random inputs)");
    command->add_option("--steps", options->steps, "numbers of Euler steps")->capture_default_str();
    command->add_option("--modes", options->modes, "backprop modes: direct, checkpoint, adjoint")
        ->capture_default_str();
    command->add_option("--batch", options->batch, "batch size")->capture_default_str();
    command->add_option("--repeats", options->repeats, "timed iterations per row")
        ->capture_default_str();
    command
        ->add_option("--threads", options->threads,
                     "LibTorch intra-op threads (0: LibTorch's default)")
        ->capture_default_str();
    command->add_option("--json", options->jsonPath, "also write the table as JSON to this file");
    // Internal: the child process that measures one row.
    command->add_option("--row-mode", options->rowMode)->group("");
    command->add_option("--row-steps", options->rowSteps)->group("");

    command->callback([options] {
        if (options->rowMode.empty())
            runGradientsTable(*options);
        else
            measureGradientsRow(*options);
    });
}

void runGradientsTable(const GradientsOptions& options) {
    checkOptions(options);
    Json rows = Json::array();
    for (int steps : options.steps) {
        for (const std::string& mode : options.modes) {
            const std::string output = runSelf(childArguments(options, mode, steps));
            Json row = parseRow(output, mode, steps);
            if (rows.empty())
                printHeader(options, row);
            printRow(row);
            rows.push_back(std::move(row));
        }
    }
    if (!options.jsonPath.empty()) {
        const Json document{{"benchmark", "gradients"},
                            {"machine", machineDescription()},
                            {"libtorch", TORCH_VERSION},
                            {"rows", rows}};
        writeFileAtomically(options.jsonPath, document.dump(2) + "\n");
    }
}

void measureGradientsRow(const GradientsOptions& options) {
    // Before any allocation: see measurePeakMemory.
    mallopt(M_MMAP_THRESHOLD, 64 * 1024);
    if (options.threads > 0)
        torch::set_num_threads(options.threads);
    torch::manual_seed(0);

    const Backprop mode = backpropFromString(options.rowMode);
    TrainingIteration iteration(publishedMnist(mode, options.rowSteps), options.batch);
    Json row = measurePeakMemory(iteration);
    const std::vector<IterationTime> times = measureTimes(iteration, options.repeats);
    std::vector<double> wall, cpu;
    for (const IterationTime& time : times) {
        wall.push_back(time.wall);
        cpu.push_back(time.cpu);
    }

    row["mode"] = options.rowMode;
    row["steps"] = options.rowSteps;
    row["batch"] = options.batch;
    row["threads"] = torch::get_num_threads();
    row["forwardEvaluations"] = iteration.block().lastStats().evaluations;
    row["backwardEvaluations"] = iteration.block().lastBackwardStats().evaluations;
    row["secondsMedian"] = median(wall);
    row["seconds"] = wall;
    row["cpuSecondsMedian"] = median(cpu);
    row["cpuSeconds"] = cpu;
    std::cout << row.dump() << std::endl;
}

}  // namespace gode::bench
