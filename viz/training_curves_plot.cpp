#include "training_curves_plot.h"

#include <qcustomplot.h>

#include <QCheckBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QInputDialog>
#include <QLabel>
#include <QMenu>
#include <QMessageBox>
#include <QSaveFile>
#include <QSlider>
#include <QTextStream>
#include <QToolButton>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

#include "series.h"
#include "viz_errors.h"

namespace gode {

namespace {

constexpr double kMaxSmoothing = 0.999;
constexpr int kSliderSteps = 999;
constexpr int kCurveCount = 6;

struct IterationRecord {
    double iteration;
    double loss;
    double accuracy;
};

struct EpochRecord {
    int epoch;
    double iteration;
    double loss;
    double accuracy;
};

QVector<QCPGraphData> graphData(const std::vector<std::pair<double, double>>& points) {
    QVector<QCPGraphData> data;
    data.reserve(static_cast<int>(points.size()));
    for (const auto& [x, y] : points)
        data.append(QCPGraphData(x, y));
    return data;
}

QString csvField(QString text) {
    if (!text.contains(',') && !text.contains('"') && !text.contains('\n'))
        return text;
    return '"' + text.replace('"', "\"\"") + '"';
}

QString number(double value) {
    return QString::number(value, 'g', 10);
}

// Grows [low, high] to include the finite range of a series.
void include(const DecimatedSeries& series, double& low, double& high, bool positiveOnly) {
    if (!series.hasRange())
        return;
    const double seriesLow = positiveOnly ? series.yMinPositive() : series.yMin();
    if (positiveOnly && seriesLow <= 0)
        return;
    low = std::min(low, seriesLow);
    high = std::max(high, series.yMax());
}

void include(double value, double& low, double& high, bool positiveOnly) {
    if (!std::isfinite(value) || (positiveOnly && value <= 0))
        return;
    low = std::min(low, value);
    high = std::max(high, value);
}

// A range with a little air around the data; `fallback` when there is no data.
QCPRange paddedRange(double low, double high, bool logarithmic, QCPRange fallback) {
    if (low > high)
        return fallback;
    if (logarithmic)
        return QCPRange(low / 1.3, high * 1.3);
    const double pad = high > low ? 0.05 * (high - low) : std::max(1e-3, 0.05 * std::abs(high));
    return QCPRange(low - pad, high + pad);
}

}  // namespace

struct TrainingCurvesPlot::Run {
    QString id;
    QString label;
    QColor color;
    bool visible = true;
    std::optional<double> ownSmoothing;  // std::nullopt: the plot's global factor
    bool smoothedShown = true;

    std::vector<IterationRecord> iterations;
    std::vector<EpochRecord> epochs;

    ExponentialMovingAverage lossAverage;
    ExponentialMovingAverage accuracyAverage;
    DecimatedSeries rawLoss, smoothLoss, rawAccuracy, smoothAccuracy;
    bool dirty = true;

