#include "process_tools.h"

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fstream>
#include <sstream>
#include <thread>

extern char** environ;

namespace gode::bench {

namespace {

std::string systemError(const std::string& what) {
    return what + ": " + std::strerror(errno);
}

// Reads everything from `fd` until the writer closes it.
std::string readAll(int fd) {
    std::string text;
    char buffer[4096];
    for (;;) {
        const ssize_t count = read(fd, buffer, sizeof buffer);
        if (count > 0) {
            text.append(buffer, static_cast<size_t>(count));
        } else if (count == 0 || errno != EINTR) {
            break;
        }
    }
    return text;
}

std::string commandLine(const std::vector<std::string>& arguments) {
    std::string text = "gode-bench";
    for (const std::string& argument : arguments)
        text += " " + argument;
    return text;
}

}  // namespace

int64_t residentKiB(const std::string& field) {
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line)) {
        if (line.rfind(field + ":", 0) != 0)
            continue;
        std::istringstream value(line.substr(field.size() + 1));
        int64_t kib = 0;
        value >> kib;
        return kib;
    }
    throw BenchmarkFailure("/proc/self/status has no field '" + field +
                           "'; memory can only be measured on Linux");
}

double processCpuSeconds() {
    timespec now{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
    return static_cast<double>(now.tv_sec) + 1e-9 * static_cast<double>(now.tv_nsec);
}

bool resetPeakResident() {
    std::ofstream clearRefs("/proc/self/clear_refs");
    clearRefs << "5";  // 5: reset the peak resident size to the current one (Linux >= 4.0)
    clearRefs.flush();
    return static_cast<bool>(clearRefs);
}

std::string runSelf(const std::vector<std::string>& arguments) {
    int output[2];
    if (pipe(output) != 0)
        throw BenchmarkFailure(systemError("cannot create a pipe for a child process"));

    // The child's stdout goes into the pipe; stdin and stderr are shared with this process.
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, output[1], STDOUT_FILENO);
    posix_spawn_file_actions_addclose(&actions, output[0]);
    posix_spawn_file_actions_addclose(&actions, output[1]);

    std::string program = "/proc/self/exe";
    std::vector<char*> argv{program.data()};
    std::vector<std::string> copies(arguments);
    for (std::string& argument : copies)
        argv.push_back(argument.data());
    argv.push_back(nullptr);

    std::fflush(nullptr);  // the child must not repeat buffered output of this process
    pid_t child = 0;
    const int spawned =
        posix_spawn(&child, program.c_str(), &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    close(output[1]);
    if (spawned != 0) {
        close(output[0]);
        errno = spawned;
        throw BenchmarkFailure(systemError("cannot start '" + commandLine(arguments) + "'"));
    }

    std::string text = readAll(output[0]);
    close(output[0]);
    int status = 0;
    while (waitpid(child, &status, 0) < 0 && errno == EINTR) {
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        const std::string how = WIFSIGNALED(status)
                                    ? "was killed by signal " + std::to_string(WTERMSIG(status))
                                    : "exited with status " + std::to_string(WEXITSTATUS(status));
        throw BenchmarkFailure("'" + commandLine(arguments) + "' " + how +
                               " (its messages are above; a kill often means too little memory)");
    }
    return text;
}

std::string machineDescription() {
    std::ifstream cpuinfo("/proc/cpuinfo");
    std::string line, model = "unknown CPU";
    while (std::getline(cpuinfo, line)) {
        if (line.rfind("model name", 0) == 0 && line.find(':') != std::string::npos) {
            model = line.substr(line.find(':') + 2);
            break;
        }
    }
    return model + ", " + std::to_string(std::thread::hardware_concurrency()) + " cores";
}

void writeFileAtomically(const std::string& path, const std::string& text) {
    const std::string temporary = path + ".tmp";
    {
        std::ofstream file(temporary, std::ios::binary | std::ios::trunc);
        file << text;
        file.flush();
        if (!file)
            throw BenchmarkFailure(systemError("cannot write '" + temporary + "'"));
    }
    if (std::rename(temporary.c_str(), path.c_str()) != 0)
        throw BenchmarkFailure(systemError("cannot rename '" + temporary + "' to '" + path + "'"));
}

}  // namespace gode::bench
