// The numbers behind the plots: smoothing, decimation, PCA, weight and flow snapshots.
#include <algorithm>
#include <cmath>
#include <vector>

#include "model/network.h"
#include "test_support.h"
#include "viz/pca.h"
#include "viz/series.h"
#include "viz/snapshots.h"
#include "viz/viz_errors.h"

using gode::DecimatedSeries;
using gode::ExponentialMovingAverage;
using gode::GodeNet;
using gode::ModelConfig;

namespace {

const auto kDouble = torch::TensorOptions().dtype(torch::kFloat64);

// Samples [m, D] whose sample covariance is exactly U diag(sigma^2) U^T with the orthonormal
// columns U [D, r] returned in `directions`: scores are orthonormal, zero-mean columns scaled
// by sigma sqrt(m - 1), so the principal directions and variances are known by construction.
torch::Tensor samplesWithKnownComponents(int64_t m, int64_t d, const std::vector<double>& sigma,
                                         torch::Tensor& directions, torch::Tensor& mean) {
    torch::manual_seed(7);
    const int64_t r = static_cast<int64_t>(sigma.size());
    directions = std::get<0>(torch::linalg_qr(torch::randn({d, r}, kDouble), "reduced"));
    torch::Tensor raw = torch::randn({m, r}, kDouble);
    torch::Tensor scores = std::get<0>(torch::linalg_qr(raw - raw.mean(0), "reduced"));
    torch::Tensor scale = torch::tensor(sigma, kDouble) * std::sqrt(static_cast<double>(m - 1));
    mean = torch::randn({d}, kDouble);
    return mean + (scores * scale).matmul(directions.t());
}

double absCosine(const torch::Tensor& a, const torch::Tensor& b) {
    return std::abs((a * b).sum().item<double>() / (a.norm() * b.norm()).item<double>());
}

ModelConfig tinyConfig() {
    ModelConfig config;
    config.width = 8;
    config.splineOrder = 2;
    config.interiorKnots = 2;
    config.solver.method = "rk4";
    config.solver.steps = 4;
    return config;
}

}  // namespace

class TestVizData : public QObject {
    Q_OBJECT

  private slots:
    void movingAverageEqualsHandComputation();
    void movingAverageSkipsNonFiniteValues();
    void decimationIsBoundedAndKeepsExtremes();
    void decimationKeepsShortSeriesExact();
    void pcaOfAHandExample();
    void pcaRecoversKnownDirections_data();
    void pcaRecoversKnownDirections();
    void pcaSignsAreDeterministic();
    void pcaRejectsBadInput();
    void weightSnapshotCopiesTheCoefficients();
    void kernelCoefficientsSelectOneKernel();
    void badSelectionsNameTheValue();
    void computeFlowsStartsAtTheStemOutput();
    void computeFlowsRejectsBadTimes();
    void defaultFlowTimesLandOnKnots();
    void projectFlowsKeepsDistancesOfPlanarData();
};

// beta = 0.5 on 1, 2, 3: m = 0.5, 1.25, 2.125; divided by 1 - 0.5^n = 0.5, 0.75, 0.875.
void TestVizData::movingAverageEqualsHandComputation() {
    ExponentialMovingAverage average(0.5);
    QCOMPARE(average.add(1.0), 1.0);
    QVERIFY(std::abs(average.add(2.0) - 1.25 / 0.75) < 1e-12);
    QVERIFY(std::abs(average.add(3.0) - 2.125 / 0.875) < 1e-12);

    ExponentialMovingAverage raw(0.0);
    QCOMPARE(raw.add(4.0), 4.0);
    QCOMPARE(raw.add(-2.5), -2.5);
}

void TestVizData::movingAverageSkipsNonFiniteValues() {
    ExponentialMovingAverage average(0.5);
    average.add(2.0);
    QCOMPARE(average.add(NAN), 2.0);
    QVERIFY(std::abs(average.add(4.0) - (0.25 * 2 + 0.5 * 4) / 0.75) < 1e-12);
}

