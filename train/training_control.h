// Pause and stop requests from another thread (the window, a signal handler), checked by the
// trainer between iterations. A paused trainer sleeps on a condition variable, not a spin loop.
#pragma once

#include <atomic>
#include <condition_variable>
#include <mutex>

namespace gode {

class TrainingControl {
  public:
    // Asks the trainer to stop after the current iteration; it writes a checkpoint first.
    void requestStop();
    bool stopRequested() const { return stop_.load(); }

    void setPaused(bool paused);
    bool isPaused() const { return paused_.load(); }

    // Blocks while paused; returns at once when not paused or when a stop is requested.
    // Returns true when the trainer should stop.
    bool waitWhilePaused();

  private:
    std::atomic<bool> stop_{false};
    std::atomic<bool> paused_{false};
    std::mutex mutex_;
    std::condition_variable changed_;
};

inline void TrainingControl::requestStop() {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        stop_ = true;
    }
    changed_.notify_all();
}

inline void TrainingControl::setPaused(bool paused) {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        paused_ = paused;
    }
    changed_.notify_all();
}

inline bool TrainingControl::waitWhilePaused() {
    std::unique_lock<std::mutex> lock(mutex_);
    changed_.wait(lock, [&] { return !paused_.load() || stop_.load(); });
    return stop_.load();
}

}  // namespace gode
