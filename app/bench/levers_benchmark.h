// `gode-bench levers`: what the CPU-side levers would give the training step before any of
// them is built in. Times one evaluation of the vector field (GroupNorm, ReLU, 3x3 conv, twice)
// forward and backward at the ODE block's size, in float32 as the model runs it, with
// channels-last tensors, and entirely in bfloat16.
#pragma once

namespace CLI {
class App;
}

namespace gode::bench {

void addLeversCommand(CLI::App& app);

}  // namespace gode::bench
