#include "trainer.h"

#include <chrono>
#include <cmath>
#include <optional>
#include <sstream>

#include "batches.h"
#include "evaluation.h"
#include "model/errors.h"
#include "run_directory.h"
#include "train_errors.h"

namespace gode {

using nlohmann::json;

namespace {

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

TrainingObserver& silentObserver() {
    static TrainingObserver none;
    return none;
}

torch::Device chooseDevice(const std::string& name) {
    if (name == "cuda") {
        if (!torch::cuda::is_available())
            throw InvalidSetting(
                "device 'cuda' was requested but LibTorch finds no CUDA device "
                "(a CPU-only LibTorch, or no GPU); use --device cpu");
        return torch::Device(torch::kCUDA, 0);
    }
    return torch::Device(torch::kCPU);
}

std::unique_ptr<torch::optim::Optimizer> makeOptimizer(const OptimConfig& optim,
                                                       std::vector<torch::Tensor> parameters) {
    if (optim.optimizer == OptimizerKind::AdamW)
        return std::make_unique<torch::optim::AdamW>(
            parameters,
            torch::optim::AdamWOptions(optim.learningRate).weight_decay(optim.weightDecay));
    return std::make_unique<torch::optim::SGD>(parameters,
                                               torch::optim::SGDOptions(optim.learningRate)
                                                   .momentum(optim.momentum)
                                                   .weight_decay(optim.weightDecay));
}

// One run from its first (or resumed) batch to its last epoch or a stop request.
class Session {
  public:
    Session(const TrainConfig& config, TrainingObserver& observer, TrainingControl* control)
        : config_(config),
          observer_(observer),
          control_(control),
          directory_(config.outputDirectory),
          device_(chooseDevice(config.device)) {}

    TrainingSummary run(bool resuming) {
        prepare(resuming);
        observer_.onStart(runInfo(resuming));

        bool stopped = false;
        while (position_.epoch < config_.optim.epochs && !stopped)
            stopped = trainEpoch();

        TrainingSummary summary = summarise(stopped);
        observer_.onFinish(summary);
        return summary;
    }

  private:
    // ---- set-up ---------------------------------------------------------------------------

    void prepare(bool resuming) {
        config_.validate();
        threads_ = resolvedThreads(config_.threads);
        torch::set_num_threads(threads_);

        if (!resuming && directory_.hasCheckpoint())
            throw RunDirectoryError("the run directory " + directory_.path() +
                                    " already holds a run (checkpoint.pt); resume it with "
                                    "--resume " +
                                    directory_.path() + " or choose another --out folder");
        loadData();

        torch::manual_seed(config_.seed);
        model_ = GodeNet(config_.model);
        model_->to(device_);
        optimizer_ = makeOptimizer(config_.optim, model_->parameters());

        directory_.create();
        if (resuming) {
            position_ = directory_.readCheckpoint(*model_, *optimizer_, device_);
            directory_.keepMetricsUpTo(position_.epoch);
        }
        directory_.writeConfig(config_);
    }

    void loadData() {
        const Dataset dataset = loadDataset(config_.data.dataset, config_.data.directory);
        const Normalization norm = normalization(config_.data.dataset);
        train_.emplace(dataset.train.first(config_.data.trainLimit), norm, config_.optim.batchSize,
                       config_.data.cropPadding, config_.seed);
        test_.emplace(dataset.test.first(config_.data.testLimit), norm, config_.optim.testBatchSize,
                      0, config_.seed);
    }

    RunInfo runInfo(bool resuming) const {
        RunInfo info;
        info.config = config_;
        info.parameters = countParameters(*model_);
        info.trainImages = train_->size();
        info.testImages = test_->size();
        info.iterationsPerEpoch = train_->batchesPerEpoch();
        info.device = device_.str();
        info.threads = threads_;
        info.startEpoch = position_.epoch;
        info.startBatch = position_.batch;
        info.resumed = resuming;
        return info;
    }

    // ---- training -------------------------------------------------------------------------

    // Trains what remains of the current epoch; returns true when a stop request ended it.
    bool trainEpoch() {
        const auto epochStart = Clock::now();
        const double secondsBefore = position_.epochSeconds;
        BatchPrefetcher batches(*train_, position_.epoch, position_.batch);

        while (std::optional<Batch> batch = batches.next()) {
            if (control_ && control_->waitWhilePaused()) {
                position_.epochSeconds = secondsBefore + secondsSince(epochStart);
                saveCheckpoint();
                return true;
            }
            trainStep(*batch);
        }

        position_.epochSeconds = secondsBefore + secondsSince(epochStart);
        finishEpoch();
        return false;
    }

