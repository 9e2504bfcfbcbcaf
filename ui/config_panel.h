// The configuration panel: every setting of a training run, with a one-sentence tooltip each,
// the resulting number of basis functions and parameters as they change, a preview of the data,
// and the first invalid setting explained in place (the window only starts valid configurations).
#pragma once

// LibTorch before Qt: Qt's "slots" macro breaks LibTorch headers included after it.
#include "train/train_config.h"

#include <QHash>
#include <QString>
#include <QWidget>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QFormLayout;
class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;
class QWidget;

namespace gode {

class DataPreview;

class ConfigPanel : public QWidget {
    Q_OBJECT

  public:
    explicit ConfigPanel(QWidget* parent = nullptr);

    // The configuration the controls describe. Fields the panel does not show (milestones,
    // momentum, test batch, horizon...) come from the last setConfig() or preset.
    TrainConfig config() const;
    void setConfig(const TrainConfig& config);

    // The panel's presets, by the names shown: "GODE", "Neural-ODE", "ResNet",
    // "Published MNIST", "Published CIFAR-10". The data folder is kept.
    static QStringList presetNames();
    void applyPreset(const QString& name);

    // The first problem of config() (empty when it is valid), as shown under the controls.
    QString problem() const { return problem_; }
    bool isValid() const { return problem_.isEmpty(); }

    // K and the parameter count of the current model (0 while the model settings are invalid).
    int basisCount() const { return basisCount_; }
    int64_t parameterCount() const { return parameterCount_; }

    // The data folder shown; setting it reloads the preview.
    QString dataFolder() const;
    void setDataFolder(const QString& folder);

    // The last folder used for each dataset ("mnist", "cifar10", ...). Switching the dataset
    // shows its remembered folder (or none), so an MNIST folder is never sent as CIFAR-10's.
    QHash<QString, QString> foldersByDataset() const;
    void setFoldersByDataset(const QHash<QString, QString>& folders);

    // Disables editing while a run is going on (the run uses a copy of the configuration).
    void setEditable(bool editable);

    // For tests: whether the CUDA choice can be picked, and why not.
    bool cudaSelectable() const;
    QString cudaToolTip() const;

    QComboBox* presetBox() const { return presetBox_; }

  signals:
    void configChanged();
    void validityChanged(bool valid);

  private:
    void buildDataGroup(QFormLayout* form);
    void buildModelGroup(QFormLayout* form);
    void buildSolverGroup(QFormLayout* form);
    void buildTrainingGroup(QFormLayout* form);
    void buildDeviceGroup(QFormLayout* form);
    void nameControls();
    void connectChanges();
    void chooseDataFolder();
    void switchDataset();
    void onChanged();
    void updateEnabledControls();
    void updateDerived();
    void updatePreview();

    TrainConfig base_;
    QString problem_;
    int basisCount_ = 0;
    int64_t parameterCount_ = 0;
    bool updating_ = false;
    QHash<QString, QString> foldersByDataset_;
    QString shownDataset_;  // the dataset whose folder the folder field holds

    QComboBox* presetBox_;
    QComboBox* datasetBox_;
    QLineEdit* folderEdit_;
    QPushButton* folderButton_;
    DataPreview* preview_;
    QSpinBox* trainLimitBox_;
    QSpinBox* testLimitBox_;
    QSpinBox* cropBox_;

    QComboBox* modelBox_;
    QSpinBox* orderBox_;
    QSpinBox* knotsBox_;
    QComboBox* placementBox_;
    QSpinBox* blocksBox_;
    QSpinBox* widthBox_;
    QLabel* sizeLabel_;

    QComboBox* solverBox_;
    QComboBox* backpropBox_;
    QSpinBox* stepsBox_;
    QDoubleSpinBox* rtolBox_;
    QDoubleSpinBox* atolBox_;

    QSpinBox* epochsBox_;
    QSpinBox* batchBox_;
    QDoubleSpinBox* lrBox_;
    QComboBox* optimizerBox_;
    QComboBox* scheduleBox_;
    QDoubleSpinBox* weightDecayBox_;

    QComboBox* deviceBox_;
    QSpinBox* threadsBox_;
    QSpinBox* seedBox_;

    QLabel* problemLabel_;
};

}  // namespace gode
