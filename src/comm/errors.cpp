#include <lifnet/errors.hpp>
#include <lifnet/signals.hpp>

namespace lifnet {

namespace {
std::string join(const std::vector<config_error::problem>& problems) {
    std::string text = "invalid configuration:";
    for (const auto& p: problems) text += "\n  " + p.key + ": " + p.message;
    return text;
}
} // namespace

config_error::config_error(std::vector<problem> ps): error(join(ps)), problems(std::move(ps)) {}

file_error::file_error(std::string p, std::string message, std::uint64_t l):
    error(p + (l ? ":" + std::to_string(l) : std::string()) + ": " + message), path(std::move(p)), line(l) {}

library_error::library_error(std::string c, std::string message):
    error(c + " failed: " + message), call(std::move(c)) {}

collective_error::collective_error(int r, int code, const std::string& message):
    error(message), rank(r), exit_code(code) {}

int exit_code_of(const std::exception& e) {
    if (dynamic_cast<const interrupted*>(&e)) return exit_interrupted;
    if (auto c = dynamic_cast<const collective_error*>(&e)) return c->exit_code;
    if (dynamic_cast<const config_error*>(&e) || dynamic_cast<const file_error*>(&e)) return 2;
    return 1;
}

} // namespace lifnet
