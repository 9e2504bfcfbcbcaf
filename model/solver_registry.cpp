#include <algorithm>

#include "errors.h"
#include "solver.h"

namespace gode {

const std::vector<SolverInfo>& solverCatalog() {
    static const std::vector<SolverInfo> catalog = {
        {"euler", "explicit Euler, order 1, one evaluation per step", false, &eulerTableau()},
        {"midpoint", "explicit midpoint, order 2, two evaluations per step", false,
         &midpointTableau()},
        {"rk4", "classical Runge-Kutta, order 4, four evaluations per step", false, &rk4Tableau()},
        {"dopri5", "Dormand-Prince 5(4), adaptive steps under rtol/atol", true,
         &dormandPrinceTableau()},
    };
    return catalog;
}

std::vector<std::string> solverNames() {
    std::vector<std::string> names;
    for (const SolverInfo& info : solverCatalog())
        names.push_back(info.name);
    return names;
}

const SolverInfo& solverInfo(const std::string& name) {
    const auto& catalog = solverCatalog();
    auto found = std::find_if(catalog.begin(), catalog.end(),
                              [&](const SolverInfo& info) { return info.name == name; });
    if (found != catalog.end())
        return *found;

    std::string choices;
    for (const SolverInfo& info : catalog)
        choices += (choices.empty() ? "" : ", ") + info.name;
    throw InvalidSetting("solver '" + name + "' is unknown; choose one of " + choices);
}

std::string toString(Backprop mode) {
    switch (mode) {
        case Backprop::Direct: return "direct";
        case Backprop::Checkpoint: return "checkpoint";
        case Backprop::Adjoint: return "adjoint";
    }
    return "direct";
}

Backprop backpropFromString(const std::string& name) {
    for (Backprop mode : {Backprop::Direct, Backprop::Checkpoint, Backprop::Adjoint})
        if (toString(mode) == name)
            return mode;
    throw InvalidSetting("backprop mode '" + name +
                         "' is unknown; choose one of direct, checkpoint, adjoint");
}

void SolverOptions::validate() const {
    const SolverInfo& info = solverInfo(method);
    if (info.adaptive) {
        StepSizeController(rtol, atol, info.tableau->errorOrder);
        if (maxSteps < 1)
            throw InvalidSetting("max steps = " + std::to_string(maxSteps) +
                                 " is invalid; it must be >= 1");
        if (!(firstStep >= 0.0))
            throw InvalidSetting("first step = " + std::to_string(firstStep) +
                                 " is invalid; use 0 for automatic or a positive size");
    } else if (steps < 1) {
        throw InvalidSetting("steps = " + std::to_string(steps) + " is invalid; it must be >= 1");
    }
}

std::unique_ptr<Solver> makeSolver(const SolverOptions& options) {
    options.validate();
    const SolverInfo& info = solverInfo(options.method);
    if (info.adaptive)
        return std::make_unique<AdaptiveSolver>(
            *info.tableau, StepSizeController(options.rtol, options.atol, info.tableau->errorOrder),
            options.maxSteps, options.firstStep);
    return std::make_unique<FixedStepSolver>(*info.tableau, options.steps);
}

}  // namespace gode
