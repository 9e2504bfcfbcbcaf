// What the program is, which versions it was built with, and the licences of its parts: shown by
// Help > About and printed by `gode-explorer --version`.
#pragma once

#include <QString>

class QWidget;

namespace gode {

// Plain text, one fact per line: program version, LibTorch, Qt (compiled and running), licences.
QString versionText();

// The same facts as rich text in a dialog.
void showAboutDialog(QWidget* parent);

}  // namespace gode
