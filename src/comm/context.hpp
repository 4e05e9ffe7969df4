#pragma once
#include <lifnet/simulation.hpp>

#include <boost/mpi/communicator.hpp>

namespace lifnet {

struct context::impl {
    boost::mpi::communicator comm;
};

inline context make_context(const boost::mpi::communicator& comm) {
    return context(std::make_shared<const context::impl>(context::impl{comm}));
}

} // namespace lifnet
