// The common base of the live plots: one QCustomPlot with the project's look, export to
// PNG / PDF / SVG, a right-click menu, and redraws coalesced to one per event-loop pass.
// Plots are widgets: create and feed them on the GUI thread only. What they show is taken from
// the model on the training thread by the functions of snapshots.h.
#pragma once

#include <QColor>
#include <QImage>
#include <QSize>
#include <QString>
#include <QWidget>

#include <memory>

class QCustomPlot;
class QCPAxisRect;
class QCPLayoutGrid;
class QCPLegend;
class QCPTextElement;
class QMenu;
class QVBoxLayout;

namespace gode {

// Writes `plot` to `path`; the suffix picks the format: .png, .pdf or .svg (any case). `size`
// is the picture's size in pixels (points for PDF and SVG); an empty size takes the plot's size
// on screen, or 1000 x 700 while it has never been shown. PNG pixels are multiplied by `scale`.
// The file appears complete or not at all (written beside it, then renamed). Throws ExportError
// naming the path for an unknown suffix or a file that cannot be written.
void exportPlot(QCustomPlot& plot, const QString& path, QSize size = QSize(), double scale = 1.0);

// Ten colours that are easy to tell apart (matplotlib's "tab10"); index wraps around.
QColor distinctColor(int index);

// Readable fonts, a light grid and grey axes for one axis rect of a project plot.
void applyPlotStyle(QCPAxisRect& rect);

// A legend in the project's style: small icons, 9 pt text; `framed` adds a white box for
// legends drawn over data. Once it is placed in a layout, put it on the "legend" layer.
QCPLegend* createLegend(bool framed);

// Puts `legend` in cell (row, column) of `grid` (which must already belong to a plot), at the
// top of the cell and only as tall and wide as its entries.
void addLegendColumn(QCPLayoutGrid& grid, int row, int column, QCPLegend* legend);

// A bold title and a grey subtitle above the rest of the plot, spanning its full width; the
// rest goes into the returned grid. Clears the plot's layout (and its default legend) first.
QCPLayoutGrid* titledLayout(QCustomPlot& plot, QCPTextElement*& title, QCPTextElement*& subtitle);

class PlotPanel : public QWidget {
    Q_OBJECT

  public:
    ~PlotPanel() override;

    QCustomPlot* plot() const { return plot_; }

    // A short name for menus and default file names, e.g. "training-curves".
    QString baseName() const { return baseName_; }

    // See exportPlot(). Pending data is drawn first, so an export right after an append
    // includes it.
    void exportImage(const QString& path, QSize size = QSize(), double scale = 1.0);

    // The plot as an image (plot size on screen, or 1000 x 700 before it is shown).
    QImage toImage(QSize size = QSize());

    // Puts toImage() on the clipboard.
    void copyImage();

    // The right-click menu: Export as PNG / PDF / SVG..., Copy image, Reset view, and what the
    // subclass adds. The caller owns it.
    std::unique_ptr<QMenu> createContextMenu();

    // Draws whatever changed since the last redraw now instead of on the next event-loop pass.
    void refreshNow();

  public slots:
    // Fits every axis to the data again after the user zoomed or dragged.
    void resetView();

  protected:
    PlotPanel(const QString& baseName, QWidget* parent);

    QVBoxLayout* panelLayout() const { return layout_; }

    // Asks for refresh() and a replot once on the next event-loop pass, however often it is
    // called before then: setters call it, so a burst of appends costs one redraw.
    void requestRefresh();

    // Copies changed data into the plot's graphs; runs before each coalesced replot.
    virtual void refresh() {}

    // Sets the axis ranges from the data. Runs after every refresh until the user drags or
    // zooms, and again after resetView() (double-click), so the view follows live data.
    virtual void fitAxes() = 0;

    // Lets a subclass append its own actions (the menu owns nothing of the subclass).
    virtual void addMenuActions(QMenu& menu) { (void)menu; }

    // Asks for a file name and exports to it; errors appear in a message box.
    void exportWithDialog(const QString& suffix);

  private:
    QString baseName_;
    QCustomPlot* plot_;
    QVBoxLayout* layout_;
    bool refreshPending_ = false;
    bool followData_ = true;
};

}  // namespace gode
