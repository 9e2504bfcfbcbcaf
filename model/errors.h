// Named failures of the model core. Every message says what happened, with which value,
// and what to change; the CLI prints it and the window shows it as it is.
#pragma once

#include <stdexcept>
#include <string>

namespace gode {

// Base of every error the project raises on purpose.
class Error : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// A configuration value outside what the method allows (spline order, knot count, horizon...).
class InvalidSetting : public Error {
  public:
    using Error::Error;
};

// An ODE solve that cannot go on. The kind lets callers react without parsing the message.
class SolverFailure : public Error {
  public:
    enum class Kind { StepUnderflow, NonFiniteState, MaxStepsReached };

    SolverFailure(Kind kind, const std::string& message) : Error(message), kind_(kind) {}
    Kind kind() const { return kind_; }

  private:
    Kind kind_;
};

}  // namespace gode
