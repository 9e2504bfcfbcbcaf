// Solvers against problems with exact solutions, knot landing, failures and gradients.
#include <cmath>
#include <functional>
#include <memory>
#include <vector>

#include "model/errors.h"
#include "model/runge_kutta.h"
#include "model/solver.h"
#include "model/vector_field.h"
#include "test_support.h"

using gode::Side;
using gode::SolveRequest;
using gode::SolverFailure;
using gode::SolverOptions;

Q_DECLARE_METATYPE(SolverOptions)

using gode::test::dopri;
using gode::test::fixedSteps;

namespace {

const auto kDouble = torch::TensorOptions().dtype(torch::kFloat64);

// An ODE given by a function, with optional breakpoints.
class FunctionSystem : public gode::OdeSystem {
  public:
    using Rate = std::function<torch::Tensor(double, Side, const torch::Tensor&)>;
    explicit FunctionSystem(Rate rate, std::vector<double> breakpoints = {})
        : rate_(std::move(rate)), breakpoints_(std::move(breakpoints)) {}

    torch::Tensor rate(double t, Side side, const torch::Tensor& h) override {
        return rate_(t, side, h);
    }
    std::vector<double> breakpoints() const override { return breakpoints_; }

  private:
    Rate rate_;
    std::vector<double> breakpoints_;
};

// dh/dt = cos(t) h, so h(t) = h(0) exp(sin t).
FunctionSystem cosineGrowth() {
    return FunctionSystem([](double t, Side, const torch::Tensor& h) { return h * std::cos(t); });
}

gode::Solution solve(gode::OdeSystem& system, const SolverOptions& options,
                     const torch::Tensor& initial, SolveRequest request = {}) {
    return gode::makeSolver(options)->solve(system, initial, request);
}

// Least-squares slope of log(error) against log(step).
double convergenceSlope(const std::vector<double>& steps, const std::vector<double>& errors) {
    const size_t n = steps.size();
    double mx = 0, my = 0;
    for (size_t i = 0; i < n; ++i) {
        mx += std::log(steps[i]) / n;
        my += std::log(errors[i]) / n;
    }
    double sxy = 0, sxx = 0;
    for (size_t i = 0; i < n; ++i) {
        sxy += (std::log(steps[i]) - mx) * (std::log(errors[i]) - my);
        sxx += std::pow(std::log(steps[i]) - mx, 2);
    }
    return sxy / sxx;
}

}  // namespace

class TestSolvers : public QObject {
    Q_OBJECT

  private slots:
    void tableausAreConsistent();
    void convergenceSlopeMatchesOrder_data();
    void convergenceSlopeMatchesOrder();
    void dormandPrinceMeetsToleranceOnDecay();
    void dormandPrinceMeetsToleranceOnTimeVaryingRotation();
    void dormandPrinceTakesMoreStepsAsRtolTightens();
    void stepsLandOnBreakpoints_data();
    void stepsLandOnBreakpoints();
    void adaptiveStepsLeaveNoSliverBeforeABreakpoint();
    void outputTimesAreLandedOn();
    void backwardIntegrationReturnsToStart();
    void errorControlCanWatchALeadingPart();
    void maxStepsIsANamedFailure();
    void stepUnderflowIsANamedFailure();
    void nonFiniteStateIsANamedFailure();
    void unknownSolverListsTheChoices();
    void gradientsMatchFiniteDifferences_data();
    void gradientsMatchFiniteDifferences();
};

void TestSolvers::tableausAreConsistent() {
    for (const gode::SolverInfo& info : gode::solverCatalog())
        info.tableau->validate();  // throws if inconsistent

    gode::ButcherTableau broken = gode::rk4Tableau();
    broken.b[0] += 0.01;
    GODE_VERIFY_CONTAINS(gode::test::messageOf<gode::InvalidSetting>([&] { broken.validate(); }),
                         "do not sum to 1");
    broken = gode::rk4Tableau();
    broken.a[2][1] = 0.4;
    GODE_VERIFY_CONTAINS(gode::test::messageOf<gode::InvalidSetting>([&] { broken.validate(); }),
                         "row 2 of a does not sum to c");
}

