#include "evaluation.h"

#include <algorithm>

namespace gode {

Evaluation evaluateClassifier(GodeNetImpl& model, const BatchMaker& split, torch::Device device) {
    torch::NoGradGuard noGrad;
    const bool wasTraining = model.is_training();
    model.eval();

    double lossSum = 0.0;
    int64_t correct = 0;
    const auto sum = torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kSum);
    for (int64_t index = 0; index < split.batchesPerEpoch(); ++index) {
        const Batch batch = split.evaluation(index);
        torch::Tensor labels = batch.labels.to(device);
        torch::Tensor logits = model.forward(batch.images.to(device));
        lossSum += torch::nn::functional::cross_entropy(logits, labels, sum).item<double>();
        correct += logits.argmax(1).eq(labels).sum().item<int64_t>();
    }

    model.train(wasTraining);
    const double count = std::max<int64_t>(1, split.size());
    return {lossSum / count, correct / count};
}

}  // namespace gode
