#include "weights_over_depth_plot.h"

#include <qcustomplot.h>

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QSpinBox>
#include <QVBoxLayout>

#include <algorithm>
#include <array>
#include <cmath>
#include <tuple>

#include "snapshots.h"
#include "viz_errors.h"

namespace gode {

namespace {

struct Sample {
    double t;
    Side side;
};

// Uniform samples on [0, T] plus both sides of every interior knot, in t order (left side
// first), so that an order-1 spline is drawn with vertical jumps instead of ramps.
std::vector<Sample> sampleTimes(const BSplineBasis& basis) {
    const double horizon = basis.horizon();
    const std::vector<double> knots = basis.breakpoints();
    const double tolerance = 1e-9 * horizon;

    std::vector<Sample> samples;
    for (int i = 0; i < WeightsOverDepthPlot::kUniformSamples; ++i) {
        const double t = horizon * i / (WeightsOverDepthPlot::kUniformSamples - 1);
        const bool onKnot = std::any_of(knots.begin(), knots.end(), [&](double knot) {
            return std::abs(t - knot) < tolerance;
        });
        if (!onKnot)
            samples.push_back({t, Side::Right});
    }
    for (double knot : knots) {
        samples.push_back({knot, Side::Left});
        samples.push_back({knot, Side::Right});
    }
    std::stable_sort(samples.begin(), samples.end(), [](const Sample& a, const Sample& b) {
        return a.t < b.t || (a.t == b.t && a.side == Side::Left && b.side == Side::Right);
    });
    return samples;
}

QString kernelPositionName(int position) {
    return QStringLiteral("w%1%2").arg(position / 3).arg(position % 3);
}

using BasisKey = std::tuple<int, int, double, KnotPlacement>;

BasisKey keyOf(const WeightSnapshot& snapshot) {
    return {snapshot.order, snapshot.interiorKnots, snapshot.horizon, snapshot.placement};
}

}  // namespace

struct WeightsOverDepthPlot::State {
    WeightSnapshot snapshot;
    BasisKey basisKey{-1, -1, 0.0, KnotPlacement::Clamped};
    std::vector<double> times;                     // sample times, S of them
    std::vector<std::vector<double>> basisValues;  // [S][K]
    bool basisDirty = false;
    bool weightsDirty = false;