void TestSolvers::convergenceSlopeMatchesOrder_data() {
    QTest::addColumn<QString>("method");
    QTest::addColumn<double>("order");
    QTest::addColumn<std::vector<int>>("stepCounts");
    QTest::newRow("euler") << "euler" << 1.0 << std::vector<int>{16, 32, 64, 128, 256};
    QTest::newRow("midpoint") << "midpoint" << 2.0 << std::vector<int>{16, 32, 64, 128, 256};
    QTest::newRow("rk4") << "rk4" << 4.0 << std::vector<int>{4, 8, 16, 32, 64};
}

void TestSolvers::convergenceSlopeMatchesOrder() {
    QFETCH(QString, method);
    QFETCH(double, order);
    QFETCH(std::vector<int>, stepCounts);

    FunctionSystem system = cosineGrowth();
    const double horizon = 2.0;
    const double exact = std::exp(std::sin(horizon));
    std::vector<double> steps, errors;
    for (int n : stepCounts) {
        torch::Tensor h0 = torch::ones({1}, kDouble);
        auto solution = solve(system, fixedSteps(method.toStdString(), n), h0, {0, horizon});
        steps.push_back(horizon / n);
        errors.push_back(std::abs(solution.final.item<double>() - exact));
        QCOMPARE(solution.stats.accepted, int64_t(n));
    }
    const double slope = convergenceSlope(steps, errors);
    qInfo("%s: measured convergence slope %.3f (order %.0f)", qPrintable(method), slope, order);
    QVERIFY2(std::abs(slope - order) <= 0.2, qPrintable(QString("slope %1").arg(slope)));
}

// rtol and atol bound the error made in each step; over a whole solve the relative error of
// this smooth decay should stay within a small multiple of rtol.
void TestSolvers::dormandPrinceMeetsToleranceOnDecay() {
    FunctionSystem decay([](double, Side, const torch::Tensor& h) { return -h; });
    for (double rtol : {1e-4, 1e-6, 1e-8}) {
        const double atol = rtol * 1e-3;
        torch::Tensor h0 = torch::tensor({1.0, 2.0, -3.0}, kDouble);
        auto solution = solve(decay, dopri(rtol, atol), h0, {0, 3});
        torch::Tensor exact = h0 * std::exp(-3.0);
        const double relative = ((solution.final - exact).abs() / exact.abs()).max().item<double>();
        qInfo("dh/dt=-h, rtol %.0e: relative error %.2e, %lld steps", rtol, relative,
              static_cast<long long>(solution.stats.accepted));
        QVERIFY2(relative <= 2 * rtol, qPrintable(QString("relative error %1").arg(relative)));
    }
}

// dh/dt = t J h with J the 90-degree rotation: h(t) is h(0) rotated by t^2 / 2.
void TestSolvers::dormandPrinceMeetsToleranceOnTimeVaryingRotation() {
    FunctionSystem rotation([](double t, Side, const torch::Tensor& h) {
        return torch::stack({h[1], -h[0]}) * t;
    });
    const double rtol = 1e-7, atol = 1e-10, horizon = 3.0;
    auto solution =
        solve(rotation, dopri(rtol, atol), torch::tensor({1.0, 0.0}, kDouble), {0, horizon});
    const double angle = horizon * horizon / 2;
    torch::Tensor exact = torch::tensor({std::cos(angle), -std::sin(angle)}, kDouble);
    const double error = gode::test::maxAbsDiff(solution.final, exact);
    qInfo("rotation, rtol %.0e: max error %.2e in %lld steps", rtol, error,
          static_cast<long long>(solution.stats.accepted));
    QVERIFY2(error <= 10 * rtol, qPrintable(QString("error %1").arg(error)));
}

