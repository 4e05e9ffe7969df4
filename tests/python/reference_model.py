"""Independent NumPy implementation of MODEL.md sections 2 and 3.

Used by the tests to check lifnet spike for spike on a given graph. Written
from the model page only, not from the C++ sources, so that a shared
misreading is unlikely. Float64 expressions are written in the same order
as the C++ code, which is built with -ffp-contract=off (no FMA), so the two
agree bit for bit except where NumPy's vectorised log/cos differ from the
C library in the last bit (MODEL.md §3 allows that).
"""
import math

import numpy as np

# MODEL.md §2 defaults and the §7 keys that change the dynamics.
DEFAULTS = {
    "N": 100, "k": 4, "seed": 1, "dt": 0.1, "t_stop": 1000.0,
    "tau_m": 10.0, "tau_syn": 2.0, "V_rest": -65.0, "V_reset": -65.0,
    "V_th": -50.0, "t_ref": 2.0, "I_bias": 16.0, "sigma": 1.0, "J": 2.0,
    "d": 1.0, "f_inh": 0.0, "g": 4.0, "stim_amp": 0.0, "stim_start": 0.0,
    "stim_dur": 0.0, "t_transient": 100.0, "sample_dt": 1.0,
    "integrator": "rk4", "J_norm": "none",
}

PURPOSE_V0, PURPOSE_NOISE, PURPOSE_INH = 0, 1, 2

_MASK32 = np.uint64(0xFFFFFFFF)
_SHIFT32 = np.uint64(32)
_M0, _M1 = np.uint64(0xD2511F53), np.uint64(0xCD9E8D57)
_W0, _W1 = np.uint64(0x9E3779B9), np.uint64(0xBB67AE85)


def philox4x32_10(ctr, key):
    """Philox4x32-10. ctr: 4 arrays of 32-bit words (held in uint64, any
    common broadcast shape); key: 2 words. Returns the 4 output words.

    A 32x32-bit product fits in uint64, so mulhi/mullo are a shift and a
    mask of one uint64 multiply."""
    c0, c1, c2, c3 = (np.asarray(c, dtype=np.uint64) for c in ctr)
    k0, k1 = (np.uint64(k) for k in key)
    for r in range(10):
        if r:  # the key is bumped between rounds, not before the first
            k0 = (k0 + _W0) & _MASK32
            k1 = (k1 + _W1) & _MASK32
        p0 = _M0 * c0
        p1 = _M1 * c2
        c0, c1, c2, c3 = (((p1 >> _SHIFT32) ^ c1 ^ k0), p1 & _MASK32,
                          ((p0 >> _SHIFT32) ^ c3 ^ k1), p0 & _MASK32)
    return c0, c1, c2, c3


def _check_seed(seed):
    if not (0 <= int(seed) < 2**32):
        raise ValueError(f"seed {seed} is not a 32-bit unsigned integer")
    return int(seed)


def words(seed, purpose, a, b=0):
    """The four output words of key (seed, purpose), ctr (a, b) split in
    32-bit halves; a and b broadcast against each other."""
    a = np.asarray(a, dtype=np.uint64)
    b = np.asarray(b, dtype=np.uint64)
    return philox4x32_10((a & _MASK32, a >> _SHIFT32, b & _MASK32, b >> _SHIFT32),
                         (_check_seed(seed), purpose))


def to_unit(x):
    """u = (x + 0.5) * 2^-32, exact in float64."""
    return (x.astype(np.float64) + 0.5) * 2.0**-32


def uniforms(seed, purpose, i, n=0):
    """(u0, u1) in (0, 1) for key (seed, purpose), ctr (i, n)."""
    x0, x1, _, _ = words(seed, purpose, i, n)
    return to_unit(x0), to_unit(x1)


def _libm(fn, x):
    """fn elementwise through the C library (Python's math calls it), as the
    scalar C++ std::log/std::cos do. NumPy's SIMD log/cos differ from glibc
    in the last bit for a large fraction of arguments; that is allowed
    (§3) but would make a spike-for-spike comparison rest on luck."""
    x = np.asarray(x, dtype=np.float64)
    return np.fromiter(map(fn, x.ravel().tolist()), np.float64, x.size).reshape(x.shape)


