// Image classifiers with a GODE block: stem (downsampling convs) -> ODE block -> head.
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <memory>
#include <string>

#include "bspline.h"
#include "gradient_modes.h"
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

// Solves dh/dt = f(h, theta(t)) on [0, T] from the stem's features. Gradients flow back through
// the solve as the configured backprop mode says (gradient_modes.h).
class OdeBlockImpl : public torch::nn::Module {
  public:
    explicit OdeBlockImpl(const ModelConfig& config);

    torch::Tensor forward(const torch::Tensor& initial);

    // The states at `times` (within [0, T]), for plotting flows. Uses the block's solver and
    // records gradients directly, whatever the backprop mode.
    Solution trajectory(const torch::Tensor& initial, const std::vector<double>& times);

    // The last forward solve.
    const SolverStats& lastStats() const { return lastStats_; }

    // The backward work since the last forward that recorded a graph (grad mode on and something
    // requiring grad); gradient_modes.h says what each field means in each mode. A trainer reads
    // it after backward; forwards under no-grad, such as evaluation, leave it alone. Only a
    // recording forward resets it, so a backward pass through several forwards of this block
    // adds up the work of all of them, while lastStats() describes the last forward only.
    const SolverStats& lastBackwardStats() const { return *lastBackwardStats_; }

    const Solver& solver() const { return *solver_; }
    Backprop backprop() const { return gradientMode_->kind(); }
    double horizon() const { return horizon_; }

    VectorField field{nullptr};

  private:
    bool recordsGraph(const torch::Tensor& initial) const;

    std::shared_ptr<const Solver> solver_;
    std::unique_ptr<const GradientMode> gradientMode_;
    double horizon_;
    SolverStats lastStats_;
    std::shared_ptr<SolverStats> lastBackwardStats_ = std::make_shared<SolverStats>();
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
