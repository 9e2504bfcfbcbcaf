#include "data_location.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QStandardPaths>
#include <QStringList>

#include "train/train_errors.h"

// The resource file is compiled into this static library; Q_INIT_RESOURCE makes sure the linker
// keeps it and that it is registered before the first lookup. It must be called outside any
// namespace.
static void initGodeExplorerResources() {
    Q_INIT_RESOURCE(gode_explorer);
}

namespace gode {

void registerEmbeddedResources() {
    static const bool registered = (initGodeExplorerResources(), true);
    (void)registered;
}

namespace {

const QStringList kMnistFiles = {"train-images-idx3-ubyte", "train-labels-idx1-ubyte",
                                 "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"};

bool holdsFile(const QDir& dir, const QString& name) {
    return QFileInfo(dir.filePath(name)).isFile() || QFileInfo(dir.filePath(name + ".gz")).isFile();
}

// A folder given for "the data" may hold the files itself or in an mnist/ subfolder.
QString mnistFolderIn(const QString& folder) {
    if (folder.isEmpty())
        return {};
    for (const QString& candidate : {folder, QDir(folder).filePath("mnist")})
        if (holdsMnistFiles(candidate))
            return QFileInfo(candidate).absoluteFilePath();
    return {};
}

}  // namespace

bool holdsMnistFiles(const QString& folder) {
    const QDir dir(folder);
    if (folder.isEmpty() || !dir.exists())
        return false;
    for (const QString& name : kMnistFiles)
        if (!holdsFile(dir, name))
            return false;
    return true;
}

DataLocation findStartupData(const QString& configured, const QString& environment,
                             const QString& programDir, const QString& sampleDir) {
    if (const QString found = mnistFolderIn(configured); !found.isEmpty())
        return {found, DataSource::Configured, QObject::tr("MNIST from %1").arg(found)};
    if (const QString found = mnistFolderIn(environment); !found.isEmpty())
        return {found, DataSource::Environment,
                QObject::tr("MNIST from $GODE_DATA_DIR (%1)").arg(found)};
    const QString beside = programDir.isEmpty() ? QString() : QDir(programDir).filePath("data");
    if (const QString found = mnistFolderIn(beside); !found.isEmpty())
        return {found, DataSource::BesideProgram,
                QObject::tr("MNIST from the data folder beside the program (%1)").arg(found)};

    const QString sample = unpackEmbeddedSample(sampleDir);
    return {sample, DataSource::EmbeddedSample,
            QObject::tr("No MNIST folder found: training on the built-in sample (2,000 training "
                        "and 500 test images). Choose a folder with the full dataset for real "
                        "results.")};
}

QString unpackEmbeddedSample(const QString& folder) {
    registerEmbeddedResources();
    if (!QDir().mkpath(folder))
        throw DataError("cannot create the folder " + folder.toStdString() +
                        " for the built-in MNIST sample; check its permissions");

    const QDir dir(folder);
    for (const QString& name : kMnistFiles) {
        const QString resource = ":/mnist-sample/" + name + ".gz";
        const QString target = dir.filePath(name + ".gz");
        if (QFileInfo(target).size() == QFileInfo(resource).size())
            continue;
        QFile::remove(target);
        if (!QFile::copy(resource, target))
            throw DataError("cannot write the built-in MNIST sample file " +
                            QFileInfo(target).absoluteFilePath().toStdString() +
                            "; check that the folder is writable");
        // Resource files are read-only; the copy keeps that mode, which would stop a later
        // replacement.
        QFile::setPermissions(
            target, QFile::ReadOwner | QFile::WriteOwner | QFile::ReadGroup | QFile::ReadOther);
    }
    return dir.absolutePath();
}

QString defaultSampleFolder() {
    return QDir(QStandardPaths::writableLocation(QStandardPaths::CacheLocation))
        .filePath("mnist-sample");
}

}  // namespace gode
