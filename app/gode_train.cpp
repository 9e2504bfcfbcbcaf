// gode-train: trains a Neural-GODE (or its Neural-ODE and ResNet special cases) on MNIST,
// Fashion-MNIST or CIFAR-10 from the command line, without Qt.
//
// Exit codes: 0 the run finished; 2 a bad flag or value (the message names the flag and the
// allowed values); 1 a data or run error, or a run stopped by a signal before its last epoch.
#include <torch/torch.h>
#include <CLI/CLI.hpp>

#include <unistd.h>

#include <cmath>
#include <csignal>
#include <cstdlib>
#include <ctime>
#include <functional>
#include <iostream>
#include <map>
#include <set>
#include <sstream>

#include "gode/version.h"
#include "model/errors.h"
#include "passive_openmp.h"
#include "progress_printer.h"
#include "train/run_directory.h"
#include "train/train_errors.h"
#include "train/trainer.h"

namespace {

using gode::TrainConfig;

constexpr int kExitDone = 0;
constexpr int kExitRunError = 1;
constexpr int kExitUsage = 2;

volatile int stopSignal = 0;

extern "C" void onStopSignal(int signal) {
    stopSignal = 1;
    std::signal(signal, SIG_DFL);  // a second Ctrl-C ends the program at once
}

// A flag whose value could be read but does not fit (exit code 2).
struct UsageError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// CLI11's own number checks print their range with the largest double written out in full;
// these say in words what the flag wants.
CLI::Validator numberAbove(double bound, bool orEqual) {
    std::ostringstream wanted;
    wanted << "a number " << (orEqual ? ">= " : "> ") << bound;
    return CLI::Validator(
        [bound, orEqual, wanted = wanted.str()](std::string& text) -> std::string {
            std::istringstream in(text);
            double value = 0.0;
            char extra = 0;
            if (!(in >> value) || (in >> extra))
                return "'" + text + "' is not a number; give " + wanted;
            const bool fits = std::isfinite(value) && (orEqual ? value >= bound : value > bound);
            return fits ? std::string() : "'" + text + "' is out of range; give " + wanted;
        },
        wanted.str());
}

const CLI::Validator kPositive = numberAbove(0, false);
const CLI::Validator kNonNegative = numberAbove(0, true);

// A seed: a whole number from 0 to 2^64 - 1, refused rather than wrapped when negative or larger.
const CLI::Validator kSeed(
    [](std::string& text) -> std::string {
        const bool digits = !text.empty() && text.size() <= 20 &&
                            text.find_first_not_of("0123456789") == std::string::npos;
        if (digits && (text.size() < 20 || text <= "18446744073709551615"))
            return "";
        return "'" + text + "' is not a seed; give a whole number from 0 to 18446744073709551615";
    },
    "a whole number >= 0");

// Ties each flag to the change it makes to the configuration, so that flags can be applied in
// the order they were given (a --preset resets what earlier flags set; later flags override it).
class FlagTable {
  public:
    explicit FlagTable(CLI::App& app) : app_(app) {}

    template <typename Value>
    CLI::Option* add(const std::string& name, const std::string& help,
                     std::function<void(TrainConfig&, const Value&)> apply) {
        auto value = std::make_shared<Value>();
        CLI::Option* option = app_.add_option(name, *value, help);
        appliers_[option] = [value, apply](TrainConfig& config) { apply(config, *value); };
        return option;
    }

    void applyInOrder(TrainConfig& config) const {
        std::set<const CLI::Option*> done;
        for (const CLI::Option* option : app_.parse_order()) {
            if (!done.insert(option).second)
                continue;
            auto found = appliers_.find(option);
            if (found == appliers_.end())
                continue;
            try {
                found->second(config);
            } catch (const gode::InvalidSetting& error) {
                throw UsageError(option->get_name() + ": " + error.what());
            }
        }
    }

    // The flags the user gave among ours, for checks such as "not with --resume".
    std::vector<std::string> given() const {
        std::vector<std::string> names;
        for (const auto& [option, apply] : appliers_)
            if (option->count() > 0)
                names.push_back(option->get_name());
        return names;
    }

