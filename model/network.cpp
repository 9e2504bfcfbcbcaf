#include "network.h"

#include <sstream>

#include "errors.h"

namespace gode {

namespace {

InvalidSetting badValue(const std::string& field, double value, const std::string& rule) {
    std::ostringstream text;
    text << field << " = " << value << " is invalid; " << rule;
    return InvalidSetting(text.str());
}

}  // namespace

std::string toString(ModelKind kind) {
    switch (kind) {
        case ModelKind::Gode:
            return "gode";
        case ModelKind::Node:
            return "node";
        case ModelKind::Resnet:
            return "resnet";
    }
    return "gode";
}

ModelKind modelKindFromString(const std::string& name) {
    if (name == "gode")
        return ModelKind::Gode;
    if (name == "node")
        return ModelKind::Node;
    if (name == "resnet")
        return ModelKind::Resnet;
    throw InvalidSetting("model '" + name + "' is unknown; choose one of gode, node, resnet");
}

void ModelConfig::validate() const {
    if (inputChannels < 1)
        throw badValue("input channels", inputChannels, "it must be >= 1");
    if (imageSize < 8)
        throw badValue("image size", imageSize, "the stem needs at least 8x8 images");
    if (classes < 2)
        throw badValue("classes", classes, "it must be >= 2");
    if (width < 1)
        throw badValue("width", width, "it must be >= 1");
    if (width > 32 && width % 32 != 0)
        throw badValue("width", width,
                       "GroupNorm uses 32 groups above 32 channels, so it must be a multiple "
                       "of 32");
    if (kind == ModelKind::Resnet && blocks < 1)
        throw badValue("blocks", blocks, "a ResNet needs at least 1 block");

    const BlockSpec spec = blockSpec(*this);
    BSplineBasis(spec.splineOrder, spec.interiorKnots, horizon, spec.placement);
    spec.solver.validate();
}

BlockSpec blockSpec(const ModelConfig& config) {
    BlockSpec spec;
    spec.solver = config.solver;
    switch (config.kind) {
        case ModelKind::Gode:
            spec.splineOrder = config.splineOrder;
            spec.interiorKnots = config.interiorKnots;
            spec.placement = config.placement;
            break;
        case ModelKind::Node:
            spec.splineOrder = 1;
            spec.interiorKnots = 0;
            spec.placement = KnotPlacement::Clamped;
            break;
        case ModelKind::Resnet:
            // L constant pieces, one Euler step of T / L each, f scaled by L / T so that a
            // step adds exactly f: h_{l+1} = h_l + f(h_l; theta_l).
            spec.splineOrder = 1;
            spec.interiorKnots = config.blocks - 1;
            spec.placement = KnotPlacement::Clamped;
            spec.fieldScale = config.blocks / config.horizon;
            spec.solver.method = "euler";
            spec.solver.steps = config.blocks;
            break;
    }
    return spec;
}

int64_t stemOutputSize(int64_t imageSize) {
    const int64_t afterConv1 = imageSize - 2;  // 3x3, no padding
    const int64_t afterConv2 = (afterConv1 + 2 - 4) / 2 + 1;
    return (afterConv2 + 2 - 4) / 2 + 1;
}

// ---------------------------------------------------------------------------------------------

StemImpl::StemImpl(int64_t inputChannels, int64_t width) {
    using torch::nn::Conv2dOptions;
    conv1 = register_module("conv1", torch::nn::Conv2d(Conv2dOptions(inputChannels, width, 3)));
    norm1 = register_module("norm1", makeGroupNorm(width));
    conv2 = register_module("conv2",
                            torch::nn::Conv2d(Conv2dOptions(width, width, 4).stride(2).padding(1)));
    norm2 = register_module("norm2", makeGroupNorm(width));
    conv3 = register_module("conv3",
                            torch::nn::Conv2d(Conv2dOptions(width, width, 4).stride(2).padding(1)));
}

torch::Tensor StemImpl::forward(const torch::Tensor& images) {
    torch::Tensor out = torch::relu(norm1(conv1(images)));
    out = torch::relu(norm2(conv2(out)));
    return conv3(out);
}

HeadImpl::HeadImpl(int64_t width, int64_t classes) {
    norm = register_module("norm", makeGroupNorm(width));
    linear = register_module("linear", torch::nn::Linear(width, classes));
}

torch::Tensor HeadImpl::forward(const torch::Tensor& features) {
    torch::Tensor pooled = torch::relu(norm(features)).mean({2, 3});
    return linear(pooled);
}

// ---------------------------------------------------------------------------------------------

OdeBlockImpl::OdeBlockImpl(const ModelConfig& config) : horizon_(config.horizon) {
    const BlockSpec spec = blockSpec(config);
    auto basis = std::make_shared<const BSplineBasis>(spec.splineOrder, spec.interiorKnots,
                                                      config.horizon, spec.placement);
    field = register_module("field", VectorField(config.width, basis, spec.fieldScale));
    solver_ = makeSolver(spec.solver);
    gradientMode_ = makeGradientMode(spec.solver.backprop);
}

torch::Tensor OdeBlockImpl::forward(const torch::Tensor& initial) {
    DifferentiableSolve solve{field.ptr(), field->parameters(), solver_, 0.0, horizon_};
    if (recordsGraph(initial))
        *lastBackwardStats_ = SolverStats();
    return gradientMode_->solve(solve, initial, lastStats_, lastBackwardStats_);
}

bool OdeBlockImpl::recordsGraph(const torch::Tensor& initial) const {
    if (!torch::GradMode::is_enabled())
        return false;
    if (initial.requires_grad())
        return true;
    for (const auto& parameter : field->parameters())
        if (parameter.requires_grad())
            return true;
    return false;
}

Solution OdeBlockImpl::trajectory(const torch::Tensor& initial, const std::vector<double>& times) {
    return solver_->solve(*field, initial, {0.0, horizon_, times, {}, 0});
}

// ---------------------------------------------------------------------------------------------

GodeNetImpl::GodeNetImpl(const ModelConfig& config) : config_(config) {
    config.validate();
    stem = register_module("stem", Stem(config.inputChannels, config.width));
    block = register_module("block", OdeBlock(config));
    head = register_module("head", Head(config.width, config.classes));
}

torch::Tensor GodeNetImpl::forward(const torch::Tensor& images) {
    return head(block(stem(images)));
}

int64_t countParameters(const torch::nn::Module& module) {
    int64_t total = 0;
    for (const auto& parameter : module.parameters())
        total += parameter.numel();
    return total;
}

}  // namespace gode
