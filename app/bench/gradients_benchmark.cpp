#include "gradients_benchmark.h"

#include <torch/torch.h>
#include <CLI/CLI.hpp>

#include <cstdio>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "iteration_measurement.h"
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
    std::cout << leftCell(row["mode"], 11) << "  " << cell(row["steps"], 0, 5) << "  "
              << cell(row["forwardEvaluations"], 0, 9) << "  "
              << cell(row["backwardEvaluations"], 0, 9) << "  " << cell(row["peakGrowthMiB"], 1, 17)
              << "  " << cell(row["secondsMedian"], 3, 11) << "  "
              << cell(row["cpuSecondsMedian"], 3, 10) << std::endl;
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
            Json row = measureRowInChild(childArguments(options, mode, steps),
                                         mode + " with " + std::to_string(steps) + " steps");
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
    prepareMemoryMeasurement();
    if (options.threads > 0)
        torch::set_num_threads(options.threads);
    torch::manual_seed(0);

    const Backprop mode = backpropFromString(options.rowMode);
    TrainingIteration iteration(publishedMnist(mode, options.rowSteps), options.batch);
    Json row = measurePeakMemory(iteration);
    const std::vector<IterationTime> times = measureTimes(iteration, 1, options.repeats);
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