void TestVizData::decimationIsBoundedAndKeepsExtremes() {
    DecimatedSeries series(256);
    const int count = 100000;
    for (int i = 0; i < count; ++i) {
        double y = std::sin(i * 0.001);
        if (i == 31337)
            y = 50.0;  // one spike
        if (i == 77777)
            y = -40.0;
        series.append(i, y);
    }
    const auto points = series.points();
    QCOMPARE(series.count(), size_t(count));
    QVERIFY(points.size() <= 2 * 256);
    QVERIFY(std::is_sorted(points.begin(), points.end(),
                           [](const auto& a, const auto& b) { return a.first < b.first; }));
    QVERIFY(std::find(points.begin(), points.end(), std::make_pair(31337.0, 50.0)) != points.end());
    QVERIFY(std::find(points.begin(), points.end(), std::make_pair(77777.0, -40.0)) !=
            points.end());
    QCOMPARE(series.yMax(), 50.0);
    QCOMPARE(series.yMin(), -40.0);
    QCOMPARE(series.xMax(), double(count - 1));
}

void TestVizData::decimationKeepsShortSeriesExact() {
    DecimatedSeries series(64);
    for (int i = 0; i < 64; ++i)
        series.append(i, i * i);
    series.append(64, NAN);
    const auto points = series.points();
    QCOMPARE(points.size(), size_t(64));
    for (int i = 0; i < 64; ++i)
        QCOMPARE(points[i], std::make_pair(double(i), double(i * i)));
    QCOMPARE(series.yMinPositive(), 1.0);
}

// (2, 0), (-2, 0), (0, 1), (0, -1): mean 0, variance 8 / 3 along x and 2 / 3 along y.
void TestVizData::pcaOfAHandExample() {
    torch::Tensor samples =
        torch::tensor({2.0, 0.0, -2.0, 0.0, 0.0, 1.0, 0.0, -1.0}, kDouble).reshape({4, 2});
    gode::PcaResult fit = gode::pca(samples, 2);
    QVERIFY(gode::test::maxAbsDiff(fit.mean, torch::zeros({2}, kDouble)) < 1e-12);
    QVERIFY(gode::test::maxAbsDiff(fit.components, torch::eye(2, kDouble)) < 1e-12);
    QVERIFY(std::abs(fit.variances[0].item<double>() - 8.0 / 3) < 1e-12);
    QVERIFY(std::abs(fit.variances[1].item<double>() - 2.0 / 3) < 1e-12);
    QVERIFY(std::abs(fit.totalVariance - 10.0 / 3) < 1e-12);
    torch::Tensor projected = fit.project(samples);
    QVERIFY(gode::test::maxAbsDiff(projected, samples) < 1e-12);
}

void TestVizData::pcaRecoversKnownDirections_data() {
    QTest::addColumn<int>("rows");
    QTest::addColumn<int>("columns");
    QTest::addColumn<int>("exactUpTo");
    QTest::newRow("exact SVD, 200 x 6") << 200 << 6 << 512;
    QTest::newRow("randomised, 600 x 400") << 600 << 400 << 16;
}

void TestVizData::pcaRecoversKnownDirections() {
    QFETCH(int, rows);
    QFETCH(int, columns);
    QFETCH(int, exactUpTo);
    const std::vector<double> sigma{6.0, 3.0, 1.0, 0.5};
    torch::Tensor directions, mean;
    torch::Tensor samples = samplesWithKnownComponents(rows, columns, sigma, directions, mean);

    gode::PcaOptions options;
    options.exactUpTo = exactUpTo;
    gode::PcaResult fit = gode::pca(samples, 2, options);

    QVERIFY(gode::test::maxAbsDiff(fit.mean, mean) < 1e-10);
    for (int i = 0; i < 2; ++i) {
        QVERIFY2(absCosine(fit.components[i], directions.select(1, i)) > 1 - 1e-9,
                 qPrintable(QString("component %1").arg(i)));
        QVERIFY(std::abs(fit.variances[i].item<double>() - sigma[i] * sigma[i]) < 1e-8);
    }
    const double total = 36 + 9 + 1 + 0.25;
    QVERIFY(std::abs(fit.totalVariance - total) < 1e-8);
    QVERIFY(std::abs(fit.explainedFractions()[0] - 36 / total) < 1e-10);
    QVERIFY(gode::test::maxAbsDiff(fit.components.matmul(fit.components.t()),
                                   torch::eye(2, kDouble)) < 1e-10);
}

