#include <lifnet/signals.hpp>

#include <csignal>

namespace lifnet {

namespace {
volatile std::sig_atomic_t stop_flag = 0;
extern "C" void on_stop_signal(int) {
    stop_flag = 1;
}
} // namespace

void install_stop_handlers() {
    struct sigaction action {};
    action.sa_handler = on_stop_signal;
    sigemptyset(&action.sa_mask);
    for (int s: {SIGTERM, SIGUSR1, SIGINT}) sigaction(s, &action, nullptr);
}

bool stop_requested() {
    return stop_flag != 0;
}

interrupted::interrupted(): error("stopped by a signal (SIGTERM, SIGUSR1 or SIGINT)") {}

} // namespace lifnet
