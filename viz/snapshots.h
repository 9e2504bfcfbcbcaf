// What the plots show, taken from a model on the training thread: copies of the spline
// coefficients and the hidden-state flows of a fixed set of images. Snapshots are plain values
// (CPU tensors and numbers) that can cross threads in a queued signal.
#pragma once

#include <torch/torch.h>

#include <array>
#include <cstdint>
#include <vector>

#include "flow_projection.h"
#include "model/bspline.h"
#include "model/network.h"

namespace gode {

// The B-spline weights of the block's two convolutions at one moment of training.
struct WeightSnapshot {
    // The basis, enough to rebuild it with basis().
    int order = 1;
    int interiorKnots = 0;
    KnotPlacement placement = KnotPlacement::Clamped;
    double horizon = 1.0;

    // Coefficients c_k of W1(t) and W2(t): CPU float tensors [K, C, C, 3, 3].
    torch::Tensor conv1;
    torch::Tensor conv2;

    bool isEmpty() const { return !conv1.defined(); }
    BSplineBasis basis() const { return BSplineBasis(order, interiorKnots, horizon, placement); }

    // Throws InvalidPlotData unless both tensors are [K, C, C, 3, 3] with K = basis().size().
    void validate() const;
};

// Copies the block's spline coefficients to the CPU. Call it on the thread that trains, between
// optimiser steps (it reads the parameters while nothing writes them); it copies 2 K C^2 9
// floats (1.2 MB for the published MNIST model), so a few times a second costs nothing.
WeightSnapshot takeWeightSnapshot(const GodeNetImpl& net);

// The coefficients c_k of one 3x3 kernel: row k holds the 9 weights of c_k[out][in] in row-major
// order (position 3 r + c is kernel row r, column c). layer is 1 or 2. Throws InvalidPlotData
// naming the layer or channel when the selection is outside the snapshot.
std::vector<std::array<double, 9>> kernelCoefficients(const WeightSnapshot& snapshot, int layer,
                                                      int64_t outChannel, int64_t inChannel);

// Hidden states h(t) of the ODE block for a fixed set of images.
struct FlowSnapshot {
    std::vector<double> times;  // t_0 < ... < t_n inside [0, T]
    torch::Tensor states;       // [n_times, N, D], CPU float, D = C H W (flattened state)
    torch::Tensor labels;       // [N], CPU int64

    bool isEmpty() const { return !states.defined(); }

    // Throws InvalidPlotData unless the shapes agree with each other and with times.
    void validate() const;
};

// Runs the stem and the block's trajectory on `images` [N, C_in, H, W] and records h at each of
// `times` (ascending, inside [0, T]). No gradients are recorded and the model is switched to
// evaluation mode for the call (its previous mode is restored). Runs on the model's device; the
// result is on the CPU. Call it on the thread that trains, like takeWeightSnapshot. The block's
// evaluation counter (VectorField::evaluations) counts these solver evaluations too.
FlowSnapshot computeFlows(GodeNetImpl& net, const torch::Tensor& images,
                          const torch::Tensor& labels, const std::vector<double>& times);

// The times a flow plot should use for `net`: the landing points of its fixed-step solver
// (uniform steps split at the knots), or, for an adaptive solver whose steps are not known in
// advance, 20 uniform steps split at the knots. Starts with 0 and ends with T.
std::vector<double> defaultFlowTimes(const GodeNetImpl& net);

// Fits a 2-component PCA on all states pooled (every image at every time) and projects them.
// Known shortcoming: each snapshot is fitted anew, so as training changes the states the axes
// can rotate between snapshots (signs are fixed, the directions are not); fitting once and
// reusing the components would keep them still.
// It costs about 1 s for 200 images x 21 times x 2,304 values on one core with the reference
// BLAS of Debian's LibTorch (viz_demo --bench), so call it on the training thread, next to
// computeFlows(), and hand FlowPlot::setProjection() the result. Throws InvalidPlotData for
// bad shapes.
FlowProjection projectFlows(const FlowSnapshot& snapshot);

}  // namespace gode