// The largest-magnitude entry of each component is positive, whatever sign the SVD chose, so
// flipping the data's axes does not mirror the plot.
void TestVizData::pcaSignsAreDeterministic() {
    torch::Tensor directions, mean;
    torch::Tensor samples = samplesWithKnownComponents(100, 5, {3.0, 1.0}, directions, mean);
    for (const torch::Tensor& data : {samples, -samples}) {
        gode::PcaResult fit = gode::pca(data, 2);
        for (int i = 0; i < 2; ++i) {
            torch::Tensor component = fit.components[i];
            QVERIFY(component[component.abs().argmax()].item<double>() > 0);
        }
    }
}

void TestVizData::pcaRejectsBadInput() {
    using gode::test::messageOf;
    GODE_VERIFY_CONTAINS(messageOf<gode::InvalidPlotData>([] { gode::pca(torch::zeros({3}), 1); }),
                         "2-D");
    GODE_VERIFY_CONTAINS(messageOf<gode::InvalidPlotData>([] {
                             gode::pca(torch::zeros({1, 4}), 1);
                         }),
                         "got 1");
    GODE_VERIFY_CONTAINS(messageOf<gode::InvalidPlotData>([] {
                             gode::pca(torch::zeros({5, 3}), 4);
                         }),
                         "components = 4");
}

void TestVizData::weightSnapshotCopiesTheCoefficients() {
    ModelConfig config = tinyConfig();
    config.placement = gode::KnotPlacement::Published;
    GodeNet net(config);
    gode::WeightSnapshot snapshot = gode::takeWeightSnapshot(*net);

    const auto& field = net->block->field;
    QCOMPARE(snapshot.order, 2);
    QCOMPARE(snapshot.interiorKnots, 2);
    QVERIFY(snapshot.placement == gode::KnotPlacement::Published);
    QCOMPARE(snapshot.horizon, 1.0);
    QVERIFY(torch::equal(snapshot.conv1, field->conv1->coefficients()));
    QVERIFY(torch::equal(snapshot.conv2, field->conv2->coefficients()));
    QCOMPARE(snapshot.conv1.sizes().vec(), (std::vector<int64_t>{4, 8, 8, 3, 3}));
    QVERIFY(!snapshot.conv1.requires_grad());

    // A copy: the next optimiser step does not reach into the snapshot.
    torch::Tensor before = snapshot.conv1.clone();
    {
        torch::NoGradGuard noGrad;
        field->conv1->coefficients().add_(1.0);
    }
    QVERIFY(torch::equal(snapshot.conv1, before));
}

void TestVizData::kernelCoefficientsSelectOneKernel() {
    gode::WeightSnapshot snapshot;
    snapshot.order = 2;
    snapshot.interiorKnots = 1;
    snapshot.conv1 = torch::randn({3, 4, 4, 3, 3});
    snapshot.conv2 = torch::randn({3, 4, 4, 3, 3});

    const auto rows = gode::kernelCoefficients(snapshot, 2, 3, 1);
    QCOMPARE(rows.size(), size_t(3));
    auto expected = snapshot.conv2.accessor<float, 5>();
    for (int k = 0; k < 3; ++k)
        for (int r = 0; r < 3; ++r)
            for (int c = 0; c < 3; ++c)
                QCOMPARE(rows[k][3 * r + c], double(expected[k][3][1][r][c]));
}

void TestVizData::badSelectionsNameTheValue() {
    using gode::test::messageOf;
    gode::WeightSnapshot snapshot;
    snapshot.order = 2;
    snapshot.interiorKnots = 1;
    snapshot.conv1 = torch::zeros({3, 4, 4, 3, 3});
    snapshot.conv2 = torch::zeros({3, 4, 4, 3, 3});
    GODE_VERIFY_CONTAINS(
        messageOf<gode::InvalidPlotData>([&] { gode::kernelCoefficients(snapshot, 3, 0, 0); }),
        "layer = 3");
    GODE_VERIFY_CONTAINS(
        messageOf<gode::InvalidPlotData>([&] { gode::kernelCoefficients(snapshot, 1, 4, 0); }),
        "output channel = 4");
    snapshot.conv2 = torch::zeros({2, 4, 4, 3, 3});
    GODE_VERIFY_CONTAINS(messageOf<gode::InvalidPlotData>([&] { snapshot.validate(); }),
                         "conv2 has shape [2, 4, 4, 3, 3]; expected [K = 3");
}