    std::array<QCPGraph*, 9> weightGraphs{};
    std::vector<QCPGraph*> basisGraphs;
    std::vector<QCPItemStraightLine*> knotLines;
    std::vector<double> knots;
    QCPTextElement* title = nullptr;
    QCPTextElement* subtitle = nullptr;
    QCPItemText* placeholder = nullptr;
    QCPLegend* basisLegend = nullptr;
    double weightLow = -1, weightHigh = 1, basisHigh = 1;
};

WeightsOverDepthPlot::WeightsOverDepthPlot(QWidget* parent)
    : PlotPanel(QStringLiteral("weights-over-depth"), parent), state_(std::make_unique<State>()) {
    buildPanels();
    buildControls();
    updateControls();
    updateTitle();
    resetView();
}

WeightsOverDepthPlot::~WeightsOverDepthPlot() = default;

// Weights on top, basis functions beneath, one t axis; legends on the right, the weights' legend
// laid out like the 3x3 kernel itself.
void WeightsOverDepthPlot::buildPanels() {
    QCustomPlot* plot = this->plot();
    QCPLayoutGrid* body = titledLayout(*plot, state_->title, state_->subtitle);

    weightRect_ = new QCPAxisRect(plot);
    basisRect_ = new QCPAxisRect(plot);
    body->addElement(0, 0, weightRect_);
    body->addElement(1, 0, basisRect_);
    body->setRowStretchFactor(0, 3);
    body->setRowStretchFactor(1, 2);

    auto* margins = new QCPMarginGroup(plot);
    for (QCPAxisRect* rect : {weightRect_, basisRect_}) {
        applyPlotStyle(*rect);
        rect->setMarginGroup(QCP::msLeft | QCP::msRight, margins);
        rect->axis(QCPAxis::atBottom)->setLabel(tr("depth t"));
    }
    weightRect_->axis(QCPAxis::atLeft)->setLabel(tr("weight W(t)"));
    basisRect_->axis(QCPAxis::atLeft)->setLabel(tr("basis B_k(t)"));
    weightRect_->setRangeDrag(Qt::Horizontal | Qt::Vertical);
    weightRect_->setRangeZoom(Qt::Horizontal | Qt::Vertical);
    basisRect_->setRangeDrag(Qt::Horizontal);
    basisRect_->setRangeZoom(Qt::Horizontal);

    // One t axis: panning or zooming either panel moves both.
    QCPAxis* weightT = weightRect_->axis(QCPAxis::atBottom);
    QCPAxis* basisT = basisRect_->axis(QCPAxis::atBottom);
    connect(weightT, qOverload<const QCPRange&>(&QCPAxis::rangeChanged), basisT,
            qOverload<const QCPRange&>(&QCPAxis::setRange));
    connect(basisT, qOverload<const QCPRange&>(&QCPAxis::rangeChanged), weightT,
            qOverload<const QCPRange&>(&QCPAxis::setRange));

    auto* weightLegend = createLegend(false);
    weightLegend->setFillOrder(QCPLayoutGrid::foColumnsFirst);
    weightLegend->setWrap(3);  // laid out like the kernel: row r, column c is w_rc
    state_->basisLegend = createLegend(false);
    addLegendColumn(*body, 0, 1, weightLegend);
    addLegendColumn(*body, 1, 1, state_->basisLegend);

    for (int position = 0; position < 9; ++position) {
        QCPGraph* graph = plot->addGraph(weightT, weightRect_->axis(QCPAxis::atLeft));
        graph->setName(kernelPositionName(position));
        graph->setPen(QPen(distinctColor(position), 1.6));
        graph->setAdaptiveSampling(false);
        weightLegend->addItem(new QCPPlottableLegendItem(weightLegend, graph));
        state_->weightGraphs[position] = graph;
    }

    state_->placeholder = new QCPItemText(plot);
    state_->placeholder->setClipAxisRect(weightRect_);
    state_->placeholder->position->setType(QCPItemPosition::ptAxisRectRatio);
    state_->placeholder->position->setAxisRect(weightRect_);
    state_->placeholder->position->setCoords(0.5, 0.5);
    state_->placeholder->setText(tr("No weights yet:\npress Start"));
    state_->placeholder->setColor(QColor(120, 120, 120));
}

void WeightsOverDepthPlot::buildControls() {
    layerBox_ = new QComboBox;
    layerBox_->addItem(tr("W1 (first spline conv)"), 1);
    layerBox_->addItem(tr("W2 (second spline conv)"), 2);
    layerBox_->setToolTip(tr("Which of the two convolutions of the ODE block to look at."));
    outputBox_ = new QSpinBox;
    outputBox_->setToolTip(tr("Output channel: the feature map this kernel writes to."));
    inputBox_ = new QSpinBox;
    inputBox_->setToolTip(tr("Input channel: the feature map this kernel reads from."));

    connect(layerBox_, qOverload<int>(&QComboBox::currentIndexChanged), this,
            [this](int index) { setLayer(layerBox_->itemData(index).toInt()); });
    connect(outputBox_, qOverload<int>(&QSpinBox::valueChanged), this,
            &WeightsOverDepthPlot::setOutputChannel);
    connect(inputBox_, qOverload<int>(&QSpinBox::valueChanged), this,
            &WeightsOverDepthPlot::setInputChannel);

    auto* row = new QHBoxLayout;
    row->setContentsMargins(4, 0, 4, 0);
    row->addWidget(new QLabel(tr("Layer")));
    row->addWidget(layerBox_);
    row->addSpacing(12);
    row->addWidget(new QLabel(tr("Output channel")));
    row->addWidget(outputBox_);
    row->addSpacing(12);
    row->addWidget(new QLabel(tr("Input channel")));
    row->addWidget(inputBox_);
    row->addStretch(1);
    panelLayout()->addLayout(row);
}

// ---------------------------------------------------------------------------------------------

void WeightsOverDepthPlot::setSnapshot(const WeightSnapshot& snapshot) {
    snapshot.validate();
    state_->snapshot = snapshot;
    if (keyOf(snapshot) != state_->basisKey) {
        state_->basisKey = keyOf(snapshot);
        state_->basisDirty = true;
    }
    state_->weightsDirty = true;

    // A narrower model keeps the selection inside its channels.
    outputChannel_ = std::min(outputChannel_, channelCount() - 1);
    inputChannel_ = std::min(inputChannel_, channelCount() - 1);
    updateControls();
    updateTitle();
    requestRefresh();
}

void WeightsOverDepthPlot::clearSnapshot() {
    state_->snapshot = WeightSnapshot();
    state_->basisKey = {-1, -1, 0.0, KnotPlacement::Clamped};
    state_->basisDirty = true;
    state_->weightsDirty = true;
    updateControls();
    updateTitle();
    requestRefresh();
}

bool WeightsOverDepthPlot::hasSnapshot() const {
    return !state_->snapshot.isEmpty();
}

void WeightsOverDepthPlot::setLayer(int layer) {
    setSelection(layer, outputChannel_, inputChannel_);
}

void WeightsOverDepthPlot::setOutputChannel(int channel) {
    setSelection(layer_, channel, inputChannel_);
}

void WeightsOverDepthPlot::setInputChannel(int channel) {
    setSelection(layer_, outputChannel_, channel);
}

void WeightsOverDepthPlot::setSelection(int layer, int outputChannel, int inputChannel) {
    const int lastChannel = std::max(0, channelCount() - 1);
    layer = std::clamp(layer, 1, 2);
    outputChannel = std::clamp(outputChannel, 0, lastChannel);
    inputChannel = std::clamp(inputChannel, 0, lastChannel);
    if (std::tie(layer, outputChannel, inputChannel) ==
        std::tie(layer_, outputChannel_, inputChannel_))
        return;

    layer_ = layer;
    outputChannel_ = outputChannel;
    inputChannel_ = inputChannel;
    state_->weightsDirty = true;
    updateControls();
    updateTitle();
    requestRefresh();
    emit selectionChanged(layer_, outputChannel_, inputChannel_);
}

int WeightsOverDepthPlot::channelCount() const {
    return hasSnapshot() ? static_cast<int>(state_->snapshot.conv1.size(1)) : 0;
}

int WeightsOverDepthPlot::basisCount() const {
    return hasSnapshot() ? static_cast<int>(state_->snapshot.conv1.size(0)) : 0;
}

QCPGraph* WeightsOverDepthPlot::weightGraph(int position) const {
    return position >= 0 && position < 9 ? state_->weightGraphs[position] : nullptr;
}

QCPGraph* WeightsOverDepthPlot::basisGraph(int k) const {
    const auto& graphs = state_->basisGraphs;
    return k >= 0 && k < static_cast<int>(graphs.size()) ? graphs[k] : nullptr;
}

std::vector<double> WeightsOverDepthPlot::markedKnots() const {
    return state_->knots;
}

// ---------------------------------------------------------------------------------------------

void WeightsOverDepthPlot::refresh() {
    if (state_->basisDirty)
        rebuildBasis();
    if (state_->weightsDirty)
        redrawWeights();
    state_->placeholder->setVisible(!hasSnapshot());
}

// Basis values at the sample times, the basis graphs and the knot lines: only when the basis
// definition changes, not for every snapshot.
void WeightsOverDepthPlot::rebuildBasis() {
    State& state = *state_;
    QCustomPlot* plot = this->plot();
    for (QCPGraph* graph : state.basisGraphs)
        plot->removeGraph(graph);
    for (QCPItemStraightLine* line : state.knotLines)
        plot->removeItem(line);
    state.basisGraphs.clear();
    state.knotLines.clear();
    state.basisLegend->clearItems();
    state.times.clear();
    state.basisValues.clear();
    state.knots.clear();
    state.basisDirty = false;
    if (!hasSnapshot())
        return;

    const BSplineBasis basis = state.snapshot.basis();
    for (const Sample& sample : sampleTimes(basis)) {
        state.times.push_back(sample.t);
        state.basisValues.push_back(basis.values(sample.t, sample.side));
    }

    state.basisHigh = 0;
    const bool legendFits = basis.size() <= 12;
    for (int k = 0; k < basis.size(); ++k) {
        QVector<QCPGraphData> data;
        for (size_t s = 0; s < state.times.size(); ++s) {
            data.append(QCPGraphData(state.times[s], state.basisValues[s][k]));
            state.basisHigh = std::max(state.basisHigh, state.basisValues[s][k]);
        }
        QCPGraph* graph =
            plot->addGraph(basisRect_->axis(QCPAxis::atBottom), basisRect_->axis(QCPAxis::atLeft));
        QColor fill = distinctColor(k);
        fill.setAlpha(30);
        graph->setPen(QPen(distinctColor(k), 1.4));
        graph->setBrush(fill);
        graph->setName(QStringLiteral("B%1").arg(k + 1));
        graph->setAdaptiveSampling(false);
        graph->data()->set(data, true);
        graph->removeFromLegend();
        if (legendFits)
            state.basisLegend->addItem(new QCPPlottableLegendItem(state.basisLegend, graph));
        state.basisGraphs.push_back(graph);
    }

    for (double knot : basis.breakpoints()) {
        for (QCPAxisRect* rect : {weightRect_, basisRect_}) {
            auto* line = new QCPItemStraightLine(plot);
            line->setClipAxisRect(rect);
            line->setPen(QPen(QColor(150, 150, 150), 1, Qt::DashLine));
            for (QCPItemPosition* point : {line->point1, line->point2}) {
                point->setAxes(rect->axis(QCPAxis::atBottom), rect->axis(QCPAxis::atLeft));
                point->setTypeX(QCPItemPosition::ptPlotCoords);
                point->setTypeY(QCPItemPosition::ptAxisRectRatio);
                point->setAxisRect(rect);
            }
            line->point1->setCoords(knot, 0);
            line->point2->setCoords(knot, 1);
            state.knotLines.push_back(line);
        }
        state.knots.push_back(knot);
    }
    state.weightsDirty = true;
}

// W_j(t_s) = sum_k c_k[j] B_k(t_s) for the 9 positions j of the selected kernel: 9 S K products.
void WeightsOverDepthPlot::redrawWeights() {
    State& state = *state_;
    state.weightsDirty = false;
    if (!hasSnapshot()) {
        for (QCPGraph* graph : state.weightGraphs)
            graph->data()->clear();
        return;
    }

    const std::vector<std::array<double, 9>> coefficients =
        kernelCoefficients(state.snapshot, layer_, outputChannel_, inputChannel_);
    state.weightLow = INFINITY;
    state.weightHigh = -INFINITY;
    for (int position = 0; position < 9; ++position) {
        QVector<QCPGraphData> data;
        data.reserve(static_cast<int>(state.times.size()));
        for (size_t s = 0; s < state.times.size(); ++s) {
            double weight = 0;
            for (size_t k = 0; k < coefficients.size(); ++k)
                weight += coefficients[k][position] * state.basisValues[s][k];
            data.append(QCPGraphData(state.times[s], weight));
            state.weightLow = std::min(state.weightLow, weight);
            state.weightHigh = std::max(state.weightHigh, weight);
        }
        state.weightGraphs[position]->data()->set(data, true);
    }
}

void WeightsOverDepthPlot::fitAxes() {
    const State& state = *state_;
    const double horizon = hasSnapshot() ? state.snapshot.horizon : 1.0;
    weightRect_->axis(QCPAxis::atBottom)->setRange(0, horizon);
    basisRect_->axis(QCPAxis::atBottom)->setRange(0, horizon);

    double low = hasSnapshot() ? state.weightLow : -1.0;
    double high = hasSnapshot() ? state.weightHigh : 1.0;
    const double pad = high > low ? 0.08 * (high - low) : 0.1;
    weightRect_->axis(QCPAxis::atLeft)->setRange(low - pad, high + pad);
    basisRect_->axis(QCPAxis::atLeft)->setRange(-0.03, std::max(state.basisHigh, 0.1) * 1.08);
}

void WeightsOverDepthPlot::updateControls() {
    const QSignalBlocker blockLayer(layerBox_);
    const QSignalBlocker blockOutput(outputBox_);
    const QSignalBlocker blockInput(inputBox_);
    layerBox_->setCurrentIndex(layer_ - 1);
    const int lastChannel = std::max(0, channelCount() - 1);
    outputBox_->setRange(0, lastChannel);
    inputBox_->setRange(0, lastChannel);
    outputBox_->setValue(outputChannel_);
    inputBox_->setValue(inputChannel_);
    for (QWidget* control : {static_cast<QWidget*>(layerBox_), static_cast<QWidget*>(outputBox_),
                             static_cast<QWidget*>(inputBox_)})
        control->setEnabled(hasSnapshot());
}

void WeightsOverDepthPlot::updateTitle() {
    if (!hasSnapshot()) {
        state_->title->setText(tr("Weights over depth"));
        state_->subtitle->setText(tr("the 9 weights of one 3x3 kernel against t"));
        return;
    }
    const WeightSnapshot& snapshot = state_->snapshot;
    state_->title->setText(tr("W%1(t): kernel from input channel %2 to output channel %3")
                               .arg(layer_)
                               .arg(inputChannel_)
                               .arg(outputChannel_));
    state_->subtitle->setText(tr("spline of order %1 with K = %2 basis functions, %3 knots "
                                 "(dashed)")
                                  .arg(snapshot.order)
                                  .arg(basisCount())
                                  .arg(QString::fromStdString(toString(snapshot.placement))));
}

}  // namespace gode