  private:
    CLI::App& app_;
    std::map<const CLI::Option*, std::function<void(TrainConfig&)>> appliers_;
};

CLI::IsMember choices(const std::vector<std::string>& names) {
    return CLI::IsMember(names);
}

// The published configuration's model, optimisation and thread count (all cores, fastest at
// its batch of 128), keeping where the data and the run live and the device.
void applyPreset(TrainConfig& config, const std::string& name) {
    const TrainConfig preset = gode::presetConfig(name);
    config.model = preset.model;
    config.optim = preset.optim;
    config.threads = preset.threads;
    config.data.dataset = preset.data.dataset;
    config.data.cropPadding = preset.data.cropPadding;
}

struct Options {
    TrainConfig config = gode::defaultTrainConfig();
    std::string resumeDirectory;
    bool quiet = false;
    bool outGiven = false;
};

// " (default 0.1)": the CPU default's value, as a flag's help shows it.
template <typename Value>
std::string byDefault(const Value& value) {
    std::ostringstream text;
    text << " (default " << value << ")";
    return text.str();
}

void addFlags(CLI::App& app, FlagTable& flags) {
    using gode::TrainConfig;
    const TrainConfig defaults = gode::defaultTrainConfig();
    flags
        .add<std::string>(
            "--preset",
            "exactly the published configuration (README: The published configuration); "
            "flags after it override it",
            [](TrainConfig& c, const std::string& v) { applyPreset(c, v); })
        ->check(choices(gode::presetNames()));
    flags
        .add<std::string>("--dataset", "mnist, fashion-mnist or cifar10 (default mnist)",
                          [](TrainConfig& c, const std::string& v) {
                              c.setDataset(gode::datasetKindFromString(v));
                          })
        ->check(choices(gode::datasetNames()));
    flags.add<std::string>("--data-dir", "folder with the dataset's standard files",
                           [](TrainConfig& c, const std::string& v) { c.data.directory = v; });
    flags
        .add<std::string>("--model", "gode, node (Neural-ODE) or resnet (default gode)",
                          [](TrainConfig& c, const std::string& v) {
                              c.model.kind = gode::modelKindFromString(v);
                          })
        ->check(choices({"gode", "node", "resnet"}));
    flags
        .add<int>("--spline-order",
                  "B-spline order p: 1 constant, 2 linear, 4 cubic" +
                      byDefault(defaults.model.splineOrder),
                  [](TrainConfig& c, const int& v) { c.model.splineOrder = v; })
        ->check(kPositive);
    flags
        .add<int>(
            "--knots",
            "interior knots m; K = m + p basis functions" + byDefault(defaults.model.interiorKnots),
            [](TrainConfig& c, const int& v) { c.model.interiorKnots = v; })
        ->check(kNonNegative);
    flags
        .add<std::string>("--knot-placement", "clamped or published (default clamped)",
                          [](TrainConfig& c, const std::string& v) {
                              c.model.placement = gode::knotPlacementFromString(v);
                          })
        ->check(choices({"clamped", "published"}));
    flags
        .add<int>("--blocks",
                  "ResNet blocks L (model resnet only)" + byDefault(defaults.model.blocks),
                  [](TrainConfig& c, const int& v) { c.model.blocks = v; })
        ->check(kPositive);
    flags
        .add<std::string>("--solver", "ODE solver" + byDefault(defaults.model.solver.method),
                          [](TrainConfig& c, const std::string& v) { c.model.solver.method = v; })
        ->check(choices(gode::solverNames()));
    flags
        .add<std::string>("--backprop", "gradients: direct, checkpoint or adjoint (default direct)",
                          [](TrainConfig& c, const std::string& v) {
                              c.model.solver.backprop = gode::backpropFromString(v);
                          })
        ->check(choices({"direct", "checkpoint", "adjoint"}));
    flags
        .add<int>("--steps",
                  "fixed-step solvers: steps on [0, T]" + byDefault(defaults.model.solver.steps),
                  [](TrainConfig& c, const int& v) { c.model.solver.steps = v; })
        ->check(kPositive);
    flags
        .add<double>("--rtol",
                     "adaptive solvers: relative tolerance" + byDefault(defaults.model.solver.rtol),
                     [](TrainConfig& c, const double& v) { c.model.solver.rtol = v; })
        ->check(kPositive);
    flags
        .add<double>("--atol",
                     "adaptive solvers: absolute tolerance" + byDefault(defaults.model.solver.atol),
                     [](TrainConfig& c, const double& v) { c.model.solver.atol = v; })
        ->check(kPositive);
    flags
        .add<int64_t>("--width", "channels C of the ODE state" + byDefault(defaults.model.width),
                      [](TrainConfig& c, const int64_t& v) { c.model.width = v; })
        ->check(kPositive);
    flags
        .add<int>("--epochs", "epochs to train" + byDefault(defaults.optim.epochs),
                  [](TrainConfig& c, const int& v) { c.optim.epochs = v; })
        ->check(kPositive);
    flags
        .add<int64_t>("--batch", "training batch size" + byDefault(defaults.optim.batchSize),
                      [](TrainConfig& c, const int64_t& v) { c.optim.batchSize = v; })
        ->check(kPositive);
    flags
        .add<double>("--lr", "peak learning rate" + byDefault(defaults.optim.learningRate),
                     [](TrainConfig& c, const double& v) { c.optim.learningRate = v; })
        ->check(kPositive);
    flags
        .add<std::string>("--optimizer", "sgd (momentum 0.9) or adamw (default sgd)",
                          [](TrainConfig& c, const std::string& v) {
                              c.optim.optimizer = gode::optimizerKindFromString(v);
                          })
        ->check(choices({"sgd", "adamw"}));
    flags
        .add<std::string>("--schedule", "step, cosine or onecycle (default onecycle)",
                          [](TrainConfig& c, const std::string& v) {
                              c.optim.schedule = gode::scheduleKindFromString(v);
                          })
        ->check(choices({"step", "cosine", "onecycle"}));
    flags
        .add<double>("--weight-decay", "weight decay" + byDefault(defaults.optim.weightDecay),
                     [](TrainConfig& c, const double& v) { c.optim.weightDecay = v; })
        ->check(kNonNegative);
    flags
        .add<int64_t>("--train-limit", "use only the first N training images (0: all)",
                      [](TrainConfig& c, const int64_t& v) { c.data.trainLimit = v; })
        ->check(kNonNegative);
    flags
        .add<int64_t>("--test-limit", "use only the first N test images (0: all)",
                      [](TrainConfig& c, const int64_t& v) { c.data.testLimit = v; })
        ->check(kNonNegative);
    flags
        .add<int>("--crop-padding",
                  "random-crop augmentation padding in pixels, 0 turns it off" +
                      byDefault(defaults.data.cropPadding),
                  [](TrainConfig& c, const int& v) { c.data.cropPadding = v; })
        ->check(CLI::Range(0, 16));
    flags
        .add<std::string>("--device", "cpu or cuda (default cpu)",
                          [](TrainConfig& c, const std::string& v) { c.device = v; })
        ->check(choices({"cpu", "cuda"}));
    flags
        .add<int>("--threads",
                  "CPU threads; the presets use all cores" + byDefault(defaults.threads),
                  [](TrainConfig& c, const int& v) { c.threads = v; })
        ->check(kPositive);
    flags
        .add<uint64_t>("--seed", "seed of every random choice" + byDefault(defaults.seed),
                       [](TrainConfig& c, const uint64_t& v) { c.seed = v; })
        ->check(kSeed);
    flags.add<std::string>("--out", "run directory (default runs/<dataset>-<date>-<time>)",
                           [](TrainConfig& c, const std::string& v) { c.outputDirectory = v; });
    (void)app;
}

std::string defaultRunDirectory(const TrainConfig& config) {
    const std::time_t now = std::time(nullptr);
    char stamp[32];
    std::strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", std::localtime(&now));
    return "runs/" + gode::toString(config.data.dataset) + "-" + stamp;
}

// Flags that may accompany --resume: the rest of the configuration comes from config.json.
void checkResumeFlags(const FlagTable& flags) {
    static const std::set<std::string> allowed = {"--epochs", "--threads", "--device"};
    for (const std::string& name : flags.given())
        if (allowed.count(name) == 0)
            throw UsageError(name +
                             " cannot be combined with --resume: a resumed run keeps the "
                             "configuration in its config.json (only --epochs, "
                             "--threads, --device and --quiet may change)");
}

TrainConfig buildConfig(const FlagTable& flags, const Options& options) {
    TrainConfig config = options.config;
    if (!options.resumeDirectory.empty()) {
        checkResumeFlags(flags);
        config = gode::RunDirectory(options.resumeDirectory).readConfig();
        config.outputDirectory = gode::RunDirectory(options.resumeDirectory).path();
    }
    flags.applyInOrder(config);

    if (options.resumeDirectory.empty()) {
        if (config.data.directory.empty())
            throw UsageError(
                "--data-dir is required: name the folder that holds the dataset "
                "files (for example --data-dir ~/datasets/mnist)");
        if (!options.outGiven)
            config.outputDirectory = defaultRunDirectory(config);
    }
    try {
        config.validate();
    } catch (const gode::InvalidSetting& error) {
        throw UsageError(std::string("invalid configuration: ") + error.what());
    }
    if (config.device == "cuda" && !torch::cuda::is_available())
        throw UsageError(
            "--device: cuda was requested but this LibTorch finds no CUDA device; "
            "use --device cpu");
    return config;
}

// A resumed run that has already trained its epochs has nothing to do: say so, and print its
// last epoch's figures as the final JSON line instead of reloading the data for nothing.
bool reportAlreadyFinished(const TrainConfig& config) {
    const gode::RunDirectory directory(config.outputDirectory);
    const std::vector<nlohmann::json> epochs = directory.readMetrics();
    if (epochs.empty() || int64_t(epochs.size()) < config.optim.epochs)
        return false;

    std::cerr << "gode-train: the run in " << directory.path() << " has already finished its "
              << epochs.size() << " epoch(s); to train it further, add --epochs N with N > "
              << epochs.size() << "\n";
    nlohmann::json last = epochs.back();
    last["epochs"] = epochs.size();
    last["run_directory"] = directory.path();
    last["already_finished"] = true;
    std::cout << last.dump() << std::endl;
    return true;
}

int train(const TrainConfig& config, bool resume, bool quiet) {
    if (resume && reportAlreadyFinished(config))
        return kExitDone;

    gode::TrainingControl control;
    gode::ProgressPrinter printer(quiet, control, &stopSignal);
    std::signal(SIGINT, onStopSignal);
    std::signal(SIGTERM, onStopSignal);

    gode::Trainer trainer(config, &printer, &control);
    const gode::TrainingSummary summary = resume ? trainer.resume() : trainer.run();
    std::cout << gode::toJson(summary).dump() << std::endl;
    if (summary.stopped)
        std::cerr << "gode-train: stopped after " << summary.iterations
                  << " iterations with a checkpoint; continue with gode-train --resume "
                  << summary.runDirectory << "\n";
    return summary.stopped ? kExitRunError : kExitDone;
}

}  // namespace

