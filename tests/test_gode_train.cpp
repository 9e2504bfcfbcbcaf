// The gode-train executable itself, run with QProcess on fixture data: exit codes, messages that
// name the flag or file, the final JSON line, resume, and presets with overrides.
#include <nlohmann/json.hpp>

#include "fixtures.h"
#include "test_support.h"

#ifndef GODE_TRAIN_EXECUTABLE
#error "tests/CMakeLists.txt passes the path of gode-train as GODE_TRAIN_EXECUTABLE"
#endif

using nlohmann::json;

namespace {

struct Outcome {
    int exitCode = -1;
    QString out;
    QString err;
};

Outcome runGodeTrain(const QStringList& arguments) {
    QProcess process;
    process.start(GODE_TRAIN_EXECUTABLE, arguments);
    if (!process.waitForFinished(120000)) {
        process.kill();
        process.waitForFinished();
        return {-2, {}, "gode-train did not finish within 120 s"};
    }
    Outcome outcome;
    outcome.exitCode =
        process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;  // -1: crashed
    outcome.out = QString::fromUtf8(process.readAllStandardOutput());
    outcome.err = QString::fromUtf8(process.readAllStandardError());
    return outcome;
}

json lastJsonLine(const QString& text) {
    const QStringList lines = text.trimmed().split('\n');
    return json::parse(lines.last().toStdString());
}

}  // namespace

class TestGodeTrain : public QObject {
    Q_OBJECT

  private slots:
    void initTestCase();
    void versionAndHelpExitZero();
    void badFlagsExitTwoNamingTheFlag_data();
    void badFlagsExitTwoNamingTheFlag();
    void dataErrorsExitOneNamingTheFile();
    void trainsAndPrintsTheSummaryAsTheLastLine();
    void resumeExtendsARun();
    void presetAppliesInFlagOrder();
    void terminationWritesACheckpointToResumeFrom();

  private:
    QStringList tinyFlags(const QString& out) const {
        return {"--data-dir",   data_.path(), "--width",   "8", "--steps",  "2", "--batch", "16",
                "--test-limit", "20",         "--threads", "1", "--epochs", "1", "--out",   out};
    }

    QTemporaryDir data_;
    QTemporaryDir runs_;
};

void TestGodeTrain::initTestCase() {
    gode::test::writeSyntheticMnist(data_.path().toStdString(), 48, 20, false);
}

void TestGodeTrain::versionAndHelpExitZero() {
    const Outcome version = runGodeTrain({"--version"});
    QCOMPARE(version.exitCode, 0);
    QVERIFY2(version.out.contains("gode-train 0.") && version.out.contains("LibTorch"),
             qPrintable(version.out));

    const Outcome help = runGodeTrain({"--help"});
    QCOMPARE(help.exitCode, 0);
    for (const char* flag : {"--dataset", "--knot-placement", "--backprop", "--preset", "--resume",
                             "--quiet", "--schedule", "--train-limit"})
        QVERIFY2(help.out.contains(flag), flag);
}

void TestGodeTrain::badFlagsExitTwoNamingTheFlag_data() {
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QStringList>("mentions");
    const QString dir = "/nonexistent";
    QTest::newRow("unknown solver") << QStringList{"--data-dir", dir, "--solver", "heun"}
                                    << QStringList{"--solver", "euler", "dopri5"};
    QTest::newRow("unknown flag") << QStringList{"--data-dir", dir, "--colour"}
                                  << QStringList{"--colour"};
    QTest::newRow("not a number") << QStringList{"--data-dir", dir, "--lr", "fast"}
                                  << QStringList{"--lr", "fast"};
    QTest::newRow("zero epochs") << QStringList{"--data-dir", dir, "--epochs", "0"}
                                 << QStringList{"--epochs", "'0'", "> 0"};
    QTest::newRow("negative knots") << QStringList{"--data-dir", dir, "--knots", "-1"}
                                    << QStringList{"--knots", "'-1'", ">= 0"};
    QTest::newRow("negative seed") << QStringList{"--data-dir", dir, "--seed", "-5"}
                                   << QStringList{"--seed", "'-5'", "whole number"};
    QTest::newRow("seed above 2^64")
        << QStringList{"--data-dir", dir, "--seed", "18446744073709551616"}
        << QStringList{"--seed", "18446744073709551615"};
    QTest::newRow("unknown dataset") << QStringList{"--data-dir", dir, "--dataset", "svhn"}
                                     << QStringList{"--dataset", "fashion-mnist", "cifar10"};
    QTest::newRow("unknown backprop") << QStringList{"--data-dir", dir, "--backprop", "magic"}
                                      << QStringList{"--backprop", "checkpoint", "adjoint"};
    QTest::newRow("unknown preset") << QStringList{"--data-dir", dir, "--preset", "paper-svhn"}
                                    << QStringList{"--preset", "paper-mnist"};
    QTest::newRow("no data dir") << QStringList{"--epochs", "1"} << QStringList{"--data-dir"};
    QTest::newRow("width not a multiple of 32")
        << QStringList{"--data-dir", dir, "--width", "40"} << QStringList{"width = 40"};
    QTest::newRow("resume with a model flag")
        << QStringList{"--resume", dir, "--lr", "0.5"} << QStringList{"--lr", "--resume"};
}

