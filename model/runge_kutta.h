// One explicit Runge-Kutta step for any tableau.
#pragma once

#include <torch/torch.h>

#include "butcher_tableau.h"
#include "ode_system.h"

namespace gode {

struct RungeKuttaStep {
    torch::Tensor next;       // state at the end of the step
    torch::Tensor error;      // local error estimate (no autograd history); undefined if none
    torch::Tensor firstRate;  // f(t, state), reusable when a rejected step is retried
    torch::Tensor lastRate;   // f(tEnd, next) for first-same-as-last methods, else undefined
    int evaluations = 0;      // rate evaluations this step made
};

// What a caller needs from a step. StateOnly skips the work that only serves step-size control:
// the error estimate and, for first-same-as-last methods, the last stage's evaluation (it feeds
// only the error and the next step's first rate). Recomputing a known step needs no more.
enum class StepOutputs { All, StateOnly };

// Advances `state` from t to tEnd (either direction). `firstRate`, when given, is f(t, state)
// already known (first-same-as-last reuse) and saves one evaluation. Every stage asks the
// system for the side of a breakpoint that faces the inside of [t, tEnd].
RungeKuttaStep rungeKuttaStep(OdeSystem& system, const ButcherTableau& tableau, double t,
                              double tEnd, const torch::Tensor& state,
                              const torch::Tensor& firstRate = {},
                              StepOutputs outputs = StepOutputs::All);

}  // namespace gode
