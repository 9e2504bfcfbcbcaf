// A look at the plots as a person sees them, and their speed: not a test, not installed.
//
//   viz_demo [--data DIR] [--out DIR] [--iterations N] [--show]
//      trains three tiny models (GODE with Dormand-Prince, a ResNet, a Neural-ODE) on the MNIST
//      sample, fills every plot with what they produce, and saves a screenshot of the four
//      panels plus each panel's PNG / PDF / SVG export into --out (default: viz-demo/).
//   viz_demo --bench
//      prints how long the plots take with long runs and full-size snapshots.
#include <qcustomplot.h>

#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QElapsedTimer>
#include <QGridLayout>

#include <cstdio>
#include <functional>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "model/network.h"
#include "train/dataset.h"
#include "viz/flow_plot.h"
#include "viz/pca.h"
#include "viz/snapshots.h"
#include "viz/solver_stats_plot.h"
#include "viz/training_curves_plot.h"
#include "viz/weights_over_depth_plot.h"

namespace {

struct Images {
    torch::Tensor images;  // [N, 1, 28, 28] in [0, 1]
    torch::Tensor labels;  // [N]
};

Images asFloat(const gode::LabelledImages& split) {
    return {split.images.to(torch::kFloat).div(255.0), split.labels};
}

gode::ModelConfig demoConfig(gode::ModelKind kind) {
    gode::ModelConfig config;
    config.kind = kind;
    config.width = 32;
    config.splineOrder = 2;
    config.interiorKnots = 2;
    config.placement = gode::KnotPlacement::Published;
    config.blocks = 10;
    config.solver.method = kind == gode::ModelKind::Gode ? "dopri5" : "euler";
    config.solver.steps = 10;
    config.solver.rtol = 1e-4;
    config.solver.atol = 1e-5;
    return config;
}

double accuracy(const torch::Tensor& logits, const torch::Tensor& labels) {
    return logits.argmax(1).eq(labels).to(torch::kDouble).mean().item<double>();
}

struct Panels {
    gode::TrainingCurvesPlot* curves;
    gode::WeightsOverDepthPlot* weights;
    gode::FlowPlot* flows;
    gode::SolverStatsPlot* stats;
};

// Trains one model like the window would and feeds the plots as it goes.
gode::GodeNet trainRun(const QString& id, const QString& label, gode::ModelKind kind,
                       const Images& train, const Images& test, int iterations, Panels panels,
                       bool feedSolverStats) {
    torch::manual_seed(1);
    gode::GodeNet net(demoConfig(kind));
    torch::optim::SGD optimizer(net->parameters(), torch::optim::SGDOptions(0.05).momentum(0.9));
    panels.curves->addRun(id, label);

    const int64_t batch = 64;
    const int iterationsPerEpoch = static_cast<int>(train.images.size(0) / batch);
    for (int iteration = 1; iteration <= iterations; ++iteration) {
        const int64_t start = ((iteration - 1) % iterationsPerEpoch) * batch;
        torch::Tensor images = train.images.slice(0, start, start + batch);
        torch::Tensor labels = train.labels.slice(0, start, start + batch);
        torch::Tensor logits = net->forward(images);
        torch::Tensor loss = torch::nn::functional::cross_entropy(logits, labels);
        optimizer.zero_grad();
        loss.backward();
        optimizer.step();

        panels.curves->appendIteration(id, iteration, loss.item<double>(),
                                       accuracy(logits, labels));
        if (feedSolverStats) {
            const gode::SolverStats& stats = net->block->lastStats();
            panels.stats->appendIteration(iteration, stats.evaluations, -1, stats.stepSizes);
        }
        if (iteration % iterationsPerEpoch == 0 || iteration == iterations) {
            torch::NoGradGuard noGrad;
            torch::Tensor testLogits = net->forward(test.images);
            panels.curves->appendEpoch(
                id, iteration / iterationsPerEpoch, iteration,
                torch::nn::functional::cross_entropy(testLogits, test.labels).item<double>(),
                accuracy(testLogits, test.labels));
        }
        if (iteration % 10 == 0)
            QCoreApplication::processEvents();
    }
    return net;
}

void saveExports(const std::vector<gode::PlotPanel*>& panels, const QDir& out) {
    for (gode::PlotPanel* panel : panels)
        for (const char* suffix : {"png", "pdf", "svg"})
            panel->exportImage(out.filePath(panel->baseName() + "." + suffix));
}

double millisecondsOf(const std::function<void()>& work, int repeats = 1) {
    QElapsedTimer timer;
    timer.start();
    for (int i = 0; i < repeats; ++i)
        work();
    return timer.nsecsElapsed() / 1e6 / repeats;
}

void benchmark() {
    std::printf("viz benchmark (times in ms, single thread for LibTorch)\n");
    torch::set_num_threads(1);

    gode::TrainingCurvesPlot curves;
    curves.resize(900, 600);
    curves.show();
    std::mt19937 random(1);
    std::normal_distribution<double> noise(0.0, 0.1);
    for (const char* id : {"a", "b", "c"}) {
        curves.addRun(id, id);
        const double append = millisecondsOf([&] {
            for (int i = 0; i < 200000; ++i)
                curves.appendIteration(id, i, 2.0 / (1 + i / 1000.0) + noise(random), 0.9);
        });
        std::printf("append 200,000 iterations to run %s: %.1f (%.3f us each)\n", id, append,
                    append * 1000 / 200000);
    }
    const double sync = millisecondsOf([&] { curves.refreshNow(); });
    std::printf("copy decimated data into the graphs: %.1f\n", sync);
    const double first =
        millisecondsOf([&] { curves.plot()->replot(QCustomPlot::rpImmediateRefresh); });
    std::printf("first redraw with 3 runs x 200,000 iterations: %.1f\n", first);
    const double live = millisecondsOf(
        [&] {
            for (int i = 0; i < 50; ++i)
                curves.appendIteration("c", curves.iterationCount("c"), 0.01, 0.99);
            curves.refreshNow();
            curves.plot()->replot(QCustomPlot::rpImmediateRefresh);
        },
        20);
    std::printf("redraw after 50 more iterations (a 10 Hz tick): %.1f\n", live);
    std::printf("points drawn per curve: %d\n",
                curves.graph("c", gode::TrainingCurvesPlot::Curve::TrainLoss)->dataCount());
    const double smoothing = millisecondsOf([&] { curves.setSmoothing(0.98); });
    std::printf("change of smoothing (recomputes 600,000 averages): %.1f\n", smoothing);

    gode::ModelConfig config = demoConfig(gode::ModelKind::Gode);
    config.width = 64;
    config.solver.method = "euler";
    config.solver.steps = 20;
    gode::GodeNet net(config);
    gode::WeightsOverDepthPlot weights;
    weights.resize(900, 600);
    weights.show();
    const double snapshot = millisecondsOf([&] { gode::takeWeightSnapshot(*net); }, 20);
    std::printf("takeWeightSnapshot, width 64, K = 4: %.2f\n", snapshot);
    const gode::WeightSnapshot taken = gode::takeWeightSnapshot(*net);
    const double weightRedraw = millisecondsOf(
        [&] {
            weights.setSnapshot(taken);
            weights.refreshNow();
            weights.plot()->replot(QCustomPlot::rpImmediateRefresh);
        },
        20);
    std::printf("weights plot: new snapshot and redraw: %.2f\n", weightRedraw);

    torch::Tensor images = torch::rand({200, 1, 28, 28});
    torch::Tensor labels = torch::randint(0, 10, {200});
    gode::FlowSnapshot flows;
    const double compute = millisecondsOf(
        [&] { flows = gode::computeFlows(*net, images, labels, gode::defaultFlowTimes(*net)); });
    std::printf("computeFlows, 200 images, width 64, 21 times: %.1f\n", compute);
    gode::FlowProjection projection;
    const double project = millisecondsOf([&] { projection = gode::projectFlows(flows); }, 5);
    std::printf("projectFlows (PCA of %lld x %lld states): %.1f\n",
                static_cast<long long>(flows.states.size(0) * flows.states.size(1)),
                static_cast<long long>(flows.states.size(2)), project);
    torch::Tensor pooled = flows.states.reshape({-1, flows.states.size(2)});
    for (int iterations : {0, 1, 2, 4}) {
        gode::PcaOptions options;
        options.powerIterations = iterations;
        const double fit = millisecondsOf([&] { gode::pca(pooled, 2, options); }, 3);
        std::printf("  pca alone, %d power iterations: %.1f\n", iterations, fit);
    }
    gode::FlowPlot flowPlot;
    flowPlot.resize(900, 600);
    flowPlot.show();
    flowPlot.setProjection(projection);
    const double slider = millisecondsOf(
        [&] {
            flowPlot.setTimeIndex(flowPlot.timeIndex() == 10 ? 11 : 10);
            flowPlot.refreshNow();
            flowPlot.plot()->replot(QCustomPlot::rpImmediateRefresh);
        },
        20);
    std::printf("flow plot: slider step and redraw (200 trajectories): %.1f\n", slider);
}

}  // namespace

