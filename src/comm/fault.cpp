#include "comm/fault.hpp"

#include <lifnet/errors.hpp>

#include <cstdlib>
#include <new>
#include <string>

namespace lifnet {

void inject_fault(const char* point, int rank) {
    const char* spec = std::getenv("LIFNET_INJECT_FAULT");
    if (!spec || std::string(spec) != std::string(point) + "@" + std::to_string(rank)) return;
    if (std::string(point) == "alloc") throw std::bad_alloc();
    throw error(std::string("injected fault at ") + point);
}

} // namespace lifnet
