#include "solver.h"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "errors.h"
#include "runge_kutta.h"
#include "time_grid.h"

namespace gode {

namespace {

std::string timeText(double t) {
    std::ostringstream text;
    text << t;
    return text.str();
}

bool allFinite(const torch::Tensor& state) {
    return torch::isfinite(state).all().item<bool>();
}

void requireFinite(const torch::Tensor& state, double t) {
    if (!allFinite(state))
        throw SolverFailure(SolverFailure::Kind::NonFiniteState,
                            "the ODE state became NaN or infinite at t = " + timeText(t) +
                                "; lower the learning rate, or use smaller or adaptive steps");
}

// Collects the states at the output times as the solve passes them.
class OutputRecorder {
  public:
    OutputRecorder(const TimeGrid& grid, Solution& solution) : grid_(grid), solution_(solution) {
        solution_.times = grid.outputTimes;
        solution_.states.resize(grid.outputTimes.size());
    }

    void reached(int node, const torch::Tensor& state) {
        for (size_t i = 0; i < grid_.outputNodes.size(); ++i)
            if (grid_.outputNodes[i] == node)
                solution_.states[i] = state;
    }

  private:
    const TimeGrid& grid_;
    Solution& solution_;
};

// The step to take from t when `target` is more than one step dt away. When it is less than two
// steps away, the remaining distance is split in halves: a full step would leave a sliver before
// the target, and a tiny step there wastes evaluations and upsets the next step-size estimate.
double stepBefore(double target, double t, double dt) {
    const double remaining = target - t;
    return std::abs(remaining) < 2.0 * std::abs(dt) ? remaining / 2.0 : dt;
}

void recordStep(SolverStats& stats, double t, double tEnd) {
    ++stats.accepted;
    stats.stepSizes.push_back(std::abs(tEnd - t));
}

// The part of `tensor` that error control watches: its first `count` elements (0: all).
torch::Tensor watched(const torch::Tensor& tensor, int64_t count) {
    if (count <= 0 || count >= tensor.numel())
        return tensor;
    return tensor.reshape(-1).narrow(0, 0, count);
}

}  // namespace

// ---------------------------------------------------------------------------------------------

FixedStepSolver::FixedStepSolver(const ButcherTableau& tableau, int steps)
    : tableau_(tableau), steps_(steps) {
    if (steps < 1)
        throw InvalidSetting("steps = " + std::to_string(steps) + " is invalid; it must be >= 1");
}

Solution FixedStepSolver::solve(OdeSystem& system, const torch::Tensor& initial,
                                const SolveRequest& request) const {
    const TimeGrid grid =
        makeTimeGrid(request.t0, request.t1, system.breakpoints(), request.outputTimes, steps_);
    Solution solution;
    OutputRecorder outputs(grid, solution);
    outputs.reached(-1, initial);

    torch::Tensor state = initial;
    double t = request.t0;
    for (size_t node = 0; node < grid.nodes.size() && request.t0 != request.t1; ++node) {
        const double tEnd = grid.nodes[node];
        RungeKuttaStep step = rungeKuttaStep(system, tableau_, t, tEnd, state);
        solution.stats.evaluations += step.evaluations;
        requireFinite(step.next, tEnd);

        recordStep(solution.stats, t, tEnd);
        if (request.onStep)
            request.onStep(t, tEnd, state, step.next);
        state = step.next;
        t = tEnd;
        outputs.reached(static_cast<int>(node), state);
    }
    solution.final = state;
    return solution;
}

// ---------------------------------------------------------------------------------------------

AdaptiveSolver::AdaptiveSolver(const ButcherTableau& tableau, StepSizeController controller,
                               int maxSteps, double firstStep)
    : tableau_(tableau), controller_(controller), maxSteps_(maxSteps), firstStep_(firstStep) {
    if (!tableau.hasErrorEstimate())
        throw InvalidSetting("solver '" + tableau.name +
                             "' has no error estimate and cannot adapt its steps");
    if (maxSteps < 1)
        throw InvalidSetting("maximum steps = " + std::to_string(maxSteps) +
                             " is invalid; it must be >= 1");
}

// Hairer, Norsett & Wanner, Solving ODEs I, section II.4: a step whose Euler error is about 1%
// of the state, refined by a second-derivative estimate. Never reaches past `limit`.
double AdaptiveSolver::initialStep(OdeSystem& system, double t0, double limit,
                                   const torch::Tensor& state, const torch::Tensor& rate,
                                   int64_t controlledElements, SolverStats& stats) const {
    torch::NoGradGuard noGrad;
    const double direction = limit >= t0 ? 1.0 : -1.0;
    const double reach = std::abs(limit - t0);
    auto norm = [&](const torch::Tensor& value) {
        return controller_.scaledNorm(watched(value, controlledElements),
                                      watched(state, controlledElements));
    };

    const double d0 = norm(state);
    const double d1 = norm(rate);
    double h0 = (d0 < 1e-5 || d1 < 1e-5) ? 1e-6 : 0.01 * d0 / d1;
    h0 = std::min(h0, reach);

    const double tProbe = t0 + direction * h0;
    torch::Tensor probeState = state.add(rate, direction * h0);
    const Side side = direction > 0 ? Side::Left : Side::Right;
    torch::Tensor probeRate = system.rate(tProbe, side, probeState);
    ++stats.evaluations;

    const double d2 = norm(probeRate - rate) / h0;
    const double largest = std::max(d1, d2);
    const double h1 = largest <= 1e-15 ? std::max(1e-6, h0 * 1e-3)
                                       : std::pow(0.01 / largest, 1.0 / (tableau_.order + 1));
    return direction * std::min({100 * h0, h1, reach});
}

Solution AdaptiveSolver::solve(OdeSystem& system, const torch::Tensor& initial,
                               const SolveRequest& request) const {
    const TimeGrid grid =
        makeTimeGrid(request.t0, request.t1, system.breakpoints(), request.outputTimes, 0);
    Solution solution;
    SolverStats& stats = solution.stats;
    OutputRecorder outputs(grid, solution);
    outputs.reached(-1, initial);
    solution.final = initial;
    if (request.t0 == request.t1)
        return solution;
    requireFinite(initial, request.t0);

    const double span = std::abs(request.t1 - request.t0);
    const double smallestStep = 1e-12 * std::max(span, std::abs(request.t0));
    const Side startSide = request.t1 > request.t0 ? Side::Right : Side::Left;

    torch::Tensor state = initial;
    double t = request.t0;
    torch::Tensor firstRate = system.rate(t, startSide, state);
    ++stats.evaluations;
    double dt = firstStep_ > 0.0 ? std::copysign(firstStep_, request.t1 - request.t0)
                                 : initialStep(system, t, grid.nodes.front(), state, firstRate,
                                               request.controlledElements, stats);

    for (size_t node = 0; node < grid.nodes.size(); ++node) {
        const double target = grid.nodes[node];
        while (t != target) {
            // Land exactly on the next breakpoint, output time or end if the step reaches it.
            const bool lands = std::abs(target - t) <= std::abs(dt) * (1.0 + 1e-9);
            const double tEnd = lands ? target : t + stepBefore(target, t, dt);
            if (stats.accepted + stats.rejected >= maxSteps_)
                throw SolverFailure(SolverFailure::Kind::MaxStepsReached,
                                    "the adaptive solver reached its maximum of " +
                                        std::to_string(maxSteps_) + " steps at t = " + timeText(t) +
                                        "; loosen rtol/atol or raise max steps");
            if (std::abs(tEnd - t) < smallestStep)
                throw SolverFailure(SolverFailure::Kind::StepUnderflow,
                                    "the step size fell below " + timeText(smallestStep) +
                                        " at t = " + timeText(t) +
                                        "; the dynamics are too stiff or non-finite for "
                                        "these tolerances (loosen rtol/atol or lower the "
                                        "learning rate)");

            RungeKuttaStep step = rungeKuttaStep(system, tableau_, t, tEnd, state, firstRate);
            stats.evaluations += step.evaluations;
            const int64_t watch = request.controlledElements;
            const double error = controller_.errorNorm(
                watched(step.error, watch), watched(state, watch), watched(step.next, watch));
            const StepDecision decision = controller_.decide(error, tEnd - t);

            if (!decision.accept) {
                ++stats.rejected;
                dt = decision.nextStep;
                firstRate = step.firstRate;
                continue;
            }

            recordStep(stats, t, tEnd);
            if (request.onStep)
                request.onStep(t, tEnd, state, step.next);
            state = step.next;
            t = tEnd;
            dt = decision.nextStep;
            // A jump in the rate at a breakpoint makes the last stage unusable as the next first.
            const bool reuse = tableau_.firstSameAsLast && !(lands && grid.isBreakpoint[node]);
            firstRate = reuse ? step.lastRate : torch::Tensor();
        }
        outputs.reached(static_cast<int>(node), state);
    }
    solution.final = state;
    return solution;
}

}  // namespace gode
