// The live plots: they receive data, draw what the numbers say, and export every format.
#include <qcustomplot.h>

#include <QApplication>
#include <QClipboard>
#include <QFile>
#include <QMenu>
#include <QTemporaryDir>

#include <cmath>
#include <utility>
#include <vector>

#include "model/bspline.h"
#include "test_support.h"
#include "viz/flow_plot.h"
#include "viz/snapshots.h"
#include "viz/solver_stats_plot.h"
#include "viz/training_curves_plot.h"
#include "viz/viz_errors.h"
#include "viz/weights_over_depth_plot.h"

using gode::TrainingCurvesPlot;
using Curve = gode::TrainingCurvesPlot::Curve;

namespace {

using Points = std::vector<std::pair<double, double>>;

Points pointsOf(const QCPGraph* graph) {
    Points points;
    for (auto it = graph->data()->constBegin(); it != graph->data()->constEnd(); ++it)
        points.emplace_back(it->key, it->value);
    return points;
}

Points pointsOf(const QCPCurve* curve) {
    Points points;
    for (auto it = curve->data()->constBegin(); it != curve->data()->constEnd(); ++it)
        points.emplace_back(it->key, it->value);
    return points;
}

gode::WeightSnapshot randomSnapshot(int order, int interiorKnots, double horizon,
                                    gode::KnotPlacement placement, int64_t channels) {
    gode::WeightSnapshot snapshot;
    snapshot.order = order;
    snapshot.interiorKnots = interiorKnots;
    snapshot.horizon = horizon;
    snapshot.placement = placement;
    const int64_t k = order + interiorKnots;
    snapshot.conv1 = torch::randn({k, channels, channels, 3, 3});
    snapshot.conv2 = torch::randn({k, channels, channels, 3, 3});
    return snapshot;
}

QByteArray head(const QString& path, int bytes) {
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return file.read(bytes);
}

void clickAt(QWidget* widget, QPointF at) {
    QMouseEvent press(QEvent::MouseButtonPress, at, widget->mapToGlobal(at.toPoint()),
                      Qt::LeftButton, Qt::LeftButton, Qt::NoModifier);
    QMouseEvent release(QEvent::MouseButtonRelease, at, widget->mapToGlobal(at.toPoint()),
                        Qt::LeftButton, Qt::NoButton, Qt::NoModifier);
    QCoreApplication::sendEvent(widget, &press);
    QCoreApplication::sendEvent(widget, &release);
}

}  // namespace

class TestVizPlots : public QObject {
    Q_OBJECT

  private slots:
    void trainingCurvesReceiveData();
    void smoothedCurveEqualsHandComputation();
    void runCanHaveItsOwnSmoothingOrNone();
    void smoothingIsClampedAndShownOnTheControls();
    void appendsAreDrawnOncePerEventLoopPass();
    void runsToggleFromTheSetterAndTheLegend();
    void viewFollowsTheDataUntilTheUserDrags();
    void longRunsAreDecimatedButExportedInFull();
    void csvHasAHeaderAndOneRowPerRecord();
    void unknownRunsAndBackwardIterationsAreRejected();
    void weightCurvesEqualTheSplineSum_data();
    void weightCurvesEqualTheSplineSum();
    void orderOneWeightsAreSteps();
    void selectionIsClampedToTheSnapshot();
    void flowPlotDrawsTrajectoriesUpToTheSlider();
    void solverStatsReceiveData();
    void exportsWriteEachFormat_data();
    void exportsWriteEachFormat();
    void exportErrorsNameThePath();
    void contextMenuOffersExportAndCopy();
};

