# The library's one source list, relative to src/ (used by src/CMakeLists.txt
# and by the fuzz build, tests/fuzz/CMakeLists.txt), in two parts.
# The configuration and its checks, which need no MPI, HDF5 or PETSc: also
# the command line's front end (src/cli/front.cpp).
set(LIFNET_CONFIG_SOURCES comm/errors.cpp comm/signals.cpp config/config.cpp io/input_file.cpp run/dry_run_options.cpp
  sweep/spec.cpp)
set(LIFNET_ENGINE_SOURCES
  comm/environment.cpp comm/failure.cpp comm/fault.cpp comm/int128_sum.cpp comm/mpi_util.cpp
  comm/shared_counters.cpp
  delivery/delivery.cpp
  exchange/exchange.cpp
  graph/edge_list.cpp graph/edge_registry.cpp graph/graph.cpp graph/rank_graph.cpp
  io/checkpoint.cpp io/circuit.cpp io/h5.cpp io/info.cpp io/output.cpp io/report.cpp io/run_reader.cpp io/run_record.cpp io/sonata_config.cpp io/sonata_edges.cpp
  io/safe_output.cpp io/sweep_summary.cpp
  measures/exact_sum.cpp measures/measures.cpp
  neurons/neurons.cpp neurons/noise.cpp neurons/random.cpp
  partition/library.cpp partition/partition.cpp
  run/dry_run.cpp run/memory.cpp run/setup_replay.cpp run/progress.cpp run/simulation.cpp
  sweep/journal.cpp sweep/sweep.cpp)
set(LIFNET_SOURCES ${LIFNET_CONFIG_SOURCES} ${LIFNET_ENGINE_SOURCES})
# The per-step and per-sample kernels are written to vectorise at -O3 (GCC 12's -O2 does not).
set(LIFNET_O3_SOURCES neurons/neurons.cpp neurons/noise.cpp measures/exact_sum.cpp measures/measures.cpp)
