#include "runge_kutta.h"

#include <algorithm>
#include <vector>

namespace gode {

namespace {

// sum_j weights[j] * rates[j], skipping zero weights; undefined when every weight is zero.
torch::Tensor weightedSum(const std::vector<double>& weights,
                          const std::vector<torch::Tensor>& rates) {
    torch::Tensor total;
    for (size_t j = 0; j < rates.size() && j < weights.size(); ++j) {
        if (weights[j] == 0.0)
            continue;
        total = total.defined() ? total.add(rates[j], weights[j]) : rates[j] * weights[j];
    }
    return total;
}

torch::Tensor advance(const torch::Tensor& state, const torch::Tensor& increment, double dt) {
    return increment.defined() ? state.add(increment, dt) : state;
}

}  // namespace

RungeKuttaStep rungeKuttaStep(OdeSystem& system, const ButcherTableau& tableau, double t,
                              double tEnd, const torch::Tensor& state,
                              const torch::Tensor& firstRate, StepOutputs outputs) {
    const double dt = tEnd - t;
    const double upper = std::max(t, tEnd);
    const int stages = tableau.stages();
    const bool stateOnly = outputs == StepOutputs::StateOnly;
    const bool skipLastRate = stateOnly && tableau.firstSameAsLast;
    RungeKuttaStep step;
    std::vector<torch::Tensor> rates;
    rates.reserve(stages);

    // Stages: k_i = f(t + c_i dt, h + dt sum_j a_ij k_j).
    torch::Tensor stageState = state;
    for (int i = 0; i < stages; ++i) {
        if (i == 0 && firstRate.defined()) {
            rates.push_back(firstRate);
            continue;
        }
        const double c = tableau.c[i];
        const double stageTime = c == 1.0 ? tEnd : t + c * dt;
        const Side side = stageTime == upper ? Side::Left : Side::Right;
        stageState = advance(state, weightedSum(tableau.a[i], rates), dt);
        if (skipLastRate && i == stages - 1)
            break;
        rates.push_back(system.rate(stageTime, side, stageState));
        ++step.evaluations;
    }

    // Solution: the last stage state already is h + dt sum_j b_j k_j for FSAL methods.
    if (tableau.firstSameAsLast) {
        step.next = stageState;
        step.lastRate = skipLastRate ? torch::Tensor() : rates.back();
    } else {
        step.next = advance(state, weightedSum(tableau.b, rates), dt);
    }

    step.firstRate = rates.front();
    if (tableau.hasErrorEstimate() && !stateOnly) {
        torch::NoGradGuard noGrad;
        step.error = weightedSum(tableau.errorWeights, rates) * dt;
    }
    return step;
}

}  // namespace gode