void TestVizPlots::trainingCurvesReceiveData() {
    TrainingCurvesPlot plot;
    plot.addRun("gode", "GODE");
    for (int i = 1; i <= 50; ++i)
        plot.appendIteration("gode", i, 2.0 / i, 0.5 + i / 200.0);
    plot.appendEpoch("gode", 1, 25, 0.2, 0.9);
    plot.appendEpoch("gode", 2, 50, 0.1, 0.95);
    plot.refreshNow();

    QCOMPARE(plot.iterationCount("gode"), 50);
    QCOMPARE(plot.graph("gode", Curve::TrainLoss)->dataCount(), 50);
    QCOMPARE(plot.graph("gode", Curve::TrainLossSmoothed)->dataCount(), 50);
    QCOMPARE(plot.graph("gode", Curve::TrainAccuracy)->dataCount(), 50);
    QCOMPARE(pointsOf(plot.graph("gode", Curve::TestLoss)), (Points{{25, 0.2}, {50, 0.1}}));
    // Accuracy is drawn in percent.
    QCOMPARE(pointsOf(plot.graph("gode", Curve::TestAccuracy)), (Points{{25, 90}, {50, 95}}));
    QCOMPARE(pointsOf(plot.graph("gode", Curve::TrainAccuracy)).back().second, 75.0);

    // The axes follow the data: iterations 1..50, loss down to 2 / 50 on a log axis.
    QCPAxis* x = plot.graph("gode", Curve::TrainLoss)->keyAxis();
    QCPAxis* loss = plot.graph("gode", Curve::TrainLoss)->valueAxis();
    QCOMPARE(x->range().lower, 1.0);
    QCOMPARE(x->range().upper, 50.0);
    QVERIFY(loss->range().lower < 0.04 && loss->range().upper > 2.0);
    QCOMPARE(loss->scaleType(), QCPAxis::stLogarithmic);
}

void TestVizPlots::smoothedCurveEqualsHandComputation() {
    TrainingCurvesPlot plot;
    plot.setSmoothing(0.5);
    plot.addRun("a", "A");
    plot.appendIteration("a", 0, 1.0, 0.0);
    plot.appendIteration("a", 1, 2.0, 0.5);
    plot.appendIteration("a", 2, 3.0, 1.0);
    plot.refreshNow();

    // m_n / (1 - 0.5^n) with m = 0.5, 1.25, 2.125 (loss) and 0, 0.25, 0.625 (accuracy).
    const Points loss = pointsOf(plot.graph("a", Curve::TrainLossSmoothed));
    const Points accuracy = pointsOf(plot.graph("a", Curve::TrainAccuracySmoothed));
    const std::vector<double> expectedLoss{1.0, 1.25 / 0.75, 2.125 / 0.875};
    const std::vector<double> expectedAccuracy{0.0, 25 / 0.75, 62.5 / 0.875};
    for (int i = 0; i < 3; ++i) {
        QVERIFY(std::abs(loss[i].second - expectedLoss[i]) < 1e-12);
        QVERIFY(std::abs(accuracy[i].second - expectedAccuracy[i]) < 1e-12);
    }

    // Changing the factor recomputes the whole curve: 0 gives the raw values.
    plot.setSmoothing(0.0);
    plot.refreshNow();
    QCOMPARE(pointsOf(plot.graph("a", Curve::TrainLossSmoothed)), (Points{{0, 1}, {1, 2}, {2, 3}}));
}

