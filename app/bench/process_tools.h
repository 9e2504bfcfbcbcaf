// What a benchmark needs from the operating system (Linux): resident memory of this process,
// fresh child processes, and a description of the machine. No LibTorch here.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "model/errors.h"

namespace gode::bench {

// A benchmark that could not run or whose measurement failed.
class BenchmarkFailure : public Error {
  public:
    using Error::Error;
};

// A field of /proc/self/status in KiB: "VmRSS" (resident now) or "VmHWM" (peak resident).
int64_t residentKiB(const std::string& field);

// CPU time used so far by all threads of this process, in seconds.
double processCpuSeconds();

// Lowers the peak resident size (VmHWM) to the current one, so that a later VmHWM is the peak of
// what ran in between. False where the kernel does not allow it (before Linux 4.0).
bool resetPeakResident();

// Runs this executable again with `arguments` and returns what it printed on stdout; its stderr
// passes through. Throws BenchmarkFailure if it cannot start or does not exit with status 0.
std::string runSelf(const std::vector<std::string>& arguments);

// "AMD EPYC ..., 2 cores" from /proc/cpuinfo and the number of online CPUs.
std::string machineDescription();

// Writes `text` to a temporary file beside `path`, then renames it onto `path`.
void writeFileAtomically(const std::string& path, const std::string& text);

}  // namespace gode::bench
