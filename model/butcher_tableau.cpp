#include "butcher_tableau.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "errors.h"

namespace gode {

namespace {

constexpr double kConsistencyTolerance = 1e-12;

double sum(const std::vector<double>& values) {
    return std::accumulate(values.begin(), values.end(), 0.0);
}

ButcherTableau validated(ButcherTableau tableau) {
    tableau.validate();
    return tableau;
}

}  // namespace

void ButcherTableau::validate() const {
    const size_t s = b.size();
    auto fail = [&](const std::string& why) {
        throw InvalidSetting("Butcher tableau '" + name + "' is inconsistent: " + why);
    };

    if (s == 0 || c.size() != s || a.size() != s)
        fail("c, a and b must all have one entry per stage");
    if (!errorWeights.empty() && errorWeights.size() != s)
        fail("the error weights must have one entry per stage");

    for (size_t i = 0; i < s; ++i) {
        if (a[i].size() != i)
            fail("row " + std::to_string(i) + " of a must have " + std::to_string(i) +
                 " entries (explicit method)");
        if (std::abs(sum(a[i]) - c[i]) > kConsistencyTolerance)
            fail("row " + std::to_string(i) + " of a does not sum to c");
    }
    if (std::abs(sum(b) - 1.0) > kConsistencyTolerance)
        fail("the weights b do not sum to 1");
    if (!errorWeights.empty() && std::abs(sum(errorWeights)) > kConsistencyTolerance)
        fail("the error weights do not sum to 0");
    if (firstSameAsLast && (c.back() != 1.0 || b.back() != 0.0 ||
                            !std::equal(a.back().begin(), a.back().end(), b.begin())))
        fail("first-same-as-last needs c = 1, a = b in the last row and a zero last weight");
}

const ButcherTableau& eulerTableau() {
    static const ButcherTableau tableau = validated({"euler", 1, {0.0}, {{}}, {1.0}, {}, 0, false});
    return tableau;
}

const ButcherTableau& midpointTableau() {
    static const ButcherTableau tableau =
        validated({"midpoint", 2, {0.0, 0.5}, {{}, {0.5}}, {0.0, 1.0}, {}, 0, false});
    return tableau;
}

const ButcherTableau& rk4Tableau() {
    static const ButcherTableau tableau = validated({"rk4",
                                                     4,
                                                     {0.0, 0.5, 0.5, 1.0},
                                                     {{}, {0.5}, {0.0, 0.5}, {0.0, 0.0, 1.0}},
                                                     {1.0 / 6, 1.0 / 3, 1.0 / 3, 1.0 / 6},
                                                     {},
                                                     0,
                                                     false});
    return tableau;
}

// Dormand & Prince (1980), the 5(4) pair with the 5th-order solution propagated.
const ButcherTableau& dormandPrinceTableau() {
    static const ButcherTableau tableau = [] {
        ButcherTableau t;
        t.name = "dopri5";
        t.order = 5;
        t.errorOrder = 4;
        t.firstSameAsLast = true;
        t.c = {0.0, 1.0 / 5, 3.0 / 10, 4.0 / 5, 8.0 / 9, 1.0, 1.0};
        t.a = {{},
               {1.0 / 5},
               {3.0 / 40, 9.0 / 40},
               {44.0 / 45, -56.0 / 15, 32.0 / 9},
               {19372.0 / 6561, -25360.0 / 2187, 64448.0 / 6561, -212.0 / 729},
               {9017.0 / 3168, -355.0 / 33, 46732.0 / 5247, 49.0 / 176, -5103.0 / 18656},
               {35.0 / 384, 0.0, 500.0 / 1113, 125.0 / 192, -2187.0 / 6784, 11.0 / 84}};
        t.b = {35.0 / 384, 0.0, 500.0 / 1113, 125.0 / 192, -2187.0 / 6784, 11.0 / 84, 0.0};
        const std::vector<double> bHat = {
            5179.0 / 57600,    0.0,          7571.0 / 16695, 393.0 / 640,
            -92097.0 / 339200, 187.0 / 2100, 1.0 / 40};
        for (size_t i = 0; i < t.b.size(); ++i)
            t.errorWeights.push_back(t.b[i] - bHat[i]);
        return validated(t);
    }();
    return tableau;
}

}  // namespace gode