// One run with its own factor, the other following the global one; then the own run's smoothed
// curve is switched off, which hides only its smoothed graphs and brightens its raw ones.
void TestVizPlots::runCanHaveItsOwnSmoothingOrNone() {
    TrainingCurvesPlot plot;
    plot.setSmoothing(0.5);
    for (const char* id : {"own", "global"}) {
        plot.addRun(id, id);
        plot.appendIteration(id, 0, 1.0, 0.0);
        plot.appendIteration(id, 1, 2.0, 0.5);
    }
    plot.setRunSmoothing("own", 0.9);
    plot.refreshNow();

    // beta 0.9: m = 0.1, then 0.09 + 0.2 = 0.29; corrected 0.29 / (1 - 0.81) at n = 2.
    QCOMPARE(plot.effectiveSmoothing("own"), 0.9);
    QVERIFY(std::abs(pointsOf(plot.graph("own", Curve::TrainLossSmoothed))[1].second -
                     0.29 / 0.19) < 1e-12);
    // beta 0.5: m = 0.5, then 0.25 + 1.0 = 1.25; corrected 1.25 / 0.75.
    QVERIFY(std::abs(pointsOf(plot.graph("global", Curve::TrainLossSmoothed))[1].second -
                     1.25 / 0.75) < 1e-12);

    // A change of the global factor leaves the run with its own one alone.
    plot.setSmoothing(0.0);
    plot.refreshNow();
    QVERIFY(std::abs(pointsOf(plot.graph("own", Curve::TrainLossSmoothed))[1].second -
                     0.29 / 0.19) < 1e-12);
    QCOMPARE(pointsOf(plot.graph("global", Curve::TrainLossSmoothed))[1].second, 2.0);

    // Back to the global factor (now 0): the raw values.
    plot.setRunSmoothing("own", std::nullopt);
    plot.refreshNow();
    QVERIFY(!plot.runSmoothing("own").has_value());
    QCOMPARE(pointsOf(plot.graph("own", Curve::TrainLossSmoothed))[1].second, 2.0);

    plot.setRunSmoothedShown("own", false);
    QVERIFY(!plot.graph("own", Curve::TrainLossSmoothed)->visible());
    QVERIFY(!plot.graph("own", Curve::TrainAccuracySmoothed)->visible());
    QVERIFY(plot.graph("own", Curve::TrainLoss)->visible());
    QCOMPARE(plot.graph("own", Curve::TrainLoss)->pen().color().alpha(), 255);
    QVERIFY(plot.graph("global", Curve::TrainLossSmoothed)->visible());
    QVERIFY(plot.graph("global", Curve::TrainLoss)->pen().color().alpha() < 255);

    // Hiding the whole run hides everything; showing it again keeps the smoothed curve off.
    plot.setRunVisible("own", false);
    QVERIFY(!plot.graph("own", Curve::TrainLoss)->visible());
    plot.setRunVisible("own", true);
    QVERIFY(plot.graph("own", Curve::TrainLoss)->visible());
    QVERIFY(!plot.graph("own", Curve::TrainLossSmoothed)->visible());
}

void TestVizPlots::smoothingIsClampedAndShownOnTheControls() {
    TrainingCurvesPlot plot;
    QSignalSpy changed(&plot, &TrainingCurvesPlot::smoothingChanged);
    plot.setSmoothing(2.0);
    QCOMPARE(plot.smoothing(), 0.999);
    plot.setSmoothing(-1.0);
    QCOMPARE(plot.smoothing(), 0.0);
    QCOMPARE(changed.count(), 2);

    auto* box = plot.findChild<QDoubleSpinBox*>();
    auto* slider = plot.findChild<QSlider*>();
    QVERIFY(box && slider);
    box->setValue(0.75);
    QCOMPARE(plot.smoothing(), 0.75);
    QCOMPARE(slider->value(), 750);
    slider->setValue(300);
    QCOMPARE(plot.smoothing(), 0.3);
    QCOMPARE(box->value(), 0.3);
}

void TestVizPlots::appendsAreDrawnOncePerEventLoopPass() {
    TrainingCurvesPlot plot;
    plot.addRun("a", "A");
    QCoreApplication::processEvents();
    for (int i = 0; i < 10; ++i)
        plot.appendIteration("a", i, 1.0, 0.5);
    QCOMPARE(plot.graph("a", Curve::TrainLoss)->dataCount(), 0);  // nothing drawn yet
    QCoreApplication::processEvents();
    QCOMPARE(plot.graph("a", Curve::TrainLoss)->dataCount(), 10);
}

