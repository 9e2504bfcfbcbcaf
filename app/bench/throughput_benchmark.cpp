#include "throughput_benchmark.h"

#include <torch/cuda.h>
#include <torch/torch.h>
#include <CLI/CLI.hpp>

#include <chrono>
#include <iostream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>

#include "convolution_flops.h"
#include "iteration_measurement.h"
#include "process_tools.h"
#include "train/train_config.h"

namespace gode::bench {

namespace {

using Json = nlohmann::json;

// A row: the model, its batch and its CPU threads as gode-train runs that configuration.
struct BenchConfig {
    std::string name;
    ModelConfig model;
    int64_t batch = 128;
    int threads = 0;  // 0: all cores
};

BenchConfig fromTrainConfig(const std::string& name, const TrainConfig& config) {
    return {name, config.model, config.optim.batchSize, config.threads};
}

// The CPU default with another solver, at the published batch so that the rows compare.
BenchConfig withSolver(const std::string& name, const TrainConfig& defaults,
                       const std::string& method) {
    BenchConfig config = fromTrainConfig(name, defaults);
    config.model.solver.method = method;
    config.batch = 128;
    return config;
}

// The published MNIST model with K basis functions (order 2 at the published knots; K = 1 is
// the constant basis of order 1, the Neural-ODE).
BenchConfig withBasisCount(int basisCount) {
    BenchConfig config = fromTrainConfig("k" + std::to_string(basisCount), paperMnistConfig());
    ModelConfig& model = config.model;
    model.splineOrder = basisCount == 1 ? 1 : 2;
    model.interiorKnots = basisCount - model.splineOrder;
    if (basisCount == 1)
        model.placement = KnotPlacement::Clamped;
    return config;
}

std::vector<BenchConfig> benchConfigs() {
    const TrainConfig defaults = defaultTrainConfig();
    std::vector<BenchConfig> configs{
        fromTrainConfig("paper-mnist", paperMnistConfig()),
        fromTrainConfig("paper-cifar10", paperCifar10Config()),
        fromTrainConfig("cpu-default", defaults),
    };
    for (const char* method : {"euler", "midpoint", "rk4", "dopri5"})
        configs.push_back(withSolver(std::string("solver-") + method, defaults, method));
    for (int basisCount : {1, 4, 8, 16})
        configs.push_back(withBasisCount(basisCount));
    return configs;
}

const BenchConfig& findConfig(const std::vector<BenchConfig>& configs, const std::string& name) {
    for (const BenchConfig& config : configs)
        if (config.name == name)
            return config;
    std::string choices;
    for (const BenchConfig& config : configs)
        choices += (choices.empty() ? "" : ", ") + config.name;
    throw InvalidSetting("configuration '" + name + "' is unknown; choose from " + choices);
}

torch::Device benchDevice(const std::string& name) {
    if (name == "cpu")
        return torch::kCPU;
    if (name != "cuda")
        throw InvalidSetting("device '" + name + "' is unknown; choose cpu or cuda");
    if (!torch::cuda::is_available())
        throw InvalidSetting("device 'cuda' was asked for, but LibTorch sees no CUDA GPU");
    return torch::kCUDA;
}

void checkOptions(const ThroughputOptions& options) {
    const std::vector<BenchConfig> configs = benchConfigs();
    for (const std::string& name : options.configs)
        findConfig(configs, name);
    benchDevice(options.device);
    if (options.batch < 0)
        throw InvalidSetting("batch = " + std::to_string(options.batch) +
                             " is invalid; it must be >= 1, or 0 for each configuration's own");
    if (options.warmups < 0 || options.repeats < 1)
        throw InvalidSetting("warmups must be >= 0 and repeats >= 1 (given " +
                             std::to_string(options.warmups) + " and " +
                             std::to_string(options.repeats) + ")");
}

// The threads a row runs with: the option when given, else the configuration's own; 0 means
// all cores, as in gode-train (LibTorch's own default can be fewer).
int rowThreads(const ThroughputOptions& options, const BenchConfig& config) {
    return resolvedThreads(options.threads > 0 ? options.threads : config.threads);
}

// ---- the child processes ----------------------------------------------------------------------

// One 3x3 convolution of `width` channels on `batch` maps of `size` x `size`, forward and
// backward (input and weight gradients): its median GFLOP/s.
Json measureConvolution(const ThroughputOptions& options, torch::Device device, int64_t width,
                        int64_t batch, int64_t size) {
    auto input = torch::randn({batch, width, size, size}, device).requires_grad_();
    auto weight = torch::randn({width, width, 3, 3}, device).requires_grad_();
    auto conv = torch::nn::functional::Conv2dFuncOptions().padding(1);
    torch::Tensor outputGradient = torch::ones({batch, width, size, size}, device);

    auto once = [&] {
        const auto start = std::chrono::steady_clock::now();
        torch::nn::functional::conv2d(input, weight, conv).backward(outputGradient);
        if (device.is_cuda())
            torch::cuda::synchronize();
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    };
    for (int i = 0; i < options.warmups; ++i)
        once();
    std::vector<double> seconds;
    // Cheap next to a training iteration, so measured more often: it is the reference.
    for (int i = 0; i < 3 * options.repeats; ++i)
        seconds.push_back(once());

    const double flops = 3.0 * fieldEvaluationFlops(width, batch, size) / 2.0;
    const double secondsMedian = median(seconds);
    return {{"shape", {batch, width, size, size}},
            {"gflopPerIteration", flops / 1e9},
            {"secondsMedian", secondsMedian},
            {"gflopPerSecond", flops / 1e9 / secondsMedian}};
}

// The ceiling: the fastest of three large convolutions of `width` channels with the same work
// (65,536 output positions), from big maps to many small ones, because which shape the library
// runs best depends on the width and the thread count.
void measureCeilingRow(const ThroughputOptions& options) {
    torch::set_num_threads(resolvedThreads(options.threads));
    torch::manual_seed(0);
    const torch::Device device = benchDevice(options.device);
    const int64_t width = options.rowCeilingWidth;

    Json shapes = Json::array();
    Json best;
    for (auto [batch, size] : {std::pair<int64_t, int64_t>{64, 32}, {256, 16}, {1024, 8}}) {
        Json shape = measureConvolution(options, device, width, batch, size);
        if (best.is_null() || shape["gflopPerSecond"] > best["gflopPerSecond"])
            best = shape;
        shapes.push_back(std::move(shape));
    }

    Json row = best;
    row["kind"] = "ceiling";
    row["width"] = width;
    row["threads"] = torch::get_num_threads();
    row["shapesTried"] = shapes;
    std::cout << row.dump() << std::endl;
}

int64_t basisCount(const ModelConfig& model) {
    const BlockSpec spec = blockSpec(model);
    return spec.splineOrder + spec.interiorKnots;
}

void measureConfigRow(const ThroughputOptions& options) {
    prepareMemoryMeasurement();  // before LibTorch allocates
    const BenchConfig config = findConfig(benchConfigs(), options.rowConfig);
    torch::set_num_threads(rowThreads(options, config));
    torch::manual_seed(0);
    const int64_t batch = options.batch > 0 ? options.batch : config.batch;
    const torch::Device device = benchDevice(options.device);

    TrainingIteration iteration(config.model, batch, device);
    Json row = device.is_cpu() ? measurePeakMemory(iteration) : Json{{"peakGrowthMiB", nullptr}};
    std::vector<double> wall, cpu;
    for (const IterationTime& time : measureTimes(iteration, options.warmups, options.repeats)) {
        wall.push_back(time.wall);
        cpu.push_back(time.cpu);
    }

    const int64_t forward = iteration.block().lastStats().evaluations;
    const int64_t backward = iteration.block().lastBackwardStats().evaluations;
    const ConvolutionFlops flops =
        iterationConvolutionFlops(iteration.net(), batch, forward, backward);
    const double secondsMedian = median(wall);

    row["kind"] = "config";
    row["config"] = config.name;
    row["width"] = config.model.width;
    row["basisCount"] = basisCount(config.model);
    row["solver"] = config.model.solver.method;
    row["steps"] = config.model.solver.steps;
    row["backprop"] = toString(config.model.solver.backprop);
    row["batch"] = batch;
    row["threads"] = torch::get_num_threads();
    row["device"] = options.device;
    row["forwardEvaluations"] = forward;
    row["backwardEvaluations"] = backward;
    row["secondsMedian"] = secondsMedian;
    row["seconds"] = wall;
    row["cpuSecondsMedian"] = median(cpu);
    row["imagesPerSecond"] = batch / secondsMedian;
    row["gflopPerIteration"] = flops.total() / 1e9;
    row["gflopPerSecond"] = flops.total() / 1e9 / secondsMedian;
    std::cout << row.dump() << std::endl;
}

// ---- the table ----------------------------------------------------------------------------

std::vector<std::string> commonArguments(const ThroughputOptions& options) {
    return {"throughput",
            "--device",
            options.device,
            "--threads",
            std::to_string(options.threads),
            "--batch",
            std::to_string(options.batch),
            "--warmups",
            std::to_string(options.warmups),
            "--repeats",
            std::to_string(options.repeats)};
}

Json measureCeiling(ThroughputOptions options, int64_t width, int threads) {
    options.threads = threads;
    std::vector<std::string> arguments = commonArguments(options);
    arguments.insert(arguments.end(), {"--row-ceiling-width", std::to_string(width)});
    return measureRowInChild(arguments, "the ceiling at width " + std::to_string(width));
}

Json measureConfig(const ThroughputOptions& options, const std::string& name) {
    std::vector<std::string> arguments = commonArguments(options);
    arguments.insert(arguments.end(), {"--row-config", name});
    return measureRowInChild(arguments, "configuration " + name);
}

void printHeader(const ThroughputOptions& options) {
    std::cout << "Throughput: one training iteration (forward, backward, SGD step; random inputs, "
                 "direct backprop) per configuration.\n"
              << "Machine: " << machineDescription() << "; LibTorch " << TORCH_VERSION
              << "; device " << options.device << ".\n"
              << "Each row in a fresh process: " << options.warmups << " warm-up iterations, then "
              << "the median of " << options.repeats << " (the ceiling: of " << 3 * options.repeats
              << "). GFLOP/s counts the convolutions "
              << "(forward and backward);\nthe ceiling is the fastest of three large 3x3 "
                 "convolutions of the same width and threads (64 x 32 x 32, 256 x 16 x 16 and\n"
                 "1024 x 8 x 8 maps), forward and backward, measured in this run.\n\n";
}

void printCeiling(const Json& ceiling) {
    const Json& shape = ceiling["shape"];
    std::cout << "ceiling at width " << ceiling["width"].get<int>() << ": "
              << cell(ceiling["gflopPerSecond"], 1, 0) << " GFLOP/s (best shape " << shape[0]
              << " x " << shape[1] << " x " << shape[2] << " x " << shape[3] << ", "
              << cell(ceiling["secondsMedian"], 3, 0) << " s for "
              << cell(ceiling["gflopPerIteration"], 2, 0) << " GFLOP, "
              << ceiling["threads"].get<int>() << " thread(s))\n";
}

void printTableHeader() {
    std::cout
        << "\nconfig          threads  width   K  solver    batch  fwd  bwd  s/iter    img/s  "
           "GFLOP/iter  GFLOP/s  % ceiling  peak MiB\n"
        << "--------------  -------  -----  --  --------  -----  ---  ---  -------  -------  "
           "----------  -------  ---------  --------\n";
}

void printRow(const Json& row) {
    const std::string memory =
        row["peakGrowthMiB"].is_null() ? "     n/a" : cell(row["peakGrowthMiB"], 1, 8);
    std::cout << leftCell(row["config"], 14) << "  " << cell(row["threads"], 0, 7) << "  "
              << cell(row["width"], 0, 5) << "  " << cell(row["basisCount"], 0, 2) << "  "
              << leftCell(row["solver"], 8) << "  " << cell(row["batch"], 0, 5) << "  "
              << cell(row["forwardEvaluations"], 0, 3) << "  "
              << cell(row["backwardEvaluations"], 0, 3) << "  " << cell(row["secondsMedian"], 4, 7)
              << "  " << cell(row["imagesPerSecond"], 1, 7) << "  "
              << cell(row["gflopPerIteration"], 3, 10) << "  " << cell(row["gflopPerSecond"], 1, 7)
              << "  " << cell(row["percentOfCeiling"], 1, 9) << "  " << memory << std::endl;
}

std::vector<std::string> selectedConfigs(const ThroughputOptions& options) {
    if (!options.configs.empty())
        return options.configs;
    return throughputConfigNames();
}

void runThroughputTable(const ThroughputOptions& options) {
    checkOptions(options);
    const bool table = !options.jsonToStdout;
    const std::vector<BenchConfig> configs = benchConfigs();
    if (table)
        printHeader(options);

    // One ceiling per width and thread count that the rows use.
    std::map<std::pair<int64_t, int>, Json> ceilings;
    for (const std::string& name : selectedConfigs(options)) {
        const BenchConfig& config = findConfig(configs, name);
        ceilings.emplace(std::make_pair(config.model.width, rowThreads(options, config)), Json());
    }
    for (auto& [key, ceiling] : ceilings) {
        ceiling = measureCeiling(options, key.first, key.second);
        table ? printCeiling(ceiling) : void(std::cout << ceiling.dump() << std::endl);
    }

    if (table)
        printTableHeader();
    Json rows = Json::array();
    for (const std::string& name : selectedConfigs(options)) {
        Json row = measureConfig(options, name);
        const auto key = std::make_pair(row["width"].get<int64_t>(), row["threads"].get<int>());
        const double ceiling = ceilings.at(key)["gflopPerSecond"];
        row["percentOfCeiling"] = 100.0 * row["gflopPerSecond"].get<double>() / ceiling;
        table ? printRow(row) : void(std::cout << row.dump() << std::endl);
        rows.push_back(std::move(row));
    }

    if (!options.jsonPath.empty()) {
        Json ceilingRows = Json::array();
        for (const auto& entry : ceilings)
            ceilingRows.push_back(entry.second);
        const Json document{{"benchmark", "throughput"},
                            {"machine", machineDescription()},
                            {"libtorch", TORCH_VERSION},
                            {"ceilings", ceilingRows},
                            {"rows", rows}};
        writeFileAtomically(options.jsonPath, document.dump(2) + "\n");
    }
}

}  // namespace

std::vector<std::string> throughputConfigNames() {
    std::vector<std::string> names;
    for (const BenchConfig& config : benchConfigs())
        names.push_back(config.name);
    return names;
}

void addThroughputCommand(CLI::App& app) {
    auto options = std::make_shared<ThroughputOptions>();
    std::string names;
    for (const std::string& name : throughputConfigNames())
        names += (names.empty() ? "" : ", ") + name;

    CLI::App* command = app.add_subcommand(
        "throughput",
        "Seconds per training iteration, images/s, convolution GFLOP/s and their share of the "
        "machine's conv ceiling, and peak memory, per configuration");
    command->add_option("--configs", options->configs, "configurations to measure: " + names)
        ->capture_default_str();
    command->add_option("--device", options->device, "cpu or cuda")->capture_default_str();
    command
        ->add_option("--threads", options->threads,
                     "LibTorch intra-op threads (0: as gode-train runs each configuration)")
        ->capture_default_str();
    command->add_option("--batch", options->batch, "batch size for every row (0: each's own)")
        ->capture_default_str();
    command->add_option("--warmups", options->warmups, "untimed iterations first")
        ->capture_default_str();
    command->add_option("--repeats", options->repeats, "timed iterations; the median is shown")
        ->capture_default_str();
    CLI::Option* json = command->add_option(
        "--json", options->jsonPath,
        "without FILE: print one JSON object per row instead of the table; with FILE: print "
        "the table and write it to FILE as JSON");
    json->expected(0, 1);
    // Internal: the child processes that measure one row.
    command->add_option("--row-config", options->rowConfig)->group("");
    command->add_option("--row-ceiling-width", options->rowCeilingWidth)->group("");

    command->callback([options, json] {
        options->jsonToStdout = json->count() > 0 && options->jsonPath.empty();
        if (!options->rowConfig.empty())
            measureConfigRow(*options);
        else if (options->rowCeilingWidth > 0)
            measureCeilingRow(*options);
        else
            runThroughputTable(*options);
    });
}

}  // namespace gode::bench
