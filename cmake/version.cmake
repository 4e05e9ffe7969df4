# Writes include/lifnet/version.hpp with the current git hash at build time
# (configure-time hashes go stale); rewritten only when it changes.
# Inputs: SOURCE_DIR, BINARY_DIR, PROJECT_VERSION.
execute_process(COMMAND git rev-parse --short HEAD WORKING_DIRECTORY ${SOURCE_DIR}
                OUTPUT_VARIABLE LIFNET_GIT_HASH OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
if(NOT LIFNET_GIT_HASH)
  set(LIFNET_GIT_HASH unknown)
else()
  execute_process(COMMAND git status --porcelain --untracked-files=no WORKING_DIRECTORY ${SOURCE_DIR}
                  OUTPUT_VARIABLE dirty OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
  if(dirty)
    string(APPEND LIFNET_GIT_HASH "-dirty")
  endif()
endif()
configure_file(${SOURCE_DIR}/include/lifnet/version.hpp.in ${BINARY_DIR}/include/lifnet/version.hpp.new @ONLY)
file(COPY_FILE ${BINARY_DIR}/include/lifnet/version.hpp.new ${BINARY_DIR}/include/lifnet/version.hpp ONLY_IF_DIFFERENT)
