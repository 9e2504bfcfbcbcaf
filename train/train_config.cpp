#include "train_config.h"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include "model/errors.h"

namespace gode {

using nlohmann::json;

namespace {

constexpr double kPi = 3.14159265358979323846;

template <typename Value>
InvalidSetting badValue(const std::string& field, const Value& value, const std::string& rule) {
    std::ostringstream text;
    text << field << " = " << value << " is invalid; " << rule;
    return InvalidSetting(text.str());
}

std::string typeName(const json& value) {
    return value.type_name();
}

// Reads the members of one JSON object, naming each field by its full path in errors, and
// refuses members it does not know (usually a typo that would otherwise be ignored).
class FieldReader {
  public:
    FieldReader(const json& object, std::string path) : object_(object), path_(std::move(path)) {
        if (!object_.is_object())
            throw InvalidSetting("config field '" + path_ + "': expected an object, found " +
                                 typeName(object_));
    }

    template <typename Integer>
    void integer(const char* key, Integer& value) {
        if (const json* member = find(key)) {
            if (!member->is_number_integer())
                throw wrongType(key, "an integer", *member);
            if (std::is_unsigned<Integer>::value && member->is_number_integer() &&
                !member->is_number_unsigned())
                throw InvalidSetting("config field '" + field(key) + "': expected an integer " +
                                     ">= 0, found " + member->dump());
            value = member->get<Integer>();
        }
    }

    void number(const char* key, double& value) {
        if (const json* member = find(key)) {
            if (!member->is_number())
                throw wrongType(key, "a number", *member);
            value = member->get<double>();
        }
    }

    void text(const char* key, std::string& value) {
        if (const json* member = find(key)) {
            if (!member->is_string())
                throw wrongType(key, "a string", *member);
            value = member->get<std::string>();
        }
    }

    void numbers(const char* key, std::vector<double>& values) {
        if (const json* member = find(key)) {
            if (!member->is_array())
                throw wrongType(key, "an array of numbers", *member);
            values.clear();
            for (const json& item : *member) {
                if (!item.is_number())
                    throw wrongType(key, "an array of numbers", *member);
                values.push_back(item.get<double>());
            }
        }
    }

    // A string turned into an enum by `parse`, whose InvalidSetting gets the field's name.
    template <typename Enum, typename Parse>
    void choice(const char* key, Enum& value, Parse parse) {
        std::string name;
        if (!find(key))
            return;
        text(key, name);
        try {
            value = parse(name);
        } catch (const InvalidSetting& error) {
            throw InvalidSetting("config field '" + field(key) + "': " + error.what());
        }
    }

    // A nested object, read by `body` with its own reader.
    template <typename Body>
    void object(const char* key, Body body) {
        if (const json* member = find(key)) {
            FieldReader nested(*member, field(key));
            body(nested);
            nested.finish();
        }
    }

    // A member that is allowed but not read.
    void skip(const char* key) { find(key); }

    void finish() const {
        for (const auto& item : object_.items())
            if (known_.count(item.key()) == 0)
                throw InvalidSetting("config field '" + field(item.key()) +
                                     "' is unknown; check its spelling against gode-train's "
                                     "config.json");
    }

  private:
    const json* find(const char* key) {
        known_.insert(key);
        auto found = object_.find(key);
        return found == object_.end() ? nullptr : &*found;
    }

    std::string field(const std::string& key) const {
        return path_.empty() ? key : path_ + "." + key;
    }

    InvalidSetting wrongType(const char* key, const std::string& expected, const json& found) {
        return InvalidSetting("config field '" + field(key) + "': expected " + expected +
                              ", found " + typeName(found) + " " + found.dump());
    }

