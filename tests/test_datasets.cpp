// Dataset readers, batches and augmentation: valid and broken fixture files written here.
#include <filesystem>

#include "fixtures.h"
#include "test_support.h"
#include "train/batches.h"
#include "train/dataset.h"
#include "train/train_errors.h"

using gode::DataError;
using gode::test::Bytes;

namespace {

torch::Tensor sampleImages(int64_t count, int64_t side = 28) {
    return torch::arange(count * side * side, torch::kInt64)
        .remainder(251)
        .reshape({count, side, side})
        .to(torch::kUInt8);
}

std::vector<uint8_t> sampleLabels(int64_t count) {
    std::vector<uint8_t> labels;
    for (int64_t i = 0; i < count; ++i)
        labels.push_back(uint8_t((i * 7) % 10));
    return labels;
}

// Writes the four MNIST files of `count` training and test images into `folder`.
void writeMnistFolder(const QString& folder, int64_t count, bool gzip) {
    gode::test::writeSyntheticMnist(folder.toStdString(), count, count, gzip);
}

// The shifted copy of `image` [C, H, W] by (dy, dx) with zero fill, built by padding and
// slicing: the reference for the crop augmentation.
torch::Tensor shifted(const torch::Tensor& image, int dy, int dx, int padding) {
    torch::Tensor padded = torch::constant_pad_nd(image, {padding, padding, padding, padding}, 0);
    return padded.narrow(1, padding + dy, image.size(1)).narrow(2, padding + dx, image.size(2));
}

}  // namespace

class TestDatasets : public QObject {
    Q_OBJECT

  private slots:
    void readsIdxRawAndGzip_data();
    void readsIdxRawAndGzip();
    void loadsFolderUnderRawOrGzipNames_data();
    void loadsFolderUnderRawOrGzipNames();
    void gzipUnderRawNameIsDetectedByMagic();
    void brokenIdxFilesAreNamed_data();
    void brokenIdxFilesAreNamed();
    void missingFileIsNamedWithAbsolutePath();
    void readsCifarBatchPlanes();
    void cifarBatchOfWrongSizeIsRejected();
    void epochOrderIsASeededPermutation();
    void cropsAreShiftsWithinThePadding();
    void cifarNormalisationUsesPublishedMeanAndStd();
    void prefetcherYieldsTheDirectBatchesInOrder();
};

void TestDatasets::readsIdxRawAndGzip_data() {
    QTest::addColumn<bool>("gzip");
    QTest::newRow("raw") << false;
    QTest::newRow("gzip") << true;
}

void TestDatasets::readsIdxRawAndGzip() {
    QFETCH(bool, gzip);
    const torch::Tensor images = sampleImages(5);
    const std::vector<uint8_t> labels = sampleLabels(5);
    Bytes imageBytes = gode::test::idxImageBytes(images);
    Bytes labelBytes = gode::test::idxLabelBytes(labels);
    if (gzip) {
        imageBytes = gode::test::gzipBytes(imageBytes);
        labelBytes = gode::test::gzipBytes(labelBytes);
    }

    const torch::Tensor read = gode::readIdxImages(imageBytes, "images");
    QCOMPARE(read.sizes().vec(), (std::vector<int64_t>{5, 1, 28, 28}));
    QCOMPARE(read.scalar_type(), torch::kUInt8);
    QVERIFY(torch::equal(read.squeeze(1), images));
    const torch::Tensor readLabels = gode::readIdxLabels(labelBytes, "labels");
    QCOMPARE(readLabels.scalar_type(), torch::kInt64);
    for (int i = 0; i < 5; ++i)
        QCOMPARE(readLabels[i].item<int64_t>(), int64_t(labels[i]));
}

void TestDatasets::loadsFolderUnderRawOrGzipNames_data() {
    QTest::addColumn<bool>("gzip");
    QTest::newRow("raw names") << false;
    QTest::newRow(".gz names") << true;
}

