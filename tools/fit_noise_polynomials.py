#!/usr/bin/python3
"""The polynomials of lifnet's Box–Muller (src/neurons/noise.cpp), made again.

Fits each function on its reduced range with mpmath's Chebyshev fit, rounds
the coefficients to double and prints them (lowest degree first, as C++ hex
literals) with the worst error of the rounded polynomial, evaluated exactly
at 2001 points, as a fraction of the function's value there:

  log: R(z)/z where 2 atanh(s) = 2s + s R(s^2), z <= ((sqrt2-1)/(sqrt2+1))^2
  sin: S(z) where sin(2 pi r) = r (2 pi + z S(z)), z = r^2 <= 1/64
  cos: C(z) where cos(2 pi r) = 1 + z C(z)

Usage: /usr/bin/python3 tools/fit_noise_polynomials.py
"""
import mpmath as mp

mp.mp.prec = 120
TWO_PI = 2 * mp.pi
Z_LOG = ((mp.sqrt(2) - 1) / (mp.sqrt(2) + 1)) ** 2
Z_TRIG = mp.mpf(1) / 64


def r_over_z(z):
    if z == 0:
        return mp.mpf(2) / 3
    s = mp.sqrt(z)
    return (2 * mp.atanh(s) - 2 * s) / (s * z)


def sin_tail(z):
    if z == 0:
        return -TWO_PI ** 3 / 6
    r = mp.sqrt(z)
    return (mp.sin(TWO_PI * r) / r - TWO_PI) / z


def cos_tail(z):
    if z == 0:
        return -TWO_PI ** 2 / 2
    return (mp.cos(TWO_PI * mp.sqrt(z)) - 1) / z


# name, function, range end, terms, error of the result per error of the polynomial at z
FITS = [
    # ln(1 + f) = f - f^2/2 + s (f^2/2 + z p(z)) ~ 2s: the error z dp s against 2s
    ("log_series", r_over_z, Z_LOG, 7, lambda z: z / 2),
    # r z dp against sin(2 pi r)
    ("sin_series", sin_tail, Z_TRIG, 6,
     lambda z: mp.sqrt(z) * z / mp.sin(TWO_PI * mp.sqrt(z)) if z else mp.mpf(0)),
    # z dp against cos(2 pi r)
    ("cos_series", cos_tail, Z_TRIG, 7, lambda z: z / mp.cos(TWO_PI * mp.sqrt(z))),
]


def main():
    for name, f, end, terms, scale in FITS:
        coefficients = [float(c) for c in mp.chebyfit(f, [0, end], terms)]  # highest degree first
        exact = [mp.mpf(c) for c in coefficients]
        worst = max(abs(mp.polyval(exact, z) - f(z)) * scale(z) for z in mp.linspace(0, end, 2001))
        print(f"{name} ({terms} terms, worst relative error {mp.nstr(worst, 3)}):")
        print("    " + ", ".join(c.hex() for c in reversed(coefficients)))


if __name__ == "__main__":
    main()
