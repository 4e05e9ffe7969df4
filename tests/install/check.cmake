# ctest `install`: cmake --install the build tree into a fresh prefix, build
# the project in this folder against it with find_package(lifnet), and run it.
#   cmake -DBUILD_DIR=... -DWORK_DIR=... -P check.cmake
function(step)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(rc)
    message(FATAL_ERROR "failed (${rc}): ${ARGN}\n${out}\n${err}")
  endif()
  set(out "${out}" PARENT_SCOPE)
endfunction()

file(REMOVE_RECURSE ${WORK_DIR})
step(${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${WORK_DIR}/prefix)
step(${CMAKE_COMMAND} -S ${CMAKE_CURRENT_LIST_DIR} -B ${WORK_DIR}/build -DCMAKE_PREFIX_PATH=${WORK_DIR}/prefix
     -DCMAKE_BUILD_TYPE=Release)
step(${CMAKE_COMMAND} --build ${WORK_DIR}/build)
step(${WORK_DIR}/build/consumer)
message(STATUS "${out}")
if(NOT out MATCHES "lifnet [0-9.]+: [1-9][0-9]* spikes, [1-9][0-9]* seen by the callback, neighbour routing")
  message(FATAL_ERROR "unexpected output: ${out}")
endif()
