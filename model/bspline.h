// B-spline bases on [0, T] for depth-varying weights theta(t) = sum_k c_k B_k(t).
#pragma once

#include <string>
#include <vector>

namespace gode {

// Where the knots sit.
//  Clamped: end knots repeated `order` times, interior knots evenly spaced; the bases sum to 1
//           on [0, T] and theta(0), theta(T) equal the first and last coefficient.
//  Published: the original authors' choice, K + order knots evenly spaced on [0, T] without
//           clamping; the bases do not sum to 1 near the ends and all vanish at t = 0.
enum class KnotPlacement { Clamped, Published };

std::string toString(KnotPlacement placement);
KnotPlacement knotPlacementFromString(const std::string& name);  // throws InvalidSetting

// At a knot a piecewise basis has two one-sided values. Right (the default) takes the piece
// that starts at t, Left the piece that ends at t. Solvers ask for the side that faces the
// inside of the current step so that a step never mixes two pieces.
enum class Side { Right, Left };

// The bases that are non-zero at one time: B_first ... B_{first + values.size() - 1}.
struct BasisWindow {
    int first = 0;
    std::vector<double> values;
};

class BSplineBasis {
  public:
    // order p >= 1 (degree p - 1), interiorKnots m >= 0, horizon T > 0; K = m + p bases.
    BSplineBasis(int order, int interiorKnots, double horizon,
                 KnotPlacement placement = KnotPlacement::Clamped);

    int order() const { return order_; }
    int interiorKnots() const { return interiorKnots_; }
    int size() const { return interiorKnots_ + order_; }
    double horizon() const { return horizon_; }
    KnotPlacement placement() const { return placement_; }

    // The full knot vector, K + p non-decreasing values on [0, T].
    const std::vector<double>& knots() const { return knots_; }

    // Distinct knot values strictly inside (0, T): where theta(t) may have a kink or a jump.
    std::vector<double> breakpoints() const;

    // All K basis values at t (Cox-de Boor). t = T belongs to the last interval.
    std::vector<double> values(double t, Side side = Side::Right) const;

    // All K first derivatives dB_k/dt at t.
    std::vector<double> derivatives(double t, Side side = Side::Right) const;

    // Only the bases that can be non-zero at t (at most p of them, consecutive).
    BasisWindow nonZero(double t, Side side = Side::Right) const;

  private:
    int spanIndex(double t, Side side) const;
    std::vector<double> valuesOfOrder(int order, double t, int span) const;
    void checkTime(double t) const;

    int order_;
    int interiorKnots_;
    double horizon_;
    KnotPlacement placement_;
    std::vector<double> knots_;
};

}  // namespace gode
