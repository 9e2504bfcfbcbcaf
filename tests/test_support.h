// Small helpers shared by the Qt Test programs.
#pragma once

#include <torch/torch.h>

#include <QtTest/QtTest>

#include <string>

#include "model/solver.h"

namespace gode::test {

// Solver options for a fixed-step method with `steps` steps, and for Dormand-Prince.
gode::SolverOptions fixedSteps(const std::string& method, int steps);
gode::SolverOptions dopri(double rtol, double atol);

// Largest |a - b| over all elements, as a double.
double maxAbsDiff(const torch::Tensor& a, const torch::Tensor& b);

// Runs `body` and returns the message of the exception of type E it throws; fails the test
// (returns "") if it throws nothing or something else.
template <typename E, typename Body>
std::string messageOf(Body&& body) {
    try {
        body();
    } catch (const E& error) {
        return error.what();
    } catch (const std::exception& other) {
        QTest::qFail(("threw the wrong exception type: " + std::string(other.what())).c_str(),
                     __FILE__, __LINE__);
        return {};
    }
    QTest::qFail("expected an exception, none was thrown", __FILE__, __LINE__);
    return {};
}

}  // namespace gode::test

// QVERIFY that `text` contains `part`, printing both when it does not.
#define GODE_VERIFY_CONTAINS(text, part)                        \
    QVERIFY2(std::string(text).find(part) != std::string::npos, \
             (std::string("'") + (text) + "' does not mention '" + (part) + "'").c_str())

// QCOMPARE for project enums (and anything else with a gode::toString), printed by name.
#define GODE_COMPARE_NAMES(actual, expected)                 \
    QCOMPARE(QString::fromStdString(gode::toString(actual)), \
             QString::fromStdString(gode::toString(expected)))
