#include "run_directory.h"

#include <torch/serialize.h>

#include <filesystem>
#include <fstream>

#include "gode/version.h"
#include "train_errors.h"

namespace gode {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr int64_t kCheckpointFormat = 1;

// Writes `bytes` to path.tmp, then renames it over `path`: readers see the old or the new file,
// never half of one.
void writeAtomically(const std::string& path, const std::string& bytes) {
    const std::string temporary = path + ".tmp";
    {
        std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
        out.write(bytes.data(), std::streamsize(bytes.size()));
        out.flush();
        if (!out)
            throw RunDirectoryError("cannot write " + temporary + " (disk full or no permission?)");
    }
    std::error_code error;
    fs::rename(temporary, path, error);
    if (error)
        throw RunDirectoryError("cannot rename " + temporary + " to " + path + ": " +
                                error.message());
}

std::string readText(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw RunDirectoryError("cannot open " + fs::absolute(path).string() +
                                "; is this a gode-train run directory?");
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

template <typename Value>
void readField(const json& object, const char* key, Value& value) {
    auto found = object.find(key);
    if (found != object.end())
        value = found->get<Value>();
}

}  // namespace

// ---------------------------------------------------------------------------------------------

json toJson(const TrainingPosition& p) {
    return {{"epoch", p.epoch},
            {"batch", p.batch},
            {"iteration", p.iteration},
            {"epoch_loss_sum", p.epochLossSum},
            {"epoch_correct", p.epochCorrect},
            {"epoch_seen", p.epochSeen},
            {"epoch_nfe_forward", p.epochNfeForward},
            {"epoch_nfe_backward", p.epochNfeBackward},
            {"epoch_seconds", p.epochSeconds},
            {"nfe_forward", p.nfeForward},
            {"nfe_backward", p.nfeBackward},
            {"trained_images", p.trainedImages},
            {"training_seconds", p.trainingSeconds},
            {"elapsed_seconds", p.elapsedSeconds},
            {"last_epoch", p.lastEpoch}};
}

TrainingPosition trainingPositionFromJson(const json& object) {
    TrainingPosition p;
    readField(object, "epoch", p.epoch);
    readField(object, "batch", p.batch);
    readField(object, "iteration", p.iteration);
    readField(object, "epoch_loss_sum", p.epochLossSum);
    readField(object, "epoch_correct", p.epochCorrect);
    readField(object, "epoch_seen", p.epochSeen);
    readField(object, "epoch_nfe_forward", p.epochNfeForward);
    readField(object, "epoch_nfe_backward", p.epochNfeBackward);
    readField(object, "epoch_seconds", p.epochSeconds);
    readField(object, "nfe_forward", p.nfeForward);
    readField(object, "nfe_backward", p.nfeBackward);
    readField(object, "trained_images", p.trainedImages);
    readField(object, "training_seconds", p.trainingSeconds);
    readField(object, "elapsed_seconds", p.elapsedSeconds);
    readField(object, "last_epoch", p.lastEpoch);
    return p;
}

json toJson(const EpochReport& report) {
    return {{"epoch", report.epoch},
            {"epochs", report.epochs},
            {"train_loss", report.trainLoss},
            {"train_accuracy", report.trainAccuracy},
            {"test_loss", report.testLoss},
            {"test_accuracy", report.testAccuracy},
            {"lr", report.learningRate},
            {"nfe_forward", report.nfeForward},
            {"nfe_backward", report.nfeBackward},
            {"seconds", report.seconds},
            {"elapsed_seconds", report.elapsedSeconds}};
}

json toJson(const TrainingSummary& summary) {
    return {{"test_accuracy", summary.testAccuracy},
            {"test_loss", summary.testLoss},
            {"train_loss", summary.trainLoss},
            {"train_accuracy", summary.trainAccuracy},
            {"epochs", summary.epochs},
            {"iterations", summary.iterations},
            {"seconds", summary.seconds},
            {"parameters", summary.parameters},
            {"nfe_forward", summary.nfeForward},
            {"nfe_backward", summary.nfeBackward},
            {"images_per_second", summary.imagesPerSecond},
            {"stopped", summary.stopped},
            {"run_directory", summary.runDirectory},
            {"device", summary.device},
            {"threads", summary.threads}};
}

json programInfo() {
    return {{"name", "gode-train"}, {"version", GODE_VERSION}, {"libtorch", GODE_LIBTORCH_VERSION}};
}

// ---------------------------------------------------------------------------------------------

RunDirectory::RunDirectory(const std::string& path) : path_(fs::absolute(path).string()) {}

void RunDirectory::create() const {
    std::error_code error;
    fs::create_directories(path_, error);
    if (error || !fs::is_directory(path_))
        throw RunDirectoryError("cannot create the run directory " + path_ + ": " +
                                (error ? error.message() : "a file of that name exists"));
}

bool RunDirectory::hasCheckpoint() const {
    return fs::exists(checkpointPath());
}

void RunDirectory::writeConfig(const TrainConfig& config) const {
    json document = toJson(config);
    document["program"] = programInfo();
    writeAtomically(configPath(), document.dump(2) + "\n");
}

TrainConfig RunDirectory::readConfig() const {
    const std::string text = readText(configPath());
    try {
        return trainConfigFromJson(json::parse(text));
    } catch (const json::parse_error& error) {
        throw RunDirectoryError(configPath() + " is not valid JSON: " + error.what());
    } catch (const InvalidSetting& error) {
        throw RunDirectoryError(configPath() + ": " + error.what());
    }
}

void RunDirectory::appendMetrics(const json& line) const {
    std::ofstream out(metricsPath(), std::ios::app);
    out << line.dump() << '\n';
    out.flush();
    if (!out)
        throw RunDirectoryError("cannot append to " + metricsPath());
}

std::vector<json> RunDirectory::readMetrics() const {
    std::vector<json> lines;
    if (!fs::exists(metricsPath()))
        return lines;
    std::ifstream in(metricsPath());
    std::string line;
    for (int number = 1; std::getline(in, line); ++number) {
        if (line.empty())
            continue;
        try {
            lines.push_back(json::parse(line));
        } catch (const json::parse_error& error) {
            throw RunDirectoryError(metricsPath() + ", line " + std::to_string(number) +
                                    ": not valid JSON (" + error.what() + ")");
        }
    }
    return lines;
}

void RunDirectory::keepMetricsUpTo(int64_t epochs) const {
    std::string kept;
    for (const json& line : readMetrics())
        if (line.value("epoch", int64_t(0)) <= epochs)
            kept += line.dump() + "\n";
    writeAtomically(metricsPath(), kept);
}

void RunDirectory::writeCheckpoint(const torch::nn::Module& model,
                                   const torch::optim::Optimizer& optimizer,
                                   const TrainingPosition& position) const {
    torch::serialize::OutputArchive archive;
    torch::serialize::OutputArchive modelArchive, optimizerArchive;
    model.save(modelArchive);
    optimizer.save(optimizerArchive);
    archive.write("format", c10::IValue(kCheckpointFormat));
    archive.write("model", modelArchive);
    archive.write("optimizer", optimizerArchive);
    archive.write("position", c10::IValue(toJson(position).dump()));

    std::ostringstream bytes;
    archive.save_to(bytes);
    writeAtomically(checkpointPath(), bytes.str());
}

TrainingPosition RunDirectory::readCheckpoint(torch::nn::Module& model,
                                              torch::optim::Optimizer& optimizer,
                                              torch::Device device) const {
    if (!hasCheckpoint())
        throw RunDirectoryError("no checkpoint to resume from: " + checkpointPath() +
                                " does not exist");
    try {
        torch::serialize::InputArchive archive;
        archive.load_from(checkpointPath(), device);
        c10::IValue format, position;
        archive.read("format", format);
        if (format.toInt() != kCheckpointFormat)
            throw RunDirectoryError(checkpointPath() + " has format " +
                                    std::to_string(format.toInt()) + ", expected " +
                                    std::to_string(kCheckpointFormat));
        torch::serialize::InputArchive modelArchive, optimizerArchive;
        archive.read("model", modelArchive);
        archive.read("optimizer", optimizerArchive);
        model.load(modelArchive);
        optimizer.load(optimizerArchive);
        archive.read("position", position);
        return trainingPositionFromJson(json::parse(position.toStringRef()));
    } catch (const nlohmann::json::exception& error) {
        throw RunDirectoryError(checkpointPath() + ": its position record is damaged (" +
                                error.what() + ")");
    } catch (const c10::Error& error) {
        throw RunDirectoryError(checkpointPath() + " cannot be read (" +
                                error.what_without_backtrace() +
                                "); was it written for a different model configuration?");
    }
}

std::map<std::string, torch::Tensor> namedTensors(const torch::nn::Module& model) {
    std::map<std::string, torch::Tensor> tensors;
    for (const auto& item : model.named_parameters(true))
        tensors[item.key()] = item.value().detach().to(torch::kCPU).clone();
    for (const auto& item : model.named_buffers(true))
        tensors[item.key()] = item.value().detach().to(torch::kCPU).clone();
    return tensors;
}

void RunDirectory::exportModel(const torch::nn::Module& model) const {
    c10::Dict<std::string, torch::Tensor> dictionary;
    for (const auto& [name, tensor] : namedTensors(model))
        dictionary.insert(name, tensor);
    const std::vector<char> bytes = torch::pickle_save(c10::IValue(dictionary));
    writeAtomically(modelPath(), std::string(bytes.begin(), bytes.end()));
}

std::map<std::string, torch::Tensor> readExportedModel(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw RunDirectoryError("cannot open exported model " + fs::absolute(path).string());
    const std::vector<char> bytes((std::istreambuf_iterator<char>(in)),
                                  std::istreambuf_iterator<char>());
    std::map<std::string, torch::Tensor> tensors;
    try {
        const c10::IValue value = torch::pickle_load(bytes);
        for (const auto& entry : value.toGenericDict())
            tensors[entry.key().toStringRef()] = entry.value().toTensor();
    } catch (const c10::Error& error) {
        throw RunDirectoryError(fs::absolute(path).string() + " is not an exported model (" +
                                error.what_without_backtrace() + ")");
    }
    return tensors;
}

}  // namespace gode
