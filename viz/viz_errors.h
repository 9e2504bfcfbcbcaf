// Named failures of the visualisation layer. Like every project error they derive from
// gode::Error, and their messages name the value or file at fault so the window can show them.
#pragma once

#include "model/errors.h"

namespace gode {

// Data handed to a plot, a snapshot function or the PCA that does not have the documented
// shape or values (an unknown run id, a tensor of the wrong shape, a time outside [0, T]...).
class InvalidPlotData : public Error {
  public:
    using Error::Error;
};

// A plot or a metrics table that could not be written to the requested file.
class ExportError : public Error {
  public:
    using Error::Error;
};

}  // namespace gode
