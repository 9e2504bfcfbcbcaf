#include "snapshots.h"

#include <sstream>

#include "model/solver.h"
#include "model/time_grid.h"
#include "pca.h"
#include "viz_errors.h"

namespace gode {

namespace {

std::string shapeText(const torch::Tensor& tensor) {
    if (!tensor.defined())
        return "(none)";
    std::ostringstream text;
    text << tensor.sizes();
    return text.str();
}

void checkKernelTensor(const torch::Tensor& coefficients, const char* name, int64_t basisSize) {
    const bool good = coefficients.defined() && coefficients.dim() == 5 &&
                      coefficients.size(0) == basisSize &&
                      coefficients.size(1) == coefficients.size(2) && coefficients.size(3) == 3 &&
                      coefficients.size(4) == 3;
    if (!good) {
        std::ostringstream text;
        text << "weight snapshot " << name << " has shape " << shapeText(coefficients)
             << "; expected [K = " << basisSize << ", C, C, 3, 3]";
        throw InvalidPlotData(text.str());
    }
}

torch::Tensor cpuCopy(const torch::Tensor& tensor) {
    return tensor.detach().to(torch::kCPU, torch::kFloat, /*non_blocking=*/false, /*copy=*/true);
}

void checkChannel(const char* name, int64_t channel, int64_t count) {
    if (channel < 0 || channel >= count) {
        std::ostringstream text;
        text << name << " channel = " << channel << " is outside the " << count
             << " channels of the snapshot (0 to " << count - 1 << ")";
        throw InvalidPlotData(text.str());
    }
}

// Switches a module to evaluation mode and back to its previous mode when it goes out of scope.
class EvalModeGuard {
  public:
    explicit EvalModeGuard(torch::nn::Module& module)
        : module_(module), wasTraining_(module.is_training()) {
        module_.eval();
    }
    ~EvalModeGuard() { module_.train(wasTraining_); }
    EvalModeGuard(const EvalModeGuard&) = delete;
    EvalModeGuard& operator=(const EvalModeGuard&) = delete;

