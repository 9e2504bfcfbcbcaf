#include "flow_plot.h"

#include <qcustomplot.h>

#include <QHBoxLayout>
#include <QLabel>
#include <QSlider>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

#include "snapshots.h"
#include "viz_errors.h"

namespace gode {

namespace {

constexpr int kPlayIntervalMs = 180;

void checkProjection(const FlowProjection& projection) {
    const size_t expected = projection.times.size() * static_cast<size_t>(projection.imageCount);
    const bool consistent =
        projection.imageCount >= 0 &&
        projection.labels.size() == static_cast<size_t>(projection.imageCount) &&
        projection.x.size() == expected && projection.y.size() == expected;
    if (!consistent)
        throw InvalidPlotData("flow projection of " + std::to_string(projection.imageCount) +
                              " images at " + std::to_string(projection.times.size()) +
                              " times holds " + std::to_string(projection.labels.size()) +
                              " labels and " + std::to_string(projection.x.size()) +
                              " points; expected one label per image and one point per image "
                              "and time");
    for (int label : projection.labels)
        if (label < 0)
            throw InvalidPlotData("flow label " + std::to_string(label) +
                                  " is negative; labels are class indices 0, 1, ...");
}

}  // namespace

FlowPlot::FlowPlot(QWidget* parent) : PlotPanel(QStringLiteral("hidden-state-flows"), parent) {
    buildPanels();
    buildControls();
    updateTimeLabel();
    refreshNow();
}

FlowPlot::~FlowPlot() = default;

void FlowPlot::buildPanels() {
    QCustomPlot* plot = this->plot();
    QCPLayoutGrid* body = titledLayout(*plot, title_, subtitle_);
    title_->setText(tr("Hidden-state flows"));
    subtitle_->setText(tr("no flows yet: they appear once the trainer sends some"));

    rect_ = new QCPAxisRect(plot);
    body->addElement(0, 0, rect_);
    applyPlotStyle(*rect_);
    rect_->setRangeDrag(Qt::Horizontal | Qt::Vertical);
    rect_->setRangeZoom(Qt::Horizontal | Qt::Vertical);
    rect_->axis(QCPAxis::atBottom)->setLabel(tr("PC 1"));
    rect_->axis(QCPAxis::atLeft)->setLabel(tr("PC 2"));

    plot->legend = createLegend(false);
    addLegendColumn(*body, 0, 1, plot->legend);
}

void FlowPlot::buildControls() {
    playButton_ = new QToolButton;
    playButton_->setText(tr("Play"));
    playButton_->setCheckable(true);
    playButton_->setToolTip(
        tr("Move through depth t step by step, to watch the images' hidden "
           "states flow apart by class."));
    slider_ = new QSlider(Qt::Horizontal);
    slider_->setToolTip(
        tr("Depth t: each trajectory is drawn from t = 0 up to here, with a dot "
           "at its state at t."));
    timeLabel_ = new QLabel;
    timeLabel_->setMinimumWidth(timeLabel_->fontMetrics().horizontalAdvance("t = 0.000 (00/00)"));
    playTimer_ = new QTimer(this);
    playTimer_->setInterval(kPlayIntervalMs);

    connect(slider_, &QSlider::valueChanged, this, &FlowPlot::setTimeIndex);
    connect(playButton_, &QToolButton::toggled, this, &FlowPlot::setPlaying);
    connect(playTimer_, &QTimer::timeout, this, [this] {
        if (timeIndex_ + 1 < timeCount())
            setTimeIndex(timeIndex_ + 1);
        else
            setPlaying(false);
    });

    auto* row = new QHBoxLayout;
    row->setContentsMargins(4, 0, 4, 0);
    row->addWidget(playButton_);
    row->addWidget(new QLabel(tr("Depth")));
    row->addWidget(slider_, 1);
    row->addWidget(timeLabel_);
    panelLayout()->addLayout(row);
}

// ---------------------------------------------------------------------------------------------

void FlowPlot::setSnapshot(const FlowSnapshot& snapshot) {
    setProjection(projectFlows(snapshot));
}

void FlowPlot::setProjection(const FlowProjection& projection) {
    checkProjection(projection);
    const bool sameTimes = projection.times == projection_.times;
    projection_ = projection;
    curvesDirty_ = true;

    // A new snapshot of the same flow keeps the slider where the user left it.
    const QSignalBlocker block(slider_);
    slider_->setRange(0, std::max(0, timeCount() - 1));
    timeIndex_ = sameTimes ? std::min(timeIndex_, timeCount() - 1) : timeCount() - 1;
    timeIndex_ = std::max(timeIndex_, 0);
    slider_->setValue(timeIndex_);
    updateTimeLabel();

    title_->setText(tr("Hidden states h(t) of %1 images").arg(projection.imageCount));
    subtitle_->setText(
        tr("PCA of all states over t; lines: h from t = 0 to the slider, dots: "
           "h at the slider"));
    rect_->axis(QCPAxis::atBottom)
        ->setLabel(tr("PC 1 (%1% of variance)").arg(100.0 * projection.explained[0], 0, 'f', 1));
    rect_->axis(QCPAxis::atLeft)
        ->setLabel(tr("PC 2 (%1% of variance)").arg(100.0 * projection.explained[1], 0, 'f', 1));
    requestRefresh();
}

void FlowPlot::clear() {
    projection_ = FlowProjection();
    curvesDirty_ = true;
    timeIndex_ = 0;
    slider_->setRange(0, 0);
    updateTimeLabel();
    requestRefresh();
}

void FlowPlot::setClassNames(const QStringList& names) {
    classNames_ = names;
    curvesDirty_ = true;
    requestRefresh();
}

void FlowPlot::setTimeIndex(int index) {
    index = std::clamp(index, 0, std::max(0, timeCount() - 1));
    if (index == timeIndex_)
        return;
    timeIndex_ = index;
    const QSignalBlocker block(slider_);
    slider_->setValue(index);
    updateTimeLabel();
    timeDirty_ = true;
    requestRefresh();
    emit timeIndexChanged(index, currentTime());
}

double FlowPlot::currentTime() const {
    return timeCount() > 0 ? projection_.times[timeIndex_] : 0.0;
}

void FlowPlot::setPlaying(bool playing) {
    if (playing && timeIndex_ + 1 >= timeCount())
        setTimeIndex(0);  // start again from t = 0
    const QSignalBlocker block(playButton_);
    playButton_->setChecked(playing);
    playButton_->setText(playing ? tr("Pause") : tr("Play"));
    if (playing)
        playTimer_->start();
    else
        playTimer_->stop();
}

bool FlowPlot::isPlaying() const {
    return playTimer_->isActive();
}

QCPCurve* FlowPlot::trajectory(int image) const {
    return image >= 0 && image < static_cast<int>(trajectories_.size()) ? trajectories_[image]
                                                                        : nullptr;
}

QCPCurve* FlowPlot::markers(int label) const {
    return label >= 0 && label < static_cast<int>(markers_.size()) ? markers_[label] : nullptr;
}

// ---------------------------------------------------------------------------------------------

void FlowPlot::refresh() {
    if (curvesDirty_)
        rebuildCurves();
    if (timeDirty_)
        drawUpToTime();
}

// One curve per image and one marker set per class; only when a new projection arrives.
void FlowPlot::rebuildCurves() {
    QCustomPlot* plot = this->plot();
    for (QCPCurve* curve : trajectories_)
        plot->removePlottable(curve);
    for (QCPCurve* curve : markers_)
        if (curve)
            plot->removePlottable(curve);
    trajectories_.clear();
    markers_.clear();
    plot->legend->clearItems();
    curvesDirty_ = false;
    timeDirty_ = true;

    const int classes =
        projection_.labels.empty()
            ? 0
            : *std::max_element(projection_.labels.begin(), projection_.labels.end()) + 1;
    markers_.assign(classes, nullptr);
    QCPAxis* x = rect_->axis(QCPAxis::atBottom);
    QCPAxis* y = rect_->axis(QCPAxis::atLeft);
    for (int label : projection_.labels) {
        QColor line = distinctColor(label);
        line.setAlpha(110);
        auto* curve = new QCPCurve(x, y);
        curve->setPen(QPen(line, 1.1));
        curve->removeFromLegend();
        trajectories_.push_back(curve);

        if (!markers_[label]) {
            auto* marker = new QCPCurve(x, y);
            marker->setLineStyle(QCPCurve::lsNone);
            marker->setScatterStyle(
                QCPScatterStyle(QCPScatterStyle::ssDisc, distinctColor(label).darker(115), 6));
            marker->setName(className(label));
            markers_[label] = marker;
        }
    }

    // Legend entries in class order, whatever order the images came in.
    for (QCPCurve* marker : markers_)
        if (marker)
            plot->legend->addItem(new QCPPlottableLegendItem(plot->legend, marker));
}

// Each trajectory from t_0 to the slider's time: O(N x index) points, a few thousand at most.
void FlowPlot::drawUpToTime() {
    timeDirty_ = false;
    const int64_t count = projection_.imageCount;
    std::vector<QVector<QCPCurveData>> markerData(markers_.size());
    for (int64_t image = 0; image < count; ++image) {
        QVector<QCPCurveData> data;
        data.reserve(timeIndex_ + 1);
        for (int j = 0; j <= timeIndex_ && j < timeCount(); ++j) {
            const size_t at = static_cast<size_t>(j) * count + image;
            data.append(QCPCurveData(j, projection_.x[at], projection_.y[at]));
        }
        trajectories_[image]->data()->set(data, true);
        if (!data.isEmpty())
            markerData[projection_.labels[image]].append(
                QCPCurveData(static_cast<double>(image), data.back().key, data.back().value));
    }
    for (size_t label = 0; label < markers_.size(); ++label)
        if (markers_[label])
            markers_[label]->data()->set(markerData[label], true);
}

void FlowPlot::fitAxes() {
    if (projection_.x.empty()) {
        rect_->axis(QCPAxis::atBottom)->setRange(-1, 1);
        rect_->axis(QCPAxis::atLeft)->setRange(-1, 1);
        return;
    }
    const auto [xLow, xHigh] = std::minmax_element(projection_.x.begin(), projection_.x.end());
    const auto [yLow, yHigh] = std::minmax_element(projection_.y.begin(), projection_.y.end());
    const double xPad = std::max(1e-6, 0.05 * (*xHigh - *xLow));
    const double yPad = std::max(1e-6, 0.05 * (*yHigh - *yLow));
    rect_->axis(QCPAxis::atBottom)->setRange(*xLow - xPad, *xHigh + xPad);
    rect_->axis(QCPAxis::atLeft)->setRange(*yLow - yPad, *yHigh + yPad);
}

void FlowPlot::updateTimeLabel() {
    if (timeCount() == 0) {
        timeLabel_->setText(tr("no flows yet"));
        slider_->setEnabled(false);
        playButton_->setEnabled(false);
        return;
    }
    slider_->setEnabled(true);
    playButton_->setEnabled(timeCount() > 1);
    timeLabel_->setText(
        tr("t = %1 (%2/%3)").arg(currentTime(), 0, 'f', 3).arg(timeIndex_).arg(timeCount() - 1));
}

QString FlowPlot::className(int label) const {
    return label < classNames_.size() ? classNames_[label] : QString::number(label);
}

}  // namespace gode
