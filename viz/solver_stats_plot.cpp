#include "solver_stats_plot.h"

#include <qcustomplot.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "series.h"
#include "viz_errors.h"

namespace gode {

namespace {

QVector<QCPGraphData> graphData(const DecimatedSeries& series) {
    QVector<QCPGraphData> data;
    for (const auto& [x, y] : series.points())
        data.append(QCPGraphData(x, y));
    return data;
}

void setLogarithmic(QCPAxis* axis) {
    axis->setScaleType(QCPAxis::stLogarithmic);
    QSharedPointer<QCPAxisTickerLog> ticker(new QCPAxisTickerLog);
    axis->setTicker(ticker);
    axis->setNumberFormat("gb");
    axis->setNumberPrecision(3);
}

QCPRange logRange(double low, double high) {
    if (!(low > 0) || !(high >= low))
        return QCPRange(1e-3, 1);
    return QCPRange(low / 1.6, high * 1.6);
}

}  // namespace

struct SolverStatsPlot::Series {
    DecimatedSeries forward, backward, stepMin, stepMean, stepMax;
};

SolverStatsPlot::SolverStatsPlot(QWidget* parent)
    : PlotPanel(QStringLiteral("solver-statistics"), parent), series_(std::make_unique<Series>()) {
    buildPanels();
    resetView();
}

SolverStatsPlot::~SolverStatsPlot() = default;

// Evaluations on top; beneath, the step sizes per iteration and against t side by side.
void SolverStatsPlot::buildPanels() {
    QCustomPlot* plot = this->plot();
    plot->plotLayout()->clear();  // also deletes the default legend

    evaluationRect_ = new QCPAxisRect(plot);
    plot->plotLayout()->addElement(0, 0, evaluationRect_);
    stepRow_ = new QCPLayoutGrid;
    plot->plotLayout()->addElement(1, 0, stepRow_);
    stepRangeRect_ = new QCPAxisRect(plot);
    stepTimeRect_ = new QCPAxisRect(plot);
    stepRow_->addElement(0, 0, stepRangeRect_);
    stepRow_->addElement(0, 1, stepTimeRect_);

    auto* leftMargins = new QCPMarginGroup(plot);
    evaluationRect_->setMarginGroup(QCP::msLeft, leftMargins);
    stepRangeRect_->setMarginGroup(QCP::msLeft, leftMargins);
    for (QCPAxisRect* rect : {evaluationRect_, stepRangeRect_, stepTimeRect_}) {
        applyPlotStyle(*rect);
        rect->setRangeDrag(Qt::Horizontal | Qt::Vertical);
        rect->setRangeZoom(Qt::Horizontal | Qt::Vertical);
    }

    evaluationRect_->axis(QCPAxis::atBottom)->setLabel(tr("iteration"));
    evaluationRect_->axis(QCPAxis::atLeft)->setLabel(tr("evaluations of f"));
    stepRangeRect_->axis(QCPAxis::atBottom)->setLabel(tr("iteration"));
    stepRangeRect_->axis(QCPAxis::atLeft)->setLabel(tr("step size dt"));
    stepTimeRect_->axis(QCPAxis::atBottom)->setLabel(tr("depth t (latest iterations)"));
    stepTimeRect_->axis(QCPAxis::atLeft)->setLabel(tr("step size dt"));
    setLogarithmic(stepRangeRect_->axis(QCPAxis::atLeft));
    setLogarithmic(stepTimeRect_->axis(QCPAxis::atLeft));

    const auto addGraph = [&](QCPAxisRect* rect, const QString& name, const QPen& pen) {
        QCPGraph* graph =
            plot->addGraph(rect->axis(QCPAxis::atBottom), rect->axis(QCPAxis::atLeft));
        graph->setName(name);
        graph->setPen(pen);
        return graph;
    };
    forward_ = addGraph(evaluationRect_, tr("forward"), QPen(distinctColor(0), 1.5));
    // Dashed: with direct backprop the backward count equals the forward one, and a solid line
    // would hide the forward line completely.
    backward_ =
        addGraph(evaluationRect_, tr("backward"), QPen(distinctColor(1), 1.5, Qt::DashLine));

    QColor band = distinctColor(2);
    band.setAlpha(60);
    stepMin_ = addGraph(stepRangeRect_, tr("min"), QPen(band, 1));
    stepMax_ = addGraph(stepRangeRect_, tr("max"), QPen(band, 1));
    stepMax_->setBrush(band);
    stepMax_->setChannelFillGraph(stepMin_);
    stepMean_ = addGraph(stepRangeRect_, tr("mean"), QPen(distinctColor(2).darker(120), 1.6));

    // Newest drawn last (on top) and darkest.
    for (int age = kRecentIterations - 1; age >= 0; --age) {
        QColor color = distinctColor(4);
        color.setAlpha(age == 0 ? 255 : 150 - 25 * age);
        QCPGraph* graph = addGraph(stepTimeRect_, tr("iteration -%1").arg(age),
                                   QPen(color, age == 0 ? 1.8 : 1.0));
        graph->setLineStyle(QCPGraph::lsStepLeft);
        graph->setAdaptiveSampling(false);
        recent_.insert(recent_.begin(), graph);
    }

    plot->legend = createLegend(true);
    evaluationRect_->insetLayout()->addElement(plot->legend, Qt::AlignTop | Qt::AlignRight);
    plot->legend->setLayer(QStringLiteral("legend"));
    plot->legend->addItem(new QCPPlottableLegendItem(plot->legend, forward_));

    auto* stepLegend = createLegend(true);
    stepRangeRect_->insetLayout()->addElement(stepLegend, Qt::AlignTop | Qt::AlignRight);
    stepLegend->setLayer(QStringLiteral("legend"));
    stepLegend->addItem(new QCPPlottableLegendItem(stepLegend, stepMean_));
    stepLegend->addItem(new QCPPlottableLegendItem(stepLegend, stepMax_));
    stepMax_->setName(tr("min to max"));
}

// A trainer that does not count the backward pass's evaluations gets no empty legend entry.
void SolverStatsPlot::showBackwardInLegend(bool shown) {
    QCPLegend* legend = plot()->legend;
    const bool listed = legend->hasItemWithPlottable(backward_);
    if (shown && !listed)
        legend->addItem(new QCPPlottableLegendItem(legend, backward_));
    if (!shown && listed)
        legend->removeItem(legend->itemWithPlottable(backward_));
}

// ---------------------------------------------------------------------------------------------

void SolverStatsPlot::appendIteration(double iteration, int64_t nfeForward, int64_t nfeBackward,
                                      const std::vector<double>& stepSizes) {
    if (iterations_ > 0 && iteration < lastIteration_)
        throw InvalidPlotData("solver statistics: iteration " + std::to_string(iteration) +
                              " comes after iteration " + std::to_string(lastIteration_) +
                              "; iterations must not decrease");
    lastIteration_ = iteration;
    ++iterations_;

    series_->forward.append(iteration, static_cast<double>(nfeForward));
    if (nfeBackward >= 0)
        series_->backward.append(iteration, static_cast<double>(nfeBackward));
    if (!stepSizes.empty()) {
        const auto [low, high] = std::minmax_element(stepSizes.begin(), stepSizes.end());
        const double mean =
            std::accumulate(stepSizes.begin(), stepSizes.end(), 0.0) / stepSizes.size();
        series_->stepMin.append(iteration, *low);
        series_->stepMax.append(iteration, *high);
        series_->stepMean.append(iteration, mean);
        recentSteps_.push_front(stepSizes);
        if (recentSteps_.size() > static_cast<size_t>(kRecentIterations))
            recentSteps_.pop_back();
    }
    dirty_ = true;
    requestRefresh();
}

void SolverStatsPlot::clear() {
    series_ = std::make_unique<Series>();
    recentSteps_.clear();
    iterations_ = 0;
    lastIteration_ = 0;
    dirty_ = true;
    requestRefresh();
}

int SolverStatsPlot::iterationCount() const {
    return iterations_;
}

void SolverStatsPlot::setStepSizesShown(bool shown) {
    if (shown == stepSizesShown_)
        return;
    stepSizesShown_ = shown;

    // Out of the layout so that the evaluations take the whole height; invisible so that its
    // panels, which keep their graphs, draw nothing.
    QCPLayoutGrid* layout = plot()->plotLayout();
    if (shown) {
        layout->addElement(1, 0, stepRow_);
    } else {
        layout->take(stepRow_);
        layout->simplify();
    }
    stepRow_->setVisible(shown);
    requestRefresh();
}

QCPGraph* SolverStatsPlot::recentStepsGraph(int age) const {
    return age >= 0 && age < kRecentIterations ? recent_[age] : nullptr;
}

// ---------------------------------------------------------------------------------------------

void SolverStatsPlot::refresh() {
    if (!dirty_)
        return;
    dirty_ = false;
    forward_->data()->set(graphData(series_->forward), true);
    backward_->data()->set(graphData(series_->backward), true);
    showBackwardInLegend(series_->backward.hasRange());
    stepMin_->data()->set(graphData(series_->stepMin), true);
    stepMean_->data()->set(graphData(series_->stepMean), true);
    stepMax_->data()->set(graphData(series_->stepMax), true);
    drawRecentSteps();
}

// Step i covers [t_i, t_i + dt_i] with t_0 = 0: a staircase, closed by a point at the end.
void SolverStatsPlot::drawRecentSteps() {
    for (int age = 0; age < kRecentIterations; ++age) {
        QVector<QCPGraphData> data;
        if (age < static_cast<int>(recentSteps_.size())) {
            double t = 0;
            for (double step : recentSteps_[age]) {
                data.append(QCPGraphData(t, step));
                t += step;
            }
            data.append(QCPGraphData(t, recentSteps_[age].back()));
        }
        recent_[age]->data()->set(data, true);
    }
}

void SolverStatsPlot::fitAxes() {
    const Series& s = *series_;
    const double first = s.forward.hasRange() ? s.forward.xMin() : 0.0;
    const double last = s.forward.hasRange() ? s.forward.xMax() : 100.0;
    const QCPRange iterations(first, last > first ? last : first + 1);

    double high = s.forward.hasRange() ? s.forward.yMax() : 10.0;
    if (s.backward.hasRange())
        high = std::max(high, s.backward.yMax());
    evaluationRect_->axis(QCPAxis::atBottom)->setRange(iterations);
    evaluationRect_->axis(QCPAxis::atLeft)->setRange(0, std::max(1.0, high * 1.15));

    stepRangeRect_->axis(QCPAxis::atBottom)->setRange(iterations);
    stepRangeRect_->axis(QCPAxis::atLeft)
        ->setRange(logRange(s.stepMin.hasRange() ? s.stepMin.yMinPositive() : 0,
                            s.stepMax.hasRange() ? s.stepMax.yMax() : 0));

    double low = INFINITY, top = 0, horizon = 0;
    for (const std::vector<double>& steps : recentSteps_) {
        low = std::min(low, *std::min_element(steps.begin(), steps.end()));
        top = std::max(top, *std::max_element(steps.begin(), steps.end()));
        horizon = std::max(horizon, std::accumulate(steps.begin(), steps.end(), 0.0));
    }
    stepTimeRect_->axis(QCPAxis::atBottom)->setRange(0, horizon > 0 ? horizon : 1.0);
    stepTimeRect_->axis(QCPAxis::atLeft)->setRange(logRange(low, top));
}

}  // namespace gode