int main(int argc, char** argv) {
    gode::preferPassiveOpenMpWaits(argv);
    CLI::App app(
        "gode-train: train a Neural-GODE image classifier on MNIST, Fashion-MNIST or "
        "CIFAR-10",
        "gode-train");
    app.set_version_flag("--version", std::string("gode-train ") + GODE_VERSION + " (LibTorch " +
                                          GODE_LIBTORCH_VERSION + ")");
    app.option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);

    Options options;
    FlagTable flags(app);
    addFlags(app, flags);
    app.add_option("--resume", options.resumeDirectory,
                   "continue the run in DIR from its checkpoint (with --epochs to extend it)");
    app.add_flag("--quiet", options.quiet, "print only the final JSON line (and errors)");

    try {
        app.parse(argc, argv);
    } catch (const CLI::Success& done) {
        return app.exit(done);
    } catch (const CLI::ParseError& error) {
        std::cerr << "gode-train: " << error.what() << "\nRun gode-train --help for the flags.\n";
        return kExitUsage;
    }
    options.outGiven = app.get_option("--out")->count() > 0;

    TrainConfig config;
    try {
        config = buildConfig(flags, options);
    } catch (const UsageError& error) {
        std::cerr << "gode-train: " << error.what() << "\n";
        return kExitUsage;
    } catch (const gode::Error& error) {
        std::cerr << "gode-train: error: " << error.what() << "\n";
        return kExitRunError;
    }

    try {
        return train(config, !options.resumeDirectory.empty(), options.quiet);
    } catch (const gode::InvalidSetting& error) {
        std::cerr << "gode-train: " << error.what() << "\n";
        return kExitUsage;
    } catch (const gode::Error& error) {
        std::cerr << "gode-train: error: " << error.what() << "\n";
        return kExitRunError;
    } catch (const c10::Error& error) {
        std::cerr << "gode-train: error in LibTorch: " << error.what_without_backtrace() << "\n";
        return kExitRunError;
    } catch (const std::exception& error) {
        std::cerr << "gode-train: error: " << error.what() << "\n";
        return kExitRunError;
    }
}
