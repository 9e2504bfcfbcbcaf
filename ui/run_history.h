// Reading an earlier run directory back for the window: its configuration, its per-epoch
// metrics and the weights it exported, as the plots need them.
//
// Known shortcoming: metrics.jsonl holds one line per epoch, so a reopened run shows its test
// figures per epoch, not its per-iteration training curve. Its flows are recomputed from the
// exported weights only while its data folder is still readable.
#pragma once

#include "train/train_config.h"
#include "train/training_observer.h"
#include "viz/snapshots.h"

#include <QString>

#include <optional>
#include <vector>

namespace gode {

struct LoadedRun {
    QString folder;  // absolute
    TrainConfig config;
    std::vector<EpochReport> epochs;        // from metrics.jsonl, in order
    std::optional<WeightSnapshot> weights;  // from model.pt, when the run exported one
    std::optional<FlowProjection> flows;    // of its first test images, when they can be read
    bool hasCheckpoint = false;             // training can continue from it
};

// The first `count` test images of a configuration's dataset, normalised exactly as the trainer
// evaluates them: the fixed images whose hidden states the flow plot draws. Throws DataError.
struct FlowImages {
    torch::Tensor images;  // float [N, C, H, W]
    torch::Tensor labels;  // int64 [N]
};
FlowImages readFlowImages(const TrainConfig& config, int64_t count);

// The flows of `images` through `net`, projected to 2-D (computeFlows, then projectFlows).
FlowProjection projectedFlows(GodeNetImpl& net, const FlowImages& images);

// Throws RunDirectoryError naming the file (config.json missing or bad, metrics unreadable,
// model.pt not matching the configuration).
LoadedRun loadRun(const QString& folder);

// The iteration at which epoch `epoch` (from 1) of a run with this configuration ends, for
// drawing reopened epochs on the same axis as live ones. `trainImages` is the number of
// training images the run used.
double iterationAtEpochEnd(const TrainConfig& config, int64_t trainImages, int64_t epoch);

// The number of training images a configuration trains on: its limit, or the whole split.
int64_t trainImagesOf(const TrainConfig& config);

}  // namespace gode