    std::array<QCPGraph*, kCurveCount> graphs{};
    QCPGraph* graph(Curve curve) const { return graphs[static_cast<int>(curve)]; }
};

TrainingCurvesPlot::TrainingCurvesPlot(QWidget* parent)
    : PlotPanel(QStringLiteral("training-curves"), parent) {
    buildPanels();
    buildControls();
    setSmoothing(smoothing_);
    setLogarithmicLoss(logarithmicLoss_);
}

TrainingCurvesPlot::~TrainingCurvesPlot() = default;

// Two stacked panels that share the iteration axis; the legend (one entry per run) is
// clickable and toggles its run.
void TrainingCurvesPlot::buildPanels() {
    QCustomPlot* plot = this->plot();
    plot->plotLayout()->clear();

    auto* caption = new QCPTextElement(
        plot,
        tr("training: smoothed (bold), raw (faint)\ntest: dots per epoch"),
        QFont(font().family(), 9));
    caption->setTextColor(QColor(90, 90, 90));
    plot->plotLayout()->addElement(0, 0, caption);

    lossRect_ = new QCPAxisRect(plot);
    accuracyRect_ = new QCPAxisRect(plot);
    plot->plotLayout()->addElement(1, 0, lossRect_);
    plot->plotLayout()->addElement(2, 0, accuracyRect_);

    auto* margins = new QCPMarginGroup(plot);
    for (QCPAxisRect* rect : {lossRect_, accuracyRect_}) {
        applyPlotStyle(*rect);
        rect->setMarginGroup(QCP::msLeft | QCP::msRight, margins);
        rect->setRangeDrag(Qt::Horizontal | Qt::Vertical);
        rect->setRangeZoom(Qt::Horizontal | Qt::Vertical);
    }
    lossRect_->axis(QCPAxis::atBottom)->setLabel(tr("iteration"));
    lossRect_->axis(QCPAxis::atLeft)->setLabel(tr("loss"));
    accuracyRect_->axis(QCPAxis::atBottom)->setLabel(tr("iteration"));
    accuracyRect_->axis(QCPAxis::atLeft)->setLabel(tr("accuracy (%)"));

    // Panning or zooming one panel in iterations moves the other one too.
    QCPAxis* lossX = lossRect_->axis(QCPAxis::atBottom);
    QCPAxis* accuracyX = accuracyRect_->axis(QCPAxis::atBottom);
    connect(lossX, qOverload<const QCPRange&>(&QCPAxis::rangeChanged), accuracyX,
            qOverload<const QCPRange&>(&QCPAxis::setRange));
    connect(accuracyX, qOverload<const QCPRange&>(&QCPAxis::rangeChanged), lossX,
            qOverload<const QCPRange&>(&QCPAxis::setRange));

    placeholder_ = new QCPItemText(plot);
    placeholder_->setClipAxisRect(lossRect_);
    placeholder_->position->setType(QCPItemPosition::ptAxisRectRatio);
    placeholder_->position->setAxisRect(lossRect_);
    placeholder_->position->setCoords(0.5, 0.5);
    placeholder_->setText(tr("No runs yet:\npress Start"));
    placeholder_->setColor(QColor(120, 120, 120));

    plot->legend = createLegend(true);
    lossRect_->insetLayout()->addElement(plot->legend, Qt::AlignTop | Qt::AlignRight);
    plot->legend->setLayer(QStringLiteral("legend"));
    connect(plot, &QCustomPlot::legendClick, this,
            [this](QCPLegend*, QCPAbstractLegendItem* item, QMouseEvent*) {
                if (Run* clicked = runOf(item))
                    setRunVisible(clicked->id, !clicked->visible);
            });
}

void TrainingCurvesPlot::buildControls() {
    auto* row = new QHBoxLayout;
    row->setContentsMargins(4, 0, 4, 0);

    auto* label = new QLabel(tr("Smoothing"));
    smoothingSlider_ = new QSlider(Qt::Horizontal);
    smoothingSlider_->setRange(0, kSliderSteps);
    smoothingBox_ = new QDoubleSpinBox;
    smoothingBox_->setRange(0.0, kMaxSmoothing);
    smoothingBox_->setDecimals(3);
    smoothingBox_->setSingleStep(0.01);
    const QString smoothingTip =
        tr("How much the training curves are averaged over recent iterations: 0 shows the raw "
           "values, 0.99 averages over about the last 100 iterations.");
    for (QWidget* widget : {static_cast<QWidget*>(label), static_cast<QWidget*>(smoothingSlider_),
                            static_cast<QWidget*>(smoothingBox_)})
        widget->setToolTip(smoothingTip);
    connect(smoothingSlider_, &QSlider::valueChanged, this,
            [this](int value) { setSmoothing(value / 1000.0); });
    connect(smoothingBox_, qOverload<double>(&QDoubleSpinBox::valueChanged), this,
            [this](double value) { setSmoothing(value); });

    logLossBox_ = new QCheckBox(tr("Log-scale loss"));
    logLossBox_->setToolTip(
        tr("Draw the loss on a logarithmic axis, so that late progress from "
           "0.1 to 0.01 stays visible."));
    connect(logLossBox_, &QCheckBox::toggled, this, &TrainingCurvesPlot::setLogarithmicLoss);

    runsButton_ = new QToolButton;
    runsButton_->setText(tr("Runs"));
    runsButton_->setToolTip(tr("Show or hide runs; clicking a run in the legend does the same."));
    connect(runsButton_, &QToolButton::clicked, this, &TrainingCurvesPlot::showRunsMenu);

    row->addWidget(label);
    row->addWidget(smoothingSlider_, 1);
    row->addWidget(smoothingBox_);
    row->addSpacing(12);
    row->addWidget(logLossBox_);
    row->addWidget(runsButton_);
    panelLayout()->addLayout(row);
}

// ---------------------------------------------------------------------------------------------

void TrainingCurvesPlot::addRun(const QString& id, const QString& label) {
    if (findRun(id))
        throw InvalidPlotData("a run with id '" + id.toStdString() +
                              "' is already plotted; give each run its own id");
    auto added = std::make_unique<Run>();
    added->id = id;
    added->label = label;
    added->color = distinctColor(colorsUsed_++);
    added->lossAverage = ExponentialMovingAverage(smoothing_);
    added->accuracyAverage = ExponentialMovingAverage(smoothing_);
    createGraphs(*added);
    applyVisibility(*added);
    runs_.push_back(std::move(added));
    requestRefresh();
}

void TrainingCurvesPlot::createGraphs(Run& run) {
    QColor faint = run.color;
    faint.setAlpha(55);

    const auto make = [&](Curve curve, QCPAxisRect* rect) {
        QCPGraph* graph =
            plot()->addGraph(rect->axis(QCPAxis::atBottom), rect->axis(QCPAxis::atLeft));
        graph->setName(run.label);
        graph->removeFromLegend();
        run.graphs[static_cast<int>(curve)] = graph;
        return graph;
    };
    const auto styleRaw = [&](QCPGraph* graph) { graph->setPen(QPen(faint, 1)); };
    const auto styleSmoothed = [&](QCPGraph* graph) { graph->setPen(QPen(run.color, 2)); };
    const auto styleTest = [&](QCPGraph* graph) {
        graph->setPen(QPen(run.color, 1.2, Qt::DashLine));
        graph->setScatterStyle(
            QCPScatterStyle(QCPScatterStyle::ssCircle, QPen(run.color, 1.5), Qt::white, 7));
        graph->setAdaptiveSampling(false);
    };

    styleRaw(make(Curve::TrainLoss, lossRect_));
    styleSmoothed(make(Curve::TrainLossSmoothed, lossRect_));
    styleTest(make(Curve::TestLoss, lossRect_));
    styleRaw(make(Curve::TrainAccuracy, accuracyRect_));
    styleSmoothed(make(Curve::TrainAccuracySmoothed, accuracyRect_));
    styleTest(make(Curve::TestAccuracy, accuracyRect_));

    run.graph(Curve::TrainLossSmoothed)->addToLegend();
    styleLegendItem(run);
}

void TrainingCurvesPlot::removeRun(const QString& id) {
    auto found = std::find_if(runs_.begin(), runs_.end(),
                              [&](const std::unique_ptr<Run>& run) { return run->id == id; });
    if (found == runs_.end())
        return;
    for (QCPGraph* graph : (*found)->graphs)
        plot()->removeGraph(graph);
    runs_.erase(found);
    requestRefresh();
}

void TrainingCurvesPlot::clear() {
    while (!runs_.empty())
        removeRun(runs_.front()->id);
    colorsUsed_ = 0;
}

bool TrainingCurvesPlot::hasRun(const QString& id) const {
    return findRun(id) != nullptr;
}

QStringList TrainingCurvesPlot::runIds() const {
    QStringList ids;
    for (const auto& run : runs_)
        ids << run->id;
    return ids;
}

void TrainingCurvesPlot::appendIteration(const QString& id, double iteration, double loss,
                                         double accuracy) {
    Run& target = run(id);
    if (!target.iterations.empty() && iteration < target.iterations.back().iteration)
        throw InvalidPlotData("run '" + id.toStdString() + "': iteration " +
                              std::to_string(iteration) + " comes after iteration " +
                              std::to_string(target.iterations.back().iteration) +
                              "; iterations must not decrease");

    target.iterations.push_back({iteration, loss, accuracy});
    target.rawLoss.append(iteration, loss);
    target.rawAccuracy.append(iteration, 100.0 * accuracy);
    target.smoothLoss.append(iteration, target.lossAverage.add(loss));
    target.smoothAccuracy.append(iteration, 100.0 * target.accuracyAverage.add(accuracy));
    target.dirty = true;
    requestRefresh();
}

void TrainingCurvesPlot::appendEpoch(const QString& id, int epoch, double iteration,
                                     double testLoss, double testAccuracy) {
    Run& target = run(id);
    target.epochs.push_back({epoch, iteration, testLoss, testAccuracy});
    target.dirty = true;
    requestRefresh();
}

void TrainingCurvesPlot::setRunVisible(const QString& id, bool visible) {
    Run& target = run(id);
    if (target.visible == visible)
        return;
    target.visible = visible;
    applyVisibility(target);
    styleLegendItem(target);
    requestRefresh();
    emit runVisibilityChanged(id, visible);
}

bool TrainingCurvesPlot::isRunVisible(const QString& id) const {
    return run(id).visible;
}

void TrainingCurvesPlot::setSmoothing(double beta) {
    beta = std::clamp(std::isfinite(beta) ? beta : 0.0, 0.0, kMaxSmoothing);
    const QSignalBlocker blockSlider(smoothingSlider_);
    const QSignalBlocker blockBox(smoothingBox_);
    smoothingSlider_->setValue(static_cast<int>(std::lround(beta * 1000)));
    smoothingBox_->setValue(beta);
    if (beta == smoothing_)
        return;

    smoothing_ = beta;
    for (auto& each : runs_)
        if (!each->ownSmoothing)
            rebuildSmoothed(*each);
    requestRefresh();
    emit smoothingChanged(beta);
}

double TrainingCurvesPlot::smoothingOf(const Run& run) const {
    return run.ownSmoothing.value_or(smoothing_);
}

void TrainingCurvesPlot::setRunSmoothing(const QString& id, std::optional<double> beta) {
    Run& target = run(id);
    if (beta)
        beta = std::clamp(std::isfinite(*beta) ? *beta : 0.0, 0.0, kMaxSmoothing);
    target.ownSmoothing = beta;
    rebuildSmoothed(target);
    requestRefresh();
}

std::optional<double> TrainingCurvesPlot::runSmoothing(const QString& id) const {
    return run(id).ownSmoothing;
}

double TrainingCurvesPlot::effectiveSmoothing(const QString& id) const {
    return smoothingOf(run(id));
}

void TrainingCurvesPlot::setRunSmoothedShown(const QString& id, bool shown) {
    Run& target = run(id);
    target.smoothedShown = shown;
    applyVisibility(target);
    requestRefresh();
}

bool TrainingCurvesPlot::isRunSmoothedShown(const QString& id) const {
    return run(id).smoothedShown;
}

// Without its smoothed curves a run's raw values are all that is left of it, so they take the
// full colour instead of the faint one they have behind a smoothed curve.
void TrainingCurvesPlot::applyVisibility(Run& run) {
    QColor rawColor = run.color;
    if (run.smoothedShown)
        rawColor.setAlpha(55);
    for (Curve curve : {Curve::TrainLoss, Curve::TrainAccuracy})
        run.graph(curve)->setPen(QPen(rawColor, 1));

    for (int index = 0; index < kCurveCount; ++index) {
        const auto curve = static_cast<Curve>(index);
        const bool smoothed =
            curve == Curve::TrainLossSmoothed || curve == Curve::TrainAccuracySmoothed;
        run.graphs[index]->setVisible(run.visible && (!smoothed || run.smoothedShown));
    }
}

// O(iterations of the run): only on a change of the smoothing factor, never per redraw.
void TrainingCurvesPlot::rebuildSmoothed(Run& run) {
    run.lossAverage = ExponentialMovingAverage(smoothingOf(run));
    run.accuracyAverage = ExponentialMovingAverage(smoothingOf(run));
    run.smoothLoss.clear();
    run.smoothAccuracy.clear();
    for (const IterationRecord& record : run.iterations) {
        run.smoothLoss.append(record.iteration, run.lossAverage.add(record.loss));
        run.smoothAccuracy.append(record.iteration,
                                  100.0 * run.accuracyAverage.add(record.accuracy));
    }
    run.dirty = true;
}

void TrainingCurvesPlot::setLogarithmicLoss(bool logarithmic) {
    logarithmicLoss_ = logarithmic;
    const QSignalBlocker block(logLossBox_);
    logLossBox_->setChecked(logarithmic);

    QCPAxis* axis = lossRect_->axis(QCPAxis::atLeft);
    axis->setScaleType(logarithmic ? QCPAxis::stLogarithmic : QCPAxis::stLinear);
    if (logarithmic)
        axis->setTicker(QSharedPointer<QCPAxisTickerLog>(new QCPAxisTickerLog));
    else
        axis->setTicker(QSharedPointer<QCPAxisTicker>(new QCPAxisTicker));
    resetView();
}

// ---------------------------------------------------------------------------------------------

void TrainingCurvesPlot::exportCsv(const QString& path) const {
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Text))
        throw ExportError("cannot write metrics to '" + path.toStdString() +
                          "': " + file.errorString().toStdString());

    QTextStream out(&file);
    out << "run,label,kind,epoch,iteration,loss,accuracy\n";
    for (const auto& each : runs_) {
        const QString prefix = csvField(each->id) + ',' + csvField(each->label) + ',';
        for (const IterationRecord& record : each->iterations)
            out << prefix << "train,," << number(record.iteration) << ',' << number(record.loss)
                << ',' << number(record.accuracy) << '\n';
        for (const EpochRecord& record : each->epochs)
            out << prefix << "test," << record.epoch << ',' << number(record.iteration) << ','
                << number(record.loss) << ',' << number(record.accuracy) << '\n';
    }

    out.flush();
    if (out.status() != QTextStream::Ok || !file.commit())
        throw ExportError("could not finish writing metrics to '" + path.toStdString() +
                          "': " + file.errorString().toStdString());
}

