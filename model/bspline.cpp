#include "bspline.h"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "errors.h"

namespace gode {

namespace {

std::string describe(const char* what, double value) {
    std::ostringstream text;
    text << what << " = " << value;
    return text.str();
}

std::vector<double> clampedKnots(int order, int interiorKnots, double horizon) {
    std::vector<double> knots(order, 0.0);
    for (int i = 1; i <= interiorKnots; ++i)
        knots.push_back(horizon * i / (interiorKnots + 1));
    knots.insert(knots.end(), order, horizon);
    return knots;
}

std::vector<double> uniformKnots(int count, double horizon) {
    std::vector<double> knots(count);
    for (int i = 0; i < count; ++i)
        knots[i] = horizon * i / (count - 1);
    return knots;
}

// a / b with the B-spline convention 0 / 0 = 0 (a repeated knot contributes nothing).
double ratio(double numerator, double denominator) {
    return denominator == 0.0 ? 0.0 : numerator / denominator;
}

}  // namespace

std::string toString(KnotPlacement placement) {
    return placement == KnotPlacement::Clamped ? "clamped" : "published";
}

KnotPlacement knotPlacementFromString(const std::string& name) {
    if (name == "clamped")
        return KnotPlacement::Clamped;
    if (name == "published")
        return KnotPlacement::Published;
    throw InvalidSetting("knot placement '" + name + "' is unknown; use clamped or published");
}

BSplineBasis::BSplineBasis(int order, int interiorKnots, double horizon, KnotPlacement placement)
    : order_(order), interiorKnots_(interiorKnots), horizon_(horizon), placement_(placement) {
    if (order < 1)
        throw InvalidSetting(describe("spline order", order) + " is invalid; it must be >= 1");
    if (interiorKnots < 0)
        throw InvalidSetting(describe("interior knots", interiorKnots) +
                             " is invalid; it must be >= 0");
    if (!(horizon > 0.0) || !std::isfinite(horizon))
        throw InvalidSetting(describe("horizon T", horizon) + " is invalid; it must be > 0");

    knots_ = placement == KnotPlacement::Clamped ? clampedKnots(order, interiorKnots, horizon)
                                                 : uniformKnots(size() + order, horizon);
}

std::vector<double> BSplineBasis::breakpoints() const {
    std::vector<double> inside;
    for (double knot : knots_)
        if (knot > 0.0 && knot < horizon_ && (inside.empty() || inside.back() != knot))
            inside.push_back(knot);
    return inside;
}

void BSplineBasis::checkTime(double t) const {
    if (!(t >= 0.0 && t <= horizon_))
        throw InvalidSetting(describe("spline time t", t) + " is outside [0, " +
                             std::to_string(horizon_) + "]");
}

// The knot interval [U_j, U_j+1) that holds t; Left takes (U_j, U_j+1] instead.
int BSplineBasis::spanIndex(double t, Side side) const {
    if (t >= horizon_) {
        int last = static_cast<int>(knots_.size()) - 2;
        while (knots_[last] == knots_[last + 1])
            --last;
        return last;
    }
    if (side == Side::Left && t > 0.0)
        return static_cast<int>(std::lower_bound(knots_.begin(), knots_.end(), t) -
                                knots_.begin()) -
               1;
    return static_cast<int>(std::upper_bound(knots_.begin(), knots_.end(), t) - knots_.begin()) - 1;
}

// Cox-de Boor: start from the order-1 indicators of the span and raise the order one step at a
// time. Returns N_{i,order}(t) for every i = 0 .. knots - order - 1.
std::vector<double> BSplineBasis::valuesOfOrder(int order, double t, int span) const {
    const auto& u = knots_;
    std::vector<double> n(u.size() - 1, 0.0);
    n[span] = 1.0;

    for (int q = 2; q <= order; ++q) {
        for (size_t i = 0; i + q < u.size(); ++i) {
            double rising = ratio(t - u[i], u[i + q - 1] - u[i]) * n[i];
            double falling = ratio(u[i + q] - t, u[i + q] - u[i + 1]) * n[i + 1];
            n[i] = rising + falling;
        }
        n.pop_back();
    }
    return n;
}

std::vector<double> BSplineBasis::values(double t, Side side) const {
    checkTime(t);
    return valuesOfOrder(order_, t, spanIndex(t, side));
}

// dN_{i,p}/dt = (p - 1) * (N_{i,p-1} / (u_{i+p-1} - u_i) - N_{i+1,p-1} / (u_{i+p} - u_{i+1})).
std::vector<double> BSplineBasis::derivatives(double t, Side side) const {
    checkTime(t);
    std::vector<double> slopes(size(), 0.0);
    if (order_ == 1)
        return slopes;

    const auto& u = knots_;
    const int p = order_;
    std::vector<double> lower = valuesOfOrder(p - 1, t, spanIndex(t, side));
    for (int i = 0; i < size(); ++i)
        slopes[i] = (p - 1) * (ratio(lower[i], u[i + p - 1] - u[i]) -
                               ratio(lower[i + 1], u[i + p] - u[i + 1]));
    return slopes;
}

BasisWindow BSplineBasis::nonZero(double t, Side side) const {
    checkTime(t);
    const int span = spanIndex(t, side);
    std::vector<double> all = valuesOfOrder(order_, t, span);

    BasisWindow window;
    window.first = std::max(0, span - order_ + 1);
    const int last = std::min(size() - 1, span);
    window.values.assign(all.begin() + window.first, all.begin() + last + 1);
    return window;
}

}  // namespace gode
