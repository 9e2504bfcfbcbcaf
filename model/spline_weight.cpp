#include "spline_weight.h"

namespace gode {

SplineWeightImpl::SplineWeightImpl(std::shared_ptr<const BSplineBasis> basis,
                                   std::vector<int64_t> shape)
    : basis_(std::move(basis)) {
    std::vector<int64_t> stacked{basis_->size()};
    stacked.insert(stacked.end(), shape.begin(), shape.end());
    coefficients_ = register_parameter("coefficients", torch::empty(stacked));

    // Same bound as torch.nn.Conv2d's default: kaiming_uniform(a = sqrt(5)) = 1 / sqrt(fan_in).
    torch::NoGradGuard noGrad;
    for (int64_t k = 0; k < basis_->size(); ++k)
        torch::nn::init::kaiming_uniform_(coefficients_[k], std::sqrt(5.0));
}

torch::Tensor SplineWeightImpl::at(double t, Side side) const {
    BasisWindow window = basis_->nonZero(t, side);

    torch::Tensor weight;
    for (size_t j = 0; j < window.values.size(); ++j) {
        if (window.values[j] == 0.0)
            continue;
        torch::Tensor term =
            coefficients_[window.first + static_cast<int64_t>(j)] * window.values[j];
        weight = weight.defined() ? weight + term : term;
    }
    return weight.defined() ? weight : torch::zeros_like(coefficients_[0]);
}

}  // namespace gode