QCPGraph* TrainingCurvesPlot::graph(const QString& id, Curve curve) const {
    Run* found = findRun(id);
    return found ? found->graph(curve) : nullptr;
}

int TrainingCurvesPlot::iterationCount(const QString& id) const {
    return static_cast<int>(run(id).iterations.size());
}

// ---------------------------------------------------------------------------------------------

void TrainingCurvesPlot::refresh() {
    for (auto& each : runs_)
        if (each->dirty)
            drawRun(*each);
    plot()->legend->setVisible(!runs_.empty());
    placeholder_->setVisible(runs_.empty());
}

// Bounded work: the decimated series hold at most a few thousand points whatever the length
// of the run, and there is one test point per epoch.
void TrainingCurvesPlot::drawRun(Run& run) {
    run.graph(Curve::TrainLoss)->data()->set(graphData(run.rawLoss.points()), true);
    run.graph(Curve::TrainLossSmoothed)->data()->set(graphData(run.smoothLoss.points()), true);
    run.graph(Curve::TrainAccuracy)->data()->set(graphData(run.rawAccuracy.points()), true);
    run.graph(Curve::TrainAccuracySmoothed)
        ->data()
        ->set(graphData(run.smoothAccuracy.points()), true);

    QVector<QCPGraphData> testLoss, testAccuracy;
    for (const EpochRecord& record : run.epochs) {
        testLoss.append(QCPGraphData(record.iteration, record.loss));
        testAccuracy.append(QCPGraphData(record.iteration, 100.0 * record.accuracy));
    }
    run.graph(Curve::TestLoss)->data()->set(testLoss);
    run.graph(Curve::TestAccuracy)->data()->set(testAccuracy);
    run.dirty = false;
}