void TestVizData::computeFlowsStartsAtTheStemOutput() {
    torch::manual_seed(3);
    GodeNet net(tinyConfig());
    net->train();
    torch::Tensor images = torch::randn({5, 1, 28, 28});
    torch::Tensor labels = torch::tensor({3, 1, 4, 1, 5});
    const std::vector<double> times = gode::defaultFlowTimes(*net);

    gode::FlowSnapshot flows = gode::computeFlows(*net, images, labels, times);

    const int64_t stateSize = 8 * 6 * 6;
    QCOMPARE(flows.states.sizes().vec(),
             (std::vector<int64_t>{int64_t(times.size()), 5, stateSize}));
    QCOMPARE(flows.times, times);
    QVERIFY(torch::equal(flows.labels, labels.to(torch::kLong)));
    QVERIFY(!flows.states.requires_grad());
    QVERIFY(net->is_training());  // the previous mode is restored

    torch::NoGradGuard noGrad;
    torch::Tensor stem = net->stem(images);
    QVERIFY(gode::test::maxAbsDiff(flows.states[0], stem.flatten(1)) == 0.0);
    QVERIFY(gode::test::maxAbsDiff(flows.states[-1], net->block(stem).flatten(1)) < 1e-5);
}

void TestVizData::computeFlowsRejectsBadTimes() {
    using gode::test::messageOf;
    GodeNet net(tinyConfig());
    torch::Tensor images = torch::randn({2, 1, 28, 28});
    torch::Tensor labels = torch::tensor({0, 1});
    GODE_VERIFY_CONTAINS(messageOf<gode::InvalidPlotData>([&] {
                             gode::computeFlows(*net, images, labels, {0.0, 1.5});
                         }),
                         "t = 1.5 (index 1) is outside [0, T]");
    GODE_VERIFY_CONTAINS(messageOf<gode::InvalidPlotData>([&] {
                             gode::computeFlows(*net, images, labels, {0.5, 0.2});
                         }),
                         "not after the previous one");
    GODE_VERIFY_CONTAINS(messageOf<gode::InvalidPlotData>(
                             [&] { gode::computeFlows(*net, images, torch::tensor({1}), {0.0}); }),
                         "one per image");
}

// rk4 with 4 uniform steps, clamped order 2 with 2 interior knots at 1/3 and 2/3.
void TestVizData::defaultFlowTimesLandOnKnots() {
    GodeNet net(tinyConfig());
    const std::vector<double> expected{0.0, 0.25, 1.0 / 3, 0.5, 2.0 / 3, 0.75, 1.0};
    const std::vector<double> times = gode::defaultFlowTimes(*net);
    QCOMPARE(times.size(), expected.size());
    for (size_t i = 0; i < times.size(); ++i)
        QVERIFY(std::abs(times[i] - expected[i]) < 1e-12);
}

// States that lie in a plane of R^6 are projected without distortion: distances between all
// projected points equal the distances between the states.
void TestVizData::projectFlowsKeepsDistancesOfPlanarData() {
    torch::manual_seed(11);
    torch::Tensor plane = std::get<0>(torch::linalg_qr(torch::randn({6, 2}), "reduced"));
    torch::Tensor planar = torch::randn({3, 4, 2}) * torch::tensor({3.0f, 1.0f});
    gode::FlowSnapshot flows;
    flows.times = {0.0, 0.5, 1.0};
    flows.states = planar.matmul(plane.t()) + 2.0;
    flows.labels = torch::tensor({0, 1, 1, 2});

    gode::FlowProjection projection = gode::projectFlows(flows);
    QCOMPARE(projection.imageCount, int64_t(4));
    QCOMPARE(projection.labels, (std::vector<int>{0, 1, 1, 2}));
    QCOMPARE(projection.x.size(), size_t(12));
    QVERIFY(std::abs(projection.explained[0] + projection.explained[1] - 1.0) < 1e-5);

    torch::Tensor states = flows.states.reshape({12, 6}).to(torch::kDouble);
    for (int a = 0; a < 12; ++a)
        for (int b = 0; b < 12; ++b) {
            const double original = (states[a] - states[b]).norm().item<double>();
            const double projected =
                std::hypot(projection.x[a] - projection.x[b], projection.y[a] - projection.y[b]);
            QVERIFY(std::abs(original - projected) < 1e-4);
        }
}

QTEST_APPLESS_MAIN(TestVizData)
#include "test_viz_data.moc"
