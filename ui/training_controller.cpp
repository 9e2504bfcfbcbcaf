#include "training_controller.h"

#include <QTimer>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>
#include <vector>

#include "run_history.h"
#include "train/trainer.h"
#include "train/training_control.h"

namespace gode {

namespace {

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

// Weight snapshots are cheap (a copy of the coefficients), so they follow training closely.
constexpr double kWeightIntervalSeconds = 0.5;

}  // namespace

// Everything both threads touch. The mailbox fields are guarded by `mutex`; `control` and
// `running` are thread-safe on their own.
struct TrainingController::Shared {
    std::mutex mutex;
    std::optional<RunInfo> startedInfo;
    std::vector<IterationReport> iterations;
    std::vector<std::pair<size_t, EpochReport>> epochs;  // with how many iterations came before
    std::optional<WeightSnapshot> weights;
    std::optional<FlowProjection> flows;
    std::optional<TrainingSummary> summary;
    std::optional<QString> error;

    TrainingControl control;
    std::thread thread;
    std::atomic<bool> running{false};
};

// Runs on the training thread: copies what the window needs into the mailbox and returns.
// Known shortcoming: the flow snapshot (a forward solve of the flow images and a PCA) runs here
// too, so training waits for it at the start, every flowIntervalSeconds and at each epoch end.
class TrainingController::Observer : public TrainingObserver {
  public:
    Observer(Shared& shared, double flowIntervalSeconds, int flowImages)
        : shared_(shared), flowIntervalSeconds_(flowIntervalSeconds), flowImageCount_(flowImages) {}

    void onStart(const RunInfo& info) override {
        loadFlowImages(info.config);
        std::lock_guard<std::mutex> lock(shared_.mutex);
        shared_.startedInfo = info;
    }

    void onIteration(const IterationReport& report, GodeNetImpl& model) override {
        const bool weightsDue =
            !lastWeights_ || secondsSince(*lastWeights_) >= kWeightIntervalSeconds;
        const bool flowsDue = !lastFlows_ || secondsSince(*lastFlows_) >= flowIntervalSeconds_;
        std::optional<WeightSnapshot> weights;
        std::optional<FlowProjection> flows;
        if (weightsDue)
            weights = takeWeights(model);
        if (flowsDue)
            flows = takeFlows(model);

        std::lock_guard<std::mutex> lock(shared_.mutex);
        shared_.iterations.push_back(report);
        if (weights)
            shared_.weights = std::move(weights);
        if (flows)
            shared_.flows = std::move(flows);
    }

    void onEpoch(const EpochReport& report, GodeNetImpl& model) override {
        std::optional<WeightSnapshot> weights = takeWeights(model);
        std::optional<FlowProjection> flows = takeFlows(model);

        std::lock_guard<std::mutex> lock(shared_.mutex);
        shared_.epochs.emplace_back(shared_.iterations.size(), report);
        shared_.weights = std::move(weights);
        if (flows)
            shared_.flows = std::move(flows);
    }

  private:
    // Reading the dataset again costs a second or so once per run; the trainer keeps its copy to
    // itself.
    void loadFlowImages(const TrainConfig& config) {
        if (flowImageCount_ > 0)
            flowImages_ = readFlowImages(config, flowImageCount_);
    }

    WeightSnapshot takeWeights(GodeNetImpl& model) {
        lastWeights_ = Clock::now();
        return takeWeightSnapshot(model);
    }

    std::optional<FlowProjection> takeFlows(GodeNetImpl& model) {
        lastFlows_ = Clock::now();
        if (!flowImages_.images.defined() || flowImages_.images.size(0) < 2)
            return std::nullopt;
        FlowProjection projection = projectedFlows(model, flowImages_);
        // The projection's cost is left out of the next interval, so that slow machines do not
        // spend most of their time on it.
        lastFlows_ = Clock::now();
        return projection;
    }

