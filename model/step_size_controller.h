// Accept/reject decisions and the next step size for adaptive solvers.
#pragma once

#include <torch/torch.h>

namespace gode {

struct StepDecision {
    bool accept = false;
    double nextStep = 0.0;  // signed, like the step it follows
};

// Elementary (integral) controller on the mixed absolute/relative RMS error norm:
//   err = rms(e / (atol + rtol * max(|h0|, |h1|))), accept when err <= 1,
//   next = dt * clamp(safety * err^(-1 / (q + 1)), minFactor, maxFactor), q = embedded order.
class StepSizeController {
  public:
    StepSizeController(double rtol, double atol, int errorOrder);

    double rtol() const { return rtol_; }
    double atol() const { return atol_; }

    // The scaled RMS norm of `error`, given the states at both ends of the step.
    double errorNorm(const torch::Tensor& error, const torch::Tensor& before,
                     const torch::Tensor& after) const;

    // Norm of `value` scaled by the tolerances against `reference`; used for the first step.
    double scaledNorm(const torch::Tensor& value, const torch::Tensor& reference) const;

    // A non-finite error norm is a rejection with the smallest factor.
    StepDecision decide(double errorNorm, double step) const;

    static constexpr double kSafety = 0.9;
    static constexpr double kMinFactor = 0.2;
    static constexpr double kMaxFactor = 10.0;

  private:
    double rtol_;
    double atol_;
    int errorOrder_;
};

}  // namespace gode
