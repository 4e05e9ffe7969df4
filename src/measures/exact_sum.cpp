#include "measures/exact_sum.hpp"

#include <lifnet/errors.hpp>

#include <string>

namespace lifnet {

fixed128 to_fixed_large(double x) {
    if (!(std::abs(x) < fixed_limit))
        throw error("a value of " + std::to_string(x) +
                    " reached the measures; exact sums take |x| < 2^40: the simulation diverged");
    return static_cast<fixed128>(std::ldexp(x, 64));
}

} // namespace lifnet