void TestVizPlots::runsToggleFromTheSetterAndTheLegend() {
    TrainingCurvesPlot plot;
    plot.resize(900, 600);
    plot.show();
    QVERIFY(QTest::qWaitForWindowExposed(&plot));
    plot.addRun("gode", "GODE");
    plot.addRun("resnet", "ResNet");
    plot.appendIteration("gode", 1, 1.0, 0.5);
    plot.appendIteration("resnet", 1, 2.0, 0.4);
    QCOMPARE(plot.runIds(), (QStringList{"gode", "resnet"}));

    QSignalSpy toggled(&plot, &TrainingCurvesPlot::runVisibilityChanged);
    plot.setRunVisible("resnet", false);
    QVERIFY(!plot.isRunVisible("resnet"));
    QVERIFY(!plot.graph("resnet", Curve::TestAccuracy)->visible());
    QVERIFY(plot.graph("gode", Curve::TestAccuracy)->visible());

    // A click on the legend entry of the hidden run shows it again.
    plot.refreshNow();
    plot.plot()->replot();
    QCPPlottableLegendItem* item =
        plot.plot()->legend->itemWithPlottable(plot.graph("resnet", Curve::TrainLossSmoothed));
    QVERIFY(item);
    clickAt(plot.plot(), item->rect().center());
    QVERIFY(plot.isRunVisible("resnet"));
    QCOMPARE(toggled.count(), 2);
    QCOMPARE(plot.plot()->legend->itemCount(), 2);  // one entry per run
}

// Live data moves the axes until the user drags (a press inside a panel); a click on the legend
// is not a drag; reset view (double-click) follows the data again.
void TestVizPlots::viewFollowsTheDataUntilTheUserDrags() {
    TrainingCurvesPlot plot;
    plot.resize(900, 600);
    plot.show();
    QVERIFY(QTest::qWaitForWindowExposed(&plot));
    plot.addRun("a", "A");
    const auto appendUpTo = [&](int last) {
        for (int i = plot.iterationCount("a") + 1; i <= last; ++i)
            plot.appendIteration("a", i, 1.0, 0.5);
        plot.refreshNow();
        plot.plot()->replot();
        return plot.graph("a", Curve::TrainLoss)->keyAxis()->range().upper;
    };
    QCOMPARE(appendUpTo(10), 10.0);

    plot.addRun("b", "B");  // clicking its legend entry hides it and leaves "a" to follow
    plot.refreshNow();
    plot.plot()->replot();
    clickAt(plot.plot(), plot.plot()->legend->item(1)->rect().center());
    QVERIFY(!plot.isRunVisible("b"));
    QCOMPARE(appendUpTo(20), 20.0);

    QCPAxisRect* accuracyPanel = plot.graph("a", Curve::TrainAccuracy)->keyAxis()->axisRect();
    clickAt(plot.plot(), accuracyPanel->rect().center());
    QCOMPARE(appendUpTo(30), 20.0);

    plot.resetView();
    QCOMPARE(plot.graph("a", Curve::TrainLoss)->keyAxis()->range().upper, 30.0);
}

void TestVizPlots::longRunsAreDecimatedButExportedInFull() {
    QTemporaryDir folder;
    TrainingCurvesPlot plot;
    plot.addRun("long", "Long run");
    const int count = 120000;
    for (int i = 0; i < count; ++i)
        plot.appendIteration("long", i, 1.0 + std::sin(i * 0.01), 0.5);
    plot.refreshNow();

    QVERIFY(plot.graph("long", Curve::TrainLoss)->dataCount() <= 4096);
    QVERIFY(plot.graph("long", Curve::TrainLossSmoothed)->dataCount() <= 4096);
    const QString path = folder.filePath("metrics.csv");
    plot.exportCsv(path);
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    int lines = 0;
    while (!file.readLine().isEmpty())
        ++lines;
    QCOMPARE(lines, count + 1);
}

void TestVizPlots::csvHasAHeaderAndOneRowPerRecord() {
    QTemporaryDir folder;
    TrainingCurvesPlot plot;
    plot.addRun("r1", "GODE, K = 4");
    plot.addRun("r2", "ResNet");
    plot.appendIteration("r1", 1, 0.5, 0.75);
    plot.appendIteration("r1", 2, 0.25, 0.875);
    plot.appendEpoch("r1", 1, 2, 0.3, 0.9);
    plot.appendIteration("r2", 1, 0.7, 0.6);

    const QString path = folder.filePath("metrics.csv");
    plot.exportCsv(path);
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly | QIODevice::Text));
    const QStringList lines = QString::fromUtf8(file.readAll()).split('\n', Qt::SkipEmptyParts);
    QCOMPARE(lines,
             (QStringList{"run,label,kind,epoch,iteration,loss,accuracy",
                          "r1,\"GODE, K = 4\",train,,1,0.5,0.75",
                          "r1,\"GODE, K = 4\",train,,2,0.25,0.875",
                          "r1,\"GODE, K = 4\",test,1,2,0.3,0.9", "r2,ResNet,train,,1,0.7,0.6"}));
    QVERIFY(!QFile::exists(path + ".part"));
}

