// Hidden-state flows: the ODE block's states h(t) of a fixed set of images, projected to 2-D by
// PCA, one trajectory per image coloured by class, with a slider over t.
#pragma once

#include <QStringList>

#include <vector>

#include "flow_projection.h"
#include "plot_panel.h"

class QCPAxisRect;
class QCPCurve;
class QCPTextElement;
class QLabel;
class QSlider;
class QTimer;
class QToolButton;

namespace gode {

struct FlowSnapshot;

class FlowPlot : public PlotPanel {
    Q_OBJECT

  public:
    explicit FlowPlot(QWidget* parent = nullptr);
    ~FlowPlot() override;

    // Projects the snapshot with projectFlows() and shows it. The PCA takes about a second for
    // 200 images (see snapshots.h): the window should rather project on the training thread and
    // call setProjection(). Throws InvalidPlotData for inconsistent shapes.
    void setSnapshot(const FlowSnapshot& snapshot);

    // Shows flows already projected, e.g. by projectFlows() on the training thread.
    void setProjection(const FlowProjection& projection);
    const FlowProjection& projection() const { return projection_; }
    void clear();

    // Legend names of the classes, by label value; "0", "1", ... when not given.
    void setClassNames(const QStringList& names);

    // The slider: trajectories are drawn from t_0 up to times[index], with a marker there.
    int timeIndex() const { return timeIndex_; }
    void setTimeIndex(int index);
    int timeCount() const { return static_cast<int>(projection_.times.size()); }
    double currentTime() const;

    // Steps the slider through t with a timer, for watching the flow unfold.
    void setPlaying(bool playing);
    bool isPlaying() const;

    // For tests: the trajectory of image i and the markers of one class (nullptr if none).
    QCPCurve* trajectory(int image) const;
    QCPCurve* markers(int label) const;

  signals:
    void timeIndexChanged(int index, double t);

  protected:
    void refresh() override;
    void fitAxes() override;

  private:
    void buildPanels();
    void buildControls();
    void rebuildCurves();
    void drawUpToTime();
    void updateTimeLabel();
    QString className(int label) const;

    QCPAxisRect* rect_ = nullptr;
    QCPTextElement* title_ = nullptr;
    QCPTextElement* subtitle_ = nullptr;
    QSlider* slider_ = nullptr;
    QLabel* timeLabel_ = nullptr;
    QToolButton* playButton_ = nullptr;
    QTimer* playTimer_ = nullptr;

    FlowProjection projection_;
    QStringList classNames_;
    std::vector<QCPCurve*> trajectories_;
    std::vector<QCPCurve*> markers_;  // indexed by label
    int timeIndex_ = 0;
    bool curvesDirty_ = false;
    bool timeDirty_ = false;
};

}  // namespace gode
