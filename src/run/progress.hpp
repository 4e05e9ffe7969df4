#pragma once
// Rank 0's progress line on a terminal: simulated time, % done, real-time
// factor and ETA, redrawn at most twice a second.
#include <chrono>

namespace lifnet {

class progress_line {
public:
    // Shows nothing unless `enabled` and stderr is a terminal.
    progress_line(bool enabled, double t_stop_ms);
    void update(double t_ms);
    void finish();

private:
    using clock = std::chrono::steady_clock;
    bool enabled_;
    double t_stop_;
    clock::time_point start_, last_;
};

} // namespace lifnet