void TestDatasets::loadsFolderUnderRawOrGzipNames() {
    QFETCH(bool, gzip);
    QTemporaryDir folder;
    writeMnistFolder(folder.path(), 20, gzip);
    const gode::Dataset dataset =
        gode::loadDataset(gode::DatasetKind::FashionMnist, folder.path().toStdString());
    QCOMPARE(dataset.train.size(), int64_t(20));
    QCOMPARE(dataset.test.size(), int64_t(20));
    const auto expected = gode::test::syntheticDigits(20, 11);
    QVERIFY(torch::equal(dataset.train.images.squeeze(1), expected.images));
    QCOMPARE(dataset.train.labels[13].item<int64_t>(), int64_t(expected.labels[13]));
    QCOMPARE(dataset.train.first(7).size(), int64_t(7));
}

void TestDatasets::gzipUnderRawNameIsDetectedByMagic() {
    QTemporaryDir folder;
    writeMnistFolder(folder.path(), 10, true);
    for (const char* name : {"train-images-idx3-ubyte", "train-labels-idx1-ubyte",
                             "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"}) {
        const QString gz = folder.filePath(QString(name) + ".gz");
        QVERIFY(QFile::rename(gz, folder.filePath(name)));
    }
    const gode::Dataset dataset =
        gode::loadDataset(gode::DatasetKind::Mnist, folder.path().toStdString());
    QCOMPARE(dataset.test.size(), int64_t(10));
    QVERIFY(
        torch::equal(dataset.test.images.squeeze(1), gode::test::syntheticDigits(10, 12).images));
}

void TestDatasets::brokenIdxFilesAreNamed_data() {
    QTest::addColumn<QString>("file");  // which of the four files is replaced
    QTest::addColumn<QByteArray>("kind");
    QTest::addColumn<QString>("mentions");
    QTest::newRow("truncated images")
        << "train-images-idx3-ubyte" << QByteArray("truncated") << "truncated";
    QTest::newRow("trailing bytes")
        << "train-images-idx3-ubyte" << QByteArray("trailing") << "but the data holds";
    QTest::newRow("wrong magic") << "t10k-images-idx3-ubyte" << QByteArray("magic")
                                 << "wrong magic number 0x00000801, expected 0x00000803";
    QTest::newRow("label count mismatch")
        << "train-labels-idx1-ubyte" << QByteArray("count") << "holds 9 labels but";
    QTest::newRow("label out of range") << "t10k-labels-idx1-ubyte" << QByteArray("range")
                                        << "label 12 at index 3 is out of range; expected 0 to 9";
    QTest::newRow("truncated gzip")
        << "train-images-idx3-ubyte" << QByteArray("gzip-cut") << "truncated";
    QTest::newRow("wrong image size")
        << "train-images-idx3-ubyte" << QByteArray("size") << "images are 32x32, expected 28x28";
}

void TestDatasets::brokenIdxFilesAreNamed() {
    QFETCH(QString, file);
    QFETCH(QByteArray, kind);
    QFETCH(QString, mentions);
    QTemporaryDir folder;
    writeMnistFolder(folder.path(), 10, false);

    Bytes bytes;
    if (kind == "truncated" || kind == "trailing") {
        bytes = gode::test::idxImageBytes(sampleImages(10));
        bytes.resize(kind == "truncated" ? bytes.size() - 100 : bytes.size() + 3);
    } else if (kind == "magic") {
        bytes = gode::test::idxLabelBytes(sampleLabels(10));
    } else if (kind == "count") {
        bytes = gode::test::idxLabelBytes(sampleLabels(9));
    } else if (kind == "range") {
        std::vector<uint8_t> labels = sampleLabels(10);
        labels[3] = 12;
        bytes = gode::test::idxLabelBytes(labels);
    } else if (kind == "gzip-cut") {
        bytes = gode::test::gzipBytes(gode::test::idxImageBytes(sampleImages(10)));
        bytes.resize(bytes.size() / 2);
    } else if (kind == "size") {
        bytes = gode::test::idxImageBytes(sampleImages(10, 32));
    }
    const std::string path = folder.filePath(file).toStdString();
    gode::test::writeBytes(path, bytes);

    const std::string message = gode::test::messageOf<DataError>(
        [&] { gode::loadDataset(gode::DatasetKind::Mnist, folder.path().toStdString()); });
    GODE_VERIFY_CONTAINS(message, path);
    GODE_VERIFY_CONTAINS(message, mentions.toStdString());
}

