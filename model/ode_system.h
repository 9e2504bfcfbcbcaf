// What a solver integrates: dh/dt = rate(t, h).
#pragma once

#include <torch/torch.h>

#include <vector>

#include "bspline.h"

namespace gode {

class OdeSystem {
  public:
    virtual ~OdeSystem() = default;

    // dh/dt at time t. `side` says which piece of a piecewise-in-t rate to use when t sits
    // exactly on a breakpoint; solvers pass the side that faces the inside of the step.
    virtual torch::Tensor rate(double t, Side side, const torch::Tensor& state) = 0;

    // Times in the open interval of integration where the rate is not smooth in t. No solver
    // step crosses one of them.
    virtual std::vector<double> breakpoints() const { return {}; }
};

}  // namespace gode
