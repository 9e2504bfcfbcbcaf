// Solver statistics per training iteration: evaluations of f in the forward and the backward
// pass, and the accepted step sizes (per-iteration range, and against t for recent iterations),
// which show where an adaptive solver such as Dormand-Prince works hardest.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <vector>

#include "plot_panel.h"

class QCPAxisRect;
class QCPGraph;
class QCPLayoutGrid;

namespace gode {

class DecimatedSeries;

class SolverStatsPlot : public PlotPanel {
    Q_OBJECT

  public:
    // How many of the latest iterations the step-size-against-t panel overlays.
    static constexpr int kRecentIterations = 5;

    explicit SolverStatsPlot(QWidget* parent = nullptr);
    ~SolverStatsPlot() override;

    // One iteration: evaluations of f in the forward solve and in the backward pass (negative:
    // unknown, not drawn) and the accepted step sizes |dt| of the forward solve from 0 to T, in
    // order (SolverStats::stepSizes). Iterations must not decrease (InvalidPlotData otherwise).
    void appendIteration(double iteration, int64_t nfeForward, int64_t nfeBackward,
                         const std::vector<double>& stepSizes);
    void clear();
    int iterationCount() const;

    // The step-size panels matter for adaptive solvers; the window may hide them otherwise.
    void setStepSizesShown(bool shown);
    bool stepSizesShown() const { return stepSizesShown_; }

    // For tests: the evaluation series, the per-iteration step size statistics, and the steps
    // of a recent iteration against t (age 0 = latest).
    QCPGraph* forwardGraph() const { return forward_; }
    QCPGraph* backwardGraph() const { return backward_; }
    QCPGraph* stepMinGraph() const { return stepMin_; }
    QCPGraph* stepMeanGraph() const { return stepMean_; }
    QCPGraph* stepMaxGraph() const { return stepMax_; }
    QCPGraph* recentStepsGraph(int age) const;

  protected:
    void refresh() override;
    void fitAxes() override;

  private:
    struct Series;

    void buildPanels();
    void drawRecentSteps();
    void showBackwardInLegend(bool shown);

    std::unique_ptr<Series> series_;
    std::deque<std::vector<double>> recentSteps_;  // newest first
    double lastIteration_ = 0;
    int iterations_ = 0;
    bool dirty_ = false;
    bool stepSizesShown_ = true;

    QCPLayoutGrid* stepRow_ = nullptr;
    QCPAxisRect* evaluationRect_ = nullptr;
    QCPAxisRect* stepRangeRect_ = nullptr;
    QCPAxisRect* stepTimeRect_ = nullptr;
    QCPGraph* forward_ = nullptr;
    QCPGraph* backward_ = nullptr;
    QCPGraph* stepMin_ = nullptr;
    QCPGraph* stepMean_ = nullptr;
    QCPGraph* stepMax_ = nullptr;
    std::vector<QCPGraph*> recent_;
};

}  // namespace gode
