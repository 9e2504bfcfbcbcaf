// B-spline bases checked against values computed by hand and against their defining properties.
#include <cmath>
#include <vector>

#include "model/bspline.h"
#include "model/errors.h"
#include "test_support.h"

using gode::BSplineBasis;
using gode::KnotPlacement;
using gode::Side;

namespace {

// 1,000 evenly spaced times plus every knot, both ends included.
std::vector<double> sampleTimes(const BSplineBasis& basis) {
    std::vector<double> times;
    for (int i = 0; i < 1000; ++i)
        times.push_back(basis.horizon() * i / 999.0);
    for (double knot : basis.knots())
        times.push_back(knot);
    return times;
}

double sum(const std::vector<double>& values) {
    double total = 0;
    for (double v : values)
        total += v;
    return total;
}

}  // namespace

class TestBSpline : public QObject {
    Q_OBJECT

  private slots:
    void clampedBasisSumsToOne_data();
    void clampedBasisSumsToOne();
    void exactlyOrderBasesAreNonZeroInsideASpan_data();
    void exactlyOrderBasesAreNonZeroInsideASpan();
    void orderTwoMatchesHandValues_data();
    void orderTwoMatchesHandValues();
    void orderThreeMatchesHandValues_data();
    void orderThreeMatchesHandValues();
    void derivativesMatchFiniteDifferences();
    void derivativesOfOrderTwoAreSlopes();
    void publishedPlacementVanishesAtZero();
    void orderOnePiecesAreIndicatorsWithOneSidedKnots();
    void nonZeroWindowAgreesWithAllValues();
    void invalidSettingsNameTheValue();
};

void TestBSpline::clampedBasisSumsToOne_data() {
    QTest::addColumn<int>("order");
    QTest::addColumn<int>("interiorKnots");
    QTest::addColumn<double>("horizon");
    QTest::newRow("constant, no knots") << 1 << 0 << 1.0;
    QTest::newRow("constant, 9 knots") << 1 << 9 << 1.0;
    QTest::newRow("linear, 2 knots") << 2 << 2 << 1.0;
    QTest::newRow("quadratic, 1 knot") << 3 << 1 << 1.0;
    QTest::newRow("cubic, 5 knots, T=2.5") << 4 << 5 << 2.5;
    QTest::newRow("order 6, 12 knots") << 6 << 12 << 1.0;
}

void TestBSpline::clampedBasisSumsToOne() {
    QFETCH(int, order);
    QFETCH(int, interiorKnots);
    QFETCH(double, horizon);
    BSplineBasis basis(order, interiorKnots, horizon);
    QCOMPARE(basis.size(), interiorKnots + order);

    for (double t : sampleTimes(basis)) {
        for (Side side : {Side::Right, Side::Left}) {
            std::vector<double> values = basis.values(t, side);
            QCOMPARE(static_cast<int>(values.size()), basis.size());
            QVERIFY2(std::abs(sum(values) - 1.0) <= 1e-6, qPrintable(QString("t = %1").arg(t)));
            for (double v : values)
                QVERIFY2(v >= 0.0, qPrintable(QString("negative basis at t = %1").arg(t)));
        }
    }
}

void TestBSpline::exactlyOrderBasesAreNonZeroInsideASpan_data() {
    clampedBasisSumsToOne_data();
}

void TestBSpline::exactlyOrderBasesAreNonZeroInsideASpan() {
    QFETCH(int, order);
    QFETCH(int, interiorKnots);
    QFETCH(double, horizon);
    BSplineBasis basis(order, interiorKnots, horizon);

    const std::vector<double>& knots = basis.knots();
    for (size_t i = 0; i + 1 < knots.size(); ++i) {
        if (knots[i] == knots[i + 1])
            continue;
        for (double fraction : {0.01, 0.37, 0.5, 0.99}) {
            const double t = knots[i] + fraction * (knots[i + 1] - knots[i]);
            int nonZero = 0;
            for (double v : basis.values(t))
                nonZero += v > 0.0 ? 1 : 0;
            QCOMPARE(nonZero, order);
        }
    }
}