def xi(seed, i, n):
    """Standard normal of neuron i at step n (§3, mapping 2): the block of
    ctr (i, m), m = n div 4, serves steps 4m ... 4m+3 as
    r0 cos(a0), r0 sin(a0), r2 cos(a2), r2 sin(a2) with
    r0 = sqrt(-2 ln u0), a0 = 2 pi u1, r2 = sqrt(-2 ln u2), a2 = 2 pi u3."""
    i, n = np.broadcast_arrays(np.asarray(i, dtype=np.uint64), np.asarray(n, dtype=np.uint64))
    x = words(seed, PURPOSE_NOISE, i, n // np.uint64(4))
    j = (n % np.uint64(4)).astype(np.int64)
    first_pair = j < 2
    u_r = to_unit(np.where(first_pair, x[0], x[2]))
    u_a = to_unit(np.where(first_pair, x[1], x[3]))
    r = np.sqrt(-2.0 * _libm(math.log, u_r))
    angle = 2.0 * np.pi * u_a
    return r * np.where(j % 2 == 0, _libm(math.cos, angle), _libm(math.sin, angle))


def initial_v(params, seed, ids):
    """V_i(0) = V_reset + u0 * (V_th - V_reset), purpose 0, n = 0."""
    u0, _ = uniforms(seed, PURPOSE_V0, ids, 0)
    return params["V_reset"] + u0 * (params["V_th"] - params["V_reset"])


def inhibitory_mask(N, f_inh, seed):
    """The round(f_inh*N) neurons with the smallest purpose-2 u0; ties go to
    the lower id (a stable sort on u0 keeps ids ascending among equals)."""
    u0, _ = uniforms(seed, PURPOSE_INH, np.arange(N), 0)
    n_inh = round(f_inh * N)  # Python round: half to even, as §2 demands
    mask = np.zeros(N, dtype=bool)
    mask[np.argsort(u0, kind="stable")[:n_inh]] = True
    return mask


def _steps(name, value, dt):
    """A time parameter as a whole number of steps (rel. tolerance 1e-9)."""
    q = value / dt
    r = round(q)
    if abs(q - r) > 1e-9 * max(abs(q), 1.0):
        raise ValueError(f"{name} = {value} is not a whole number of dt = {dt}")
    return r


def full_params(params):
    """DEFAULTS overridden by params; numbers as float (N, seed as int), so
    that J=1 and J=1.0 give the same arithmetic."""
    unknown = set(params) - set(DEFAULTS)
    if unknown:
        raise KeyError(f"unknown parameters {sorted(unknown)}")
    p = {**DEFAULTS, **params}
    for key, value in p.items():
        if key in ("N", "seed"):
            p[key] = int(value)
        elif not isinstance(DEFAULTS[key], str):
            p[key] = float(value)
    return p


def simulate(params, edges, N):
    """Run MODEL.md §2 on the undirected graph `edges` ((M, 2), 0-based; each
    row is the two synapses u->v and v->u). Returns (spike_steps, spike_ids),
    int64, ordered by (step, id); a spike at step n is at t = (n+1)*dt."""
    p = full_params({**params, "N": N})
    dt = p["dt"]
    nsteps = _steps("t_stop", p["t_stop"], dt)
    D = _steps("d", p["d"], dt)
    R = _steps("t_ref", p["t_ref"], dt)
    s0 = _steps("stim_start", p["stim_start"], dt)
    sd = _steps("stim_dur", p["stim_dur"], dt)
    for name in ("t_transient", "sample_dt"):
        _steps(name, p[name], dt)
    if D < 1:
        raise ValueError("d must be at least one step")
    tau_m, tau_syn = p["tau_m"], p["tau_syn"]
    if p["integrator"] == "rk4" and dt >= 2.78 * min(tau_m, tau_syn):
        raise ValueError("dt too large for RK4 stability")
    if p["integrator"] not in ("rk4", "exact"):
        raise ValueError(f"unknown integrator {p['integrator']}")
    seed = _check_seed(p["seed"])

    # Synapses grouped by source (CSR), so a spike's targets are one slice.
    edges = np.asarray(edges, dtype=np.int64).reshape(-1, 2)
    src = np.concatenate([edges[:, 0], edges[:, 1]])
    dst = np.concatenate([edges[:, 1], edges[:, 0]])
    order = np.argsort(src, kind="stable")
    targets = dst[order]
    indptr = np.concatenate([[0], np.cumsum(np.bincount(src, minlength=N))])

    if p["J_norm"] == "in_degree":
        k_in = np.bincount(dst, minlength=N).astype(np.float64)
        # A neuron without inputs never uses c_i; 1 avoids a division by 0.
        c = np.where(k_in > 0, float(p["k"]) / np.maximum(k_in, 1.0), 1.0)
    elif p["J_norm"] == "none":
        c = np.ones(N)
    else:
        raise ValueError(f"unknown J_norm {p['J_norm']}")
    cJ = c * p["J"]
    g = p["g"]
    inh = inhibitory_mask(N, p["f_inh"], seed)

    ids = np.arange(N)
    V = initial_v(p, seed, ids)
    I = np.zeros(N)
    last_refractory = np.full(N, -1, dtype=np.int64)  # refractory while n <= this
    # Ring of D+1 slots: a spike of step n is read at the start of step n+1+D,
    # slot (n+1+D) mod (D+1) = n mod (D+1), which step n has just emptied.
    ring_E = np.zeros((D + 1, N), dtype=np.int64)
    ring_I = np.zeros((D + 1, N), dtype=np.int64)

    V_rest, V_reset, V_th = p["V_rest"], p["V_reset"], p["V_th"]
    I_bias, stim_amp = p["I_bias"], p["stim_amp"]
    # eta = (sigma * sqrt((2 tau_m) / dt)) * xi: the prefactor is one number
    # per run, then one multiply per neuron and step.
    eta_amp = p["sigma"] * math.sqrt(2.0 * tau_m / dt)

    def i_ext(half_step):
        in_window = 2 * s0 <= half_step < 2 * (s0 + sd)
        return I_bias + (stim_amp if in_window else 0.0)

    # The derivatives multiply by 1/tau_m and -1/tau_syn, each computed once
    # (docs/model.md): the same roundings as lifnet.
    inv_tau_m, minus_inv_tau_syn = 1.0 / tau_m, -1.0 / tau_syn

    def f(V, I, e, eta):
        return (-(V - V_rest) + I + e + eta) * inv_tau_m

    def gI(I):
        return I * minus_inv_tau_syn

    h = dt
    if p["integrator"] == "exact":
        # Linear between spikes with input constant over the step (the
        # stimulus window is whole steps). P21 in an expm1 form that stays
        # accurate as tau_syn -> tau_m; the equal case is its limit.
        P11 = math.exp(-h / tau_syn)
        P22 = math.exp(-h / tau_m)
        if tau_m == tau_syn:
            P21 = h / tau_m * P22
        else:
            P21 = tau_syn / (tau_syn - tau_m) * P22 * math.expm1(
                h * (tau_syn - tau_m) / (tau_m * tau_syn))

    block = max(1, 65536 // max(N, 1))  # steps of noise drawn per Philox call
    steps_out, ids_out = [], []
    for n in range(nsteps):
        # 1. spikes due at t_n, from integer counts (order-free)
        slot = n % (D + 1)
        nE, nI = ring_E[slot], ring_I[slot]
        I = I + cJ * (nE - g * nI)
        nE[:] = 0
        nI[:] = 0
        # 2. noise, held constant within the step
        if eta_amp != 0.0 and n % block == 0:
            ns = np.arange(n, min(n + block, nsteps))
            etas = eta_amp * xi(seed, ids[None, :], ns[:, None])
        eta = etas[n % block] if eta_amp != 0.0 else 0.0
        # 3. one step of (V, I). RK4 written exactly as in the C++ (same
        # operand order; C++ uses -ffp-contract=off), so float64 agrees.
        if p["integrator"] == "rk4":
            e0, e1, e2 = i_ext(2 * n), i_ext(2 * n + 1), i_ext(2 * n + 2)
            k1v = f(V, I, e0, eta)
            k1i = gI(I)
            k2v = f(V + 0.5 * h * k1v, I + 0.5 * h * k1i, e1, eta)
            k2i = gI(I + 0.5 * h * k1i)
            k3v = f(V + 0.5 * h * k2v, I + 0.5 * h * k2i, e1, eta)
            k3i = gI(I + 0.5 * h * k2i)
            k4v = f(V + h * k3v, I + h * k3i, e2, eta)
            k4i = gI(I + h * k3i)
            V = V + h / 6 * (k1v + 2 * k2v + 2 * k3v + k4v)
            I = I + h / 6 * (k1i + 2 * k2i + 2 * k3i + k4i)
        else:
            v_inf = V_rest + i_ext(2 * n) + eta
            V = v_inf + (V - v_inf) * P22 + I * P21
            I = I * P11
        refractory = n <= last_refractory
        V[refractory] = V_reset
        # 4. threshold; the spike at t_{n+1} acts at the start of step n+1+D
        fired = np.flatnonzero(~refractory & (V >= V_th))
        if fired.size:
            V[fired] = V_reset
            last_refractory[fired] = n + R
            steps_out.append(np.full(fired.size, n, dtype=np.int64))
            ids_out.append(fired)
            for ring, sel in ((ring_E, fired[~inh[fired]]),
                              (ring_I, fired[inh[fired]])):
                tg = _targets_of(sel, indptr, targets)
                ring[(n + 1 + D) % (D + 1)] += np.bincount(tg, minlength=N)
    if not steps_out:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    return np.concatenate(steps_out), np.concatenate(ids_out).astype(np.int64)


def _targets_of(sources, indptr, targets):
    """Concatenated target lists of `sources` (with repeats)."""
    starts = indptr[sources]
    lens = indptr[sources + 1] - starts
    offsets = np.repeat(starts - (np.cumsum(lens) - lens), lens)
    return targets[offsets + np.arange(lens.sum())]


def mean_rate(spike_steps, params, N):
    """§4 mean firing rate [Hz]: spikes with t > t_transient."""
    p = full_params({**params, "N": N})
    # t = (n+1) dt > t_transient  <=>  n + 1 > transient steps (integers)
    count = int(np.sum(spike_steps + 1 > _steps("t_transient", p["t_transient"], p["dt"])))
    return 1000.0 * count / (N * (p["t_stop"] - p["t_transient"]))


def siegert_rate(params):
    """Rate [Hz] of a free LIF neuron in white noise (Siegert; Brunel 2000
    eq. 21), the continuous-time limit the §2 discretisation approaches.
    sigma is the free membrane's standard deviation, hence sigma*sqrt(2) in
    Brunel's notation. For a plausibility check, not an exact answer."""
    p = full_params(params)
    s = p["sigma"] * math.sqrt(2.0)
    mu = p["I_bias"]
    lo, hi = (p["V_reset"] - p["V_rest"] - mu) / s, (p["V_th"] - p["V_rest"] - mu) / s
    u = np.linspace(lo, hi, 4001)
    # e^{u^2} (1 + erf u) = e^{u^2} erfc(-u), stable for u << 0
    y = np.array([math.exp(x * x) * math.erfc(-x) for x in u])
    integral = (u[1] - u[0]) * (y.sum() - 0.5 * (y[0] + y[-1]))
    return 1000.0 / (p["t_ref"] + p["tau_m"] * math.sqrt(math.pi) * integral)


def selftest():
    """The known answers of MODEL.md §3; raises AssertionError on a miss."""
    out = philox4x32_10((0, 0, 0, 0), (1, 1))
    assert tuple(int(w) for w in out) == (2714744177, 753884053, 3575498877, 49995687), out
    # Random123 kat_vectors, to pin the standard constants and round order.
    out = philox4x32_10((0, 0, 0, 0), (0, 0))
    assert tuple(int(w) for w in out) == (0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8), out
    out = philox4x32_10((0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344),
                        (0xa4093822, 0x299f31d0))
    assert tuple(int(w) for w in out) == (0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1), out
    # MODEL.md §3's exact values, to a relative 1e-15 (glibc's log/cos/sin
    # differ from the exact value by a few ulp).
    for seed, i, n, want in ((1, 0, 0, 0.43202850374898448), (1, 0, 1, 0.85489403272941861),
                             (1, 0, 2, 0.60392089058159665), (1, 0, 3, 0.044249460273454651),
                             (42, 12345, 678, 0.72322593889015838),
                             (42, 12345, 679, -2.3662635538836805),
                             (7, 2**33 + 5, 2**34 + 3, 0.48091652854400677)):
        got = float(xi(seed, i, n))
        assert abs(got - want) <= 1e-15 * abs(want), (seed, i, n, got, want)
    v0 = initial_v(DEFAULTS, 1, np.array([0, 1]))
    assert v0.tolist() == [-51.64611240674276, -54.92002596787643], v0


if __name__ == "__main__":
    selftest()
    print("reference_model selftest passed")
