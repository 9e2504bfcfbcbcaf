// Explicit Runge-Kutta methods as data. One generic step (runge_kutta.h) drives them all.
#pragma once

#include <string>
#include <vector>

namespace gode {

struct ButcherTableau {
    std::string name;
    int order = 1;                       // order of the propagated solution
    std::vector<double> c;               // stage times as fractions of the step
    std::vector<std::vector<double>> a;  // a[i] holds the i coefficients of stage i
    std::vector<double> b;               // weights of the propagated solution
    std::vector<double> errorWeights;    // b - b_hat of an embedded pair; empty if none
    int errorOrder = 0;                  // order of the embedded solution b_hat
    bool firstSameAsLast = false;        // the last stage is f(t + dt, h_next)

    int stages() const { return static_cast<int>(b.size()); }
    bool hasErrorEstimate() const { return !errorWeights.empty(); }

    // Throws InvalidSetting unless the tableau is explicit and consistent: every row of `a`
    // sums to its c, the weights sum to 1 and the error weights sum to 0.
    void validate() const;
};

const ButcherTableau& eulerTableau();
const ButcherTableau& midpointTableau();
const ButcherTableau& rk4Tableau();
const ButcherTableau& dormandPrinceTableau();

}  // namespace gode