void TestSolvers::dormandPrinceTakesMoreStepsAsRtolTightens() {
    FunctionSystem system = cosineGrowth();
    int64_t previous = 0;
    for (double rtol : {1e-3, 1e-5, 1e-7, 1e-9}) {
        auto solution = solve(system, dopri(rtol, rtol * 1e-2), torch::ones({1}, kDouble), {0, 5});
        QVERIFY2(solution.stats.accepted > previous,
                 qPrintable(QString("rtol %1: %2 steps").arg(rtol).arg(solution.stats.accepted)));
        previous = solution.stats.accepted;
    }
}

void TestSolvers::stepsLandOnBreakpoints_data() {
    QTest::addColumn<SolverOptions>("options");
    QTest::newRow("euler") << fixedSteps("euler", 3);
    QTest::newRow("midpoint") << fixedSteps("midpoint", 4);
    QTest::newRow("rk4") << fixedSteps("rk4", 3);
    QTest::newRow("dopri5") << dopri(1e-6, 1e-9);
}

// The rate jumps from +1 to -2 at t = 0.3 and back to +0.5 at t = 0.7; no step may cross a jump
// and every stage must take the piece inside its step, so h(1) = 0.3 - 0.8 + 0.15 exactly.
void TestSolvers::stepsLandOnBreakpoints() {
    QFETCH(SolverOptions, options);
    const std::vector<double> breaks{0.3, 0.7};
    FunctionSystem piecewise(
        [](double t, Side side, const torch::Tensor& h) {
            const bool beforeFirst = t < 0.3 || (t == 0.3 && side == Side::Left);
            const bool beforeSecond = t < 0.7 || (t == 0.7 && side == Side::Left);
            const double slope = beforeFirst ? 1.0 : beforeSecond ? -2.0 : 0.5;
            return torch::full_like(h, slope);
        },
        breaks);

    std::vector<std::pair<double, double>> steps;
    SolveRequest request{0, 1, {}, [&](double t, double tEnd, const auto&, const auto&) {
                             steps.emplace_back(t, tEnd);
                         }};
    auto solution = solve(piecewise, options, torch::zeros({1}, kDouble), request);

    QVERIFY(std::abs(solution.final.item<double>() - (0.3 - 0.8 + 0.15)) <= 1e-12);
    for (auto [t, tEnd] : steps)
        for (double b : breaks)
            QVERIFY2(!(t < b && b < tEnd), qPrintable(QString("step [%1, %2]").arg(t).arg(tEnd)));
    for (double b : breaks) {
        bool landed = false;
        for (auto step : steps)
            landed = landed || step.second == b;
        QVERIFY2(landed, qPrintable(QString("no step ends at %1").arg(b)));
    }
}

// A first step of 0.29 towards a breakpoint at 0.3 used to leave a 0.01 sliver; the distance is
// now split into two halves.
void TestSolvers::adaptiveStepsLeaveNoSliverBeforeABreakpoint() {
    FunctionSystem decay([](double, Side, const torch::Tensor& h) { return -h; }, {0.3});
    SolverOptions options = dopri(1e-2, 1e-4);
    options.firstStep = 0.29;
    std::vector<double> steps;
    SolveRequest request{0, 0.3, {}, [&](double t, double tEnd, const auto&, const auto&) {
                             steps.push_back(tEnd - t);
                         }};
    solve(decay, options, torch::ones({1}, kDouble), request);
    QCOMPARE(steps.size(), size_t(2));
    QCOMPARE(steps[0], 0.15);
    QVERIFY(std::abs(steps[1] - 0.15) <= 1e-15);
}

void TestSolvers::outputTimesAreLandedOn() {
    FunctionSystem decay([](double, Side, const torch::Tensor& h) { return -h; });
    const std::vector<double> times{0.0, 0.25, 0.6, 1.0};
    for (const SolverOptions& options : {fixedSteps("rk4", 10), dopri(1e-8, 1e-10)}) {
        auto solution = solve(decay, options, torch::ones({1}, kDouble), {0, 1, times, {}});
        QCOMPARE(solution.times, times);
        QCOMPARE(solution.states.size(), times.size());
        for (size_t i = 0; i < times.size(); ++i)
            QVERIFY(std::abs(solution.states[i].item<double>() - std::exp(-times[i])) <= 1e-6);
    }
}