void TestVizPlots::unknownRunsAndBackwardIterationsAreRejected() {
    using gode::test::messageOf;
    TrainingCurvesPlot plot;
    GODE_VERIFY_CONTAINS(
        messageOf<gode::InvalidPlotData>([&] { plot.appendIteration("missing", 1, 1, 1); }),
        "no run with id 'missing'");
    plot.addRun("a", "A");
    GODE_VERIFY_CONTAINS(messageOf<gode::InvalidPlotData>([&] { plot.addRun("a", "again"); }),
                         "'a' is already plotted");
    plot.appendIteration("a", 10, 1, 1);
    GODE_VERIFY_CONTAINS(
        messageOf<gode::InvalidPlotData>([&] { plot.appendIteration("a", 9, 1, 1); }),
        "must not decrease");
}

void TestVizPlots::weightCurvesEqualTheSplineSum_data() {
    QTest::addColumn<int>("order");
    QTest::addColumn<int>("interiorKnots");
    QTest::addColumn<bool>("published");
    QTest::newRow("clamped cubic, 3 knots") << 4 << 3 << false;
    QTest::newRow("published linear, K = 4") << 2 << 2 << true;
}

// Every drawn point (t, W) equals sum_k c_k B_k(t), with c read from the tensor here and B from
// the basis; at a knot the two points are the left and the right limits.
void TestVizPlots::weightCurvesEqualTheSplineSum() {
    QFETCH(int, order);
    QFETCH(int, interiorKnots);
    QFETCH(bool, published);
    const auto placement =
        published ? gode::KnotPlacement::Published : gode::KnotPlacement::Clamped;
    torch::manual_seed(5);
    gode::WeightSnapshot snapshot = randomSnapshot(order, interiorKnots, 1.0, placement, 4);
    gode::WeightsOverDepthPlot plot;
    plot.setSnapshot(snapshot);
    plot.setSelection(2, 3, 1);
    plot.refreshNow();

    const gode::BSplineBasis basis(order, interiorKnots, 1.0, placement);
    const int basisSize = basis.size();
    QCOMPARE(plot.basisCount(), basisSize);
    auto c = snapshot.conv2.accessor<float, 5>();
    for (int position = 0; position < 9; ++position) {
        const Points points = pointsOf(plot.weightGraph(position));
        QCOMPARE(int(points.size()),
                 gode::WeightsOverDepthPlot::kUniformSamples + 2 * int(basis.breakpoints().size()));
        for (size_t s = 0; s < points.size(); ++s) {
            const double t = points[s].first;
            const bool leftOfKnot = s + 1 < points.size() && points[s + 1].first == t;
            const std::vector<double> b =
                basis.values(t, leftOfKnot ? gode::Side::Left : gode::Side::Right);
            double expected = 0;
            for (int k = 0; k < basisSize; ++k)
                expected += c[k][3][1][position / 3][position % 3] * b[k];
            QVERIFY2(std::abs(points[s].second - expected) < 1e-5,
                     qPrintable(QString("w%1 at t = %2").arg(position).arg(t)));
        }
    }

    // The basis panel draws B_k itself.
    for (int k = 0; k < basisSize; ++k) {
        const Points points = pointsOf(plot.basisGraph(k));
        QCOMPARE(points[100].second, basis.values(points[100].first)[k]);
    }
    QCOMPARE(plot.markedKnots(), basis.breakpoints());

    // One t axis for both panels: [0, T] to start with, and zooming one zooms the other.
    QCPAxis* weightT = plot.weightGraph(0)->keyAxis();
    QCPAxis* basisT = plot.basisGraph(0)->keyAxis();
    QVERIFY(weightT != basisT);
    QVERIFY(weightT->range() == QCPRange(0, 1) && basisT->range() == QCPRange(0, 1));
    weightT->setRange(0.2, 0.5);
    QVERIFY(basisT->range() == QCPRange(0.2, 0.5));
    basisT->setRange(0.1, 0.3);
    QVERIFY(weightT->range() == QCPRange(0.1, 0.3));
}

