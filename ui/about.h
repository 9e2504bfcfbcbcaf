// What the program is, which versions it was built with, and the licences of its parts: shown by
// Help > About and printed by `gode-explorer --version`.
#pragma once

#include <QIcon>
#include <QString>

class QWidget;

namespace gode {

// Plain text, one fact per line: program version, LibTorch, Qt (compiled and running), licences.
QString versionText();

// The program's icon from the embedded PNGs (16 to 256 pixels), which need no SVG plugin.
QIcon applicationIcon();

// The same facts as rich text in a dialog.
void showAboutDialog(QWidget* parent);

}  // namespace gode
