// Reading an earlier run directory back for the window: its configuration, its per-epoch
// metrics and the weights it exported, as the plots need them.
//
// Known shortcoming: metrics.jsonl holds one line per epoch, so a reopened run shows its test
// (and epoch-mean training) figures per epoch, not its per-iteration training curve; the
// hidden-state flows are not recomputed for it either (that needs the dataset).
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
    bool hasCheckpoint = false;             // training can continue from it
};

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