// Order 1 (a ResNet's pieces): constant between knots, and two points at each knot that jump
// from one coefficient to the next, never a ramp.
void TestVizPlots::orderOneWeightsAreSteps() {
    torch::manual_seed(9);
    gode::WeightSnapshot snapshot = randomSnapshot(1, 3, 2.0, gode::KnotPlacement::Clamped, 2);
    gode::WeightsOverDepthPlot plot;
    plot.setSnapshot(snapshot);
    plot.refreshNow();
    QCOMPARE(plot.markedKnots(), (std::vector<double>{0.5, 1.0, 1.5}));

    auto c = snapshot.conv1.accessor<float, 5>();
    for (int position = 0; position < 9; ++position) {
        const Points points = pointsOf(plot.weightGraph(position));
        for (size_t s = 0; s < points.size(); ++s) {
            const auto [t, w] = points[s];
            // Piece k covers [0.5 k, 0.5 (k + 1)); at a knot the first point is the left piece.
            int piece = std::min(3, static_cast<int>(std::floor(t / 0.5)));
            const bool leftOfKnot = s + 1 < points.size() && points[s + 1].first == t;
            if (leftOfKnot)
                piece -= 1;
            QCOMPARE(w, double(c[piece][0][0][position / 3][position % 3]));
        }
        for (double knot : {0.5, 1.0, 1.5}) {
            const auto at = std::find_if(points.begin(), points.end(),
                                         [&](const auto& p) { return p.first == knot; });
            QVERIFY(at != points.end() && (at + 1)->first == knot);
            QVERIFY(at->second != (at + 1)->second);  // a jump
        }
    }
}

void TestVizPlots::selectionIsClampedToTheSnapshot() {
    using gode::test::messageOf;
    gode::WeightsOverDepthPlot plot;
    QCOMPARE(plot.channelCount(), 0);
    plot.setSnapshot(randomSnapshot(2, 1, 1.0, gode::KnotPlacement::Clamped, 5));
    QSignalSpy changed(&plot, &gode::WeightsOverDepthPlot::selectionChanged);
    plot.setSelection(7, 99, -3);
    QCOMPARE(plot.layer(), 2);
    QCOMPARE(plot.outputChannel(), 4);
    QCOMPARE(plot.inputChannel(), 0);
    QCOMPARE(changed.count(), 1);

    // The spin boxes follow, and moving one changes the selection.
    QList<QSpinBox*> boxes = plot.findChildren<QSpinBox*>();
    QCOMPARE(boxes.size(), 2);
    QCOMPARE(boxes[0]->maximum(), 4);
    boxes[1]->setValue(3);
    QCOMPARE(plot.inputChannel(), 3);

    // A narrower snapshot pulls the selection inside it.
    plot.setSnapshot(randomSnapshot(2, 1, 1.0, gode::KnotPlacement::Clamped, 2));
    QCOMPARE(plot.outputChannel(), 1);
    QCOMPARE(plot.inputChannel(), 1);

    gode::WeightSnapshot bad = randomSnapshot(2, 1, 1.0, gode::KnotPlacement::Clamped, 2);
    bad.conv1 = torch::zeros({3, 2, 2, 5, 5});
    GODE_VERIFY_CONTAINS(messageOf<gode::InvalidPlotData>([&] { plot.setSnapshot(bad); }),
                         "conv1 has shape [3, 2, 2, 5, 5]");
}

