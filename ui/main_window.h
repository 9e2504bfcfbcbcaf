// The GODE Explorer window: the configuration panel on the left, the four live plots in the
// middle, Start / Pause / Stop in the tool bar, progress, images/s and ETA in the status bar,
// messages (errors, where the data comes from) in a bar above the plots.
#pragma once

// LibTorch before Qt: Qt's "slots" macro breaks LibTorch headers included after it.
#include "train/train_config.h"
#include "train/training_observer.h"

#include <QMainWindow>
#include <QString>

#include <functional>
#include <memory>
#include <optional>

class QAction;
class QLabel;
class QProgressBar;
class QSettings;

namespace gode {

class ConfigPanel;
class FlowPlot;
class PlotPanel;
class SolverStatsPlot;
class TrainingController;
class TrainingCurvesPlot;
class WeightsOverDepthPlot;
struct LoadedRun;

struct MainWindowOptions {
    QString settingsFile;     // an INI file; empty: the user's normal settings
    QString programDir;       // where to look for a data/ folder on first start
    QString dataEnvironment;  // the value of $GODE_DATA_DIR
    QString sampleDir;        // where the embedded sample is unpacked; empty: the cache folder
    QString runsFolder;       // parent of new run directories; empty: from settings or default
};

class MainWindow : public QMainWindow {
    Q_OBJECT

  public:
    explicit MainWindow(const MainWindowOptions& options = {}, QWidget* parent = nullptr);
    ~MainWindow() override;

    // Asked before closing during training; returns true to stop the run and close. The default
    // shows a question box; tests replace it.
    void setCloseConfirmation(std::function<bool()> confirm) { confirmClose_ = std::move(confirm); }

    // Starts a run with the panel's configuration in a new folder under the runs folder. Does
    // nothing (and shows why) when the configuration is invalid or a run is going on.
    void startTraining();
    void togglePause();
    void stopTraining();
    bool isTraining() const;

    // Reads a run directory: its configuration goes into the panel, its epochs into the
    // training curves, its exported weights into the weights plot; Continue resumes it.
    // Errors appear in the message bar. Returns whether it was read.
    bool openRun(const QString& folder);
    void continueOpenedRun();

    // What the message bar shows (empty when hidden) and whether it is an error.
    QString message() const;
    bool messageIsError() const { return messageIsError_; }

    ConfigPanel* configPanel() const { return panel_; }
    TrainingController* controller() const { return controller_; }
    TrainingCurvesPlot* curvesPlot() const { return curves_; }
    WeightsOverDepthPlot* weightsPlot() const { return weights_; }
    FlowPlot* flowPlot() const { return flows_; }
    SolverStatsPlot* solverStatsPlot() const { return stats_; }
    QProgressBar* progressBar() const { return progress_; }
    QString speedText() const;
    QString lastRunDirectory() const { return lastRunDirectory_; }

    QAction* startAction() const { return startAction_; }
    QAction* pauseAction() const { return pauseAction_; }
    QAction* stopAction() const { return stopAction_; }

    // Writes the last run's model.pt to `path`; throws RunDirectoryError naming what is missing.
    void exportModel(const QString& path) const;

  protected:
    void closeEvent(QCloseEvent* event) override;

  private:
    void buildActions();
    void buildMenus();
    void buildCentralArea();
    void buildStatusBar();
    void connectController();
    void restoreSettings();
    void saveSettings() const;
    QSize firstStartSize() const;
    void findDataOnFirstStart();
    void chooseDataFolder();
    void showMessage(const QString& text, bool error);
    void hideMessage();
    void updateActions();
    void beginRun(const TrainConfig& config, bool resume, const QString& label);
    QString newRunFolder(const TrainConfig& config) const;
    void exportPlotWithDialog(PlotPanel* panel, const QString& suffix);
    void exportMetricsWithDialog();
    void exportModelWithDialog();
    void openRunWithDialog();

    void onStarted(const RunInfo& info);
    void onIterations(const QVector<IterationReport>& reports);
    void onEpoch(const EpochReport& report);
    void onFinished(const TrainingSummary& summary);
    void onFailed(const QString& message);

    MainWindowOptions options_;
    std::unique_ptr<QSettings> settings_;
    std::function<bool()> confirmClose_;

    ConfigPanel* panel_ = nullptr;
    TrainingController* controller_ = nullptr;
    TrainingCurvesPlot* curves_ = nullptr;
    WeightsOverDepthPlot* weights_ = nullptr;
    FlowPlot* flows_ = nullptr;
    SolverStatsPlot* stats_ = nullptr;

    QLabel* messageLabel_ = nullptr;
    QWidget* messageBar_ = nullptr;
    bool messageIsError_ = false;
    QProgressBar* progress_ = nullptr;
    QLabel* speedLabel_ = nullptr;
    QLabel* etaLabel_ = nullptr;

    QAction* startAction_ = nullptr;
    QAction* pauseAction_ = nullptr;
    QAction* stopAction_ = nullptr;
    QAction* continueAction_ = nullptr;

    QString runsFolder_;
    QString currentRunId_;
    QString lastRunDirectory_;
    std::optional<TrainConfig> openedRunConfig_;  // the run that Continue resumes
    int64_t runBatchSize_ = 1;
    double lastIteration_ = 0;
    int runCount_ = 0;
};

}  // namespace gode
