// Counting the floating-point work of a training iteration's convolutions, the figure that
// achieved GFLOP/s are computed from. A multiply-add counts as 2 FLOPs. Normalisations,
// activations, the head's linear layer and the optimizer are left out: next to the convolutions
// they are a few per cent of the arithmetic, but not always of the time.
#pragma once

#include <torch/torch.h>

#include <cstdint>

#include "model/network.h"

namespace gode::bench {

struct ConvolutionFlops {
    double forward = 0.0;
    double backward = 0.0;
    double total() const { return forward + backward; }
};

// Forward FLOPs of `conv` on `batch` inputs shaped like `sample` (one image, [1, C, H, W]);
// `sample` becomes the layer's output for that image, to feed the next layer.
double conv2dForwardFlops(torch::nn::Conv2dImpl& conv, int64_t batch, torch::Tensor& sample);

// Forward FLOPs of one evaluation of the vector field: two 3x3 convolutions of `width`
// channels on `batch` square maps of side `mapSize`.
double fieldEvaluationFlops(int64_t width, int64_t batch, int64_t mapSize);

// How many forward-evaluation equivalents of convolution work one backward evaluation costs
// (gradient_modes.h defines the counts): direct backpropagates through a recorded evaluation
// (input and weight gradients: 2); checkpoint recomputes the evaluation first (3); adjoint
// evaluates f and takes its vector-Jacobian product (3).
double backwardCostPerEvaluation(Backprop mode);

// One training iteration of `net` on `batch` images whose ODE block made `forwardEvaluations`
// and `backwardEvaluations` (OdeBlockImpl::lastStats / lastBackwardStats). The stem's first
// convolution gets no input gradient, the images needing none.
ConvolutionFlops iterationConvolutionFlops(GodeNetImpl& net, int64_t batch,
                                           int64_t forwardEvaluations, int64_t backwardEvaluations);

}  // namespace gode::bench
