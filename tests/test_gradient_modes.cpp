// Gradient modes: checkpoint equals direct for every solver, the adjoint converges to direct,
// every trainable tensor gets a gradient, and backward work is counted as documented.
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "model/errors.h"
#include "model/gradient_modes.h"
#include "model/network.h"
#include "test_support.h"

using gode::Backprop;
using gode::ModelConfig;
using gode::OdeBlock;
using gode::SolverOptions;
using gode::SolverStats;

Q_DECLARE_METATYPE(SolverOptions)
Q_DECLARE_METATYPE(Backprop)

using gode::test::dopri;
using gode::test::fixedSteps;

namespace {

const std::vector<Backprop> kModes{Backprop::Direct, Backprop::Checkpoint, Backprop::Adjoint};

// A small block: 8 channels, clamped order-2 spline with knots at 1/3 and 2/3 (K = 4).
ModelConfig smallBlock(SolverOptions solver, Backprop mode) {
    ModelConfig config;
    config.width = 8;
    config.splineOrder = 2;
    config.interiorKnots = 2;
    config.solver = std::move(solver);
    config.solver.backprop = mode;
    return config;
}

// One forward and backward of a freshly built block with the loss sum(output * probe). Seeds are
// fixed, so every mode starts from the same weights, state and probe.
struct GradientRun {
    torch::Tensor output;
    std::vector<std::string> names;  // "initial", then the field's parameters
    std::vector<torch::Tensor> gradients;
    SolverStats forward;
    SolverStats backward;
    int64_t fieldEvaluationsInBackward = 0;
};

// GroupNorm maps each group of n values (one channel of 4x4 here) to values within
// +-sqrt(n - 1) = +-3.87 before its affine part. Biases of +5 and -5 therefore keep every ReLU
// input on one side of zero at all depths, which makes the field smooth in h.
void fixReluSigns(gode::VectorFieldImpl& field) {
    torch::NoGradGuard noGrad;
    torch::Tensor bias = torch::full({field.width()}, 5.0);
    bias.slice(0, 1, field.width(), 2).fill_(-5.0);
    field.norm1->bias.copy_(bias);
    field.norm2->bias.copy_(bias);
}

enum class Field { Standard, SmoothReluFixed };

GradientRun runBlock(const ModelConfig& config, torch::Dtype dtype, Field kind = Field::Standard) {
    torch::manual_seed(11);
    OdeBlock block(config);
    block->to(dtype);
    if (kind == Field::SmoothReluFixed)
        fixReluSigns(*block->field);
    torch::Tensor initial = torch::randn({3, config.width, 4, 4}, dtype).requires_grad_(true);
    torch::Tensor probe = torch::randn({3, config.width, 4, 4}, dtype);

    GradientRun run;
    run.output = block->forward(initial);
    const int64_t evaluationsBefore = block->field->evaluations();
    (run.output * probe).sum().backward();
    run.fieldEvaluationsInBackward = block->field->evaluations() - evaluationsBefore;
    run.forward = block->lastStats();
    run.backward = block->lastBackwardStats();

    run.names.push_back("initial");
    run.gradients.push_back(initial.grad());
    for (const auto& item : block->field->named_parameters()) {
        run.names.push_back(item.key());
        run.gradients.push_back(item.value().grad());
    }
    return run;
}

// ||a - b|| / ||b||
double relativeError(const torch::Tensor& a, const torch::Tensor& b) {
    return (a - b).norm().item<double>() / b.norm().item<double>();
}

std::string describe(const SolverOptions& options) {
    char text[64];
    if (gode::solverInfo(options.method).adaptive)
        std::snprintf(text, sizeof text, "%s, rtol %g", options.method.c_str(), options.rtol);
    else
        std::snprintf(text, sizeof text, "%s, %d steps", options.method.c_str(), options.steps);
    return text;
}

}  // namespace

Q_DECLARE_METATYPE(Field)

class TestGradientModes : public QObject {
    Q_OBJECT

  private slots:
    void checkpointEqualsDirect_data();
    void checkpointEqualsDirect();
    void adjointMatchesDirect_data();
    void adjointMatchesDirect();
    void adjointIsApproximateAtCoarseSteps();
    void everyTrainableTensorGetsAGradient_data();
    void everyTrainableTensorGetsAGradient();
    void backwardEvaluationsFollowTheDefinition_data();
    void backwardEvaluationsFollowTheDefinition();
    void adjointBackwardSolveLandsOnKnots();
    void backwardStatsResetOnlyOnARecordingForward();
    void frozenParametersGetNoGradient_data();
    void frozenParametersGetNoGradient();
    void everyModeIsAcceptedWithEverySolver();
};