void TestGodeTrain::badFlagsExitTwoNamingTheFlag() {
    QFETCH(QStringList, arguments);
    QFETCH(QStringList, mentions);
    const Outcome outcome = runGodeTrain(arguments);
    QCOMPARE(outcome.exitCode, 2);
    for (const QString& part : mentions)
        QVERIFY2(outcome.err.contains(part), qPrintable(outcome.err + " lacks " + part));
}

void TestGodeTrain::dataErrorsExitOneNamingTheFile() {
    const Outcome missing = runGodeTrain(
        tinyFlags(runs_.filePath("x")).replaceInStrings(data_.path(), data_.path() + "/absent"));
    QCOMPARE(missing.exitCode, 1);
    QVERIFY2(missing.err.contains(data_.path() + "/absent"), qPrintable(missing.err));

    QTemporaryDir broken;
    gode::test::writeSyntheticMnist(broken.path().toStdString(), 48, 20, false);
    const QString labels = broken.filePath("train-labels-idx1-ubyte");
    gode::test::writeBytes(labels.toStdString(), gode::test::idxLabelBytes({1, 2, 3}));
    QStringList flags = tinyFlags(runs_.filePath("y"));
    flags[1] = broken.path();
    const Outcome mismatch = runGodeTrain(flags);
    QCOMPARE(mismatch.exitCode, 1);
    QVERIFY2(mismatch.err.contains(labels) && mismatch.err.contains("holds 3 labels"),
             qPrintable(mismatch.err));

    const Outcome noRun = runGodeTrain({"--resume", runs_.filePath("never")});
    QCOMPARE(noRun.exitCode, 1);
    QVERIFY2(noRun.err.contains(runs_.filePath("never") + "/config.json"), qPrintable(noRun.err));
}

void TestGodeTrain::trainsAndPrintsTheSummaryAsTheLastLine() {
    const QString out = runs_.filePath("cli");
    const Outcome outcome = runGodeTrain(tinyFlags(out));
    QVERIFY2(outcome.exitCode == 0, qPrintable(outcome.err));

    const json summary = lastJsonLine(outcome.out);
    for (const char* key : {"test_accuracy", "test_loss", "train_loss", "epochs", "seconds",
                            "parameters", "nfe_forward", "images_per_second"})
        QVERIFY2(summary.contains(key), key);
    QCOMPARE(summary["epochs"].get<int>(), 1);
    QCOMPARE(summary["iterations"].get<int>(), 3);
    QCOMPARE(summary["threads"].get<int>(), 1);
    QVERIFY(summary["test_accuracy"].get<double>() >= 0.0);

    // Progress went to standard error as plain lines (not a terminal), one per epoch at least.
    QVERIFY2(outcome.err.contains("epoch 1/1: train loss"), qPrintable(outcome.err));
    for (const char* file : {"config.json", "metrics.jsonl", "checkpoint.pt", "model.pt"})
        QVERIFY2(QFile::exists(out + "/" + file), file);

    // --quiet leaves only the JSON line.
    const Outcome quiet = runGodeTrain(tinyFlags(runs_.filePath("quiet")) << "--quiet");
    QCOMPARE(quiet.exitCode, 0);
    QVERIFY2(quiet.err.isEmpty(), qPrintable(quiet.err));
    QCOMPARE(quiet.out.trimmed().count('\n'), 0);
    QCOMPARE(lastJsonLine(quiet.out)["test_loss"], summary["test_loss"]);
}

