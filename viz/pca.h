// Principal component analysis of a sample matrix, used to draw hidden-state flows in 2-D.
#pragma once

#include <torch/torch.h>

#include <cstdint>

namespace gode {

struct PcaOptions {
    // Up to this many rows or columns the thin SVD of the centred data is exact. Above it (the
    // flows of 200 images over 21 times at 64x6x6 give a 4,200 x 2,304 matrix) a randomised
    // range finder with power iterations finds the leading directions at a fraction of the cost.
    int64_t exactUpTo = 512;
    int64_t oversampling = 6;
    int powerIterations = 2;
    uint64_t seed = 0;  // a private generator: the training's random stream is left untouched
};

struct PcaResult {
    torch::Tensor mean;        // [D]
    torch::Tensor components;  // [k, D]: orthonormal rows, largest variance first
    torch::Tensor variances;   // [k]: sample variance (divisor m - 1) along each component
    double totalVariance = 0;  // sum of the sample variances of all D coordinates

    // Coordinates of `samples` [m, D] along the components: [m, k].
    torch::Tensor project(const torch::Tensor& samples) const;

    // variances / totalVariance, as plain numbers.
    std::vector<double> explainedFractions() const;
};

// Centres the rows of `samples` [m, D] (m >= 2) and finds the first `components` principal
// directions. Each direction's sign is chosen so that its largest-magnitude entry is positive,
// so that refitting on slightly different data does not mirror the picture. Computes in the
// samples' floating dtype (float stays float). Throws InvalidPlotData for a bad shape or count.
PcaResult pca(const torch::Tensor& samples, int64_t components, const PcaOptions& options = {});

}  // namespace gode
