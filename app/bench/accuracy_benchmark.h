// `gode-bench accuracy`: time to accuracy. Trains the CPU default (or a given configuration) on
// a full dataset and prints the wall time at which the test accuracy first reaches each target,
// measuring the accuracy on the whole test split several times per epoch.
#pragma once

#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace gode::bench {

struct AccuracyOptions {
    std::string dataDirectory;  // MNIST by default; the configuration names the dataset
    std::string configPath;     // a config.json (keys as gode-train writes them); empty: defaults
    int epochs = 0;             // 0: the configuration's own
    int threads = 0;            // 0: the configuration's own (all cores by default)
    std::vector<double> targets{0.98, 0.99, 0.995};
    int evaluationsPerEpoch = 10;
    std::string jsonPath;
};

void addAccuracyCommand(CLI::App& app);

}  // namespace gode::bench
