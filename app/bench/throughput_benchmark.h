// `gode-bench throughput`: how fast one training iteration runs for the published
// configurations, the CPU default, each solver and several basis counts K, and how close the
// convolutions come to the machine's own ceiling, a large 3x3 convolution of the same width
// measured in the same run. Every row is measured in a fresh child process.
#pragma once

#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace gode::bench {

struct ThroughputOptions {
    std::vector<std::string> configs;  // names from throughputConfigNames(); empty: all
    std::string device = "cpu";
    int threads = 0;  // LibTorch intra-op threads; 0: each configuration's own, as gode-train
    int batch = 0;    // 0: each configuration's own batch
    int warmups = 2;
    int repeats = 5;
    std::string jsonPath;
    bool jsonToStdout = false;

    // Set in the child process that measures one row.
    std::string rowConfig;
    int rowCeilingWidth = 0;
};

std::vector<std::string> throughputConfigNames();

void addThroughputCommand(CLI::App& app);

}  // namespace gode::bench