    void trainStep(const Batch& batch) {
        const auto stepStart = Clock::now();
        const int64_t perEpoch = train_->batchesPerEpoch();
        const double rate = learningRateAt(config_.optim, position_.epoch, batch.index, perEpoch);
        for (auto& group : optimizer_->param_groups())
            group.options().set_lr(rate);

        torch::Tensor images = batch.images.to(device_);
        torch::Tensor labels = batch.labels.to(device_);
        model_->train();

        torch::Tensor logits, loss;
        int64_t nfeForward = 0, nfeBackward = 0;
        try {
            logits = model_->forward(images);
            nfeForward = model_->block->lastStats().evaluations;
            loss = torch::nn::functional::cross_entropy(logits, labels);
            checkFinite(loss, batch);

            optimizer_->zero_grad();
            loss.backward();
            nfeBackward = model_->block->lastBackwardStats().evaluations;
            optimizer_->step();
        } catch (const SolverFailure& failure) {
            throw diverged(batch, std::string("the ODE solver failed: ") + failure.what());
        }

        const double lossValue = loss.item<double>();
        const int64_t correct = logits.argmax(1).eq(labels).sum().item<int64_t>();
        const int64_t size = labels.size(0);
        const double stepSeconds = secondsSince(stepStart);
        recordStep(lossValue, correct, size, nfeForward, nfeBackward, stepSeconds);
        reportIteration(batch, lossValue, double(correct) / size, rate, nfeForward, nfeBackward);
    }

    void recordStep(double loss, int64_t correct, int64_t size, int64_t nfeForward,
                    int64_t nfeBackward, double seconds) {
        ++position_.batch;
        ++position_.iteration;
        position_.epochLossSum += loss * size;
        position_.epochCorrect += correct;
        position_.epochSeen += size;
        position_.epochNfeForward += nfeForward;
        position_.epochNfeBackward += nfeBackward;
        position_.nfeForward += nfeForward;
        position_.nfeBackward += nfeBackward;
        position_.trainedImages += size;
        position_.trainingSeconds += seconds;
        sessionImages_ += size;
        sessionTrainingSeconds_ += seconds;
    }

    void reportIteration(const Batch& batch, double loss, double accuracy, double rate,
                         int64_t nfeForward, int64_t nfeBackward) {
        IterationReport report;
        report.epoch = position_.epoch + 1;
        report.batch = batch.index + 1;
        report.iterationsPerEpoch = train_->batchesPerEpoch();
        report.iteration = position_.iteration;
        report.totalIterations = train_->batchesPerEpoch() * config_.optim.epochs;
        report.loss = loss;
        report.accuracy = accuracy;
        report.learningRate = rate;
        report.nfeForward = nfeForward;
        report.nfeBackward = nfeBackward;
        report.stepSizes = model_->block->lastStats().stepSizes;
        report.imagesPerSecond = sessionImages_ / std::max(1e-9, sessionTrainingSeconds_);
        report.elapsedSeconds = position_.elapsedSeconds + secondsSince(sessionStart_);
        observer_.onIteration(report, *model_);
    }

    void checkFinite(const torch::Tensor& loss, const Batch& batch) const {
        const double value = loss.item<double>();
        if (std::isfinite(value))
            return;
        throw diverged(batch, "the loss is " + std::string(std::isnan(value) ? "NaN" : "infinite"));
    }

    TrainingDiverged diverged(const Batch& batch, const std::string& cause) const {
        std::ostringstream text;
        text << "training diverged at epoch " << position_.epoch + 1 << ", batch "
             << batch.index + 1 << ": " << cause << ". Lower the learning rate (now "
             << config_.optim.learningRate << ", try " << config_.optim.learningRate / 10
             << "), or use more or adaptive solver steps; the last good checkpoint stays in "
             << directory_.checkpointPath();
        return TrainingDiverged(text.str());
    }

    // ---- end of an epoch ------------------------------------------------------------------

