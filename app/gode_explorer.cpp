// gode-explorer: the window. Options:
//   --quit-after SECONDS  show the window, then close it and exit with code 0 (CI's smoke test)
//   --config FILE         put a configuration (a run's config.json) into the panel
//   --start               start training right away (for demonstrations and screenshots)
//   --version             program, LibTorch and Qt versions and the licences of the parts
//   --help
// The project's headers (LibTorch) come before Qt's: Qt's "slots" macro breaks LibTorch headers
// included after it.
#include "model/errors.h"
#include "passive_openmp.h"
#include "train/train_config.h"
#include "ui/about.h"
#include "ui/config_panel.h"
#include "ui/main_window.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QIcon>
#include <QTimer>

#include <cstdio>
#include <cstdlib>
#include <optional>

namespace {

// Parses --quit-after; exits with code 2 and a message naming the value when it is not a number
// of seconds.
double quitAfterSeconds(const QCommandLineParser& parser) {
    if (!parser.isSet("quit-after"))
        return -1;
    bool ok = false;
    const double seconds = parser.value("quit-after").toDouble(&ok);
    if (!ok || seconds < 0) {
        std::fprintf(stderr,
                     "gode-explorer: --quit-after needs a number of seconds >= 0, not '%s'\n",
                     qPrintable(parser.value("quit-after")));
        std::exit(2);
    }
    return seconds;
}

// Reads a config.json; exits with code 2 and a message naming the file and field when it is bad.
gode::TrainConfig readConfigFile(const QString& path) {
    try {
        return gode::trainConfigFromFile(path.toStdString());
    } catch (const gode::InvalidSetting& error) {
        std::fprintf(stderr, "gode-explorer: %s\n", error.what());
        std::exit(2);
    }
}

void addOptions(QCommandLineParser& parser) {
    parser.setApplicationDescription("Train Neural Generalized ODEs and watch them learn.");
    parser.addHelpOption();
    parser.addOption({"version", "Print the program, LibTorch and Qt versions and the licences."});
    parser.addOption(
        {"quit-after", "Close the window after SECONDS and exit with code 0.", "SECONDS"});
    parser.addOption(
        {"config", "Put the configuration in FILE (a run's config.json) into the panel.", "FILE"});
    parser.addOption({"start", "Start training right away."});
}

// --version and --help only print, so they must work without a display: they are answered
// before the QApplication, which needs one, is created.
void answerPrintOnlyOptions(int argc, char** argv) {
    const QStringList printOnly{"--version", "--help", "-h", "-?", "--help-all"};
    bool asked = false;
    for (int i = 1; i < argc; ++i)
        asked = asked || printOnly.contains(QString::fromLocal8Bit(argv[i]));
    if (!asked)
        return;

    QCoreApplication core(argc, argv);
    QCommandLineParser parser;
    addOptions(parser);
    parser.process(core);  // prints the help and exits for --help
    if (parser.isSet("version")) {
        std::fputs(qPrintable(gode::versionText()), stdout);
        std::exit(0);
    }
}

}  // namespace

int main(int argc, char** argv) {
    // Spinning OpenMP workers of the training thread would take the CPU from the GUI thread.
    gode::preferPassiveOpenMpWaits(argv);
    answerPrintOnlyOptions(argc, argv);

    QApplication app(argc, argv);
    QApplication::setOrganizationName("GODE Explorer");
    QApplication::setApplicationName("gode-explorer");
    QApplication::setWindowIcon(gode::applicationIcon());

    QCommandLineParser parser;
    addOptions(parser);
    parser.process(app);
    const double quitAfter = quitAfterSeconds(parser);
    std::optional<gode::TrainConfig> config;
    if (parser.isSet("config"))
        config = readConfigFile(parser.value("config"));

    gode::MainWindowOptions options;
    options.programDir = QCoreApplication::applicationDirPath();
    options.dataEnvironment = qEnvironmentVariable("GODE_DATA_DIR");
    gode::MainWindow window(options);
    if (config)
        window.configPanel()->setConfig(*config);
    window.show();
    if (parser.isSet("start"))
        QTimer::singleShot(0, &window, &gode::MainWindow::startTraining);

    if (quitAfter >= 0) {
        // Closing goes through the window's close handling (a run would be stopped and joined);
        // the smoke test does not start one, so nothing asks.
        window.setCloseConfirmation([] { return true; });
        QTimer::singleShot(static_cast<int>(quitAfter * 1000), &window, &QWidget::close);
    }
    return app.exec();
}