    const json& object_;
    std::string path_;
    std::set<std::string> known_;
};

void readSolver(FieldReader& in, SolverOptions& solver) {
    in.text("method", solver.method);
    in.choice("backprop", solver.backprop, backpropFromString);
    in.integer("steps", solver.steps);
    in.number("rtol", solver.rtol);
    in.number("atol", solver.atol);
    in.integer("max_steps", solver.maxSteps);
    in.number("first_step", solver.firstStep);
}

void readModel(FieldReader& in, ModelConfig& model) {
    in.choice("kind", model.kind, modelKindFromString);
    in.integer("input_channels", model.inputChannels);
    in.integer("image_size", model.imageSize);
    in.integer("classes", model.classes);
    in.integer("width", model.width);
    in.integer("spline_order", model.splineOrder);
    in.integer("interior_knots", model.interiorKnots);
    in.choice("knot_placement", model.placement, knotPlacementFromString);
    in.number("horizon", model.horizon);
    in.integer("blocks", model.blocks);
    in.object("solver", [&](FieldReader& nested) { readSolver(nested, model.solver); });
}

void readData(FieldReader& in, DataConfig& data) {
    in.choice("dataset", data.dataset, datasetKindFromString);
    in.text("directory", data.directory);
    in.integer("train_limit", data.trainLimit);
    in.integer("test_limit", data.testLimit);
    in.integer("crop_padding", data.cropPadding);
}

void readOptim(FieldReader& in, OptimConfig& optim) {
    in.choice("optimizer", optim.optimizer, optimizerKindFromString);
    in.number("lr", optim.learningRate);
    in.number("momentum", optim.momentum);
    in.number("weight_decay", optim.weightDecay);
    in.choice("schedule", optim.schedule, scheduleKindFromString);
    in.numbers("milestones", optim.milestones);
    in.number("gamma", optim.gamma);
    in.integer("epochs", optim.epochs);
    in.integer("batch_size", optim.batchSize);
    in.integer("test_batch_size", optim.testBatchSize);
}

void validateOptim(const OptimConfig& optim) {
    if (!(optim.learningRate > 0.0) || !std::isfinite(optim.learningRate))
        throw badValue("lr", optim.learningRate, "it must be a positive number");
    if (!(optim.momentum >= 0.0 && optim.momentum < 1.0))
        throw badValue("momentum", optim.momentum, "it must be in [0, 1)");
    if (!(optim.weightDecay >= 0.0) || !std::isfinite(optim.weightDecay))
        throw badValue("weight decay", optim.weightDecay, "it must be >= 0");
    if (!(optim.gamma > 0.0 && optim.gamma <= 1.0))
        throw badValue("gamma", optim.gamma, "it must be in (0, 1]");
    double previous = 0.0;
    for (double milestone : optim.milestones) {
        if (!(milestone > previous && milestone <= 1.0))
            throw badValue("milestone", milestone,
                           "milestones are increasing fractions of the epochs in (0, 1]");
        previous = milestone;
    }
    if (optim.epochs < 1)
        throw badValue("epochs", optim.epochs, "it must be >= 1");
    if (optim.batchSize < 1)
        throw badValue("batch size", optim.batchSize, "it must be >= 1");
    if (optim.testBatchSize < 1)
        throw badValue("test batch size", optim.testBatchSize, "it must be >= 1");
}

void validateData(const DataConfig& data) {
    if (data.directory.empty())
        throw InvalidSetting("data directory is empty; name the folder that holds the dataset");
    if (data.trainLimit < 0)
        throw badValue("train limit", data.trainLimit, "it must be >= 0 (0 uses all images)");
    if (data.testLimit < 0)
        throw badValue("test limit", data.testLimit, "it must be >= 0 (0 uses all images)");
    if (data.cropPadding < 0 || data.cropPadding > 16)
        throw badValue("crop padding", data.cropPadding, "it must be in 0..16 (0: no cropping)");
}

double halfCosine(double from, double to, double progress) {
    return to + (from - to) * 0.5 * (1.0 + std::cos(kPi * progress));
}

}  // namespace

// ---------------------------------------------------------------------------------------------

std::string toString(OptimizerKind kind) {
    return kind == OptimizerKind::AdamW ? "adamw" : "sgd";
}

OptimizerKind optimizerKindFromString(const std::string& name) {
    if (name == "sgd")
        return OptimizerKind::Sgd;
    if (name == "adamw")
        return OptimizerKind::AdamW;
    throw InvalidSetting("optimizer '" + name + "' is unknown; choose one of sgd, adamw");
}

std::string toString(ScheduleKind kind) {
    switch (kind) {
        case ScheduleKind::Step:
            return "step";
        case ScheduleKind::Cosine:
            return "cosine";
        case ScheduleKind::OneCycle:
            return "onecycle";
    }
    return "step";
}

ScheduleKind scheduleKindFromString(const std::string& name) {
    for (ScheduleKind kind : {ScheduleKind::Step, ScheduleKind::Cosine, ScheduleKind::OneCycle})
        if (toString(kind) == name)
            return kind;
    throw InvalidSetting("schedule '" + name +
                         "' is unknown; choose one of step, cosine, onecycle");
}

void TrainConfig::setDataset(DatasetKind kind) {
    data.dataset = kind;
    const ImageShape shape = imageShape(kind);
    model.inputChannels = shape.channels;
    model.imageSize = shape.height;
    model.classes = classCount(kind);
}

void TrainConfig::validate() const {
    model.validate();
    const ImageShape shape = imageShape(data.dataset);
    if (model.inputChannels != shape.channels || model.imageSize != shape.height ||
        model.classes != classCount(data.dataset))
        throw InvalidSetting(
            "the model expects " + std::to_string(model.inputChannels) + "x" +
            std::to_string(model.imageSize) + "x" + std::to_string(model.imageSize) +
            " images and " + std::to_string(model.classes) + " classes, but dataset " +
            toString(data.dataset) + " has " + std::to_string(shape.channels) + "x" +
            std::to_string(shape.height) + "x" + std::to_string(shape.width) + " images and " +
            std::to_string(classCount(data.dataset)) + " classes");
    validateData(data);
    validateOptim(optim);
    if (device != "cpu" && device != "cuda")
        throw InvalidSetting("device '" + device + "' is unknown; choose one of cpu, cuda");
    if (threads < 0)
        throw badValue("threads", threads, "it must be >= 0 (0 uses all cores)");
    if (outputDirectory.empty())
        throw InvalidSetting("output directory is empty; name a folder for the run's files");
}

// ---------------------------------------------------------------------------------------------

TrainConfig defaultTrainConfig() {
    // Chosen for time to accuracy on a 2-core laptop CPU, measured with `gode-bench accuracy`
    // (README, "Benchmarks"): 99.0 % MNIST test accuracy in under a minute and, with
    // --epochs 30, 99.5 %. Width 32 costs a quarter of the published 64; one interior knot at
    // t = 0.5 falls on the boundary between the two Euler steps, so the block needs only 2
    // evaluations of f. Batch 32 is where one thread runs fastest per image; a second thread
    // pays only from batch 64 on (gode-bench throughput), so the default trains on one thread
    // and leaves the other core to the batch-preparing thread and the window. A 2-pixel crop
    // and weight decay 5e-4 lift the accuracy of longer runs without slowing short ones.
    TrainConfig config;
    config.setDataset(DatasetKind::Mnist);
    config.model.width = 32;
    config.model.splineOrder = 2;
    config.model.interiorKnots = 1;
    config.model.solver.method = "euler";
    config.model.solver.steps = 2;
    config.data.cropPadding = 2;
    config.optim.optimizer = OptimizerKind::Sgd;
    config.optim.learningRate = 0.1;
    config.optim.momentum = 0.9;
    config.optim.weightDecay = 5e-4;
    config.optim.schedule = ScheduleKind::OneCycle;
    config.optim.epochs = 3;
    config.optim.batchSize = 32;
    config.threads = 1;
    return config;
}

namespace {

TrainConfig paperConfig(DatasetKind kind, int basisCount) {
    TrainConfig config;
    config.setDataset(kind);
    config.model.kind = ModelKind::Gode;
    config.model.width = 64;
    config.model.splineOrder = 2;
    config.model.interiorKnots = basisCount - config.model.splineOrder;  // K = m + p
    config.model.placement = KnotPlacement::Published;
    config.model.horizon = 1.0;
    config.model.solver = SolverOptions();
    config.model.solver.method = "euler";
    config.model.solver.steps = 20;  // step 0.05 on [0, 1]
    config.model.solver.backprop = Backprop::Direct;
    config.data.cropPadding = 4;
    config.optim.optimizer = OptimizerKind::Sgd;
    config.optim.learningRate = 0.1;
    config.optim.momentum = 0.9;
    config.optim.weightDecay = 0.0;
    config.optim.schedule = ScheduleKind::Step;
    config.optim.milestones = {0.375, 0.625, 0.875};  // epochs 60, 100, 140 of 160
    config.optim.gamma = 0.1;
    config.optim.epochs = 160;
    config.optim.batchSize = 128;
    config.optim.testBatchSize = 1000;
    return config;
}

}  // namespace

TrainConfig paperMnistConfig() {
    return paperConfig(DatasetKind::Mnist, 4);
}

TrainConfig paperCifar10Config() {
    return paperConfig(DatasetKind::Cifar10, 8);
}

std::vector<std::string> presetNames() {
    return {"paper-mnist", "paper-cifar10"};
}

TrainConfig presetConfig(const std::string& name) {
    if (name == "paper-mnist")
        return paperMnistConfig();
    if (name == "paper-cifar10")
        return paperCifar10Config();
    throw InvalidSetting("preset '" + name + "' is unknown; choose one of paper-mnist, " +
                         "paper-cifar10");
}

// ---------------------------------------------------------------------------------------------

json toJson(const SolverOptions& solver) {
    return {{"method", solver.method},       {"backprop", toString(solver.backprop)},
            {"steps", solver.steps},         {"rtol", solver.rtol},
            {"atol", solver.atol},           {"max_steps", solver.maxSteps},
            {"first_step", solver.firstStep}};
}

json toJson(const ModelConfig& model) {
    return {{"kind", toString(model.kind)},
            {"input_channels", model.inputChannels},
            {"image_size", model.imageSize},
            {"classes", model.classes},
            {"width", model.width},
            {"spline_order", model.splineOrder},
            {"interior_knots", model.interiorKnots},
            {"knot_placement", toString(model.placement)},
            {"horizon", model.horizon},
            {"blocks", model.blocks},
            {"solver", toJson(model.solver)}};
}

json toJson(const TrainConfig& config) {
    const DataConfig& data = config.data;
    const OptimConfig& optim = config.optim;
    return {{"model", toJson(config.model)},
            {"data",
             {{"dataset", toString(data.dataset)},
              {"directory", data.directory},
              {"train_limit", data.trainLimit},
              {"test_limit", data.testLimit},
              {"crop_padding", data.cropPadding}}},
            {"optimization",
             {{"optimizer", toString(optim.optimizer)},
              {"lr", optim.learningRate},
              {"momentum", optim.momentum},
              {"weight_decay", optim.weightDecay},
              {"schedule", toString(optim.schedule)},
              {"milestones", optim.milestones},
              {"gamma", optim.gamma},
              {"epochs", optim.epochs},
              {"batch_size", optim.batchSize},
              {"test_batch_size", optim.testBatchSize}}},
            {"device", config.device},
            {"threads", config.threads},
            {"seed", config.seed},
            {"output_directory", config.outputDirectory}};
}

TrainConfig trainConfigFromJson(const json& document) {
    TrainConfig config;
    FieldReader in(document, "");
    in.object("model", [&](FieldReader& nested) { readModel(nested, config.model); });
    in.object("data", [&](FieldReader& nested) { readData(nested, config.data); });
    in.object("optimization", [&](FieldReader& nested) { readOptim(nested, config.optim); });
    in.text("device", config.device);
    in.integer("threads", config.threads);
    in.integer("seed", config.seed);
    in.text("output_directory", config.outputDirectory);
    in.skip("program");  // written by the run directory for people to read; not configuration
    in.finish();
    return config;
}

// ---------------------------------------------------------------------------------------------

double learningRateAt(const OptimConfig& optim, int64_t epoch, int64_t batch,
                      int64_t batchesPerEpoch) {
    const double base = optim.learningRate;
    const double total = double(optim.epochs) * double(batchesPerEpoch);
    const double done = double(epoch) * double(batchesPerEpoch) + double(batch);

    switch (optim.schedule) {
        case ScheduleKind::Step: {
            double rate = base;
            // A milestone that rounds to epoch 0 (a very short run) is skipped rather than
            // lowering the rate from the first batch.
            for (double milestone : optim.milestones) {
                const int64_t at = std::llround(milestone * optim.epochs);
                if (at > 0 && epoch >= at)
                    rate *= optim.gamma;
            }
            return rate;
        }
        case ScheduleKind::Cosine:
            return halfCosine(base, 0.0, std::min(1.0, done / total));
        case ScheduleKind::OneCycle: {
            const double start = base / 25.0;
            const double end = start / 1e4;
            const double warmUp = 0.3 * total;
            if (done < warmUp)
                return halfCosine(start, base, done / warmUp);
            return halfCosine(base, end, std::min(1.0, (done - warmUp) / (total - warmUp)));
        }
    }
    return base;
}

int resolvedThreads(int threads) {
    if (threads > 0)
        return threads;
    return std::max(1u, std::thread::hardware_concurrency());
}

TrainConfig trainConfigFromFile(const std::string& path) {
    const std::string absolute = std::filesystem::absolute(path).string();
    std::ifstream file(path);
    if (!file)
        throw InvalidSetting("cannot read the configuration file " + absolute);
    std::stringstream text;
    text << file.rdbuf();
    try {
        return trainConfigFromJson(json::parse(text.str()));
    } catch (const json::parse_error& error) {
        throw InvalidSetting(absolute + " is not valid JSON: " + error.what());
    } catch (const InvalidSetting& error) {
        throw InvalidSetting(absolute + ": " + error.what());
    }
}

}  // namespace gode