void TestSolvers::backwardIntegrationReturnsToStart() {
    FunctionSystem system = cosineGrowth();
    torch::Tensor h0 = torch::tensor({0.5}, kDouble);
    for (const SolverOptions& options : {fixedSteps("rk4", 50), dopri(1e-9, 1e-12)}) {
        auto forward = solve(system, options, h0, {0, 1.5});
        auto back = solve(system, options, forward.final, {1.5, 0});
        QVERIFY(gode::test::maxAbsDiff(back.final, h0) <= 1e-7);
    }
}

// [h, q] with dh/dt = -h and a fast quadrature dq/dt = cos(40 t) h that feeds nothing back.
// Watching only h, the adaptive solver must take exactly the steps it takes for h alone;
// watching both, the oscillating q forces more steps.
void TestSolvers::errorControlCanWatchALeadingPart() {
    FunctionSystem decay([](double, Side, const torch::Tensor& h) { return -h; });
    FunctionSystem withQuadrature([](double t, Side, const torch::Tensor& s) {
        return torch::stack({-s[0], std::cos(40 * t) * s[0]});
    });
    const SolverOptions options = dopri(1e-6, 1e-9);

    auto alone = solve(decay, options, torch::ones({1}, kDouble), {0, 2});
    auto watchingH = solve(withQuadrature, options, torch::tensor({1.0, 0.0}, kDouble),
                           {0, 2, {}, {}, /*controlledElements=*/1});
    auto watchingBoth = solve(withQuadrature, options, torch::tensor({1.0, 0.0}, kDouble), {0, 2});

    QCOMPARE(watchingH.stats.stepSizes, alone.stats.stepSizes);
    QCOMPARE(watchingH.final[0].item<double>(), alone.final[0].item<double>());
    QVERIFY2(watchingBoth.stats.accepted > 2 * alone.stats.accepted,
             qPrintable(QString("%1 steps watching both, %2 watching h")
                            .arg(watchingBoth.stats.accepted)
                            .arg(alone.stats.accepted)));
}

void TestSolvers::maxStepsIsANamedFailure() {
    FunctionSystem system = cosineGrowth();
    SolverOptions options = dopri(1e-10, 1e-12);
    options.maxSteps = 5;
    try {
        solve(system, options, torch::ones({1}, kDouble), {0, 10});
        QFAIL("no failure");
    } catch (const SolverFailure& failure) {
        QCOMPARE(failure.kind(), SolverFailure::Kind::MaxStepsReached);
        GODE_VERIFY_CONTAINS(failure.what(), "maximum of 5 steps");
    }
}

// dh/dt = h^2 with h(0) = 1 blows up at t = 1: the adaptive steps shrink to nothing there.
void TestSolvers::stepUnderflowIsANamedFailure() {
    FunctionSystem blowUp([](double, Side, const torch::Tensor& h) { return h * h; });
    SolverOptions options = dopri(1e-6, 1e-9);
    options.maxSteps = 1000000;
    try {
        solve(blowUp, options, torch::ones({1}, kDouble), {0, 2});
        QFAIL("no failure");
    } catch (const SolverFailure& failure) {
        QCOMPARE(failure.kind(), SolverFailure::Kind::StepUnderflow);
        GODE_VERIFY_CONTAINS(failure.what(), "step size fell below");
    }
}

