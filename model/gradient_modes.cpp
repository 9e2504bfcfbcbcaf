#include "gradient_modes.h"

#include <cmath>
#include <utility>

#include "runge_kutta.h"

namespace gode {

namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

void recordBackwardStep(SolverStats& stats, double t, double tEnd) {
    ++stats.accepted;
    stats.stepSizes.push_back(std::abs(tEnd - t));
}

void addWork(SolverStats& total, const SolverStats& work) {
    total.evaluations += work.evaluations;
    total.accepted += work.accepted;
    total.rejected += work.rejected;
    total.stepSizes.insert(total.stepSizes.end(), work.stepSizes.begin(), work.stepSizes.end());
}

// The parameters that want gradients. Backward passes differentiate only with respect to them,
// because autograd refuses to differentiate with respect to a tensor that does not require grad.
class TrainableParameters {
  public:
    explicit TrainableParameters(const std::vector<torch::Tensor>& all) : count_(all.size()) {
        for (size_t i = 0; i < all.size(); ++i) {
            if (!all[i].requires_grad())
                continue;
            tensors_.push_back(all[i]);
            positions_.push_back(i);
        }
    }

    const std::vector<torch::Tensor>& tensors() const { return tensors_; }

    // `first` followed by these parameters: the inputs of one vector-Jacobian product.
    variable_list after(const torch::Tensor& first) const {
        variable_list inputs{first};
        inputs.insert(inputs.end(), tensors_.begin(), tensors_.end());
        return inputs;
    }

    // One gradient per parameter of the full list (undefined where none was asked for), given
    // the gradients of the trainable ones in order.
    variable_list spread(const std::vector<torch::Tensor>& gradients) const {
        variable_list all(count_);
        for (size_t j = 0; j < positions_.size(); ++j)
            all[positions_[j]] = gradients[j];
        return all;
    }

  private:
    size_t count_;
    std::vector<torch::Tensor> tensors_;
    std::vector<size_t> positions_;
};

torch::Tensor orZeros(const torch::Tensor& gradient, const torch::Tensor& like) {
    return gradient.defined() ? gradient : torch::zeros_like(like);
}

// ---------------------------------------------------------------------------------------------
// direct

// Passes the rate through unchanged and counts each evaluation when backprop forms its gradient,
// so only the evaluations that backprop really passes through are counted.
class BackpropCountingSystem : public OdeSystem {
  public:
    BackpropCountingSystem(OdeSystem& inner, std::shared_ptr<SolverStats> backward)
        : inner_(inner), backward_(std::move(backward)) {}

    torch::Tensor rate(double t, Side side, const torch::Tensor& state) override {
        torch::Tensor rate = inner_.rate(t, side, state);
        if (backward_ && rate.requires_grad())
            rate.register_hook([stats = backward_](const torch::Tensor&) { ++stats->evaluations; });
        return rate;
    }

    std::vector<double> breakpoints() const override { return inner_.breakpoints(); }

  private:
    OdeSystem& inner_;
    std::shared_ptr<SolverStats> backward_;
};

class DirectGradient : public GradientMode {
  public:
    Backprop kind() const override { return Backprop::Direct; }

