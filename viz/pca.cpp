#include "pca.h"

#include <ATen/CPUGeneratorImpl.h>

#include <algorithm>
#include <sstream>

#include "viz_errors.h"

namespace gode {

namespace {

void checkInput(const torch::Tensor& samples, int64_t components) {
    if (!samples.defined() || samples.dim() != 2) {
        std::ostringstream text;
        text << "PCA needs a 2-D sample matrix [m, D]; got "
             << (samples.defined() ? samples.dim() : 0) << " dimensions";
        throw InvalidPlotData(text.str());
    }
    const int64_t rows = samples.size(0);
    const int64_t columns = samples.size(1);
    if (rows < 2)
        throw InvalidPlotData("PCA needs at least 2 samples; got " + std::to_string(rows));
    if (components < 1 || components > std::min(rows, columns)) {
        std::ostringstream text;
        text << "PCA components = " << components << " is invalid for a " << rows << " x "
             << columns << " sample matrix; it must be between 1 and " << std::min(rows, columns);
        throw InvalidPlotData(text.str());
    }
}

// Right singular vectors [k, D] and singular values [k] of the exact thin SVD.
std::pair<torch::Tensor, torch::Tensor> exactDirections(const torch::Tensor& centred,
                                                        int64_t components) {
    auto [u, singular, vh] = torch::linalg_svd(centred, /*full_matrices=*/false);
    return {vh.slice(0, 0, components), singular.slice(0, 0, components)};
}

// Halko, Martinsson & Tropp's randomised SVD: an orthonormal basis Q of the range of X Omega,
// sharpened by power iterations X^T X, then the exact SVD of the small matrix Q^T X.
std::pair<torch::Tensor, torch::Tensor> randomisedDirections(const torch::Tensor& centred,
                                                             int64_t components,
                                                             const PcaOptions& options) {
    const int64_t rank =
        std::min({components + options.oversampling, centred.size(0), centred.size(1)});
    at::Generator generator = at::make_generator<at::CPUGeneratorImpl>(options.seed);
    torch::Tensor omega = torch::randn({centred.size(1), rank}, generator,
                                       torch::TensorOptions().dtype(centred.scalar_type()));

    // Re-orthonormalising after every product keeps small directions from drowning in rounding.
    // X^T is copied once: multiplying through a transposed view is several times slower with
    // the reference BLAS that Debian's LibTorch uses.
    torch::Tensor basis = std::get<0>(torch::linalg_qr(centred.matmul(omega), "reduced"));
    const torch::Tensor transposed =
        options.powerIterations > 0 ? centred.t().contiguous() : torch::Tensor();
    for (int i = 0; i < options.powerIterations; ++i) {
        torch::Tensor back = std::get<0>(torch::linalg_qr(transposed.matmul(basis), "reduced"));
        basis = std::get<0>(torch::linalg_qr(centred.matmul(back), "reduced"));
    }

    torch::Tensor small = basis.t().matmul(centred);  // [rank, D]
    auto [u, singular, vh] = torch::linalg_svd(small, /*full_matrices=*/false);
    return {vh.slice(0, 0, components), singular.slice(0, 0, components)};
}

// Flips each row so that its entry of largest magnitude is positive.
torch::Tensor withFixedSigns(const torch::Tensor& directions) {
    torch::Tensor largest = directions.abs().argmax(1, /*keepdim=*/true);
    torch::Tensor signs = directions.gather(1, largest).sign();
    signs = torch::where(signs == 0, torch::ones_like(signs), signs);
    return directions * signs;
}

}  // namespace

torch::Tensor PcaResult::project(const torch::Tensor& samples) const {
    return (samples.to(mean.scalar_type()) - mean).matmul(components.t());
}

std::vector<double> PcaResult::explainedFractions() const {
    std::vector<double> fractions;
    for (int64_t i = 0; i < variances.size(0); ++i)
        fractions.push_back(totalVariance > 0 ? variances[i].item<double>() / totalVariance : 0.0);
    return fractions;
}

PcaResult pca(const torch::Tensor& samples, int64_t components, const PcaOptions& options) {
    checkInput(samples, components);
    torch::NoGradGuard noGrad;

    // Centre in a floating dtype, on the CPU.
    torch::Tensor data = samples.detach().to(torch::kCPU);
    if (!data.is_floating_point())
        data = data.to(torch::kFloat);
    PcaResult result;
    result.mean = data.mean(0);
    torch::Tensor centred = data - result.mean;
    const double divisor = static_cast<double>(samples.size(0) - 1);

    // The leading right singular vectors are the principal directions.
    const bool exact = std::min(centred.size(0), centred.size(1)) <= options.exactUpTo;
    auto [directions, singular] = exact ? exactDirections(centred, components)
                                        : randomisedDirections(centred, components, options);

    result.components = withFixedSigns(directions).contiguous();
    result.variances = singular.square() / divisor;
    result.totalVariance = centred.square().sum().item<double>() / divisor;
    return result;
}

}  // namespace gode