// Clamped order 2 on [0, 1] with a knot at 0.5 (knots 0 0 .5 1 1):
// B0 = 1 - 2t on [0, .5]; B1 = 2t, then 2 - 2t; B2 = 2t - 1 on [.5, 1].
void TestBSpline::orderTwoMatchesHandValues_data() {
    QTest::addColumn<double>("t");
    QTest::addColumn<std::vector<double>>("expected");
    QTest::newRow("t=0") << 0.0 << std::vector<double>{1, 0, 0};
    QTest::newRow("t=0.1") << 0.1 << std::vector<double>{0.8, 0.2, 0};
    QTest::newRow("t=0.25") << 0.25 << std::vector<double>{0.5, 0.5, 0};
    QTest::newRow("t=0.5") << 0.5 << std::vector<double>{0, 1, 0};
    QTest::newRow("t=0.75") << 0.75 << std::vector<double>{0, 0.5, 0.5};
    QTest::newRow("t=0.9") << 0.9 << std::vector<double>{0, 0.2, 0.8};
    QTest::newRow("t=1") << 1.0 << std::vector<double>{0, 0, 1};
}

void TestBSpline::orderTwoMatchesHandValues() {
    QFETCH(double, t);
    QFETCH(std::vector<double>, expected);
    BSplineBasis basis(2, 1, 1.0);
    std::vector<double> values = basis.values(t);
    QCOMPARE(values.size(), expected.size());
    for (size_t k = 0; k < values.size(); ++k)
        QVERIFY2(std::abs(values[k] - expected[k]) <= 1e-12,
                 qPrintable(QString("B%1(%2) = %3, expected %4")
                                .arg(k)
                                .arg(t)
                                .arg(values[k])
                                .arg(expected[k])));
}

// Clamped order 3 (quadratic) with a knot at 0.5 (knots 0 0 0 .5 1 1 1), by Cox-de Boor on paper:
// on [0, .5]: B0 = (1-2t)^2, B1 = 2t(2-3t), B2 = 2t^2, B3 = 0;
// on [.5, 1]: B0 = 0, B1 = 2(1-t)^2, B2 = 2(1-t)(3t-1), B3 = (2t-1)^2.
void TestBSpline::orderThreeMatchesHandValues_data() {
    QTest::addColumn<double>("t");
    QTest::addColumn<std::vector<double>>("expected");
    QTest::newRow("t=0") << 0.0 << std::vector<double>{1, 0, 0, 0};
    QTest::newRow("t=0.1") << 0.1 << std::vector<double>{0.64, 0.34, 0.02, 0};
    QTest::newRow("t=0.25") << 0.25 << std::vector<double>{0.25, 0.625, 0.125, 0};
    QTest::newRow("t=0.5") << 0.5 << std::vector<double>{0, 0.5, 0.5, 0};
    QTest::newRow("t=0.75") << 0.75 << std::vector<double>{0, 0.125, 0.625, 0.25};
    QTest::newRow("t=0.9") << 0.9 << std::vector<double>{0, 0.02, 0.34, 0.64};
    QTest::newRow("t=1") << 1.0 << std::vector<double>{0, 0, 0, 1};
}

void TestBSpline::orderThreeMatchesHandValues() {
    QFETCH(double, t);
    QFETCH(std::vector<double>, expected);
    BSplineBasis basis(3, 1, 1.0);
    std::vector<double> values = basis.values(t);
    QCOMPARE(values.size(), expected.size());
    for (size_t k = 0; k < values.size(); ++k)
        QVERIFY2(std::abs(values[k] - expected[k]) <= 1e-12,
                 qPrintable(QString("B%1(%2) = %3, expected %4")
                                .arg(k)
                                .arg(t)
                                .arg(values[k])
                                .arg(expected[k])));
}

void TestBSpline::derivativesMatchFiniteDifferences() {
    const double h = 1e-6;
    for (int order : {2, 3, 4, 5}) {
        BSplineBasis basis(order, 3, 2.0);
        for (double t : {0.1, 0.3, 0.77, 1.1, 1.9}) {  // away from knots 0.5, 1.0, 1.5
            std::vector<double> slopes = basis.derivatives(t);
            std::vector<double> above = basis.values(t + h), below = basis.values(t - h);
            for (int k = 0; k < basis.size(); ++k) {
                const double central = (above[k] - below[k]) / (2 * h);
                QVERIFY2(std::abs(slopes[k] - central) <= 1e-5,
                         qPrintable(QString("order %1, k %2, t %3: %4 vs %5")
                                        .arg(order)
                                        .arg(k)
                                        .arg(t)
                                        .arg(slopes[k])
                                        .arg(central)));
            }
        }
    }
}