// ---------------------------------------------------------------------------------------------

void TestGradientModes::checkpointEqualsDirect_data() {
    QTest::addColumn<SolverOptions>("solver");
    // Every solver of the registry. Five uniform steps do not meet the knots at 1/3 and 2/3, so
    // the knots split steps, as in real use.
    for (const gode::SolverInfo& info : gode::solverCatalog()) {
        const SolverOptions solver = info.adaptive ? dopri(1e-4, 1e-6) : fixedSteps(info.name, 5);
        QTest::newRow(info.name.c_str()) << solver;
    }
}

// Recomputing each step from its checkpoint reproduces the recorded steps, so the gradients are
// those of direct backprop up to float rounding in the order of the sums.
void TestGradientModes::checkpointEqualsDirect() {
    QFETCH(SolverOptions, solver);
    const GradientRun direct = runBlock(smallBlock(solver, Backprop::Direct), torch::kFloat32);
    const GradientRun checkpoint =
        runBlock(smallBlock(solver, Backprop::Checkpoint), torch::kFloat32);

    QVERIFY(torch::equal(checkpoint.output, direct.output));
    QCOMPARE(checkpoint.forward.accepted, direct.forward.accepted);
    for (size_t i = 0; i < direct.gradients.size(); ++i) {
        const double scale = direct.gradients[i].abs().max().item<double>();
        const double diff = gode::test::maxAbsDiff(checkpoint.gradients[i], direct.gradients[i]);
        QVERIFY2(diff <= 1e-5 * scale,
                 qPrintable(QString("%1: max |checkpoint - direct| = %2, max |direct| = %3")
                                .arg(direct.names[i].c_str())
                                .arg(diff)
                                .arg(scale)));
    }
}

// ---------------------------------------------------------------------------------------------

void TestGradientModes::adjointMatchesDirect_data() {
    QTest::addColumn<SolverOptions>("solver");
    QTest::addColumn<Field>("field");
    QTest::newRow("dopri5, rtol 1e-8, smooth field")
        << dopri(1e-8, 1e-10) << Field::SmoothReluFixed;
    QTest::newRow("rk4, 64 steps") << fixedSteps("rk4", 64) << Field::Standard;
}

// Both gradients converge to the gradient of the exact flow as the solves become accurate, so
// at tight tolerance or fine steps they agree closely (in double precision).
//
// The Dormand-Prince row uses a field whose ReLUs never change sign. Where one does, the rate
// of the adjoint jumps and the gradients of the parameters before that ReLU become integrals of
// discontinuous functions: an adaptive solver then converges slowly, and to 1e-4 only at great
// cost (up to 1e-3 apart at rtol 1e-10 in trials). Fixed RK4 steps differentiate the same
// grid both ways and agree without that restriction.
void TestGradientModes::adjointMatchesDirect() {
    QFETCH(SolverOptions, solver);
    QFETCH(Field, field);
    const GradientRun direct =
        runBlock(smallBlock(solver, Backprop::Direct), torch::kFloat64, field);
    const GradientRun adjoint =
        runBlock(smallBlock(solver, Backprop::Adjoint), torch::kFloat64, field);

    QVERIFY(gode::test::maxAbsDiff(adjoint.output, direct.output) == 0.0);
    double worst = 0.0;
    for (size_t i = 0; i < direct.gradients.size(); ++i) {
        const double error = relativeError(adjoint.gradients[i], direct.gradients[i]);
        worst = std::max(worst, error);
        QVERIFY2(
            error <= 1e-4,
            qPrintable(
                QString("%1: relative difference %2").arg(direct.names[i].c_str()).arg(error)));
    }
    qInfo(
        "%s: adjoint vs direct, worst relative difference %.2e; backward %lld evaluations "
        "in %lld steps",
        describe(solver).c_str(), worst, static_cast<long long>(adjoint.backward.evaluations),
        static_cast<long long>(adjoint.backward.accepted));
}

// The adjoint differentiates the exact flow, direct the four Euler steps: at so coarse a step
// they must differ. This shows that the agreement above is earned, not built in.
void TestGradientModes::adjointIsApproximateAtCoarseSteps() {
    const SolverOptions solver = fixedSteps("euler", 4);
    const GradientRun direct = runBlock(smallBlock(solver, Backprop::Direct), torch::kFloat64);
    const GradientRun adjoint = runBlock(smallBlock(solver, Backprop::Adjoint), torch::kFloat64);
    const double error = relativeError(adjoint.gradients[0], direct.gradients[0]);
    qInfo("euler, 4 steps: adjoint vs direct, relative difference of dL/dh(0) %.2e", error);
    QVERIFY2(error >= 1e-3, qPrintable(QString("relative difference %1").arg(error)));
}

