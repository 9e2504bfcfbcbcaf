// Networks: the published parameter counts and the exact special cases.
#include <vector>

#include "model/errors.h"
#include "model/network.h"
#include "test_support.h"

using gode::GodeNet;
using gode::KnotPlacement;
using gode::ModelConfig;
using gode::ModelKind;

namespace {

ModelConfig publishedConfig(int64_t channels, int64_t imageSize, int basisCount) {
    ModelConfig config;
    config.inputChannels = channels;
    config.imageSize = imageSize;
    config.width = 64;
    config.splineOrder = 2;
    config.interiorKnots = basisCount - 2;
    config.placement = KnotPlacement::Published;
    return config;
}

// A plain pre-activation ResNet block: h + conv(relu(gn(conv(relu(gn(h)))))).
torch::Tensor plainResidualBlock(const torch::Tensor& h, torch::nn::GroupNorm& norm1,
                                 torch::nn::Conv2d& conv1, torch::nn::GroupNorm& norm2,
                                 torch::nn::Conv2d& conv2) {
    return h + conv2(torch::relu(norm2(conv1(torch::relu(norm1(h))))));
}

torch::nn::Conv2d plainConv(int64_t width, const torch::Tensor& weight) {
    torch::nn::Conv2d conv(torch::nn::Conv2dOptions(width, width, 3).padding(1).bias(false));
    torch::NoGradGuard noGrad;
    conv->weight.copy_(weight);
    return conv;
}

torch::nn::GroupNorm copyOf(const torch::nn::GroupNorm& source) {
    torch::nn::GroupNorm norm(source->options);
    torch::NoGradGuard noGrad;
    norm->weight.copy_(source->weight);
    norm->bias.copy_(source->bias);
    return norm;
}

}  // namespace

class TestNetwork : public QObject {
    Q_OBJECT

  private slots:
    void publishedParameterCounts_data();
    void publishedParameterCounts();
    void stemOutputSizes();
    void resnetPresetEqualsPlainResNet();
    void nodeWeightsAreConstantInDepth();
    void godeWeightsFollowTheSpline();
    void trajectoryReturnsRequestedTimes();
    void invalidConfigurationsNameTheField();
};

void TestNetwork::publishedParameterCounts_data() {
    QTest::addColumn<int>("channels");
    QTest::addColumn<int>("imageSize");
    QTest::addColumn<int>("basisCount");
    QTest::addColumn<int>("expected");
    QTest::newRow("MNIST, K = 4") << 1 << 28 << 4 << 428042;
    QTest::newRow("CIFAR-10, K = 8") << 3 << 32 << 8 << 724106;
}

// Independently: stem + head are 132,874 (MNIST) or 134,026 (CIFAR-10) parameters and the ODE
// block holds 256 + 73,728 K (method.md); both totals are the published ones.
void TestNetwork::publishedParameterCounts() {
    QFETCH(int, channels);
    QFETCH(int, imageSize);
    QFETCH(int, basisCount);
    QFETCH(int, expected);
    GodeNet net(publishedConfig(channels, imageSize, basisCount));
    QCOMPARE(net->block->field->basis().size(), basisCount);
    QCOMPARE(gode::countParameters(*net->block), int64_t(256 + 73728 * basisCount));
    QCOMPARE(gode::countParameters(*net), int64_t(expected));
}

void TestNetwork::stemOutputSizes() {
    QCOMPARE(gode::stemOutputSize(28), int64_t(6));
    QCOMPARE(gode::stemOutputSize(32), int64_t(7));
    GodeNet mnist(publishedConfig(1, 28, 4));
    QCOMPARE(mnist->stem(torch::zeros({2, 1, 28, 28})).sizes(), (torch::IntArrayRef{2, 64, 6, 6}));
    GodeNet cifar(publishedConfig(3, 32, 8));
    QCOMPARE(cifar->forward(torch::zeros({2, 3, 32, 32})).sizes(), (torch::IntArrayRef{2, 10}));
}

