// Named failures of training: bad data files, bad run directories, diverged runs. Every message
// names the file, field or value involved and says what to change.
#pragma once

#include "model/errors.h"

namespace gode {

// A dataset file that is missing, unreadable or not what its format promises.
class DataError : public Error {
  public:
    using Error::Error;
};

// A run directory that cannot be written or read back (config, metrics, checkpoint, model).
class RunDirectoryError : public Error {
  public:
    using Error::Error;
};

// The loss became NaN or infinite, or the ODE solver gave up. The run's last good checkpoint
// stays on disk; the message says what to change before resuming or starting again.
class TrainingDiverged : public Error {
  public:
    using Error::Error;
};

}  // namespace gode
