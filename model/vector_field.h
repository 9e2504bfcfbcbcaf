// The published vector field f(t, h) of the GODE block:
//   GroupNorm -> ReLU -> conv3x3 with W1(t) -> GroupNorm -> ReLU -> conv3x3 with W2(t).
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <memory>

#include "bspline.h"
#include "ode_system.h"
#include "spline_weight.h"

namespace gode {

class VectorFieldImpl : public torch::nn::Module, public OdeSystem {
  public:
    // `scale` multiplies the output; the ResNet preset sets it to L / T so that one Euler step
    // of size T / L adds exactly one block's residual.
    VectorFieldImpl(int64_t width, std::shared_ptr<const BSplineBasis> basis, double scale = 1.0);

    torch::Tensor rate(double t, Side side, const torch::Tensor& state) override;
    std::vector<double> breakpoints() const override { return basis_->breakpoints(); }

    const BSplineBasis& basis() const { return *basis_; }
    int64_t width() const { return width_; }
    double scale() const { return scale_; }

    // Evaluations of f since construction or the last reset.
    int64_t evaluations() const { return evaluations_; }
    void resetEvaluations() { evaluations_ = 0; }

    SplineWeight conv1{nullptr}, conv2{nullptr};
    torch::nn::GroupNorm norm1{nullptr}, norm2{nullptr};

  private:
    std::shared_ptr<const BSplineBasis> basis_;
    int64_t width_;
    double scale_;
    int64_t evaluations_ = 0;
};

TORCH_MODULE(VectorField);

// GroupNorm with min(32, channels) groups, as in the published code.
torch::nn::GroupNorm makeGroupNorm(int64_t channels);

}  // namespace gode