void TestVizPlots::flowPlotDrawsTrajectoriesUpToTheSlider() {
    gode::FlowProjection projection;
    projection.times = {0.0, 0.5, 1.0};
    projection.imageCount = 3;
    projection.labels = {2, 0, 2};
    // Image i at time j sits at (10 j + i, -i).
    for (int j = 0; j < 3; ++j)
        for (int i = 0; i < 3; ++i) {
            projection.x.push_back(10 * j + i);
            projection.y.push_back(-i);
        }
    projection.explained = {0.7, 0.2};

    gode::FlowPlot plot;
    plot.setClassNames({"zero", "one", "two"});
    plot.setProjection(projection);
    plot.refreshNow();
    QCOMPARE(plot.timeCount(), 3);
    QCOMPARE(plot.timeIndex(), 2);                  // a new flow starts at t = T
    QCOMPARE(plot.plot()->legend->itemCount(), 2);  // classes 0 and 2
    QCOMPARE(pointsOf(plot.trajectory(1)), (Points{{1, -1}, {11, -1}, {21, -1}}));

    QSignalSpy moved(&plot, &gode::FlowPlot::timeIndexChanged);
    plot.setTimeIndex(1);
    plot.refreshNow();
    QCOMPARE(moved.count(), 1);
    QCOMPARE(plot.currentTime(), 0.5);
    QCOMPARE(pointsOf(plot.trajectory(2)), (Points{{2, -2}, {12, -2}}));
    QCOMPARE(pointsOf(plot.markers(2)), (Points{{10, 0}, {12, -2}}));
    QCOMPARE(pointsOf(plot.markers(0)), (Points{{11, -1}}));
    QVERIFY(plot.markers(1) == nullptr);
    QCOMPARE(plot.markers(2)->name(), QString("two"));
    QVERIFY(plot.plot()->axisRect()->axis(QCPAxis::atBottom)->label().contains("70.0%"));

    gode::FlowProjection broken = projection;
    broken.x.pop_back();
    QVERIFY(
        !gode::test::messageOf<gode::InvalidPlotData>([&] { plot.setProjection(broken); }).empty());
}

void TestVizPlots::solverStatsReceiveData() {
    gode::SolverStatsPlot plot;
    plot.appendIteration(1, 26, 52, {0.25, 0.5, 0.25});
    plot.appendIteration(2, 32, -1, {0.1, 0.2, 0.3, 0.4});
    plot.appendIteration(3, 20, 40, {});
    plot.refreshNow();

    QCOMPARE(plot.iterationCount(), 3);
    QCOMPARE(pointsOf(plot.forwardGraph()), (Points{{1, 26}, {2, 32}, {3, 20}}));
    QCOMPARE(pointsOf(plot.backwardGraph()), (Points{{1, 52}, {3, 40}}));  // -1: unknown
    QCOMPARE(pointsOf(plot.stepMinGraph()), (Points{{1, 0.25}, {2, 0.1}}));
    QCOMPARE(pointsOf(plot.stepMaxGraph()), (Points{{1, 0.5}, {2, 0.4}}));
    const Points mean = pointsOf(plot.stepMeanGraph());
    QVERIFY(std::abs(mean[0].second - 1.0 / 3) < 1e-12 && std::abs(mean[1].second - 0.25) < 1e-12);

    // The latest steps against t: a staircase from t = 0 closed at t = 1.
    const Points latest = pointsOf(plot.recentStepsGraph(0));
    const std::vector<double> keys{0.0, 0.1, 0.3, 0.6, 1.0};
    QCOMPARE(int(latest.size()), 5);
    for (int i = 0; i < 5; ++i)
        QVERIFY(std::abs(latest[i].first - keys[i]) < 1e-12);
    QCOMPARE(latest.back().second, 0.4);
    QCOMPARE(pointsOf(plot.recentStepsGraph(1)),
             (Points{{0, 0.25}, {0.25, 0.5}, {0.75, 0.25}, {1.0, 0.25}}));
    QVERIFY(plot.recentStepsGraph(2)->data()->isEmpty());

    // Without the step-size panels (fixed-step solvers) the evaluations fill the plot.
    plot.resize(800, 600);
    QCPAxisRect* evaluations = plot.forwardGraph()->keyAxis()->axisRect();
    plot.plot()->replot();
    const int withSteps = evaluations->rect().height();
    plot.setStepSizesShown(false);
    plot.plot()->replot();
    QVERIFY2(evaluations->rect().height() > 1.6 * withSteps,
             qPrintable(QString("%1 -> %2").arg(withSteps).arg(evaluations->rect().height())));
    QVERIFY(!plot.stepMeanGraph()->realVisibility());
    plot.setStepSizesShown(true);
    plot.plot()->replot();
    QCOMPARE(evaluations->rect().height(), withSteps);
}