void TrainingCurvesPlot::fitAxes() {
    double xLow = INFINITY, xHigh = -INFINITY;
    double lossLow = INFINITY, lossHigh = -INFINITY;
    double accuracyLow = INFINITY, accuracyHigh = -INFINITY;
    for (const auto& each : runs_) {
        if (!each->visible)
            continue;
        for (const DecimatedSeries* series : {&each->rawLoss, &each->smoothLoss}) {
            include(*series, lossLow, lossHigh, logarithmicLoss_);
            if (series->hasRange()) {
                xLow = std::min(xLow, series->xMin());
                xHigh = std::max(xHigh, series->xMax());
            }
        }
        include(each->rawAccuracy, accuracyLow, accuracyHigh, false);
        include(each->smoothAccuracy, accuracyLow, accuracyHigh, false);
        for (const EpochRecord& record : each->epochs) {
            include(record.iteration, xLow, xHigh, false);
            include(record.loss, lossLow, lossHigh, logarithmicLoss_);
            include(100.0 * record.accuracy, accuracyLow, accuracyHigh, false);
        }
    }

    const QCPRange xRange =
        xLow < xHigh ? QCPRange(xLow, xHigh) : paddedRange(xLow, xHigh, false, QCPRange(0, 100));
    lossRect_->axis(QCPAxis::atBottom)->setRange(xRange);
    accuracyRect_->axis(QCPAxis::atBottom)->setRange(xRange);
    lossRect_->axis(QCPAxis::atLeft)
        ->setRange(paddedRange(lossLow, lossHigh, logarithmicLoss_,
                               logarithmicLoss_ ? QCPRange(0.01, 3) : QCPRange(0, 2.5)));
    QCPRange accuracy = paddedRange(accuracyLow, accuracyHigh, false, QCPRange(0, 100));
    accuracyRect_->axis(QCPAxis::atLeft)
        ->setRange(QCPRange(std::max(accuracy.lower, 0.0), std::min(accuracy.upper, 100.5)));
}

