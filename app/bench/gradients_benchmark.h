// `gode-bench gradients`: how the backprop modes trade memory for time. For each number of
// Euler steps and each mode, one training iteration (forward, backward, SGD step) of the
// published MNIST configuration, each row measured in a fresh child process.
#pragma once

#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace gode::bench {

struct GradientsOptions {
    std::vector<int> steps{10, 20, 40, 80, 160};
    std::vector<std::string> modes{"direct", "checkpoint", "adjoint"};
    int batch = 128;
    int repeats = 3;  // timed iterations per row; the table shows their median
    int threads = 0;  // LibTorch intra-op threads; 0 keeps LibTorch's default
    std::string jsonPath;

    // Set in the child process that measures one row.
    std::string rowMode;
    int rowSteps = 0;
};

void addGradientsCommand(CLI::App& app);

// The whole table: runs one child per row and prints the rows as they come.
void runGradientsTable(const GradientsOptions& options);

// One row in this process; prints it as one line of JSON.
void measureGradientsRow(const GradientsOptions& options);

}  // namespace gode::bench
