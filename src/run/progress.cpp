#include "run/progress.hpp"

#include <cstdio>
#include <unistd.h>

namespace lifnet {

progress_line::progress_line(bool enabled, double t_stop_ms):
    enabled_(enabled && isatty(STDERR_FILENO)), t_stop_(t_stop_ms), start_(clock::now()), last_(start_) {}

void progress_line::update(double t_ms) {
    if (!enabled_) return;
    const auto now = clock::now();
    if (now - last_ < std::chrono::milliseconds(500) && t_ms < t_stop_) return;
    last_ = now;
    const double wall = std::chrono::duration<double>(now - start_).count();
    const double eta = t_ms > 0 ? wall * (t_stop_ - t_ms) / t_ms : 0;
    std::fprintf(stderr, "\r  t = %.1f / %.1f ms (%3.0f%%), %.3g x real time, ETA %.0f s   ", t_ms, t_stop_,
                 100 * t_ms / t_stop_, wall > 0 ? t_ms / 1000 / wall : 0.0, eta);
    std::fflush(stderr);
}

void progress_line::finish() {
    if (enabled_) std::fprintf(stderr, "\n");
}

} // namespace lifnet