    torch::Tensor solve(const DifferentiableSolve& solve, const torch::Tensor& initial,
                        SolverStats& forward,
                        const std::shared_ptr<SolverStats>& backward) const override {
        BackpropCountingSystem counted(*solve.system, backward);
        SolveRequest request{solve.t0, solve.t1, {}, {}, 0};
        if (backward)
            request.onStep = [backward](double t, double tEnd, const torch::Tensor&,
                                        const torch::Tensor& after) {
                if (after.requires_grad())
                    after.register_hook([backward, t, tEnd](const torch::Tensor&) {
                        recordBackwardStep(*backward, t, tEnd);
                    });
            };

        Solution solution = solve.solver->solve(counted, initial, request);
        forward = std::move(solution.stats);
        return solution.final;
    }
};

// ---------------------------------------------------------------------------------------------
// What checkpoint and adjoint keep for their backward pass. It holds more than tensors, so it
// rides in the autograd context as a capsule.

struct Checkpoint {
    double t;
    double tEnd;
    torch::Tensor start;  // the state at t, without autograd history
};

struct BackwardPlan : torch::CustomClassHolder {
    DifferentiableSolve solve;
    std::shared_ptr<SolverStats> backward;
    SolverStats forward;                  // filled by the forward pass for the caller
    std::vector<Checkpoint> checkpoints;  // checkpoint mode only
};

using PlanPointer = c10::intrusive_ptr<BackwardPlan>;

void keepPlan(AutogradContext* ctx, const PlanPointer& plan) {
    ctx->saved_data["plan"] = c10::IValue::make_capsule(plan);
}

PlanPointer planOf(AutogradContext* ctx) {
    return c10::static_intrusive_pointer_cast<BackwardPlan>(ctx->saved_data.at("plan").toCapsule());
}

// The gradients a custom Function returns: one per input of its forward, which are the initial
// state, each parameter, and the plan (not a tensor, so no gradient).
variable_list functionGradients(const torch::Tensor& initialGradient,
                                const TrainableParameters& trainable,
                                const std::vector<torch::Tensor>& parameterGradients) {
    variable_list result{initialGradient};
    variable_list parameters = trainable.spread(parameterGradients);
    result.insert(result.end(), parameters.begin(), parameters.end());
    result.emplace_back();
    return result;
}

void report(const PlanPointer& plan, const SolverStats& work) {
    if (plan->backward)
        addWork(*plan->backward, work);
}

// ---------------------------------------------------------------------------------------------
// checkpoint

// Recomputes one step from its checkpoint with autograd on and backpropagates `adjoint`
// (dL/dstate at the step's end) through it. Adds the parameter gradients to `sums` and returns
// dL/dstate at the step's start.
torch::Tensor backpropagateStep(const DifferentiableSolve& solve, const Checkpoint& checkpoint,
                                const torch::Tensor& adjoint, const TrainableParameters& trainable,
                                std::vector<torch::Tensor>& sums, SolverStats& work) {
    torch::Tensor start = checkpoint.start.detach().requires_grad_(true);
    RungeKuttaStep step = rungeKuttaStep(*solve.system, solve.solver->tableau(), checkpoint.t,
                                         checkpoint.tEnd, start, {}, StepOutputs::StateOnly);
    work.evaluations += step.evaluations;
    recordBackwardStep(work, checkpoint.t, checkpoint.tEnd);

    variable_list gradients = torch::autograd::grad({step.next}, trainable.after(start), {adjoint},
                                                    /*retain_graph=*/false,
                                                    /*create_graph=*/false, /*allow_unused=*/true);
    for (size_t j = 0; j < sums.size(); ++j)
        if (gradients[j + 1].defined())
            sums[j] = sums[j].defined() ? sums[j] + gradients[j + 1] : gradients[j + 1];
    return orZeros(gradients[0], adjoint);
}

class CheckpointedSolve : public torch::autograd::Function<CheckpointedSolve> {
  public:
    // `parameters` are inputs only so that autograd sends their gradients back; the system's
    // rate reads them itself.
    static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& initial,
                                 torch::TensorList /*parameters*/, const PlanPointer& plan) {
        const DifferentiableSolve& solve = plan->solve;
        SolveRequest request{solve.t0, solve.t1, {}, {}, 0};
        request.onStep = [&plan](double t, double tEnd, const torch::Tensor& before,
                                 const torch::Tensor&) {
            plan->checkpoints.push_back({t, tEnd, before.detach()});
        };
        Solution solution = solve.solver->solve(*solve.system, initial, request);

        plan->forward = std::move(solution.stats);
        keepPlan(ctx, plan);
        return solution.final;
    }

    static variable_list backward(AutogradContext* ctx, variable_list outputGradients) {
        PlanPointer plan = planOf(ctx);
        const TrainableParameters trainable(plan->solve.parameters);
        torch::AutoGradMode gradients(true);  // the recomputed steps must be recorded

        torch::Tensor adjoint = outputGradients[0].detach();
        std::vector<torch::Tensor> sums(trainable.tensors().size());
        SolverStats work;
        for (auto step = plan->checkpoints.rbegin(); step != plan->checkpoints.rend(); ++step)
            adjoint = backpropagateStep(plan->solve, *step, adjoint, trainable, sums, work);

        for (size_t j = 0; j < sums.size(); ++j)
            sums[j] = orZeros(sums[j], trainable.tensors()[j]);
        report(plan, work);
        return functionGradients(adjoint, trainable, sums);
    }
};

// ---------------------------------------------------------------------------------------------
// adjoint

// The adjoint system of dh/dt = f(t, h; p), for a loss L of h(t1):
//     dh/dt = f,   da/dt = -a^T df/dh,   dg/dt = -a^T df/dp,
// solved from t1 (a = dL/dh(t1), g = 0) back to t0, where a = dL/dh(t0) and g = dL/dp.
// h is recomputed on the way back instead of stored. The three parts are packed into one flat
// tensor so that any solver integrates them, landing on the breakpoints of f.
class AdjointSystem : public OdeSystem {
  public:
    AdjointSystem(OdeSystem& system, std::vector<torch::Tensor> trainable,
                  torch::IntArrayRef stateShape)
        : system_(system),
          trainable_(std::move(trainable)),
          stateShape_(stateShape.vec()),
          stateSize_(c10::multiply_integers(stateShape)) {}

    // [h, a, g = 0]
    torch::Tensor pack(const torch::Tensor& state, const torch::Tensor& adjoint) const {
        std::vector<torch::Tensor> parts{state.reshape(-1), adjoint.reshape(-1)};
        for (const torch::Tensor& parameter : trainable_)
            parts.push_back(torch::zeros({parameter.numel()}, state.options()));
        return torch::cat(parts);
    }

    // The leading part of the packed state that feeds back into itself: h and a. The parameter
    // gradients g only accumulate, so error control may leave them out (a seminorm).
    int64_t stateAndAdjointSize() const { return 2 * stateSize_; }

    torch::Tensor adjointPart(const torch::Tensor& packed) const {
        return packed.narrow(0, stateSize_, stateSize_).view(stateShape_);
    }

