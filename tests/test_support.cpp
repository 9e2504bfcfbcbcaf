#include "test_support.h"

namespace gode::test {

gode::SolverOptions fixedSteps(const std::string& method, int steps) {
    gode::SolverOptions options;
    options.method = method;
    options.steps = steps;
    return options;
}

gode::SolverOptions dopri(double rtol, double atol) {
    gode::SolverOptions options;
    options.method = "dopri5";
    options.rtol = rtol;
    options.atol = atol;
    return options;
}

double maxAbsDiff(const torch::Tensor& a, const torch::Tensor& b) {
    return (a - b).abs().max().item<double>();
}

}  // namespace gode::test
