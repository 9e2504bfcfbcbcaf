#include "about.h"

#include <QMessageBox>
#include <QtGlobal>

#include "data_location.h"
#include "gode/version.h"

namespace gode {

namespace {

struct Licence {
    const char* part;
    const char* licence;
};

// The parts that end up in the program or its package, with their licences.
const Licence kLicences[] = {
    {"GODE Explorer", "GPL-3.0 (see the LICENSE file)"},
    {"Qt", "LGPL-3.0"},
    {"LibTorch", "BSD-3-Clause"},
    {"QCustomPlot", "GPL-3.0"},
    {"nlohmann-json", "MIT"},
    {"zlib", "zlib licence"},
    {"MNIST sample", "Y. LeCun, C. Cortes, C. J. C. Burges; CC BY-SA 3.0"},
};

}  // namespace

QString versionText() {
    QString text = QStringLiteral("gode-explorer %1\n").arg(GODE_VERSION);
    text += QStringLiteral("LibTorch %1\n").arg(GODE_LIBTORCH_VERSION);
    text += QStringLiteral("Qt %1 (compiled), %2 (running)\n").arg(QT_VERSION_STR, qVersion());
    text += QStringLiteral("Licences:\n");
    for (const Licence& each : kLicences)
        text += QStringLiteral("  %1: %2\n").arg(each.part, each.licence);
    return text;
}

QIcon applicationIcon() {
    registerEmbeddedResources();
    QIcon icon;
    for (int size : {16, 32, 64, 256})
        icon.addFile(QStringLiteral(":/icons/gode-explorer-%1.png").arg(size), QSize(size, size));
    return icon;
}

void showAboutDialog(QWidget* parent) {
    QString html = QObject::tr(
                       "<h3>GODE Explorer %1</h3>"
                       "<p>Train image classifiers whose residual block is an ODE with "
                       "depth-varying B-spline weights (Neural Generalized ODEs; ResNets and "
                       "Neural-ODEs are special cases) and watch them learn.</p>"
                       "<p>LibTorch %2<br>Qt %3 (compiled), %4 (running)</p>")
                       .arg(GODE_VERSION, GODE_LIBTORCH_VERSION, QT_VERSION_STR, qVersion());
    html += QStringLiteral("<p><b>%1</b></p><table>").arg(QObject::tr("Licences"));
    for (const Licence& each : kLicences)
        html += QStringLiteral("<tr><td>%1&nbsp;&nbsp;</td><td>%2</td></tr>")
                    .arg(each.part, QString(each.licence).toHtmlEscaped());
    html += QStringLiteral("</table>");
    QMessageBox box(QMessageBox::NoIcon, QObject::tr("About GODE Explorer"), html, QMessageBox::Ok,
                    parent);
    box.setIconPixmap(applicationIcon().pixmap(64, 64));
    box.exec();
}

}  // namespace gode
