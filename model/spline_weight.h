// A weight tensor that varies with depth: W(t) = sum_k c_k B_k(t).
#pragma once

#include <torch/torch.h>

#include <memory>
#include <vector>

#include "bspline.h"

namespace gode {

class SplineWeightImpl : public torch::nn::Module {
  public:
    // One coefficient tensor of `shape` per basis function, stacked along a leading K axis and
    // initialised each like a conv weight of that shape (Kaiming-uniform).
    SplineWeightImpl(std::shared_ptr<const BSplineBasis> basis, std::vector<int64_t> shape);

    // W(t), built from the non-zero bases only.
    torch::Tensor at(double t, Side side = Side::Right) const;

    const BSplineBasis& basis() const { return *basis_; }
    const torch::Tensor& coefficients() const { return coefficients_; }

  private:
    std::shared_ptr<const BSplineBasis> basis_;
    torch::Tensor coefficients_;  // [K, shape...]
};

TORCH_MODULE(SplineWeight);

}  // namespace gode
