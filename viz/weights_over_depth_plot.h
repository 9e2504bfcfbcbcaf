// The 9 weights of one 3x3 kernel of a spline convolution against depth t in [0, T], knots
// marked, with the basis functions B_k(t) in a linked panel beneath.
#pragma once

#include <memory>
#include <vector>

#include "plot_panel.h"

class QCPAxisRect;
class QCPGraph;
class QComboBox;
class QSpinBox;

namespace gode {

struct WeightSnapshot;

class WeightsOverDepthPlot : public PlotPanel {
    Q_OBJECT

  public:
    // Samples per curve besides the knots: t = T i / (kUniformSamples - 1).
    static constexpr int kUniformSamples = 200;

    explicit WeightsOverDepthPlot(QWidget* parent = nullptr);
    ~WeightsOverDepthPlot() override;

    // Shows new coefficients; the selection stays where it is while it fits in the snapshot's
    // channels. Cheap enough for every snapshot the trainer sends: only the selected kernel is
    // read. Throws InvalidPlotData for a snapshot whose tensors are not [K, C, C, 3, 3].
    void setSnapshot(const WeightSnapshot& snapshot);
    void clearSnapshot();
    bool hasSnapshot() const;

    // The kernel shown: layer 1 (first spline conv, W1) or 2 (W2), output and input channel.
    // Values are clamped to what the snapshot holds.
    int layer() const { return layer_; }
    int outputChannel() const { return outputChannel_; }
    int inputChannel() const { return inputChannel_; }
    void setLayer(int layer);
    void setOutputChannel(int channel);
    void setInputChannel(int channel);
    void setSelection(int layer, int outputChannel, int inputChannel);

    int channelCount() const;  // C of the snapshot, 0 without one
    int basisCount() const;    // K of the snapshot, 0 without one

    // The curves as drawn, for tests: weight position 3 r + c of the kernel (0..8) and basis
    // function k (0..K-1). Each holds the uniform samples plus, at every interior knot, the
    // value from the left and from the right (two points at the same t: a jump for order 1).
    QCPGraph* weightGraph(int position) const;
    QCPGraph* basisGraph(int k) const;

    // The knot times marked by vertical lines (the distinct knots strictly inside (0, T)).
    std::vector<double> markedKnots() const;

  signals:
    void selectionChanged(int layer, int outputChannel, int inputChannel);

  protected:
    void refresh() override;
    void fitAxes() override;

  private:
    struct State;

    void buildPanels();
    void buildControls();
    void rebuildBasis();
    void redrawWeights();
    void updateControls();
    void updateTitle();

    std::unique_ptr<State> state_;
    QCPAxisRect* weightRect_ = nullptr;
    QCPAxisRect* basisRect_ = nullptr;
    QComboBox* layerBox_ = nullptr;
    QSpinBox* outputBox_ = nullptr;
    QSpinBox* inputBox_ = nullptr;

    int layer_ = 1;
    int outputChannel_ = 0;
    int inputChannel_ = 0;
};

}  // namespace gode