void TrainingCurvesPlot::addMenuActions(QMenu& menu) {
    menu.addSeparator();
    menu.addAction(tr("Export metrics as CSV..."), this, [this] {
        const QString path = QFileDialog::getSaveFileName(this, tr("Export metrics"), "metrics.csv",
                                                          tr("CSV files (*.csv)"));
        if (path.isEmpty())
            return;
        try {
            exportCsv(path);
        } catch (const Error& error) {
            QMessageBox::warning(this, tr("Export failed"), QString::fromStdString(error.what()));
        }
    });
}

// ---------------------------------------------------------------------------------------------

TrainingCurvesPlot::Run& TrainingCurvesPlot::run(const QString& id) const {
    Run* found = findRun(id);
    if (!found)
        throw InvalidPlotData("no run with id '" + id.toStdString() +
                              "' is plotted; call addRun first");
    return *found;
}

TrainingCurvesPlot::Run* TrainingCurvesPlot::findRun(const QString& id) const {
    for (const auto& each : runs_)
        if (each->id == id)
            return each.get();
    return nullptr;
}

TrainingCurvesPlot::Run* TrainingCurvesPlot::runOf(QCPAbstractLegendItem* item) const {
    auto* plottableItem = qobject_cast<QCPPlottableLegendItem*>(item);
    if (!plottableItem)
        return nullptr;
    for (const auto& each : runs_)
        if (each->graph(Curve::TrainLossSmoothed) == plottableItem->plottable())
            return each.get();
    return nullptr;
}