void TestDatasets::missingFileIsNamedWithAbsolutePath() {
    QTemporaryDir folder;
    writeMnistFolder(folder.path(), 10, true);
    QVERIFY(QFile::remove(folder.filePath("t10k-labels-idx1-ubyte.gz")));
    const std::string absolute =
        std::filesystem::absolute(folder.filePath("t10k-labels-idx1-ubyte").toStdString());

    // A relative folder name still produces absolute paths in the message.
    const std::string relative = std::filesystem::relative(folder.path().toStdString()).string();
    const std::string message = gode::test::messageOf<DataError>(
        [&] { gode::loadDataset(gode::DatasetKind::Mnist, relative); });
    GODE_VERIFY_CONTAINS(message, absolute);
    GODE_VERIFY_CONTAINS(message, absolute + ".gz");
}

void TestDatasets::readsCifarBatchPlanes() {
    const int64_t records = 10000;
    torch::Tensor images = torch::arange(records * 3 * 32 * 32, torch::kInt64)
                               .remainder(253)
                               .reshape({records, 3, 32, 32});
    std::vector<uint8_t> labels = sampleLabels(records);
    const Bytes bytes = gode::test::cifarBatchBytes(images, labels);
    QCOMPARE(int64_t(bytes.size()), int64_t(30730000));

    const gode::LabelledImages batch = gode::readCifarBatch(bytes, "data_batch_1.bin");
    QCOMPARE(batch.images.sizes().vec(), (std::vector<int64_t>{records, 3, 32, 32}));
    // Record 1234, green plane (1024 bytes after red), row 5, column 7: by hand from the layout.
    const int64_t offset = 1234 * 3073 + 1 + 1024 + 5 * 32 + 7;
    QCOMPARE(int(batch.images[1234][1][5][7].item<uint8_t>()), int(bytes[offset]));
    QCOMPARE(batch.labels[1234].item<int64_t>(), int64_t(bytes[1234 * 3073]));
}

void TestDatasets::cifarBatchOfWrongSizeIsRejected() {
    QTemporaryDir folder;
    const std::string path = folder.filePath("data_batch_1.bin").toStdString();
    gode::test::writeBytes(path, Bytes(3073 * 100, 1));
    const std::string message = gode::test::messageOf<DataError>(
        [&] { gode::loadDataset(gode::DatasetKind::Cifar10, folder.path().toStdString()); });
    GODE_VERIFY_CONTAINS(message, path);
    GODE_VERIFY_CONTAINS(message, "exactly 30730000 bytes");
    GODE_VERIFY_CONTAINS(message, "found 307300");

    // The next batch is missing: named with its absolute path.
    gode::test::writeBytes(path, Bytes(30730000, 1));
    const std::string missing = gode::test::messageOf<DataError>(
        [&] { gode::loadDataset(gode::DatasetKind::Cifar10, folder.path().toStdString()); });
    GODE_VERIFY_CONTAINS(missing, folder.filePath("data_batch_2.bin").toStdString());
}

void TestDatasets::epochOrderIsASeededPermutation() {
    const std::vector<int64_t> order = gode::epochOrder(1000, 42, 3);
    std::vector<int64_t> sorted = order;
    std::sort(sorted.begin(), sorted.end());
    for (int64_t i = 0; i < 1000; ++i)
        QCOMPARE(sorted[i], i);
    QVERIFY(order == gode::epochOrder(1000, 42, 3));
    QVERIFY(order != gode::epochOrder(1000, 42, 4));
    QVERIFY(order != gode::epochOrder(1000, 43, 3));

    // Not the identity, and roughly uniform: the mean position of the first 100 items is near
    // the middle (exact mean 499.5, standard error about 29).
    double mean = 0.0;
    for (int64_t i = 0; i < 100; ++i)
        mean += order[i] / 100.0;
    QVERIFY2(std::abs(mean - 499.5) < 150, qPrintable(QString::number(mean)));
}

