// Image classifiers with a GODE block: stem (downsampling convs) -> ODE block -> head.
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <memory>
#include <string>

#include "bspline.h"
#include "solver.h"
#include "vector_field.h"

namespace gode {

// gode: spline weights as configured; node: one constant basis (a Neural-ODE);
// resnet: order-1 pieces solved by one Euler step each (a pre-activation ResNet).
enum class ModelKind { Gode, Node, Resnet };

std::string toString(ModelKind kind);
ModelKind modelKindFromString(const std::string& name);  // throws InvalidSetting

struct ModelConfig {
    ModelKind kind = ModelKind::Gode;
    int64_t inputChannels = 1;  // 1 for 28x28 grey, 3 for 32x32 colour
    int64_t imageSize = 28;
    int64_t classes = 10;
    int64_t width = 64;  // channels C of the ODE state
    int splineOrder = 2;
    int interiorKnots = 2;
    KnotPlacement placement = KnotPlacement::Clamped;
    double horizon = 1.0;  // T
    int blocks = 10;       // L, resnet only
    SolverOptions solver;

    // Throws InvalidSetting naming the first bad field.
    void validate() const;
};

// What the ODE block really uses once the model kind is applied.
struct BlockSpec {
    int splineOrder = 2;
    int interiorKnots = 2;
    KnotPlacement placement = KnotPlacement::Clamped;
    double fieldScale = 1.0;
    SolverOptions solver;
};

BlockSpec blockSpec(const ModelConfig& config);

// Side of the square feature map that the stem produces from an `imageSize` input.
int64_t stemOutputSize(int64_t imageSize);

class StemImpl : public torch::nn::Module {
  public:
    StemImpl(int64_t inputChannels, int64_t width);
    torch::Tensor forward(const torch::Tensor& images);

    torch::nn::Conv2d conv1{nullptr}, conv2{nullptr}, conv3{nullptr};
    torch::nn::GroupNorm norm1{nullptr}, norm2{nullptr};
};
TORCH_MODULE(Stem);

class HeadImpl : public torch::nn::Module {
  public:
    HeadImpl(int64_t width, int64_t classes);
    torch::Tensor forward(const torch::Tensor& features);

    torch::nn::GroupNorm norm{nullptr};
    torch::nn::Linear linear{nullptr};
};
TORCH_MODULE(Head);

// Solves dh/dt = f(h, theta(t)) on [0, T] from the stem's features.
class OdeBlockImpl : public torch::nn::Module {
  public:
    explicit OdeBlockImpl(const ModelConfig& config);

    torch::Tensor forward(const torch::Tensor& initial);

    // The states at `times` (within [0, T]), for plotting flows. Uses the block's solver.
    Solution trajectory(const torch::Tensor& initial, const std::vector<double>& times);

    const SolverStats& lastStats() const { return lastStats_; }
    const Solver& solver() const { return *solver_; }
    double horizon() const { return horizon_; }

    VectorField field{nullptr};

  private:
    std::shared_ptr<const Solver> solver_;
    double horizon_;
    Backprop blockSpecBackprop_ = Backprop::Direct;
    SolverStats lastStats_;
};
TORCH_MODULE(OdeBlock);

class GodeNetImpl : public torch::nn::Module {
  public:
    explicit GodeNetImpl(const ModelConfig& config);

    torch::Tensor forward(const torch::Tensor& images);  // logits

    const ModelConfig& config() const { return config_; }

    Stem stem{nullptr};
    OdeBlock block{nullptr};
    Head head{nullptr};

  private:
    ModelConfig config_;
};
TORCH_MODULE(GodeNet);

int64_t countParameters(const torch::nn::Module& module);

}  // namespace gode
