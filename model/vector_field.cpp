#include "vector_field.h"

#include <algorithm>

namespace gode {

namespace F = torch::nn::functional;

torch::nn::GroupNorm makeGroupNorm(int64_t channels) {
    return torch::nn::GroupNorm(
        torch::nn::GroupNormOptions(std::min<int64_t>(32, channels), channels));
}

VectorFieldImpl::VectorFieldImpl(int64_t width, std::shared_ptr<const BSplineBasis> basis,
                                 double scale)
    : basis_(std::move(basis)), width_(width), scale_(scale) {
    norm1 = register_module("norm1", makeGroupNorm(width));
    conv1 =
        register_module("conv1", SplineWeight(basis_, std::vector<int64_t>{width, width, 3, 3}));
    norm2 = register_module("norm2", makeGroupNorm(width));
    conv2 =
        register_module("conv2", SplineWeight(basis_, std::vector<int64_t>{width, width, 3, 3}));
}

torch::Tensor VectorFieldImpl::rate(double t, Side side, const torch::Tensor& state) {
    ++evaluations_;
    auto conv = F::Conv2dFuncOptions().padding(1);

    torch::Tensor out = torch::relu(norm1(state));
    out = F::conv2d(out, conv1->at(t, side), conv);
    out = torch::relu(norm2(out));
    out = F::conv2d(out, conv2->at(t, side), conv);
    return scale_ == 1.0 ? out : out * scale_;
}

}  // namespace gode