    std::vector<torch::Tensor> parameterGradients(const torch::Tensor& packed) const {
        std::vector<torch::Tensor> gradients;
        int64_t offset = 2 * stateSize_;
        for (const torch::Tensor& parameter : trainable_) {
            gradients.push_back(packed.narrow(0, offset, parameter.numel()).view_as(parameter));
            offset += parameter.numel();
        }
        return gradients;
    }

    torch::Tensor rate(double t, Side side, const torch::Tensor& packed) override {
        // Autograd forms the vector-Jacobian products, even where a solver probes under no-grad.
        torch::AutoGradMode gradients(true);
        torch::Tensor state = statePart(packed).detach().requires_grad_(true);
        torch::Tensor f = system_.rate(t, side, state);
        if (!f.requires_grad())  // f depends neither on h nor on a trainable parameter
            return torch::cat(
                {f.reshape(-1), torch::zeros({packed.numel() - stateSize_}, packed.options())});

        const variable_list inputs = [&] {
            variable_list list{state};
            list.insert(list.end(), trainable_.begin(), trainable_.end());
            return list;
        }();
        variable_list products = torch::autograd::grad({f}, inputs, {adjointPart(packed)},
                                                       /*retain_graph=*/false,
                                                       /*create_graph=*/false,
                                                       /*allow_unused=*/true);

        std::vector<torch::Tensor> parts{f.detach().reshape(-1)};
        for (size_t i = 0; i < inputs.size(); ++i)
            parts.push_back(-orZeros(products[i], inputs[i]).reshape(-1));
        return torch::cat(parts);
    }

    std::vector<double> breakpoints() const override { return system_.breakpoints(); }

  private:
    torch::Tensor statePart(const torch::Tensor& packed) const {
        return packed.narrow(0, 0, stateSize_).view(stateShape_);
    }

    OdeSystem& system_;
    std::vector<torch::Tensor> trainable_;
    std::vector<int64_t> stateShape_;
    int64_t stateSize_;
};

class AdjointSolve : public torch::autograd::Function<AdjointSolve> {
  public:
    // `parameters` are inputs only so that autograd sends their gradients back; the system's
    // rate reads them itself.
    static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& initial,
                                 torch::TensorList /*parameters*/, const PlanPointer& plan) {
        const DifferentiableSolve& solve = plan->solve;
        Solution solution =
            solve.solver->solve(*solve.system, initial, {solve.t0, solve.t1, {}, {}, 0});

        plan->forward = std::move(solution.stats);
        keepPlan(ctx, plan);
        ctx->save_for_backward({solution.final});
        return solution.final;
    }

    static variable_list backward(AutogradContext* ctx, variable_list outputGradients) {
        PlanPointer plan = planOf(ctx);
        const DifferentiableSolve& solve = plan->solve;
        const TrainableParameters trainable(solve.parameters);
        const torch::Tensor final = ctx->get_saved_variables()[0].detach();

        AdjointSystem system(*solve.system, trainable.tensors(), final.sizes());
        torch::Tensor start = system.pack(final, outputGradients[0].detach());
        const SolveRequest request{solve.t1, solve.t0, {}, {}, system.stateAndAdjointSize()};
        Solution back = solve.solver->solve(system, start, request);

        // Clones, so that no gradient keeps the whole packed state alive as a view of it.
        std::vector<torch::Tensor> parameterGradients;
        for (const torch::Tensor& gradient : system.parameterGradients(back.final))
            parameterGradients.push_back(gradient.clone());
        report(plan, back.stats);
        return functionGradients(system.adjointPart(back.final).clone(), trainable,
                                 parameterGradients);
    }
};

// ---------------------------------------------------------------------------------------------

// Checkpoint and adjoint: a custom autograd Function whose inputs are the initial state and
// every parameter, so that autograd routes all their gradients through its backward.
template <typename SolveFunction>
class CustomFunctionGradient : public GradientMode {
  public:
    explicit CustomFunctionGradient(Backprop kind) : kind_(kind) {}
    Backprop kind() const override { return kind_; }

    torch::Tensor solve(const DifferentiableSolve& solve, const torch::Tensor& initial,
                        SolverStats& forward,
                        const std::shared_ptr<SolverStats>& backward) const override {
        auto plan = c10::make_intrusive<BackwardPlan>();
        plan->solve = solve;
        plan->backward = backward;
        torch::Tensor final =
            SolveFunction::apply(initial, torch::TensorList(solve.parameters), plan);
        forward = std::move(plan->forward);
        return final;
    }

  private:
    Backprop kind_;
};

}  // namespace

std::unique_ptr<GradientMode> makeGradientMode(Backprop mode) {
    switch (mode) {
        case Backprop::Direct:
            return std::make_unique<DirectGradient>();
        case Backprop::Checkpoint:
            return std::make_unique<CustomFunctionGradient<CheckpointedSolve>>(mode);
        case Backprop::Adjoint:
            return std::make_unique<CustomFunctionGradient<AdjointSolve>>(mode);
    }
    return std::make_unique<DirectGradient>();
}

}  // namespace gode
