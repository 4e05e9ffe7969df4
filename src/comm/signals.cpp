#include <lifnet/signals.hpp>

#include <array>
#include <csignal>

namespace lifnet {

namespace {
volatile std::sig_atomic_t stop_flag = 0;
extern "C" void on_stop_signal(int) {
    stop_flag = 1;
}
constexpr std::array<int, 3> stop_signals = {SIGTERM, SIGUSR1, SIGINT};
} // namespace

void install_stop_handlers() {
    struct sigaction action {};
    action.sa_handler = on_stop_signal;
    sigemptyset(&action.sa_mask);
    for (int s: stop_signals) sigaction(s, &action, nullptr);
}

struct scoped_stop_handlers::saved {
    std::array<struct sigaction, stop_signals.size()> actions{};
};

scoped_stop_handlers::scoped_stop_handlers(): saved_(std::make_unique<saved>()) {
    for (std::size_t i = 0; i < stop_signals.size(); ++i) sigaction(stop_signals[i], nullptr, &saved_->actions[i]);
    stop_flag = 0;
    install_stop_handlers();
}

scoped_stop_handlers::~scoped_stop_handlers() {
    for (std::size_t i = 0; i < stop_signals.size(); ++i) sigaction(stop_signals[i], &saved_->actions[i], nullptr);
}

bool stop_requested() {
    return stop_flag != 0;
}

interrupted::interrupted(): error("stopped by a signal (SIGTERM, SIGUSR1 or SIGINT)") {}

} // namespace lifnet
