// One gtest main for the MPI tests (after Arbor's unit-distributed): only
// rank 0 prints, a failure on any rank fails the run, and every rank exits
// with the code they agree on.
#include <lifnet/simulation.hpp>

#include <gtest/gtest.h>
#include <mpi.h>

namespace {

// Counts failed assertions on this rank, whatever rank it is.
class failure_counter: public testing::EmptyTestEventListener {
public:
    void OnTestPartResult(const testing::TestPartResult& result) override {
        if (result.failed()) {
            ++failures;
            int rank = 0;
            MPI_Comm_rank(MPI_COMM_WORLD, &rank);
            if (rank != 0)
                std::fprintf(stderr, "[rank %d] %s:%d: %s\n", rank, result.file_name() ? result.file_name() : "?",
                             result.line_number(), result.summary());
        }
    }
    int failures = 0;
};

} // namespace

int main(int argc, char** argv) {
    lifnet::environment env(argc, argv);
    testing::InitGoogleTest(&argc, argv);
    int rank = 0;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    auto& listeners = testing::UnitTest::GetInstance()->listeners();
    if (rank != 0) delete listeners.Release(listeners.default_result_printer());
    auto* counter = new failure_counter;
    listeners.Append(counter);
    const int local = RUN_ALL_TESTS() != 0 || counter->failures > 0;
    int any = 0;
    MPI_Allreduce(&local, &any, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
    if (rank == 0 && any && !local) std::fprintf(stderr, "a test failed on another rank\n");
    return any;
}