// ---------------------------------------------------------------------------------------------

void TestGradientModes::everyTrainableTensorGetsAGradient_data() {
    QTest::addColumn<SolverOptions>("solver");
    QTest::addColumn<Backprop>("mode");
    for (Backprop mode : kModes)
        for (const SolverOptions& solver : {fixedSteps("euler", 6), dopri(1e-3, 1e-5)}) {
            const std::string name = gode::toString(mode) + ", " + solver.method;
            QTest::newRow(name.c_str()) << solver << mode;
        }
}

// Every parameter of the field (both spline coefficient tensors, down to each basis function's
// slice, and the GroupNorm affine parameters) and the initial state receive a non-zero gradient.
void TestGradientModes::everyTrainableTensorGetsAGradient() {
    QFETCH(SolverOptions, solver);
    QFETCH(Backprop, mode);
    const GradientRun run = runBlock(smallBlock(solver, mode), torch::kFloat32);
    QCOMPARE(run.names.size(), size_t(7));  // initial, 2 x (GroupNorm weight, bias), 2 x spline

    for (size_t i = 0; i < run.gradients.size(); ++i) {
        const torch::Tensor& gradient = run.gradients[i];
        QVERIFY2(gradient.defined(), run.names[i].c_str());
        const bool spline = run.names[i].find("coefficients") != std::string::npos;
        const int64_t slices = spline ? gradient.size(0) : 1;
        for (int64_t k = 0; k < slices; ++k) {
            const torch::Tensor part = spline ? gradient[k] : gradient;
            QVERIFY2(
                part.abs().max().item<double>() > 0.0,
                qPrintable(
                    QString("%1, slice %2 has a zero gradient").arg(run.names[i].c_str()).arg(k)));
        }
    }
}

// ---------------------------------------------------------------------------------------------

void TestGradientModes::backwardEvaluationsFollowTheDefinition_data() {
    QTest::addColumn<SolverOptions>("solver");
    QTest::addColumn<Backprop>("mode");
    // Six steps of 1/6 land on the knots 1/3 and 2/3 without splitting any step.
    for (Backprop mode : kModes)
        for (const gode::SolverInfo& info : gode::solverCatalog()) {
            const SolverOptions solver =
                info.adaptive ? dopri(1e-5, 1e-7) : fixedSteps(info.name, 6);
            const std::string name = gode::toString(mode) + ", " + info.name;
            QTest::newRow(name.c_str()) << solver << mode;
        }
}

// The counts of gradient_modes.h, checked against the tableau and, independently, against the
// vector field's own evaluation counter during backward.
void TestGradientModes::backwardEvaluationsFollowTheDefinition() {
    QFETCH(SolverOptions, solver);
    QFETCH(Backprop, mode);
    const gode::SolverInfo& info = gode::solverInfo(solver.method);
    const int stages = info.tableau->stages();
    const int usedStages = info.tableau->firstSameAsLast ? stages - 1 : stages;
    const GradientRun run = runBlock(smallBlock(solver, mode), torch::kFloat64);
    const SolverStats& back = run.backward;

    if (mode == Backprop::Adjoint) {
        // Every evaluation of the augmented system is one evaluation of f.
        QCOMPARE(run.fieldEvaluationsInBackward, back.evaluations);
        if (info.adaptive) {
            // Start-up: the first rate and one probe. Each attempt reuses its first rate, except
            // after landing on one of the two knots, where the rate jumps.
            QCOMPARE(back.evaluations, 2 + (stages - 1) * (back.accepted + back.rejected) + 2);
        } else {
            QCOMPARE(back.accepted, int64_t(6));
            QCOMPARE(back.evaluations, int64_t(6 * stages));
        }
        return;
    }

    // Direct and checkpoint go back through the forward's accepted steps, last first.
    std::vector<double> reversed(run.forward.stepSizes.rbegin(), run.forward.stepSizes.rend());
    QCOMPARE(back.accepted, run.forward.accepted);
    QCOMPARE(back.stepSizes, reversed);
    QCOMPARE(back.rejected, int64_t(0));
    QCOMPARE(back.evaluations, usedStages * run.forward.accepted);
    if (!info.adaptive)
        QCOMPARE(run.forward.accepted, int64_t(6));
    const int64_t recomputed = mode == Backprop::Checkpoint ? back.evaluations : 0;
    QCOMPARE(run.fieldEvaluationsInBackward, recomputed);
}