void TestDatasets::cropsAreShiftsWithinThePadding() {
    const int padding = 4;
    gode::LabelledImages data{sampleImages(64).unsqueeze(1), torch::zeros({64}, torch::kInt64)};
    gode::BatchMaker maker(data, gode::normalization(gode::DatasetKind::Mnist), 16, padding, 5);
    const std::vector<int64_t> order = gode::epochOrder(64, 5, 0);
    const gode::Batch batch = maker.training(order, 0, 1);

    std::set<std::pair<int, int>> shiftsSeen;
    for (int64_t slot = 0; slot < 16; ++slot) {
        const torch::Tensor source = data.images[order[16 + slot]].to(torch::kFloat32) / 255.0;
        bool matched = false;
        for (int dy = -padding; dy <= padding && !matched; ++dy)
            for (int dx = -padding; dx <= padding && !matched; ++dx)
                if (gode::test::maxAbsDiff(batch.images[slot], shifted(source, dy, dx, padding)) <
                    1e-6) {
                    matched = true;
                    shiftsSeen.insert({dy, dx});
                }
        QVERIFY2(matched, qPrintable(QString("slot %1 is no shift of its image").arg(slot)));
    }
    QVERIFY(shiftsSeen.size() > 4);  // offsets vary within the batch

    // Same position, same batch; another epoch, other crops.
    QVERIFY(torch::equal(batch.images, maker.training(order, 0, 1).images));
    QVERIFY(!torch::equal(batch.images, maker.training(order, 1, 1).images));

    // Without padding the images come through unchanged.
    gode::BatchMaker plain(data, gode::normalization(gode::DatasetKind::Mnist), 16, 0, 5);
    const torch::Tensor expected =
        data.images
            .index_select(
                0, torch::tensor(std::vector<int64_t>(order.begin() + 16, order.begin() + 32)))
            .to(torch::kFloat32) /
        255.0;
    QVERIFY(gode::test::maxAbsDiff(plain.training(order, 0, 1).images, expected) < 1e-6);
}

void TestDatasets::cifarNormalisationUsesPublishedMeanAndStd() {
    torch::Tensor images = torch::zeros({2, 3, 32, 32}, torch::kUInt8);
    images[1][2][0][0] = 200;
    gode::LabelledImages data{images, torch::zeros({2}, torch::kInt64)};
    gode::BatchMaker maker(data, gode::normalization(gode::DatasetKind::Cifar10), 2, 0, 1);
    const gode::Batch batch = maker.evaluation(0);
    // (200 / 255 - 0.447) / 0.262 and (0 - 0.491) / 0.247, by hand.
    QVERIFY(std::abs(batch.images[1][2][0][0].item<double>() - 1.2874570) < 1e-5);
    QVERIFY(std::abs(batch.images[0][0][3][3].item<double>() - (-1.9878543)) < 1e-5);
}

void TestDatasets::prefetcherYieldsTheDirectBatchesInOrder() {
    gode::LabelledImages data{sampleImages(50).unsqueeze(1), torch::arange(50) % 10};
    gode::BatchMaker maker(data, gode::normalization(gode::DatasetKind::Mnist), 8, 4, 9);
    QCOMPARE(maker.batchesPerEpoch(), int64_t(7));  // 6 full batches and one of 2
    const std::vector<int64_t> order = gode::epochOrder(50, 9, 2);

    gode::BatchPrefetcher prefetcher(maker, 2, 3);
    for (int64_t index = 3; index < 7; ++index) {
        std::optional<gode::Batch> batch = prefetcher.next();
        QVERIFY(batch.has_value());
        QCOMPARE(batch->index, index);
        const gode::Batch direct = maker.training(order, 2, index);
        QVERIFY(torch::equal(batch->images, direct.images));
        QVERIFY(torch::equal(batch->labels, direct.labels));
    }
    QVERIFY(!prefetcher.next().has_value());

    // Destroying a prefetcher that still has batches to make does not hang.
    { gode::BatchPrefetcher abandoned(maker, 0, 0, 1); }
}

QTEST_GUILESS_MAIN(TestDatasets)
#include "test_datasets.moc"
