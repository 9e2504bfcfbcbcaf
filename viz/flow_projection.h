// Hidden-state flows after projection to 2-D: plain numbers, no LibTorch.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

namespace gode {

struct FlowProjection {
    std::vector<double> times;  // n_times
    int64_t imageCount = 0;     // N
    std::vector<int> labels;    // N
    // Coordinates of image i at time index j: x[j * N + i], y[j * N + i].
    std::vector<double> x, y;
    std::array<double, 2> explained{{0.0, 0.0}};  // fraction of the total variance per axis

    bool isEmpty() const { return times.empty(); }
};

}  // namespace gode