void TestBSpline::derivativesOfOrderTwoAreSlopes() {
    BSplineBasis basis(2, 1, 1.0);
    const std::vector<double> left = basis.derivatives(0.2), right = basis.derivatives(0.7);
    const std::vector<double> expectedLeft{-2, 2, 0}, expectedRight{0, -2, 2};
    for (int k = 0; k < 3; ++k) {
        QCOMPARE(left[k], expectedLeft[k]);
        QCOMPARE(right[k], expectedRight[k]);
    }
    for (double slope : BSplineBasis(1, 4, 1.0).derivatives(0.3))
        QCOMPARE(slope, 0.0);
}

// Published knots for p = 2, K = 4: six knots 0, .2, .4, .6, .8, 1; B0 is the hat on [0, .4].
void TestBSpline::publishedPlacementVanishesAtZero() {
    BSplineBasis basis(2, 2, 1.0, KnotPlacement::Published);
    QCOMPARE(basis.size(), 4);
    QCOMPARE(static_cast<int>(basis.knots().size()), 6);
    for (double v : basis.values(0.0))
        QCOMPARE(v, 0.0);

    std::vector<double> early = basis.values(0.05);
    QVERIFY(std::abs(sum(early) - 0.25) <= 1e-12);
    QVERIFY(std::abs(early[0] - 0.25) <= 1e-12);

    // Inside the fully supported middle the bases do sum to 1.
    QVERIFY(std::abs(sum(basis.values(0.5)) - 1.0) <= 1e-12);
    QCOMPARE(basis.breakpoints(), (std::vector<double>{0.2, 0.4, 0.6, 0.8}));
}

// Order 1 with L - 1 interior knots gives the L pieces of a ResNet: at a knot, Right is the
// piece that starts there and Left the piece that ends there.
void TestBSpline::orderOnePiecesAreIndicatorsWithOneSidedKnots() {
    const int pieces = 4;
    BSplineBasis basis(1, pieces - 1, 1.0);
    for (int piece = 0; piece < pieces; ++piece) {
        const double start = piece / double(pieces), end = (piece + 1) / double(pieces);
        std::vector<double> inside = basis.values(0.5 * (start + end));
        std::vector<double> atStart = basis.values(start, Side::Right);
        std::vector<double> atEnd = basis.values(end, Side::Left);
        for (int k = 0; k < pieces; ++k) {
            const double expected = k == piece ? 1.0 : 0.0;
            QCOMPARE(inside[k], expected);
            QCOMPARE(atStart[k], expected);
            QCOMPARE(atEnd[k], expected);
        }
    }
}

void TestBSpline::nonZeroWindowAgreesWithAllValues() {
    for (KnotPlacement placement : {KnotPlacement::Clamped, KnotPlacement::Published}) {
        BSplineBasis basis(3, 4, 1.0, placement);
        for (double t : sampleTimes(basis)) {
            std::vector<double> all = basis.values(t);
            gode::BasisWindow window = basis.nonZero(t);
            QVERIFY(static_cast<int>(window.values.size()) <= basis.order());
            for (int k = 0; k < basis.size(); ++k) {
                const int offset = k - window.first;
                const bool inWindow = offset >= 0 && offset < int(window.values.size());
                QCOMPARE(inWindow ? window.values[offset] : 0.0, all[k]);
            }
        }
    }
}

void TestBSpline::invalidSettingsNameTheValue() {
    using gode::InvalidSetting;
    using gode::test::messageOf;
    GODE_VERIFY_CONTAINS(messageOf<InvalidSetting>([] { BSplineBasis(0, 2, 1.0); }),
                         "spline order = 0");
    GODE_VERIFY_CONTAINS(messageOf<InvalidSetting>([] { BSplineBasis(2, -1, 1.0); }),
                         "interior knots = -1");
    GODE_VERIFY_CONTAINS(messageOf<InvalidSetting>([] { BSplineBasis(2, 2, 0.0); }),
                         "horizon T = 0");
    GODE_VERIFY_CONTAINS(messageOf<InvalidSetting>([] { BSplineBasis(2, 2, -1.5); }),
                         "horizon T = -1.5");

    BSplineBasis basis(2, 2, 1.0);
    GODE_VERIFY_CONTAINS(messageOf<InvalidSetting>([&] { basis.values(-0.25); }), "t = -0.25");
    GODE_VERIFY_CONTAINS(messageOf<InvalidSetting>([&] { basis.values(1.5); }), "t = 1.5");
    GODE_VERIFY_CONTAINS(messageOf<InvalidSetting>([&] { basis.derivatives(NAN); }), "t = nan");
}

QTEST_APPLESS_MAIN(TestBSpline)
#include "test_bspline.moc"
