// Test loss and accuracy of a classifier over every batch of an evaluation split. The trainer
// calls it after each epoch; benchmarks call it between iterations.
#pragma once

#include <torch/torch.h>

#include "batches.h"
#include "model/network.h"

namespace gode {

struct Evaluation {
    double loss = 0.0;      // mean cross-entropy per image
    double accuracy = 0.0;  // in [0, 1]
};

// Runs without recording gradients and in evaluation mode, and puts the model back into the
// mode it was in. May throw SolverFailure from the ODE block.
Evaluation evaluateClassifier(GodeNetImpl& model, const BatchMaker& split, torch::Device device);

}  // namespace gode
