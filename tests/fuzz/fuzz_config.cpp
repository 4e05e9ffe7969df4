// Any bytes as a TOML config: a lifnet::error, or a configuration that
// validates and survives the TOML round trip unchanged. Anything else (a
// crash, a sanitizer report, another exception) is a bug.
#include <lifnet/config.hpp>
#include <lifnet/errors.hpp>

#include <cstdint>
#include <cstdlib>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    lifnet::config c;
    try {
        lifnet::load_toml_text(c, std::string(reinterpret_cast<const char*>(data), size), "fuzz.toml");
        lifnet::validate(c);
    }
    catch (const lifnet::error&) {
        return 0;
    }
    lifnet::config again;
    lifnet::load_toml_text(again, lifnet::to_toml(c), "round trip");
    if (lifnet::to_toml(again) != lifnet::to_toml(c)) std::abort();
    return 0;
}