// The backward solve takes its steps from T down to 0 and lands on both knots, like the forward.
void TestGradientModes::adjointBackwardSolveLandsOnKnots() {
    const GradientRun run =
        runBlock(smallBlock(dopri(1e-4, 1e-6), Backprop::Adjoint), torch::kFloat64);
    std::vector<double> times{1.0};
    for (double size : run.backward.stepSizes)
        times.push_back(times.back() - size);

    QVERIFY2(std::abs(times.back()) <= 1e-12, qPrintable(QString("ended at %1").arg(times.back())));
    for (double knot : {2.0 / 3.0, 1.0 / 3.0}) {
        bool landed = false;
        for (double t : times)
            landed = landed || std::abs(t - knot) <= 1e-12;
        QVERIFY2(landed, qPrintable(QString("no backward step ends at %1").arg(knot)));
    }
}

void TestGradientModes::backwardStatsResetOnlyOnARecordingForward() {
    for (Backprop mode : kModes) {
        torch::manual_seed(5);
        OdeBlock block(smallBlock(fixedSteps("euler", 6), mode));
        torch::Tensor initial = torch::randn({2, 8, 4, 4});
        block->forward(initial).sum().backward();
        QCOMPARE(block->lastBackwardStats().accepted, int64_t(6));

        {
            torch::NoGradGuard evaluation;
            block->forward(initial);
        }
        QCOMPARE(block->lastBackwardStats().accepted, int64_t(6));

        torch::Tensor output = block->forward(initial);
        QCOMPARE(block->lastBackwardStats().accepted, int64_t(0));
        QCOMPARE(block->lastBackwardStats().evaluations, int64_t(0));
        output.sum().backward();
        QCOMPARE(block->lastBackwardStats().accepted, int64_t(6));
    }
}

// ---------------------------------------------------------------------------------------------

void TestGradientModes::frozenParametersGetNoGradient_data() {
    QTest::addColumn<Backprop>("mode");
    for (Backprop mode : kModes)
        QTest::newRow(gode::toString(mode).c_str()) << mode;
}

// A parameter that does not require grad is left alone; the others still match direct.
void TestGradientModes::frozenParametersGetNoGradient() {
    QFETCH(Backprop, mode);
    torch::manual_seed(9);
    OdeBlock block(smallBlock(fixedSteps("rk4", 32), mode));
    block->to(torch::kFloat64);
    block->field->norm1->weight.requires_grad_(false);
    block->field->conv2->coefficients().requires_grad_(false);
    torch::Tensor initial = torch::randn({2, 8, 4, 4}, torch::kFloat64).requires_grad_(true);
    block->forward(initial).pow(2).sum().backward();

    QVERIFY(!block->field->norm1->weight.grad().defined());
    QVERIFY(!block->field->conv2->coefficients().grad().defined());
    QVERIFY(block->field->norm1->bias.grad().abs().max().item<double>() > 0.0);
    QVERIFY(block->field->conv1->coefficients().grad().abs().max().item<double>() > 0.0);
    QVERIFY(initial.grad().abs().max().item<double>() > 0.0);
}

// The backprop mode is chosen beside the solver: every pair is a valid configuration, for every
// model kind, and a network with it trains (forward and backward run).
void TestGradientModes::everyModeIsAcceptedWithEverySolver() {
    for (gode::ModelKind kind :
         {gode::ModelKind::Gode, gode::ModelKind::Node, gode::ModelKind::Resnet})
        for (Backprop mode : kModes)
            for (const std::string& method : gode::solverNames()) {
                ModelConfig config = smallBlock(fixedSteps(method, 3), mode);
                config.kind = kind;
                config.blocks = 3;
                config.validate();
                QVERIFY(gode::backpropFromString(gode::toString(mode)) == mode);

                gode::GodeNet net(config);
                QVERIFY(net->block->backprop() == mode);
                net->forward(torch::randn({2, 1, 28, 28})).sum().backward();
                QVERIFY(net->stem->conv1->weight.grad().abs().max().item<double>() > 0.0);
            }
    GODE_VERIFY_CONTAINS(
        gode::test::messageOf<gode::InvalidSetting>([] { gode::backpropFromString("reverse"); }),
        "choose one of direct, checkpoint, adjoint");
}

QTEST_APPLESS_MAIN(TestGradientModes)
#include "test_gradient_modes.moc"
