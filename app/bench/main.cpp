// gode-bench: benchmark tables, one subcommand each. They print figures; none is a test.
#include <CLI/CLI.hpp>

#include <iostream>

#include "accuracy_benchmark.h"
#include "gradients_benchmark.h"
#include "levers_benchmark.h"
#include "model/errors.h"
#include "passive_openmp.h"
#include "throughput_benchmark.h"

int main(int argc, char** argv) {
    // As gode-train does, so that the figures are those of a training run.
    gode::preferPassiveOpenMpWaits(argv);
    CLI::App app{"GODE Explorer benchmarks: each subcommand measures and prints one table."};
    app.require_subcommand(1);

    // Add further tables here, each with its own subcommand.
    gode::bench::addThroughputCommand(app);
    gode::bench::addAccuracyCommand(app);
    gode::bench::addGradientsCommand(app);
    gode::bench::addLeversCommand(app);

    // Exit codes as gode-train's: 2 for a bad flag or value, 1 for a failed measurement.
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& error) {
        const int code = app.exit(error);
        return code == 0 ? 0 : 2;
    } catch (const gode::InvalidSetting& error) {
        std::cerr << "gode-bench: " << error.what() << "\n";
        return 2;
    } catch (const gode::Error& error) {
        std::cerr << "gode-bench: " << error.what() << "\n";
        return 1;
    } catch (const std::exception& error) {
        std::cerr << "gode-bench: unexpected failure: " << error.what() << "\n";
        return 1;
    }
    return 0;
}