void TestNetwork::resnetPresetEqualsPlainResNet() {
    torch::manual_seed(3);
    const int blocks = 5;
    const int64_t width = 32;
    ModelConfig config;
    config.kind = ModelKind::Resnet;
    config.blocks = blocks;
    config.width = width;
    config.horizon = 1.0;
    GodeNet net(config);
    torch::Tensor images = torch::randn({3, 1, 28, 28});

    // The same network, built from plain convs: block l uses coefficient l of each spline conv.
    const auto& field = net->block->field;
    torch::Tensor h = net->stem(images);
    for (int l = 0; l < blocks; ++l) {
        auto norm1 = copyOf(field->norm1), norm2 = copyOf(field->norm2);
        auto conv1 = plainConv(width, field->conv1->coefficients()[l]);
        auto conv2 = plainConv(width, field->conv2->coefficients()[l]);
        h = plainResidualBlock(h, norm1, conv1, norm2, conv2);
    }
    torch::Tensor expected = net->head(h);

    torch::Tensor logits = net->forward(images);
    const double diff = gode::test::maxAbsDiff(logits, expected);
    qInfo("ResNet preset vs plain ResNet (%d blocks): max |diff| = %.3g", blocks, diff);
    QVERIFY2(diff <= 1e-5, qPrintable(QString("max |diff| %1").arg(diff)));
    QCOMPARE(net->block->lastStats().evaluations, int64_t(blocks));
}

void TestNetwork::nodeWeightsAreConstantInDepth() {
    ModelConfig config;
    config.kind = ModelKind::Node;
    config.splineOrder = 3;  // ignored by the node preset
    config.interiorKnots = 5;
    GodeNet net(config);
    const auto& conv = net->block->field->conv1;
    QCOMPARE(conv->basis().size(), 1);
    torch::Tensor atStart = conv->at(0.0);
    QVERIFY(torch::equal(atStart, conv->coefficients()[0]));
    for (double t : {0.13, 0.5, 0.99, 1.0})
        QVERIFY(torch::equal(conv->at(t), atStart));
}

// W(t) equals sum_k c_k B_k(t) computed here from all K bases.
void TestNetwork::godeWeightsFollowTheSpline() {
    ModelConfig config;
    config.splineOrder = 3;
    config.interiorKnots = 3;
    config.width = 8;
    GodeNet net(config);
    const auto& conv = net->block->field->conv2;
    for (double t : {0.0, 0.2, 0.25, 0.61, 1.0}) {
        std::vector<double> b = conv->basis().values(t);
        torch::Tensor expected = torch::zeros_like(conv->coefficients()[0]);
        for (size_t k = 0; k < b.size(); ++k)
            expected += conv->coefficients()[k] * b[k];
        QVERIFY(gode::test::maxAbsDiff(conv->at(t), expected) <= 1e-6);
    }
}

void TestNetwork::trajectoryReturnsRequestedTimes() {
    ModelConfig config;
    config.width = 8;
    config.solver.method = "rk4";
    config.solver.steps = 4;
    GodeNet net(config);
    torch::NoGradGuard noGrad;
    torch::Tensor h0 = net->stem(torch::randn({2, 1, 28, 28}));
    auto flow = net->block->trajectory(h0, {0.0, 0.5, 1.0});
    QCOMPARE(flow.states.size(), size_t(3));
    QVERIFY(torch::equal(flow.states[0], h0));
    QVERIFY(gode::test::maxAbsDiff(flow.states[2], net->block->forward(h0)) <= 1e-6);
}

void TestNetwork::invalidConfigurationsNameTheField() {
    using gode::test::messageOf;
    ModelConfig config;
    config.width = 48;
    GODE_VERIFY_CONTAINS(messageOf<gode::InvalidSetting>([&] { GodeNet{config}; }), "width = 48");
    config = ModelConfig();
    config.splineOrder = 0;
    GODE_VERIFY_CONTAINS(messageOf<gode::InvalidSetting>([&] { GodeNet{config}; }),
                         "spline order = 0");
    config = ModelConfig();
    config.solver.method = "rk45";
    GODE_VERIFY_CONTAINS(messageOf<gode::InvalidSetting>([&] { GodeNet{config}; }), "'rk45'");
    GODE_VERIFY_CONTAINS(messageOf<gode::InvalidSetting>([] { gode::modelKindFromString("x"); }),
                         "gode, node, resnet");
}

QTEST_APPLESS_MAIN(TestNetwork)
#include "test_network.moc"
