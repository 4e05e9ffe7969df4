#pragma once
// Small text outputs (the SONATA configs beside a run file), written like
// the run file itself: to <path>.tmp, then renamed into place, so that a
// reader never sees half a file; a path that exists as something other
// than a regular file (a directory, a FIFO, a device) is refused.
#include <string>

namespace lifnet {

// Throws file_error when `path` exists (following links) and is not a
// regular file.
void refuse_non_regular(const std::string& path);

// Writes `text` to `path` via <path>.tmp and a rename; file_error on failure,
// and the temporary file is removed.
void write_text_atomically(const std::string& path, const std::string& text);

} // namespace lifnet
