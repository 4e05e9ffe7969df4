#pragma once
// Test-only fault injection: LIFNET_INJECT_FAULT=<point>@<rank> makes that
// rank fail alone at that point (edge_read, alloc, write), so that tests can
// check that one rank's failure ends the whole job, promptly, with a message
// naming the rank and the cause. Unset, it costs one getenv per call site.
namespace lifnet {

void inject_fault(const char* point, int rank);

} // namespace lifnet
