// The command line's observer: a progress bar with ETA on a terminal, plain lines otherwise,
// one line per epoch. Everything goes to standard error, so that standard output carries only
// the final JSON line.
#pragma once

#include <chrono>
#include <cstdio>

#include "train/training_control.h"
#include "train/training_observer.h"

namespace gode {

class ProgressPrinter : public TrainingObserver {
  public:
    // `quiet` prints nothing; `stopFlag`, when it becomes non-zero (set by a signal handler),
    // is turned into a stop request on the training thread.
    ProgressPrinter(bool quiet, TrainingControl& control, const volatile int* stopFlag);

    void onStart(const RunInfo& info) override;
    void onIteration(const IterationReport& report, GodeNetImpl& model) override;
    void onEpoch(const EpochReport& report, GodeNetImpl& model) override;
    void onFinish(const TrainingSummary& summary) override;

  private:
    void drawBar(const IterationReport& report, double eta);
    void printLine(const IterationReport& report, double eta);
    void clearBar();

    bool quiet_;
    bool terminal_;
    TrainingControl& control_;
    const volatile int* stopFlag_;
    std::FILE* out_ = stderr;

    std::chrono::steady_clock::time_point sessionStart_;
    int64_t firstIteration_ = 0;  // iterations done before this session (resume)
    std::chrono::steady_clock::time_point lastDraw_;
    bool barShown_ = false;
    int64_t lineEvery_ = 1;
};

}  // namespace gode
