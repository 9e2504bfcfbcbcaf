// The convolution FLOP count behind gode-bench's GFLOP/s, checked against sizes and products
// worked out by hand from method.md's layer list.
#include "bench/convolution_flops.h"
#include "test_support.h"
#include "train/train_config.h"

using gode::Backprop;
using gode::GodeNet;
using gode::bench::ConvolutionFlops;
using gode::bench::iterationConvolutionFlops;

namespace {

// 2 FLOPs per multiply-add of a convolution producing `outputs` values from `inputs` channels
// through a k x k kernel.
double convFlops(double batch, double outputChannels, double side, double inputs, double k) {
    return 2.0 * batch * outputChannels * side * side * inputs * k * k;
}

}  // namespace

class TestBenchFlops : public QObject {
    Q_OBJECT

  private slots:
    // MNIST: 28 -> 26 (3x3, no padding) -> 13 (4x4, stride 2, padding 1) -> 6 (same).
    void publishedMnistStemAndField() {
        GodeNet net(gode::paperMnistConfig().model);
        const double batch = 128;
        const double stem1 = convFlops(batch, 64, 26, 1, 3);
        const double stem2 = convFlops(batch, 64, 13, 64, 4);
        const double stem3 = convFlops(batch, 64, 6, 64, 4);
        const double field = 2 * convFlops(batch, 64, 6, 64, 3);

        const ConvolutionFlops flops = iterationConvolutionFlops(*net, 128, 20, 20);
        QCOMPARE(flops.forward, stem1 + stem2 + stem3 + 20 * field);
        // Backward: weight gradients everywhere, input gradients except for the images.
        QCOMPARE(flops.backward, stem1 + 2 * (stem2 + stem3) + 20 * 2 * field);
        QCOMPARE(stem1, 99680256.0);  // 128 * 64 * 26 * 26 * 9 multiply-adds, doubled
    }

    // CIFAR-10: 32 -> 30 -> 15 -> 7, so one evaluation of f costs two 3x3 convolutions on 7x7.
    void cifarFieldEvaluationOnSevenBySeven() {
        GodeNet net(gode::paperCifar10Config().model);
        const double oneEvaluation = iterationConvolutionFlops(*net, 16, 1, 0).forward -
                                     iterationConvolutionFlops(*net, 16, 0, 0).forward;
        QCOMPARE(oneEvaluation, 2 * convFlops(16, 64, 7, 64, 3));
    }

    // Recomputing (checkpoint) or solving the adjoint adds one evaluation of f per backward
    // evaluation on top of the two gradients.
    void backwardCostFollowsTheGradientMode() {
        gode::ModelConfig config = gode::paperMnistConfig().model;
        const double field = 2 * convFlops(8, 64, 6, 64, 3);
        for (Backprop mode : {Backprop::Direct, Backprop::Checkpoint, Backprop::Adjoint}) {
            config.solver.backprop = mode;
            GodeNet net(config);
            const double perEvaluation = iterationConvolutionFlops(*net, 8, 0, 1).backward -
                                         iterationConvolutionFlops(*net, 8, 0, 0).backward;
            QCOMPARE(perEvaluation, (mode == Backprop::Direct ? 2 : 3) * field);
        }
    }
};

QTEST_APPLESS_MAIN(TestBenchFlops)
#include "test_bench_flops.moc"
