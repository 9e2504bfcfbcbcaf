#include "convolution_flops.h"

namespace gode::bench {

double conv2dForwardFlops(torch::nn::Conv2dImpl& conv, int64_t batch, torch::Tensor& sample) {
    // The output's shape comes from the layer itself, so stride and padding need no decoding.
    torch::NoGradGuard noGrad;
    sample = conv.forward(sample);

    const auto& options = conv.options;
    const auto kernel = *options.kernel_size();
    const double perOutput =
        double(options.in_channels() / options.groups()) * double(kernel[0] * kernel[1]);
    return 2.0 * double(batch) * double(sample.numel()) * perOutput;
}

double fieldEvaluationFlops(int64_t width, int64_t batch, int64_t mapSize) {
    const double oneConvolution = 2.0 * batch * width * width * 9.0 * mapSize * mapSize;
    return 2.0 * oneConvolution;
}

double backwardCostPerEvaluation(Backprop mode) {
    return mode == Backprop::Direct ? 2.0 : 3.0;
}

ConvolutionFlops iterationConvolutionFlops(GodeNetImpl& net, int64_t batch,
                                           int64_t forwardEvaluations,
                                           int64_t backwardEvaluations) {
    const ModelConfig& config = net.config();
    const torch::Device device = net.stem->conv1->weight.device();
    torch::Tensor sample =
        torch::zeros({1, config.inputChannels, config.imageSize, config.imageSize}, device);
    StemImpl& stem = *net.stem;
    const double first = conv2dForwardFlops(*stem.conv1, batch, sample);
    const double second = conv2dForwardFlops(*stem.conv2, batch, sample);
    const double third = conv2dForwardFlops(*stem.conv3, batch, sample);
    const int64_t mapSize = sample.size(-1);

    ConvolutionFlops flops;
    flops.forward = first + second + third;
    flops.backward = first + 2.0 * (second + third);

    const double evaluation = fieldEvaluationFlops(config.width, batch, mapSize);
    flops.forward += forwardEvaluations * evaluation;
    flops.backward +=
        backwardEvaluations * evaluation * backwardCostPerEvaluation(net.block->backprop());
    return flops;
}

}  // namespace gode::bench
