// How gradients flow back through an ODE solve: a strategy chosen beside the solver, so that
// every solver works with every mode.
//
//  direct      autograd records every stage of every step; backprop walks that record.
//              Fastest; memory grows with the number of evaluations.
//  checkpoint  the forward solve records nothing but the start state of each accepted step.
//              Backprop recomputes the steps from those states, last step first, and
//              backpropagates through each one alone. The gradient is exactly the direct one;
//              it costs one more forward pass and one stored state per step.
//              Its memory therefore still grows linearly with the steps; keeping only every
//              k-th state and recomputing whole segments would make it grow like sqrt(steps).
//  adjoint     the forward solve keeps only its final state. Backprop integrates the adjoint
//              system [h, a = dL/dh, g = dL/dparameters] from t1 back to t0 with the same solver
//              and settings, landing on the same breakpoints (the spline's knots). Memory does
//              not grow with the steps. This is the gradient of the exact ODE flow, not of the
//              solver's steps, so it matches direct only as far as both solves are accurate.
//              An adaptive backward solve controls the error of h and a only: g merely
//              accumulates and feeds nothing back (a seminorm, as in Kidger, Chen & Lyons 2021).
//              Even so it is costly at tight tolerances, because the ReLUs of the vector field
//              make the rate of a jump whenever a ReLU input changes sign.
#pragma once

#include <torch/torch.h>

#include <memory>
#include <vector>

#include "ode_system.h"
#include "solver.h"

namespace gode {

// One differentiable solve of `system` from t0 to t1.
struct DifferentiableSolve {
    std::shared_ptr<OdeSystem> system;
    // The tensors the system's rate reads its weights from (for the vector field: all of its
    // parameters, GroupNorm affine ones included). The rate must use these very tensors; in
    // every mode their gradients reach them, except for those that do not require grad.
    std::vector<torch::Tensor> parameters;
    std::shared_ptr<const Solver> solver;
    double t0 = 0.0;
    double t1 = 1.0;
};

// The work of a backward pass is reported in a SolverStats (backward runs after the forward call
// has returned, so the caller shares it with the autograd graph). Its fields mean:
//
//  evaluations  rate evaluations of the backward pass, by mode:
//     direct      evaluations recorded by the forward solve that backprop passes through, each
//                 counted once when its gradient is formed. Evaluations that feed nothing
//                 differentiable are not counted: those of rejected steps, the adaptive start-up
//                 probe, and the last stage of a first-same-as-last method's final step (it only
//                 estimates the error). So Runge-Kutta with s stages costs s per accepted step,
//                 and Dormand-Prince 6 (its 7th stage is the next step's 1st).
//     checkpoint  evaluations made while recomputing the accepted steps from their checkpoints;
//                 each one is then backpropagated once. The recomputation skips a
//                 first-same-as-last method's last stage, so the counts equal direct's.
//     adjoint     evaluations of the augmented system; each is one evaluation of f plus one
//                 vector-Jacobian product through it.
//  accepted, stepSizes  the steps the backward pass went through, in the order it met them
//                 (direct, checkpoint: the forward's accepted steps, last first; adjoint: the
//                 accepted steps of the backward solve).
//  rejected     rejected steps of the adjoint's adaptive backward solve; 0 in the other modes.
class GradientMode {
  public:
    virtual ~GradientMode() = default;
    virtual Backprop kind() const = 0;

    // Solves from `solve.t0` to `solve.t1` and returns the final state, differentiable with
    // respect to `initial` and `solve.parameters`. The forward solve's statistics are written to
    // `forward`. Each backward pass through the result adds its work to `*backward` (if set).
    virtual torch::Tensor solve(const DifferentiableSolve& solve, const torch::Tensor& initial,
                                SolverStats& forward,
                                const std::shared_ptr<SolverStats>& backward) const = 0;
};

// Checkpoint and adjoint return gradients without autograd history: a second derivative
// through them (backward with create_graph) is not available. Direct supports it.
std::unique_ptr<GradientMode> makeGradientMode(Backprop mode);

}  // namespace gode
