#include "step_size_controller.h"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "errors.h"

namespace gode {

StepSizeController::StepSizeController(double rtol, double atol, int errorOrder)
    : rtol_(rtol), atol_(atol), errorOrder_(errorOrder) {
    auto bad = [](const char* name, double value) {
        std::ostringstream text;
        text << name << " = " << value << " is invalid; it must be >= 0";
        return InvalidSetting(text.str());
    };
    if (!(rtol >= 0.0) || !std::isfinite(rtol))
        throw bad("rtol", rtol);
    if (!(atol >= 0.0) || !std::isfinite(atol))
        throw bad("atol", atol);
    if (rtol == 0.0 && atol == 0.0)
        throw InvalidSetting("rtol and atol are both 0; at least one must be positive");
}

double StepSizeController::scaledNorm(const torch::Tensor& value,
                                      const torch::Tensor& reference) const {
    torch::NoGradGuard noGrad;
    torch::Tensor scale = reference.abs().mul(rtol_).add(atol_);
    return (value / scale).pow(2).mean().sqrt().item<double>();
}

double StepSizeController::errorNorm(const torch::Tensor& error, const torch::Tensor& before,
                                     const torch::Tensor& after) const {
    torch::NoGradGuard noGrad;
    return scaledNorm(error, torch::max(before.abs(), after.abs()));
}

StepDecision StepSizeController::decide(double errorNorm, double step) const {
    if (!std::isfinite(errorNorm))
        return {false, step * kMinFactor};

    const double factor = errorNorm == 0.0
                              ? kMaxFactor
                              : std::clamp(kSafety * std::pow(errorNorm, -1.0 / (errorOrder_ + 1)),
                                           kMinFactor, kMaxFactor);
    const bool accept = errorNorm <= 1.0;
    return {accept, step * (accept ? factor : std::min(factor, 1.0))};
}

}  // namespace gode
