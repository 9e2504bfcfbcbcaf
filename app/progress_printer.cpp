#include "progress_printer.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <string>

namespace gode {

namespace {

using Clock = std::chrono::steady_clock;

std::string duration(double seconds) {
    if (!std::isfinite(seconds) || seconds < 0)
        return "--:--";
    const long total = std::lround(seconds);
    char text[32];
    if (total >= 3600)
        std::snprintf(text, sizeof text, "%ld:%02ld:%02ld", total / 3600, total / 60 % 60,
                      total % 60);
    else
        std::snprintf(text, sizeof text, "%ld:%02ld", total / 60, total % 60);
    return text;
}

}  // namespace

ProgressPrinter::ProgressPrinter(bool quiet, TrainingControl& control, const volatile int* stopFlag)
    : quiet_(quiet),
      terminal_(isatty(fileno(stderr)) != 0),
      control_(control),
      stopFlag_(stopFlag) {}

void ProgressPrinter::onStart(const RunInfo& info) {
    sessionStart_ = Clock::now();
    firstIteration_ = info.startEpoch * info.iterationsPerEpoch + info.startBatch;
    lineEvery_ = std::max<int64_t>(1, info.iterationsPerEpoch / 10);
    if (quiet_)
        return;

    const ModelConfig& model = info.config.model;
    std::fprintf(out_,
                 "gode-train: %s on %s (%lld train / %lld test images), %lld parameters, "
                 "width %lld, solver %s, %s, %d thread%s, %lld iterations per epoch\n",
                 toString(model.kind).c_str(), toString(info.config.data.dataset).c_str(),
                 (long long)info.trainImages, (long long)info.testImages,
                 (long long)info.parameters, (long long)model.width, model.solver.method.c_str(),
                 info.device.c_str(), info.threads, info.threads == 1 ? "" : "s",
                 (long long)info.iterationsPerEpoch);
    if (info.resumed)
        std::fprintf(out_, "gode-train: resuming at epoch %lld, batch %lld\n",
                     (long long)info.startEpoch + 1, (long long)info.startBatch + 1);
    std::fflush(out_);
}

void ProgressPrinter::onIteration(const IterationReport& report, GodeNetImpl&) {
    if (stopFlag_ && *stopFlag_)
        control_.requestStop();
    if (quiet_)
        return;

    const double elapsed = std::chrono::duration<double>(Clock::now() - sessionStart_).count();
    const int64_t done = report.iteration - firstIteration_;
    const double eta =
        elapsed / std::max<int64_t>(1, done) * double(report.totalIterations - report.iteration);
    if (terminal_)
        drawBar(report, eta);
    else if (report.batch % lineEvery_ == 0)
        printLine(report, eta);
}

void ProgressPrinter::drawBar(const IterationReport& report, double eta) {
    const auto now = Clock::now();
    const bool last = report.batch == report.iterationsPerEpoch;
    if (barShown_ && !last && now - lastDraw_ < std::chrono::milliseconds(200))
        return;
    lastDraw_ = now;
    barShown_ = true;

    constexpr int kWidth = 24;
    const int filled = int(kWidth * report.batch / std::max<int64_t>(1, report.iterationsPerEpoch));
    const std::string bar = std::string(filled, '#') + std::string(kWidth - filled, '.');
    std::fprintf(out_,
                 "\r\033[Kepoch %lld [%s] %lld/%lld  loss %.4f  acc %5.1f%%  lr %.3g  nfe %lld  "
                 "%.0f img/s  ETA %s",
                 (long long)report.epoch, bar.c_str(), (long long)report.batch,
                 (long long)report.iterationsPerEpoch, report.loss, 100 * report.accuracy,
                 report.learningRate, (long long)report.nfeForward, report.imagesPerSecond,
                 duration(eta).c_str());
    std::fflush(out_);
}

void ProgressPrinter::printLine(const IterationReport& report, double eta) {
    std::fprintf(out_,
                 "epoch %lld batch %lld/%lld: loss %.4f acc %.1f%% lr %.3g nfe %lld %.0f img/s "
                 "ETA %s\n",
                 (long long)report.epoch, (long long)report.batch,
                 (long long)report.iterationsPerEpoch, report.loss, 100 * report.accuracy,
                 report.learningRate, (long long)report.nfeForward, report.imagesPerSecond,
                 duration(eta).c_str());
    std::fflush(out_);
}

void ProgressPrinter::clearBar() {
    if (barShown_)
        std::fprintf(out_, "\r\033[K");
    barShown_ = false;
}

void ProgressPrinter::onEpoch(const EpochReport& report, GodeNetImpl&) {
    if (quiet_)
        return;
    clearBar();
    std::fprintf(out_,
                 "epoch %lld/%lld: train loss %.4f acc %.2f%% | test loss %.4f acc %.2f%% | "
                 "nfe %.1f | %.1f s\n",
                 (long long)report.epoch, (long long)report.epochs, report.trainLoss,
                 100 * report.trainAccuracy, report.testLoss, 100 * report.testAccuracy,
                 report.nfeForward, report.seconds);
    std::fflush(out_);
}

void ProgressPrinter::onFinish(const TrainingSummary&) {
    if (!quiet_)
        clearBar();
    std::fflush(out_);
}

}  // namespace gode
