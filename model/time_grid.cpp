#include "time_grid.h"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "errors.h"

namespace gode {

namespace {

struct Candidate {
    double t;
    bool exact;  // a breakpoint, an output time or the end: keeps its value when merged
    bool breakpoint;
};

// Distance from t0 in the direction of integration.
double progress(double t, double t0, double direction) {
    return (t - t0) * direction;
}

void checkOutputTimes(double t0, double t1, const std::vector<double>& outputTimes) {
    const double lo = std::min(t0, t1), hi = std::max(t0, t1);
    for (double t : outputTimes) {
        if (!(t >= lo && t <= hi)) {
            std::ostringstream text;
            text << "output time " << t << " is outside the solve interval [" << lo << ", " << hi
                 << "]";
            throw InvalidSetting(text.str());
        }
    }
}

}  // namespace

TimeGrid makeTimeGrid(double t0, double t1, const std::vector<double>& breakpoints,
                      const std::vector<double>& outputTimes, int uniformSteps) {
    checkOutputTimes(t0, t1, outputTimes);
    const double direction = t1 >= t0 ? 1.0 : -1.0;
    const double span = std::abs(t1 - t0);
    const double tolerance = kTimeMergeTolerance * span;

    // Gather every landing point strictly after t0, up to and including t1.
    std::vector<Candidate> candidates{{t1, true, false}};
    for (double t : breakpoints) {
        const double along = progress(t, t0, direction);
        if (along > tolerance && along < span - tolerance)
            candidates.push_back({t, true, true});
    }
    for (double t : outputTimes)
        if (progress(t, t0, direction) > tolerance)
            candidates.push_back({t, true, false});
    for (int i = 1; i < uniformSteps; ++i)
        candidates.push_back({t0 + (t1 - t0) * i / uniformSteps, false, false});

    std::sort(candidates.begin(), candidates.end(), [&](const Candidate& a, const Candidate& b) {
        return progress(a.t, t0, direction) < progress(b.t, t0, direction);
    });

    // Merge near-duplicates, preferring exact points over grid points.
    TimeGrid grid;
    std::vector<bool> exact;
    for (const Candidate& c : candidates) {
        const bool duplicate =
            !grid.nodes.empty() && std::abs(c.t - grid.nodes.back()) <= tolerance;
        if (!duplicate) {
            grid.nodes.push_back(c.t);
            exact.push_back(c.exact);
            grid.isBreakpoint.push_back(c.breakpoint);
            continue;
        }
        if (c.exact && !exact.back()) {
            grid.nodes.back() = c.t;
            exact.back() = true;
        }
        grid.isBreakpoint.back() = grid.isBreakpoint.back() || c.breakpoint;
    }
    grid.nodes.back() = t1;

    // Map each output time onto its node.
    grid.outputTimes = outputTimes;
    std::sort(grid.outputTimes.begin(), grid.outputTimes.end(), [&](double a, double b) {
        return progress(a, t0, direction) < progress(b, t0, direction);
    });
    for (double t : grid.outputTimes) {
        int index = -1;
        for (size_t i = 0; i < grid.nodes.size(); ++i)
            if (std::abs(grid.nodes[i] - t) <= tolerance)
                index = static_cast<int>(i);
        grid.outputNodes.push_back(index);
    }
    return grid;
}

}  // namespace gode