void TestVizPlots::exportsWriteEachFormat_data() {
    QTest::addColumn<QString>("suffix");
    QTest::addColumn<QByteArray>("signature");
    QTest::newRow("png") << "png" << QByteArray("\x89PNG\r\n\x1a\n");
    QTest::newRow("pdf") << "pdf" << QByteArray("%PDF");
    QTest::newRow("svg") << "SVG" << QByteArray("<svg");
}

void TestVizPlots::exportsWriteEachFormat() {
    QFETCH(QString, suffix);
    QFETCH(QByteArray, signature);
    QTemporaryDir folder;

    TrainingCurvesPlot curves;
    curves.addRun("a", "A");
    for (int i = 0; i < 20; ++i)
        curves.appendIteration("a", i, 1.0 / (i + 1), i / 20.0);
    gode::WeightsOverDepthPlot weights;
    weights.setSnapshot(randomSnapshot(2, 2, 1.0, gode::KnotPlacement::Clamped, 3));
    gode::FlowPlot flows;
    gode::SolverStatsPlot stats;
    stats.appendIteration(1, 20, 40, {0.05, 0.05});

    const std::vector<gode::PlotPanel*> panels{&curves, &weights, &flows, &stats};
    for (gode::PlotPanel* panel : panels) {
        const QString path = folder.filePath(panel->baseName() + "." + suffix);
        panel->exportImage(path);
        QFile file(path);
        QVERIFY2(file.size() > 1000, qPrintable(path));
        const QByteArray start = head(path, 400);
        const bool found =
            suffix.toLower() == "svg" ? start.contains(signature) : start.startsWith(signature);
        QVERIFY2(found, qPrintable(path + ": " + start.left(40).toHex()));
        if (suffix == "SVG")
            QVERIFY(head(path, 1000).contains("<title>" + panel->baseName().toUtf8() + "</title>"));
        QVERIFY(!QFile::exists(path + ".part"));
    }
}

void TestVizPlots::exportErrorsNameThePath() {
    using gode::test::messageOf;
    QTemporaryDir folder;
    gode::SolverStatsPlot plot;
    GODE_VERIFY_CONTAINS(
        messageOf<gode::ExportError>([&] { plot.exportImage(folder.filePath("plot.jpg")); }),
        "must end in .png, .pdf or .svg");
    const QString missing = folder.filePath("no/such/folder/plot.png");
    GODE_VERIFY_CONTAINS(messageOf<gode::ExportError>([&] { plot.exportImage(missing); }),
                         missing.toStdString());
    TrainingCurvesPlot curves;
    GODE_VERIFY_CONTAINS(
        messageOf<gode::ExportError>([&] { curves.exportCsv(folder.filePath("x/m.csv")); }),
        "x/m.csv");
}

void TestVizPlots::contextMenuOffersExportAndCopy() {
    TrainingCurvesPlot plot;
    plot.addRun("a", "A");
    plot.appendIteration("a", 1, 1.0, 0.5);
    std::unique_ptr<QMenu> menu = plot.createContextMenu();
    QStringList texts;
    for (QAction* action : menu->actions())
        if (!action->isSeparator())
            texts << action->text();
    QCOMPARE(texts, (QStringList{"Export as PNG...", "Export as PDF...", "Export as SVG...",
                                 "Copy image", "Reset view", "Export metrics as CSV..."}));

    QApplication::clipboard()->clear();
    menu->actions()[3]->trigger();
    const QImage copied = QApplication::clipboard()->image();
    QCOMPARE(copied.size(), QSize(1000, 700));
}

QTEST_MAIN(TestVizPlots)

#include "test_viz_plots.moc"
