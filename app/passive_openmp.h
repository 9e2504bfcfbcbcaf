// Passive OpenMP waits for the command-line programs.
#pragma once

#include <unistd.h>

#include <cstdlib>

namespace gode {

// LibTorch's OpenMP threads spin while they wait by default. When the cores are shared (a
// laptop with other work, a CI box running builds) that spinning takes the CPU from the thread
// doing the work: on this project's 2-core machine under load it made training 5 times slower.
// libgomp reads OMP_WAIT_POLICY only when it loads, so the program sets it and starts itself
// again; a user who sets the variable keeps their choice.
inline void preferPassiveOpenMpWaits(char** argv) {
    if (std::getenv("OMP_WAIT_POLICY") != nullptr)
        return;
    setenv("OMP_WAIT_POLICY", "passive", 0);
    execv("/proc/self/exe", argv);  // returns only on failure; then run as we are
}

}  // namespace gode