void TestGodeTrain::resumeExtendsARun() {
    const QString out = runs_.filePath("extend");
    QCOMPARE(runGodeTrain(tinyFlags(out) << "--quiet").exitCode, 0);
    const Outcome again = runGodeTrain(tinyFlags(out) << "--quiet");
    QCOMPARE(again.exitCode, 1);  // refuses to overwrite a run
    QVERIFY2(again.err.contains("--resume"), qPrintable(again.err));

    const Outcome resumed = runGodeTrain({"--resume", out, "--epochs", "2", "--quiet"});
    QVERIFY2(resumed.exitCode == 0, qPrintable(resumed.err));
    const json summary = lastJsonLine(resumed.out);
    QCOMPARE(summary["epochs"].get<int>(), 2);
    QCOMPARE(summary["iterations"].get<int>(), 6);
    QFile metrics(out + "/metrics.jsonl");
    QVERIFY(metrics.open(QIODevice::ReadOnly));
    QCOMPARE(metrics.readAll().trimmed().count('\n'), 1);  // two lines

    // Resuming a finished run trains nothing and says how to extend it.
    const Outcome finished = runGodeTrain({"--resume", out, "--quiet"});
    QCOMPARE(finished.exitCode, 0);
    QVERIFY2(finished.err.contains("already finished its 2 epoch(s)") &&
                 finished.err.contains("--epochs"),
             qPrintable(finished.err));
    const json unchanged = lastJsonLine(finished.out);
    QCOMPARE(unchanged["epochs"].get<int>(), 2);
    QVERIFY(unchanged["already_finished"].get<bool>());
    QVERIFY(metrics.seek(0));
    QCOMPARE(metrics.readAll().trimmed().count('\n'), 1);  // still two lines
}

void TestGodeTrain::presetAppliesInFlagOrder() {
    // Flags after the preset override it; the preset overrides flags before it.
    const QString out = runs_.filePath("preset");
    QStringList flags = {
        "--width",    "16",         "--preset",      "paper-mnist", "--steps",      "2",
        "--epochs",   "1",          "--train-limit", "16",          "--test-limit", "8",
        "--data-dir", data_.path(), "--threads",     "1",           "--quiet",      "--out",
        out};
    const Outcome outcome = runGodeTrain(flags);
    QVERIFY2(outcome.exitCode == 0, qPrintable(outcome.err));

    QFile file(out + "/config.json");
    QVERIFY(file.open(QIODevice::ReadOnly));
    const json config = json::parse(file.readAll().toStdString());
    QCOMPARE(config["model"]["width"].get<int>(), 64);
    QCOMPARE(config["model"]["solver"]["steps"].get<int>(), 2);
    QCOMPARE(config["model"]["knot_placement"].get<std::string>(), std::string("published"));
    QCOMPARE(config["model"]["interior_knots"].get<int>(), 2);
    QCOMPARE(config["optimization"]["schedule"].get<std::string>(), std::string("step"));
    QCOMPARE(config["optimization"]["epochs"].get<int>(), 1);
    QCOMPARE(config["optimization"]["batch_size"].get<int>(), 128);
    QCOMPARE(config["data"]["train_limit"].get<int>(), 16);
}

void TestGodeTrain::terminationWritesACheckpointToResumeFrom() {
    // A long run (3 iterations per epoch, 500 epochs) stopped by SIGTERM after its first epoch.
    const QString out = runs_.filePath("terminated");
    QStringList flags = tinyFlags(out);
    flags[flags.indexOf("--epochs") + 1] = "500";
    QProcess process;
    process.start(GODE_TRAIN_EXECUTABLE, flags);
    QVERIFY(process.waitForStarted());
    QTRY_VERIFY_WITH_TIMEOUT(QFile::exists(out + "/checkpoint.pt"), 60000);
    process.terminate();  // SIGTERM
    QVERIFY2(process.waitForFinished(60000), "gode-train did not stop after SIGTERM");
    QCOMPARE(process.exitStatus(), QProcess::NormalExit);
    QCOMPARE(process.exitCode(), 1);
    const QString err = QString::fromUtf8(process.readAllStandardError());
    QVERIFY2(err.contains("--resume " + out), qPrintable(err));

    const json stopped = lastJsonLine(QString::fromUtf8(process.readAllStandardOutput()));
    QVERIFY(stopped["stopped"].get<bool>());
    const int epochs = stopped["epochs"].get<int>();
    QVERIFY(epochs < 500);

    // Resuming to one epoch past the stop finishes that epoch from the saved batch.
    const Outcome resumed =
        runGodeTrain({"--resume", out, "--epochs", QString::number(epochs + 1), "--quiet"});
    QVERIFY2(resumed.exitCode == 0, qPrintable(resumed.err));
    const json summary = lastJsonLine(resumed.out);
    QCOMPARE(summary["epochs"].get<int>(), epochs + 1);
    QCOMPARE(summary["iterations"].get<int>(), 3 * (epochs + 1));
}

QTEST_GUILESS_MAIN(TestGodeTrain)
#include "test_gode_train.moc"
