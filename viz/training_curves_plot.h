// Loss and accuracy against iteration for one or more training runs: training per iteration
// (smoothed, with the raw values faint behind) and test per epoch, so that runs of a session
// (GODE, ResNet, Neural-ODE...) can be compared as overlays.
//
// Known shortcoming: zooming into a long run shows the decimated curve (the lowest and highest
// value of each of about 2,000 buckets), not every iteration; re-decimating the visible range on
// zoom would fix it.
#pragma once

#include <QString>
#include <QStringList>

#include <array>
#include <memory>
#include <optional>
#include <vector>

#include "plot_panel.h"

class QCPGraph;
class QCPAbstractLegendItem;
class QCPAxisRect;
class QCPItemText;
class QCheckBox;
class QDoubleSpinBox;
class QSlider;
class QToolButton;

namespace gode {

class TrainingCurvesPlot : public PlotPanel {
    Q_OBJECT

  public:
    // The graphs each run owns, in the loss panel (top) and the accuracy panel (bottom).
    enum class Curve {
        TrainLoss,
        TrainLossSmoothed,
        TestLoss,
        TrainAccuracy,
        TrainAccuracySmoothed,
        TestAccuracy
    };

    explicit TrainingCurvesPlot(QWidget* parent = nullptr);
    ~TrainingCurvesPlot() override;

    // A new run, drawn in the next free colour. Throws InvalidPlotData if `id` exists.
    void addRun(const QString& id, const QString& label);
    void removeRun(const QString& id);
    void clear();
    bool hasRun(const QString& id) const;
    QStringList runIds() const;  // in the order they were added

    // One training iteration: its loss and accuracy (a fraction in [0, 1], drawn in %).
    // Iterations of a run must not decrease. Throws InvalidPlotData for an unknown run or an
    // iteration before the previous one.
    void appendIteration(const QString& id, double iteration, double loss, double accuracy);

    // The test result after an epoch, drawn at `iteration` (the iteration the epoch ended on).
    void appendEpoch(const QString& id, int epoch, double iteration, double testLoss,
                     double testAccuracy);

    void setRunVisible(const QString& id, bool visible);
    bool isRunVisible(const QString& id) const;

    // Smoothing factor beta of the bias-corrected exponential moving average, 0 (raw) to 0.999;
    // values outside are clamped. Changing it recomputes the smoothed curves once.
    double smoothing() const { return smoothing_; }
    void setSmoothing(double beta);

    // Per run, beside the global factor: a run may have its own smoothing factor (clamped like
    // the global one; std::nullopt follows the global factor again), and its smoothed curves may
    // be hidden, leaving its raw values drawn in full colour. The "Runs" button offers both.
    void setRunSmoothing(const QString& id, std::optional<double> beta);
    std::optional<double> runSmoothing(const QString& id) const;
    double effectiveSmoothing(const QString& id) const;  // the factor the run is drawn with
    void setRunSmoothedShown(const QString& id, bool shown);
    bool isRunSmoothedShown(const QString& id) const;

    bool logarithmicLoss() const { return logarithmicLoss_; }
    void setLogarithmicLoss(bool logarithmic);

    // Every run's metrics at full resolution, one row per training iteration or test epoch:
    //   run,label,kind,epoch,iteration,loss,accuracy
    // kind is "train" (epoch empty) or "test". Written to a temporary file, then renamed.
    // Throws ExportError naming the path when it cannot be written.
    void exportCsv(const QString& path) const;

    // The graph behind one curve of a run (for tests and for restyling), nullptr if unknown.
    // Training curves hold a decimated copy of the data once a run exceeds a few thousand
    // iterations; exportCsv() always writes the full data.
    QCPGraph* graph(const QString& id, Curve curve) const;
    int iterationCount(const QString& id) const;

  signals:
    void runVisibilityChanged(const QString& id, bool visible);
    void smoothingChanged(double beta);

  protected:
    void refresh() override;
    void fitAxes() override;
    void addMenuActions(QMenu& menu) override;

  private:
    struct Run;

    Run& run(const QString& id) const;
    Run* findRun(const QString& id) const;
    Run* runOf(QCPAbstractLegendItem* item) const;
    void buildControls();
    void buildPanels();
    void createGraphs(Run& run);
    void rebuildSmoothed(Run& run);
    double smoothingOf(const Run& run) const;
    void applyVisibility(Run& run);
    void addRunMenu(QMenu& menu, Run& run);
    void drawRun(Run& run);
    void styleLegendItem(Run& run);
    void showRunsMenu();

    QCPAxisRect* lossRect_ = nullptr;
    QCPAxisRect* accuracyRect_ = nullptr;
    QCPItemText* placeholder_ = nullptr;
    QSlider* smoothingSlider_ = nullptr;
    QDoubleSpinBox* smoothingBox_ = nullptr;
    QCheckBox* logLossBox_ = nullptr;
    QToolButton* runsButton_ = nullptr;

    std::vector<std::unique_ptr<Run>> runs_;
    int colorsUsed_ = 0;
    double smoothing_ = 0.9;
    bool logarithmicLoss_ = true;
};

}  // namespace gode