    void finishEpoch() {
        const auto evaluationStart = Clock::now();
        Evaluation test;
        try {
            test = evaluate();
        } catch (const SolverFailure& failure) {
            throw TrainingDiverged("the ODE solver failed while evaluating epoch " +
                                   std::to_string(position_.epoch + 1) + ": " + failure.what() +
                                   "; the last good checkpoint stays in " +
                                   directory_.checkpointPath());
        }
        position_.epochSeconds += secondsSince(evaluationStart);

        const EpochReport report = epochReport(test);
        position_.lastEpoch = gode::toJson(report);
        directory_.appendMetrics(position_.lastEpoch);

        ++position_.epoch;
        position_.batch = 0;
        position_.epochLossSum = 0.0;
        position_.epochCorrect = position_.epochSeen = 0;
        position_.epochNfeForward = position_.epochNfeBackward = 0;
        position_.epochSeconds = 0.0;
        saveCheckpoint();
        directory_.exportModel(*model_);
        observer_.onEpoch(report, *model_);
    }

    Evaluation evaluate() { return evaluateClassifier(*model_, *test_, device_); }

    EpochReport epochReport(const Evaluation& test) const {
        const double seen = std::max<int64_t>(1, position_.epochSeen);
        const double batches = std::max<int64_t>(1, train_->batchesPerEpoch());
        EpochReport report;
        report.epoch = position_.epoch + 1;
        report.epochs = config_.optim.epochs;
        report.trainLoss = position_.epochLossSum / seen;
        report.trainAccuracy = position_.epochCorrect / seen;
        report.testLoss = test.loss;
        report.testAccuracy = test.accuracy;
        report.learningRate =
            learningRateAt(config_.optim, position_.epoch, train_->batchesPerEpoch() - 1,
                           train_->batchesPerEpoch());
        report.nfeForward = position_.epochNfeForward / batches;
        report.nfeBackward = position_.epochNfeBackward / batches;
        report.seconds = position_.epochSeconds;
        report.elapsedSeconds = position_.elapsedSeconds + secondsSince(sessionStart_);
        return report;
    }

    void saveCheckpoint() {
        const double sessionSeconds = secondsSince(sessionStart_);
        TrainingPosition saved = position_;
        saved.elapsedSeconds += sessionSeconds;
        directory_.writeCheckpoint(*model_, *optimizer_, saved);
    }

    // ---- summary --------------------------------------------------------------------------

    TrainingSummary summarise(bool stopped) const {
        const json& last = position_.lastEpoch;
        const double iterations = std::max<int64_t>(1, position_.iteration);
        TrainingSummary summary;
        summary.testAccuracy = last.value("test_accuracy", 0.0);
        summary.testLoss = last.value("test_loss", 0.0);
        summary.trainLoss = last.value("train_loss", 0.0);
        summary.trainAccuracy = last.value("train_accuracy", 0.0);
        summary.epochs = position_.epoch;
        summary.iterations = position_.iteration;
        summary.seconds = position_.elapsedSeconds + secondsSince(sessionStart_);
        summary.parameters = countParameters(*model_);
        summary.nfeForward = position_.nfeForward / iterations;
        summary.nfeBackward = position_.nfeBackward / iterations;
        summary.imagesPerSecond =
            position_.trainedImages / std::max(1e-9, position_.trainingSeconds);
        summary.stopped = stopped;
        summary.runDirectory = directory_.path();
        summary.device = device_.str();
        summary.threads = threads_;
        return summary;
    }

    TrainConfig config_;
    TrainingObserver& observer_;
    TrainingControl* control_;
    RunDirectory directory_;
    torch::Device device_;
    int threads_ = 1;

    std::optional<BatchMaker> train_, test_;
    GodeNet model_{nullptr};
    std::unique_ptr<torch::optim::Optimizer> optimizer_;
    TrainingPosition position_;

    Clock::time_point sessionStart_ = Clock::now();
    int64_t sessionImages_ = 0;
    double sessionTrainingSeconds_ = 0.0;
};

}  // namespace

// ---------------------------------------------------------------------------------------------

Trainer::Trainer(TrainConfig config, TrainingObserver* observer, TrainingControl* control)
    : config_(std::move(config)), observer_(observer), control_(control) {}

Trainer::~Trainer() = default;

TrainingSummary Trainer::run() {
    return start(false);
}

TrainingSummary Trainer::resume() {
    return start(true);
}

TrainingSummary Trainer::start(bool resuming) {
    Session session(config_, observer_ ? *observer_ : silentObserver(), control_);
    return session.run(resuming);
}

}  // namespace gode