  private:
    torch::nn::Module& module_;
    bool wasTraining_;
};

void checkFlowInputs(const GodeNetImpl& net, const torch::Tensor& images,
                     const torch::Tensor& labels, const std::vector<double>& times) {
    if (!images.defined() || images.dim() != 4)
        throw InvalidPlotData("flow images have shape " + shapeText(images) +
                              "; expected [N, channels, height, width]");
    if (!labels.defined() || labels.dim() != 1 || labels.size(0) != images.size(0))
        throw InvalidPlotData("flow labels have shape " + shapeText(labels) + "; expected [" +
                              std::to_string(images.size(0)) + "], one per image");
    if (times.empty())
        throw InvalidPlotData("flow times are empty; give at least one time in [0, T]");

    const double horizon = net.block->horizon();
    for (size_t i = 0; i < times.size(); ++i) {
        const bool outside = times[i] < 0.0 || times[i] > horizon;
        const bool notAscending = i > 0 && times[i] <= times[i - 1];
        if (outside || notAscending) {
            std::ostringstream text;
            text << "flow time t = " << times[i] << " (index " << i << ") is "
                 << (outside ? "outside [0, T]" : "not after the previous one")
                 << "; times must increase strictly inside [0, " << horizon << "]";
            throw InvalidPlotData(text.str());
        }
    }
}

}  // namespace

// ---------------------------------------------------------------------------------------------

void WeightSnapshot::validate() const {
    const int64_t basisSize = basis().size();
    checkKernelTensor(conv1, "conv1", basisSize);
    checkKernelTensor(conv2, "conv2", basisSize);
    if (conv1.sizes() != conv2.sizes())
        throw InvalidPlotData("weight snapshot conv1 " + shapeText(conv1) + " and conv2 " +
                              shapeText(conv2) + " differ in shape; both must be [K, C, C, 3, 3]");
}

WeightSnapshot takeWeightSnapshot(const GodeNetImpl& net) {
    const VectorFieldImpl& field = *net.block->field;
    const BSplineBasis& basis = field.basis();

    WeightSnapshot snapshot;
    snapshot.order = basis.order();
    snapshot.interiorKnots = basis.interiorKnots();
    snapshot.placement = basis.placement();
    snapshot.horizon = basis.horizon();
    snapshot.conv1 = cpuCopy(field.conv1->coefficients());
    snapshot.conv2 = cpuCopy(field.conv2->coefficients());
    return snapshot;
}

std::vector<std::array<double, 9>> kernelCoefficients(const WeightSnapshot& snapshot, int layer,
                                                      int64_t outChannel, int64_t inChannel) {
    if (layer != 1 && layer != 2)
        throw InvalidPlotData("layer = " + std::to_string(layer) +
                              " is invalid; choose 1 (first spline conv) or 2 (second)");
    snapshot.validate();
    const torch::Tensor& all = layer == 1 ? snapshot.conv1 : snapshot.conv2;
    checkChannel("output", outChannel, all.size(1));
    checkChannel("input", inChannel, all.size(2));

    // [K, 3, 3] -> K rows of 9 doubles.
    torch::Tensor kernel =
        all.select(1, outChannel).select(1, inChannel).to(torch::kDouble).contiguous();
    const double* values = kernel.data_ptr<double>();
    std::vector<std::array<double, 9>> rows(kernel.size(0));
    for (size_t k = 0; k < rows.size(); ++k)
        std::copy(values + 9 * k, values + 9 * (k + 1), rows[k].begin());
    return rows;
}

// ---------------------------------------------------------------------------------------------

void FlowSnapshot::validate() const {
    const int64_t n = static_cast<int64_t>(times.size());
    if (!states.defined() || states.dim() != 3 || states.size(0) != n)
        throw InvalidPlotData("flow states have shape " + shapeText(states) + "; expected [" +
                              std::to_string(n) + " times, N images, D values]");
    if (!labels.defined() || labels.dim() != 1 || labels.size(0) != states.size(1))
        throw InvalidPlotData("flow labels have shape " + shapeText(labels) + "; expected [" +
                              std::to_string(states.size(1)) + "], one per image");
}

FlowSnapshot computeFlows(GodeNetImpl& net, const torch::Tensor& images,
                          const torch::Tensor& labels, const std::vector<double>& times) {
    checkFlowInputs(net, images, labels, times);
    torch::NoGradGuard noGrad;
    EvalModeGuard evalMode(net);

    // Stem, then the block's solver with the requested output times.
    const torch::Device device = net.parameters().front().device();
    torch::Tensor initial = net.stem(images.to(device, torch::kFloat));
    Solution solution = net.block->trajectory(initial, times);

    // [n_times, N, C, H, W] -> [n_times, N, C H W] on the CPU.
    FlowSnapshot snapshot;
    snapshot.times = solution.times;
    snapshot.states = torch::stack(solution.states).flatten(2).to(torch::kCPU, torch::kFloat);
    snapshot.labels = labels.detach().to(torch::kCPU, torch::kLong);
    return snapshot;
}

std::vector<double> defaultFlowTimes(const GodeNetImpl& net) {
    const BlockSpec spec = blockSpec(net.config());
    const bool adaptive = solverInfo(spec.solver.method).adaptive;
    const int uniformSteps = adaptive ? 20 : spec.solver.steps;
    const double horizon = net.block->horizon();

    TimeGrid grid = makeTimeGrid(0.0, horizon, net.block->field->breakpoints(), {}, uniformSteps);
    std::vector<double> times{0.0};
    times.insert(times.end(), grid.nodes.begin(), grid.nodes.end());
    return times;
}

FlowProjection projectFlows(const FlowSnapshot& snapshot) {
    snapshot.validate();
    const int64_t timeCount = snapshot.states.size(0);
    const int64_t imageCount = snapshot.states.size(1);

    // One row per (time, image); the PCA sees every state of every image.
    torch::Tensor pooled = snapshot.states.reshape({timeCount * imageCount, -1});
    PcaResult fit = pca(pooled, std::min<int64_t>(2, std::min(pooled.size(0), pooled.size(1))));
    torch::Tensor coordinates = fit.project(pooled).to(torch::kDouble).contiguous();

    FlowProjection projection;
    projection.times = snapshot.times;
    projection.imageCount = imageCount;
    torch::Tensor labels = snapshot.labels.to(torch::kInt).contiguous();
    projection.labels.assign(labels.data_ptr<int>(), labels.data_ptr<int>() + imageCount);

    const double* values = coordinates.data_ptr<double>();
    const int64_t columns = coordinates.size(1);
    for (int64_t row = 0; row < coordinates.size(0); ++row) {
        projection.x.push_back(values[row * columns]);
        projection.y.push_back(columns > 1 ? values[row * columns + 1] : 0.0);
    }
    const std::vector<double> fractions = fit.explainedFractions();
    for (size_t i = 0; i < fractions.size() && i < 2; ++i)
        projection.explained[i] = fractions[i];
    return projection;
}

}  // namespace gode
