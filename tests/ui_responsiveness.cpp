// How responsive the window stays while it trains: not a test, not installed.
//
//   ui_responsiveness [--seconds S]
//      trains on the embedded MNIST sample with batch 1 (the most reports per second) twice in
//      one process, first with the controller's normal redraw interval (100 ms), then with 1 ms,
//      and prints for each: iterations per second, deliveries to the window per second, and how
//      late a 10 ms probe timer on the GUI thread fired (median, 99th percentile, maximum).
#include <QApplication>
#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QTemporaryDir>
#include <QTimer>

#include <algorithm>
#include <cstdio>
#include <vector>

#include "ui/config_panel.h"
#include "ui/data_location.h"
#include "ui/main_window.h"
#include "ui/training_controller.h"

namespace {

struct Figures {
    double iterationsPerSecond = 0;
    double deliveriesPerSecond = 0;
    double lateMedianMs = 0, late99Ms = 0, lateMaxMs = 0;
};

double percentile(std::vector<double> values, double fraction) {
    if (values.empty())
        return 0;
    std::sort(values.begin(), values.end());
    return values[static_cast<size_t>(fraction * (values.size() - 1))];
}

Figures measure(const QTemporaryDir& root, const QString& sample, int redrawMs, double seconds) {
    gode::MainWindowOptions options;
    options.settingsFile = root.filePath(QString("settings-%1.ini").arg(redrawMs));
    options.sampleDir = sample;
    options.runsFolder = root.filePath("runs");
    gode::MainWindow window(options);
    window.setCloseConfirmation([] { return true; });
    window.resize(1600, 1000);
    window.show();

    gode::TrainConfig config = gode::defaultTrainConfig();
    config.data.directory = sample.toStdString();
    config.data.cropPadding = 0;
    config.model.width = 16;
    config.optim.batchSize = 1;
    config.optim.epochs = 1000;  // far longer than the measurement: it is stopped at the end
    config.threads = 1;
    window.configPanel()->setConfig(config);
    window.controller()->setRedrawIntervalMs(redrawMs);

    int deliveries = 0;
    int64_t lastIteration = 0;
    QObject::connect(window.controller(), &gode::TrainingController::iterations,
                     [&](const QVector<gode::IterationReport>& reports) {
                         ++deliveries;
                         lastIteration = reports.back().iteration;
                     });

    // The probe: a 10 ms timer whose lateness is how long the GUI thread was busy elsewhere.
    std::vector<double> lateMs;
    QElapsedTimer sinceProbe;
    QTimer probe;
    probe.setTimerType(Qt::PreciseTimer);
    probe.setInterval(10);
    QObject::connect(&probe, &QTimer::timeout, [&] {
        lateMs.push_back(std::max(0.0, sinceProbe.nsecsElapsed() / 1e6 - 10.0));
        sinceProbe.restart();
    });

    window.startTraining();
    // The counting starts once the first report arrives (after the data is read). Plain event
    // loops, not a processEvents() spin, so the GUI thread idles as it does in the program.
    {
        QEventLoop firstReport;
        QObject::connect(window.controller(), &gode::TrainingController::iterations, &firstReport,
                         &QEventLoop::quit);
        QTimer::singleShot(60000, &firstReport, &QEventLoop::quit);
        firstReport.exec();
    }
    const int64_t firstIteration = lastIteration;
    const int firstDeliveries = deliveries;
    QElapsedTimer clock;
    clock.start();
    sinceProbe.start();
    probe.start();
    {
        QEventLoop measuring;
        QTimer::singleShot(static_cast<int>(seconds * 1000), &measuring, &QEventLoop::quit);
        measuring.exec();
    }
    probe.stop();
    const double elapsed = clock.nsecsElapsed() / 1e9;

    Figures figures;
    figures.iterationsPerSecond = (lastIteration - firstIteration) / elapsed;
    figures.deliveriesPerSecond = (deliveries - firstDeliveries) / elapsed;
    figures.lateMedianMs = percentile(lateMs, 0.5);
    figures.late99Ms = percentile(lateMs, 0.99);
    figures.lateMaxMs = percentile(lateMs, 1.0);
    window.close();
    return figures;
}

}  // namespace

int main(int argc, char** argv) {
    QApplication app(argc, argv);
    QCommandLineParser parser;
    parser.addHelpOption();
    parser.addOption({"seconds", "Seconds to measure each setting.", "s", "20"});
    parser.process(app);
    const double seconds = parser.value("seconds").toDouble();

    QTemporaryDir root;
    const QString sample = gode::unpackEmbeddedSample(root.filePath("sample"));
    std::printf("batch 1, width 16, embedded MNIST sample, %.0f s per setting\n", seconds);
    std::printf("%-10s %12s %14s %12s %12s %12s\n", "redraw ms", "iterations/s", "deliveries/s",
                "late med ms", "late p99 ms", "late max ms");
    for (int redrawMs : {gode::TrainingController::kDefaultRedrawIntervalMs, 1}) {
        const Figures f = measure(root, sample, redrawMs, seconds);
        std::printf("%-10d %12.1f %14.1f %12.2f %12.2f %12.2f\n", redrawMs, f.iterationsPerSecond,
                    f.deliveriesPerSecond, f.lateMedianMs, f.late99Ms, f.lateMaxMs);
    }
    return 0;
}
