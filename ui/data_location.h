// Where the window finds its data on first start, and the MNIST sample built into the program.
// Pure Qt: no LibTorch, so it is cheap to test and to call before the window exists.
#pragma once

#include <QString>

namespace gode {

// True when `folder` holds the four MNIST-style IDX files (raw or .gz) that loadDataset reads.
bool holdsMnistFiles(const QString& folder);

// Where a data folder came from, in the order the search tries them.
enum class DataSource {
    Configured,      // the folder remembered from an earlier session
    Environment,     // $GODE_DATA_DIR (itself, or its mnist/ subfolder)
    BesideProgram,   // data/ (or data/mnist/) next to the executable
    EmbeddedSample,  // the ~2,000 + 500 images compiled into the program
};

struct DataLocation {
    QString folder;  // absolute
    DataSource source = DataSource::EmbeddedSample;
    QString description;  // one sentence for the status bar and the panel
};

// The search on start. `configured` is the remembered folder (may be empty), `environment`
// the value of GODE_DATA_DIR, `programDir` the executable's folder, `sampleDir` where the
// embedded sample may be unpacked. Each candidate must hold the MNIST files; the first that
// does wins. When none does, the sample is unpacked into `sampleDir` (throws DataError naming
// the folder when that fails).
DataLocation findStartupData(const QString& configured, const QString& environment,
                             const QString& programDir, const QString& sampleDir);

// Copies the embedded sample's four .gz files into `folder` (created if needed) unless they are
// already there with the right sizes; returns the folder's absolute path. The trainer reads
// folders, so the sample is handed to it as one. Throws DataError naming the file.
QString unpackEmbeddedSample(const QString& folder);

// Registers the resources compiled into gode_ui (the sample and the icon). Safe to call often.
void registerEmbeddedResources();

// The default place for the unpacked sample: the user's cache folder.
QString defaultSampleFolder();

}  // namespace gode
