// ODE solvers on [t0, t1]: fixed-step and adaptive explicit Runge-Kutta methods whose steps
// land on the system's breakpoints and on the requested output times.
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "butcher_tableau.h"
#include "ode_system.h"
#include "step_size_controller.h"

namespace gode {

// How gradients flow back through a solve.
//  Direct: autograd records every step (fastest; memory grows with the number of steps).
//  Checkpoint: states kept at step starts, each step recomputed during backprop (exact).
//  Adjoint: the continuous adjoint solved backwards in t (flat memory; approximate).
enum class Backprop { Direct, Checkpoint, Adjoint };

std::string toString(Backprop mode);
Backprop backpropFromString(const std::string& name);  // throws InvalidSetting with the choices

struct SolverOptions {
    std::string method = "euler";  // a name from solverCatalog()
    Backprop backprop = Backprop::Direct;
    int steps = 20;      // fixed-step methods: uniform steps before breakpoints split them
    double rtol = 1e-3;  // adaptive methods
    double atol = 1e-4;
    int maxSteps = 10000;    // adaptive methods: accepted plus rejected steps before giving up
    double firstStep = 0.0;  // adaptive methods: 0 picks the first step automatically

    // Throws InvalidSetting naming the first bad field.
    void validate() const;
};

struct SolverStats {
    int64_t evaluations = 0;
    int64_t accepted = 0;
    int64_t rejected = 0;
    std::vector<double> stepSizes;  // |dt| of every accepted step, in order
};

// Called after every accepted step; lets callers keep checkpoints of the trajectory.
using StepObserver = std::function<void(double t, double tEnd, const torch::Tensor& before,
                                        const torch::Tensor& after)>;

struct SolveRequest {
    double t0 = 0.0;
    double t1 = 1.0;
    std::vector<double> outputTimes;  // inside [t0, t1] (or [t1, t0]); returned in solve order
    StepObserver onStep;
    // Adaptive solvers: the error control watches only this many leading elements of the
    // flattened state (0: all of them). Parts that feed nothing back into the watched ones, such
    // as the parameter gradients of an adjoint solve, may be left out (a seminorm).
    int64_t controlledElements = 0;
};

struct Solution {
    torch::Tensor final;
    std::vector<double> times;          // the output times, ordered from t0 towards t1
    std::vector<torch::Tensor> states;  // the state at each output time
    SolverStats stats;
};

class Solver {
  public:
    virtual ~Solver() = default;
    virtual const ButcherTableau& tableau() const = 0;
    virtual Solution solve(OdeSystem& system, const torch::Tensor& initial,
                           const SolveRequest& request) const = 0;
};

// Splits [t0, t1] into `steps` equal steps, then splits again at breakpoints and output times.
class FixedStepSolver : public Solver {
  public:
    FixedStepSolver(const ButcherTableau& tableau, int steps);
    const ButcherTableau& tableau() const override { return tableau_; }
    Solution solve(OdeSystem& system, const torch::Tensor& initial,
                   const SolveRequest& request) const override;

  private:
    const ButcherTableau& tableau_;
    int steps_;
};

// Embedded-pair method with error control; never steps across a breakpoint or output time.
class AdaptiveSolver : public Solver {
  public:
    AdaptiveSolver(const ButcherTableau& tableau, StepSizeController controller, int maxSteps,
                   double firstStep);
    const ButcherTableau& tableau() const override { return tableau_; }
    Solution solve(OdeSystem& system, const torch::Tensor& initial,
                   const SolveRequest& request) const override;

  private:
    double initialStep(OdeSystem& system, double t0, double limit, const torch::Tensor& state,
                       const torch::Tensor& rate, int64_t controlledElements,
                       SolverStats& stats) const;

    const ButcherTableau& tableau_;
    StepSizeController controller_;
    int maxSteps_;
    double firstStep_;
};

// The solver registry, read by the command line and the window alike.
struct SolverInfo {
    std::string name;
    std::string description;
    bool adaptive = false;
    const ButcherTableau* tableau = nullptr;
};

const std::vector<SolverInfo>& solverCatalog();
const SolverInfo& solverInfo(const std::string& name);  // throws InvalidSetting with the choices
std::vector<std::string> solverNames();
std::unique_ptr<Solver> makeSolver(const SolverOptions& options);

}  // namespace gode
