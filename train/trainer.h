// The training loop: reads the dataset, builds the model and optimizer, trains epoch by epoch
// with batches prepared ahead on a thread, evaluates on the test split after each epoch, and
// keeps the run directory up to date. Progress leaves only through the observer.
#pragma once

#include <memory>

#include "train_config.h"
#include "training_control.h"
#include "training_observer.h"

namespace gode {

// Runs are deterministic on the CPU for a given seed, configuration and thread count; a different
// CPU, BLAS library or thread count changes the order of floating-point sums and so the digits.
// The CUDA path has not been run yet (no GPU was available while it was written).
class Trainer {
  public:
    // `observer` and `control` may be null (nothing reported, never paused or stopped); they
    // must outlive the trainer.
    explicit Trainer(TrainConfig config, TrainingObserver* observer = nullptr,
                     TrainingControl* control = nullptr);
    ~Trainer();

    // Starts a new run in config.outputDirectory. Refuses a folder that already holds a
    // checkpoint (RunDirectoryError), so a finished run is never overwritten by accident.
    TrainingSummary run();

    // Continues the run whose checkpoint is in config.outputDirectory, up to config's epochs.
    TrainingSummary resume();

    const TrainConfig& config() const { return config_; }

  private:
    TrainingSummary start(bool resuming);

    TrainConfig config_;
    TrainingObserver* observer_;
    TrainingControl* control_;
};

}  // namespace gode