void TestSolvers::nonFiniteStateIsANamedFailure() {
    FunctionSystem blowUp([](double, Side, const torch::Tensor& h) { return h * h; });
    try {
        solve(blowUp, fixedSteps("euler", 10), torch::full({1}, 1e200, kDouble), {0, 1});
        QFAIL("no failure");
    } catch (const SolverFailure& failure) {
        QCOMPARE(failure.kind(), SolverFailure::Kind::NonFiniteState);
        GODE_VERIFY_CONTAINS(failure.what(), "t = 0.1");
    }
    try {
        solve(blowUp, dopri(1e-3, 1e-6), torch::full({1}, NAN, kDouble), {0, 1});
        QFAIL("no failure");
    } catch (const SolverFailure& failure) {
        QCOMPARE(failure.kind(), SolverFailure::Kind::NonFiniteState);
    }
}

void TestSolvers::unknownSolverListsTheChoices() {
    const std::string message = gode::test::messageOf<gode::InvalidSetting>(
        [] { gode::makeSolver(fixedSteps("heun", 4)); });
    GODE_VERIFY_CONTAINS(message, "'heun'");
    GODE_VERIFY_CONTAINS(message, "euler, midpoint, rk4, dopri5");
    GODE_VERIFY_CONTAINS(
        gode::test::messageOf<gode::InvalidSetting>([] { gode::makeSolver(fixedSteps("rk4", 0)); }),
        "steps = 0");
}

void TestSolvers::gradientsMatchFiniteDifferences_data() {
    stepsLandOnBreakpoints_data();
}

// Backpropagation through the solver steps against central differences, in double precision,
// on a tiny vector field (width 4, order-2 spline with a knot at 0.5). An adaptive solve is
// differentiated with its steps held fixed, so its finite differences replay the accepted steps
// with the same tableau; letting the steps move would add jumps of the size of the tolerance.
void TestSolvers::gradientsMatchFiniteDifferences() {
    QFETCH(SolverOptions, options);
    torch::manual_seed(7);
    auto basis = std::make_shared<const gode::BSplineBasis>(2, 1, 1.0);
    gode::VectorField field(4, basis);
    field->to(torch::kFloat64);
    torch::Tensor h0 = torch::randn({2, 4, 3, 3}, kDouble).requires_grad_(true);
    torch::Tensor probe = torch::randn({2, 4, 3, 3}, kDouble);
    auto solver = gode::makeSolver(options);

    // Backprop through the solver, keeping the steps it took.
    std::vector<std::pair<double, double>> steps;
    SolveRequest request{0, 1, {}, [&](double t, double tEnd, const auto&, const auto&) {
                             steps.emplace_back(t, tEnd);
                         }};
    (solver->solve(*field, h0, request).final * probe).sum().backward();

    auto replayedLoss = [&] {
        torch::Tensor h = h0;
        for (auto [t, tEnd] : steps)
            h = gode::rungeKuttaStep(*field, solver->tableau(), t, tEnd, h).next;
        return (h * probe).sum().item<double>();
    };

    std::vector<torch::Tensor> inputs{h0};
    for (const auto& parameter : field->parameters())
        inputs.push_back(parameter);

    const double eps = 1e-6;
    torch::NoGradGuard noGrad;
    for (auto& input : inputs) {
        QVERIFY(input.grad().defined());
        torch::Tensor flat = input.view({-1});
        for (int64_t i = 0; i < flat.numel(); i += std::max<int64_t>(1, flat.numel() / 6)) {
            const double saved = flat[i].item<double>();
            flat[i] = saved + eps;
            const double up = replayedLoss();
            flat[i] = saved - eps;
            const double down = replayedLoss();
            flat[i] = saved;
            const double numeric = (up - down) / (2 * eps);
            const double analytic = input.grad().view({-1})[i].item<double>();
            QVERIFY2(std::abs(analytic - numeric) <= 1e-6 * std::max(1.0, std::abs(numeric)),
                     qPrintable(QString("d loss / d x[%1]: backprop %2, finite difference %3")
                                    .arg(i)
                                    .arg(analytic)
                                    .arg(numeric)));
        }
    }
}

QTEST_APPLESS_MAIN(TestSolvers)
#include "test_solvers.moc"
