#pragma once
#include <string>

namespace lifnet {

// A human-readable account of a run file: provenance, configuration, counts
// and synchrony measures. Throws file_error for a file that is not one.
std::string describe_file(const std::string& path);

} // namespace lifnet
