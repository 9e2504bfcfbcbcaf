#include "plot_panel.h"

#include <qcustomplot.h>

#include <QApplication>
#include <QClipboard>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QMenu>
#include <QMessageBox>
#include <QSvgGenerator>
#include <QVBoxLayout>

#include <array>
#include <cstdio>

#include "viz_errors.h"

namespace gode {

namespace {

const QSize kUnshownSize(1000, 700);

QSize exportSize(const QCustomPlot& plot, QSize requested) {
    if (requested.isValid() && !requested.isEmpty())
        return requested;
    // A widget that has never been laid out reports Qt's default 640 x 480 or less.
    if (plot.isVisible() && plot.width() >= 200 && plot.height() >= 150)
        return plot.size();
    return kUnshownSize;
}

std::string message(const QString& text) {
    return text.toStdString();
}

bool writeSvg(QCustomPlot& plot, const QString& path, const QString& title, QSize size) {
    QSvgGenerator generator;
    generator.setFileName(path);
    generator.setSize(size);
    generator.setViewBox(QRect(QPoint(0, 0), size));
    generator.setTitle(title);

    QCPPainter painter;
    if (!painter.begin(&generator))
        return false;
    painter.setMode(QCPPainter::pmVectorized);
    plot.toPainter(&painter, size.width(), size.height());
    return painter.end();
}

// Writes `path` in the format named by the suffix of `finalPath` (where it will be renamed to).
bool writeFormat(QCustomPlot& plot, const QString& finalPath, const QString& path, QSize size,
                 double scale) {
    const QString suffix = QFileInfo(finalPath).suffix().toLower();
    if (suffix == "png")
        return plot.savePng(path, size.width(), size.height(), scale);
    if (suffix == "pdf")
        return plot.savePdf(path, size.width(), size.height());
    return writeSvg(plot, path, QFileInfo(finalPath).completeBaseName(), size);
}

}  // namespace

void exportPlot(QCustomPlot& plot, const QString& path, QSize size, double scale) {
    const QString suffix = QFileInfo(path).suffix().toLower();
    if (suffix != "png" && suffix != "pdf" && suffix != "svg")
        throw ExportError(message("cannot export a plot to '" + path +
                                  "': the file name must end in .png, .pdf or .svg"));
    const QFileInfo folder(QFileInfo(path).absolutePath());
    if (!folder.isDir() || !folder.isWritable())
        throw ExportError(message("cannot export a plot to '" + path + "': the folder '" +
                                  folder.filePath() + "' does not exist or is not writable"));

    // Written beside the target, then renamed over it: no half-written picture is ever left.
    const QString partial = path + ".part";
    const bool written = writeFormat(plot, path, partial, exportSize(plot, size), scale);
    const bool renamed = written && std::rename(QFile::encodeName(partial).constData(),
                                                QFile::encodeName(path).constData()) == 0;
    if (!renamed) {
        QFile::remove(partial);
        throw ExportError(message("could not write the plot to '" + path +
                                  "'; check the free space and the permissions of the folder"));
    }
}

QColor distinctColor(int index) {
    static const std::array<QColor, 10> colors{QColor(0x1f, 0x77, 0xb4), QColor(0xff, 0x7f, 0x0e),
                                               QColor(0x2c, 0xa0, 0x2c), QColor(0xd6, 0x27, 0x28),
                                               QColor(0x94, 0x67, 0xbd), QColor(0x8c, 0x56, 0x4b),
                                               QColor(0xe3, 0x77, 0xc2), QColor(0x7f, 0x7f, 0x7f),
                                               QColor(0xbc, 0xbd, 0x22), QColor(0x17, 0xbe, 0xcf)};
    const int size = static_cast<int>(colors.size());
    return colors[((index % size) + size) % size];
}

void applyPlotStyle(QCPAxisRect& rect) {
    QFont labelFont = QApplication::font();
    labelFont.setPointSizeF(10);
    QFont tickFont = QApplication::font();
    tickFont.setPointSizeF(9);
    const QPen axisPen(QColor(110, 110, 110));
    const QPen gridPen(QColor(228, 228, 228), 0, Qt::SolidLine);

    for (QCPAxis* axis : rect.axes()) {
        axis->setLabelFont(labelFont);
        axis->setTickLabelFont(tickFont);
        axis->setBasePen(axisPen);
        axis->setTickPen(axisPen);
        axis->setSubTickPen(axisPen);
        axis->setLabelColor(QColor(40, 40, 40));
        axis->setTickLabelColor(QColor(60, 60, 60));
        axis->grid()->setPen(gridPen);
        axis->grid()->setZeroLinePen(gridPen);
        axis->grid()->setSubGridVisible(false);
    }
}

QCPLegend* createLegend(bool framed) {
    auto* legend = new QCPLegend;
    QFont font = QApplication::font();
    font.setPointSizeF(9);
    legend->setFont(font);
    legend->setIconSize(22, 12);
    legend->setIconTextPadding(5);
    legend->setRowSpacing(1);
    legend->setColumnSpacing(8);
    legend->setBrush(framed ? QBrush(QColor(255, 255, 255, 225)) : QBrush(Qt::NoBrush));
    legend->setBorderPen(framed ? QPen(QColor(200, 200, 200)) : QPen(Qt::NoPen));
    return legend;
}

void addLegendColumn(QCPLayoutGrid& grid, int row, int column, QCPLegend* legend) {
    // The cell joins the plot first, so that the legend knows its plot when it arrives.
    auto* cell = new QCPLayoutGrid;
    grid.addElement(row, column, cell);
    cell->addElement(0, 0, legend);
    cell->addElement(1, 0, new QCPLayoutElement(grid.parentPlot()));  // takes the rest
    cell->setRowStretchFactor(0, 0.001);
    cell->setRowStretchFactor(1, 1);
    cell->setRowSpacing(0);
    legend->setLayer(QStringLiteral("legend"));
    grid.setColumnStretchFactor(column, 0.001);
}

QCPLayoutGrid* titledLayout(QCustomPlot& plot, QCPTextElement*& title, QCPTextElement*& subtitle) {
    plot.plotLayout()->clear();  // also deletes the default legend
    QFont titleFont = QApplication::font();
    titleFont.setPointSizeF(10);
    titleFont.setBold(true);
    QFont subtitleFont = QApplication::font();
    subtitleFont.setPointSizeF(9);

    title = new QCPTextElement(&plot, QString(), titleFont);
    subtitle = new QCPTextElement(&plot, QString(), subtitleFont);
    subtitle->setTextColor(QColor(100, 100, 100));
    subtitle->setMargins(QMargins(0, 0, 0, 4));
    auto* body = new QCPLayoutGrid;
    plot.plotLayout()->addElement(0, 0, title);
    plot.plotLayout()->addElement(1, 0, subtitle);
    plot.plotLayout()->addElement(2, 0, body);
    plot.plotLayout()->setRowSpacing(0);
    return body;
}

// ---------------------------------------------------------------------------------------------

PlotPanel::PlotPanel(const QString& baseName, QWidget* parent)
    : QWidget(parent),
      baseName_(baseName),
      plot_(new QCustomPlot(this)),
      layout_(new QVBoxLayout(this)) {
    layout_->setContentsMargins(2, 2, 2, 2);
    layout_->setSpacing(4);
    layout_->addWidget(plot_, 1);

    plot_->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    plot_->setNoAntialiasingOnDrag(true);
    plot_->setAutoAddPlottableToLegend(false);  // each panel says what its legends list
    // Lines drawn segment by segment: stroking a long, noisy polyline with a 2 px pen as one
    // path costs seconds in Qt's raster engine (measured: 28 s for 3 x 3,000 points).
    plot_->setPlottingHint(QCP::phFastPolylines, true);
    plot_->setMinimumSize(320, 220);
    plot_->setContextMenuPolicy(Qt::CustomContextMenu);
    plot_->setToolTip(
        tr("Drag to pan, wheel to zoom, double-click to fit, right-click to "
           "export"));
    connect(plot_, &QCustomPlot::customContextMenuRequested, this, [this](const QPoint& at) {
        std::unique_ptr<QMenu> menu = createContextMenu();
        menu->exec(plot_->mapToGlobal(at));
    });
    connect(plot_, &QCustomPlot::mouseDoubleClick, this, [this] { resetView(); });

    // Once the user drags or zooms, live data no longer moves the axes under their hand. A
    // press on a legend or a title is a click, not the start of a drag.
    connect(plot_, &QCustomPlot::mousePress, this, [this](QMouseEvent* event) {
        QCPLayoutElement* element = plot_->layoutElementAt(event->pos());
        const bool onLegend =
            qobject_cast<QCPLegend*>(element) || qobject_cast<QCPAbstractLegendItem*>(element);
        const bool onAxisRect = plot_->axisRectAt(event->pos()) != nullptr;
        if (event->button() == Qt::LeftButton && onAxisRect && !onLegend)
            followData_ = false;
    });
    connect(plot_, &QCustomPlot::mouseWheel, this, [this] { followData_ = false; });
}

PlotPanel::~PlotPanel() = default;

void PlotPanel::exportImage(const QString& path, QSize size, double scale) {
    refreshNow();
    exportPlot(*plot_, path, size, scale);
}

QImage PlotPanel::toImage(QSize size) {
    refreshNow();
    const QSize pixels = exportSize(*plot_, size);
    return plot_->toPixmap(pixels.width(), pixels.height()).toImage();
}

void PlotPanel::copyImage() {
    QApplication::clipboard()->setImage(toImage());
}

std::unique_ptr<QMenu> PlotPanel::createContextMenu() {
    auto menu = std::make_unique<QMenu>(this);
    for (const QString suffix : {"png", "pdf", "svg"})
        menu->addAction(tr("Export as %1...").arg(suffix.toUpper()), this,
                        [this, suffix] { exportWithDialog(suffix); });
    menu->addAction(tr("Copy image"), this, [this] { copyImage(); });
    menu->addSeparator();
    menu->addAction(tr("Reset view"), this, [this] { resetView(); });
    addMenuActions(*menu);
    return menu;
}

void PlotPanel::refreshNow() {
    refreshPending_ = false;
    refresh();
    if (followData_)
        fitAxes();
    plot_->replot(QCustomPlot::rpQueuedReplot);
}

void PlotPanel::resetView() {
    followData_ = true;
    refreshNow();
}

void PlotPanel::requestRefresh() {
    if (refreshPending_)
        return;
    refreshPending_ = true;
    QMetaObject::invokeMethod(
        this,
        [this] {
            if (refreshPending_)
                refreshNow();
        },
        Qt::QueuedConnection);
}

void PlotPanel::exportWithDialog(const QString& suffix) {
    const QString filter = tr("%1 files (*.%2)").arg(suffix.toUpper(), suffix);
    const QString path =
        QFileDialog::getSaveFileName(this, tr("Export plot"), baseName_ + "." + suffix, filter);
    if (path.isEmpty())
        return;
    try {
        exportImage(QFileInfo(path).suffix().isEmpty() ? path + "." + suffix : path);
    } catch (const Error& error) {
        QMessageBox::warning(this, tr("Export failed"), QString::fromStdString(error.what()));
    }
}

}  // namespace gode