// A hidden run keeps its legend entry, greyed and struck through, so it can be clicked back.
void TrainingCurvesPlot::styleLegendItem(Run& run) {
    QCPPlottableLegendItem* item =
        plot()->legend->itemWithPlottable(run.graph(Curve::TrainLossSmoothed));
    if (!item)
        return;
    QFont font = plot()->legend->font();
    font.setStrikeOut(!run.visible);
    item->setFont(font);
    item->setTextColor(run.visible ? QColor(30, 30, 30) : QColor(170, 170, 170));
    item->setSelectable(false);
}

void TrainingCurvesPlot::showRunsMenu() {
    QMenu menu(this);
    if (runs_.empty())
        menu.addAction(tr("No runs yet"))->setEnabled(false);
    for (const auto& each : runs_)
        addRunMenu(menu, *each);
    menu.exec(runsButton_->mapToGlobal(QPoint(0, runsButton_->height())));
}

// One submenu per run: shown or hidden, its smoothed curve on or off, and its own smoothing.
void TrainingCurvesPlot::addRunMenu(QMenu& menu, Run& run) {
    QMenu* submenu = menu.addMenu(run.label);
    const QString id = run.id;

    QAction* shown = submenu->addAction(tr("Shown"));
    shown->setCheckable(true);
    shown->setChecked(run.visible);
    connect(shown, &QAction::toggled, this, [this, id](bool on) { setRunVisible(id, on); });

    QAction* smoothed = submenu->addAction(tr("Smoothed curve"));
    smoothed->setCheckable(true);
    smoothed->setChecked(run.smoothedShown);
    connect(smoothed, &QAction::toggled, this,
            [this, id](bool on) { setRunSmoothedShown(id, on); });

    submenu->addSeparator();
    QAction* global = submenu->addAction(tr("Global smoothing"));
    global->setCheckable(true);
    global->setChecked(!run.ownSmoothing);
    connect(global, &QAction::triggered, this, [this, id] { setRunSmoothing(id, std::nullopt); });

    const QString ownText = run.ownSmoothing
                                ? tr("Own smoothing (%1)...").arg(*run.ownSmoothing, 0, 'g', 3)
                                : tr("Own smoothing...");
    QAction* own = submenu->addAction(ownText);
    own->setCheckable(true);
    own->setChecked(run.ownSmoothing.has_value());
    connect(own, &QAction::triggered, this, [this, id] {
        bool accepted = false;
        const double beta = QInputDialog::getDouble(
            this, tr("Smoothing of one run"),
            tr("Smoothing factor for this run (0 = raw, 0.999 = strongest):"),
            effectiveSmoothing(id), 0.0, kMaxSmoothing, 3, &accepted);
        if (accepted)
            setRunSmoothing(id, beta);
    });
}

}  // namespace gode
