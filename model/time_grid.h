// Times where solver steps must land: breakpoints of the system and requested output times.
#pragma once

#include <vector>

namespace gode {

struct TimeGrid {
    std::vector<double> nodes;        // ordered from t0 towards t1, ending with t1, without t0
    std::vector<int> outputNodes;     // for each output time, its index in nodes, -1 for t0
    std::vector<double> outputTimes;  // the requested output times, ordered like nodes
    std::vector<bool> isBreakpoint;   // per node: the system's rate may jump there
};

// Two times closer than this fraction of |t1 - t0| are treated as one.
constexpr double kTimeMergeTolerance = 1e-9;

// The landing points of a solve from t0 to t1 (either direction). `uniformSteps` > 0 adds an
// even grid of that many steps; breakpoints and output times win over a nearby grid point.
// Throws InvalidSetting for output times outside the interval.
TimeGrid makeTimeGrid(double t0, double t1, const std::vector<double>& breakpoints,
                      const std::vector<double>& outputTimes, int uniformSteps);

}  // namespace gode