int main(int argc, char** argv) {
    QApplication app(argc, argv);
    QCommandLineParser parser;
    parser.addHelpOption();
    parser.addOption({"data", "MNIST folder (IDX .gz files).", "dir", GODE_DEMO_MNIST_DIR});
    parser.addOption({"out", "Folder for the screenshot and exports.", "dir", "viz-demo"});
    parser.addOption({"iterations", "Training iterations per model.", "n", "150"});
    parser.addOption({"show", "Keep the window open."});
    parser.addOption({"bench", "Print timings instead."});
    parser.process(app);
    if (parser.isSet("bench")) {
        benchmark();
        return 0;
    }

    QWidget window;
    window.setWindowTitle("GODE Explorer plots");
    auto* grid = new QGridLayout(&window);
    Panels panels{new gode::TrainingCurvesPlot, new gode::WeightsOverDepthPlot, new gode::FlowPlot,
                  new gode::SolverStatsPlot};
    grid->addWidget(panels.curves, 0, 0);
    grid->addWidget(panels.weights, 0, 1);
    grid->addWidget(panels.flows, 1, 0);
    grid->addWidget(panels.stats, 1, 1);
    window.resize(1400, 900);
    window.show();

    const QDir out(parser.value("out"));
    QDir().mkpath(out.path());
    const std::vector<gode::PlotPanel*> all{panels.curves, panels.weights, panels.flows,
                                            panels.stats};
    const auto screenshot = [&](const QString& name) {
        for (gode::PlotPanel* panel : all) {
            panel->refreshNow();
            panel->plot()->replot(QCustomPlot::rpImmediateRefresh);
        }
        QCoreApplication::processEvents();
        window.grab().save(out.filePath(name));
    };
    screenshot("empty-window.png");

    const gode::Dataset mnist =
        gode::loadDataset(gode::DatasetKind::Mnist, parser.value("data").toStdString());
    const Images train = asFloat(mnist.train);
    const Images test = asFloat(mnist.test);
    const int iterations = parser.value("iterations").toInt();
    gode::GodeNet gode = trainRun("gode", "GODE (K = 4, dopri5)", gode::ModelKind::Gode, train,
                                  test, iterations, panels, true);
    gode::GodeNet resnet = trainRun("resnet", "ResNet (10 blocks)", gode::ModelKind::Resnet, train,
                                    test, iterations, panels, false);
    trainRun("node", "Neural-ODE", gode::ModelKind::Node, train, test, iterations, panels, false);

    panels.weights->setSnapshot(gode::takeWeightSnapshot(*gode));
    panels.weights->setSelection(1, 3, 5);
    torch::Tensor flowImages = test.images.slice(0, 0, 200);
    torch::Tensor flowLabels = test.labels.slice(0, 0, 200);
    panels.flows->setSnapshot(
        gode::computeFlows(*gode, flowImages, flowLabels, gode::defaultFlowTimes(*gode)));
    panels.flows->setTimeIndex(panels.flows->timeCount() * 2 / 3);

    screenshot("demo-window.png");
    saveExports(all, out);
    panels.curves->exportCsv(out.filePath("metrics.csv"));

    // A ResNet's weights are order-1 pieces: they must be drawn as steps.
    gode::WeightsOverDepthPlot resnetWeights;
    resnetWeights.setSnapshot(gode::takeWeightSnapshot(*resnet));
    resnetWeights.setSelection(2, 0, 1);
    resnetWeights.exportImage(out.filePath("weights-resnet.png"), QSize(800, 500));
    std::printf("wrote %s\n", qPrintable(out.absolutePath()));
    return parser.isSet("show") ? app.exec() : 0;
}
