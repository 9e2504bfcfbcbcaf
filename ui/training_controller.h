// Runs a Trainer on a worker thread for the window.
//
// How data crosses threads: the trainer's observer (training thread) puts the start, every
// iteration report, epoch ends, the latest weight snapshot and the latest projected flows into a
// mailbox guarded by a mutex; a timer on the GUI thread empties it every `redrawIntervalMs` and
// emits the signals below, in the order things happened. So the window hears about training a
// bounded number of times per second whatever the batch size, and never touches the model. The
// end of the run (summary or error) is posted to the GUI thread as a queued call, which joins
// the thread and empties the mailbox a last time. Every signal is emitted on the GUI thread.
#pragma once

// LibTorch before Qt: Qt's "slots" macro breaks LibTorch headers included after it.
#include "train/train_config.h"
#include "train/training_observer.h"
#include "viz/flow_projection.h"
#include "viz/snapshots.h"

#include <QObject>
#include <QString>
#include <QVector>

#include <memory>

class QTimer;

namespace gode {

class TrainingController : public QObject {
    Q_OBJECT

  public:
    // How often the plots may receive the training's progress.
    static constexpr int kDefaultRedrawIntervalMs = 100;

    explicit TrainingController(QObject* parent = nullptr);
    // Stops a running training and joins its thread.
    ~TrainingController() override;

    // Starts a new run (resume = false) or continues the run in config.outputDirectory. The
    // configuration is validated here, so a bad one throws InvalidSetting before any thread
    // starts. Throws std::logic_error while a run is going on.
    void start(const TrainConfig& config, bool resume = false);

    bool isRunning() const;
    bool isPaused() const;
    void setPaused(bool paused);

    // Asks the trainer to stop after its current iteration (it writes a checkpoint); finished()
    // follows with summary.stopped set.
    void requestStop();

    // Requests a stop and blocks until the thread has ended (for closing the window). Signals
    // still pending are dropped.
    void stopAndWait();

    // Seconds between flow snapshots during an epoch (one is always taken at the start and at
    // every epoch end). Each costs a forward solve of `flowImages` images and a PCA.
    void setFlowIntervalSeconds(double seconds) { flowIntervalSeconds_ = seconds; }
    void setFlowImageCount(int count) { flowImages_ = count; }
    void setRedrawIntervalMs(int milliseconds);

  signals:
    void started(const gode::RunInfo& info);
    void iterations(const QVector<gode::IterationReport>& reports);
    void epochFinished(const gode::EpochReport& report);
    void weightsChanged(const gode::WeightSnapshot& snapshot);
    void flowsChanged(const gode::FlowProjection& projection);
    void finished(const gode::TrainingSummary& summary);
    // A bad data file, a diverged loss, a solver failure...: the error's message, as it is.
    void failed(const QString& message);
    void runningChanged(bool running);

  private:
    struct Shared;
    class Observer;

    void deliverPending();
    void onWorkerDone(const Shared* run);

    std::shared_ptr<Shared> shared_;
    QTimer* redrawTimer_;
    double flowIntervalSeconds_ = 20.0;
    int flowImages_ = 200;
};

}  // namespace gode

Q_DECLARE_METATYPE(gode::RunInfo)
Q_DECLARE_METATYPE(gode::IterationReport)
Q_DECLARE_METATYPE(gode::EpochReport)
Q_DECLARE_METATYPE(gode::TrainingSummary)
Q_DECLARE_METATYPE(gode::WeightSnapshot)
Q_DECLARE_METATYPE(gode::FlowProjection)