    Shared& shared_;
    double flowIntervalSeconds_;
    int flowImageCount_;
    FlowImages flowImages_;
    std::optional<Clock::time_point> lastWeights_, lastFlows_;
};

// ---------------------------------------------------------------------------------------------

TrainingController::TrainingController(QObject* parent)
    : QObject(parent), shared_(std::make_shared<Shared>()), redrawTimer_(new QTimer(this)) {
    redrawTimer_->setInterval(kDefaultRedrawIntervalMs);
    connect(redrawTimer_, &QTimer::timeout, this, &TrainingController::deliverPending);
}

TrainingController::~TrainingController() {
    stopAndWait();
}

void TrainingController::setRedrawIntervalMs(int milliseconds) {
    redrawTimer_->setInterval(std::max(1, milliseconds));
}

void TrainingController::start(const TrainConfig& config, bool resume) {
    if (isRunning() || shared_->thread.joinable())
        throw std::logic_error("a training run is still going on; stop it before starting another");
    config.validate();

    // A fresh mailbox and control for every run: nothing of the last run leaks into this one.
    shared_ = std::make_shared<Shared>();
    shared_->running = true;
    std::shared_ptr<Shared> shared = shared_;
    const double flowInterval = flowIntervalSeconds_;
    const int flowImages = flowImages_;

    shared->thread = std::thread([this, shared, config, resume, flowInterval, flowImages] {
        Observer observer(*shared, flowInterval, flowImages);
        std::optional<TrainingSummary> summary;
        std::optional<QString> error;
        try {
            Trainer trainer(config, &observer, &shared->control);
            summary = resume ? trainer.resume() : trainer.run();
        } catch (const std::exception& caught) {
            error = QString::fromStdString(caught.what());
        } catch (...) {
            error = QStringLiteral("training stopped with an error of unknown type");
        }
        {
            std::lock_guard<std::mutex> lock(shared->mutex);
            shared->summary = summary;
            shared->error = error;
        }
        // `this` outlives the thread: the destructor joins it. A call still queued when the
        // controller is destroyed is dropped by Qt.
        QMetaObject::invokeMethod(
            this, [this, shared] { onWorkerDone(shared.get()); }, Qt::QueuedConnection);
    });

    redrawTimer_->start();
    emit runningChanged(true);
}

bool TrainingController::isRunning() const {
    return shared_->running.load();
}

bool TrainingController::isPaused() const {
    return shared_->control.isPaused();
}

void TrainingController::setPaused(bool paused) {
    if (isRunning())
        shared_->control.setPaused(paused);
}

void TrainingController::requestStop() {
    shared_->control.requestStop();
}

void TrainingController::stopAndWait() {
    shared_->control.requestStop();
    if (shared_->thread.joinable())
        shared_->thread.join();
    redrawTimer_->stop();
    if (shared_->running.exchange(false))
        emit runningChanged(false);
}

// Emits what the training thread left in the mailbox, in the order it happened.
void TrainingController::deliverPending() {
    std::optional<RunInfo> startedInfo;
    std::vector<IterationReport> reports;
    std::vector<std::pair<size_t, EpochReport>> epochs;
    std::optional<WeightSnapshot> weights;
    std::optional<FlowProjection> flows;
    {
        std::lock_guard<std::mutex> lock(shared_->mutex);
        startedInfo.swap(shared_->startedInfo);
        reports.swap(shared_->iterations);
        epochs.swap(shared_->epochs);
        weights.swap(shared_->weights);
        flows.swap(shared_->flows);
    }

    if (startedInfo)
        emit started(*startedInfo);
    size_t delivered = 0;
    const auto deliverUpTo = [&](size_t end) {
        if (end > delivered)
            emit iterations(QVector<IterationReport>(reports.begin() + static_cast<long>(delivered),
                                                     reports.begin() + static_cast<long>(end)));
        delivered = std::max(delivered, end);
    };
    for (const auto& [before, report] : epochs) {
        deliverUpTo(before);
        emit epochFinished(report);
    }
    deliverUpTo(reports.size());
    if (weights)
        emit weightsChanged(*weights);
    if (flows)
        emit flowsChanged(*flows);
}

void TrainingController::onWorkerDone(const Shared* run) {
    // stopAndWait() has already joined this run and said it ended, or a newer run has begun.
    if (run != shared_.get() || !shared_->running)
        return;
    if (shared_->thread.joinable())
        shared_->thread.join();
    redrawTimer_->stop();
    deliverPending();

    std::optional<TrainingSummary> summary;
    std::optional<QString> error;
    {
        std::lock_guard<std::mutex> lock(shared_->mutex);
        summary = shared_->summary;
        error = shared_->error;
    }
    shared_->running = false;
    emit runningChanged(false);
    if (error)
        emit failed(*error);
    else if (summary)
        emit finished(*summary);
}

}  // namespace gode
