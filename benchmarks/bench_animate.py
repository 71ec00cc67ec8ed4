"""Frame time of an animation: a 200-frame contour at 100 dpi.

symgd's writer draws the background (contours, colour bar, minimum, legend)
once and then only the moving artists per frame; the baseline is what
matplotlib's own writers do, a full redraw of the figure per frame, measured
in the same run on the same animation.

    python benchmarks/bench_animate.py
"""

from __future__ import annotations

import time

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402

import symgd  # noqa: E402
from symgd.plot.animate import frames_rgba  # noqa: E402

FRAMES, DPI = 200, 100


def main() -> None:
    z = "x^2 + x*y + y^2"
    race = symgd.race(z, [2, 1], lr={"fixed": 0.3, "momentum": 0.1, "nesterov": 0.1,
                                     "adagrad": 0.5, "rmsprop": 0.05, "adam": 0.1},
                      max_iter=400)
    anim = race.animate(frames=FRAMES)
    start = time.perf_counter()
    frames = frames_rgba(anim, dpi=DPI)
    first = next(frames)
    setup = time.perf_counter() - start
    start = time.perf_counter()
    count = sum(1 for _ in frames)
    blit = (time.perf_counter() - start) / count

    fig = anim.symgd_figure
    fig.set_dpi(DPI)
    for artist in anim.symgd_artists:
        artist.set_animated(False)
    redraws = 20
    start = time.perf_counter()
    for frame in range(redraws):
        anim.symgd_update(frame)
        fig.canvas.draw()
        np.asarray(fig.canvas.buffer_rgba()).copy()
    full = (time.perf_counter() - start) / redraws
    anim.symgd_close()
    print(f"contour race, 6 runs, {FRAMES} frames at {DPI} dpi "
          f"({first.shape[1]}x{first.shape[0]} pixels)")
    print(f"  background drawn once:         {setup * 1e3:8.1f} ms")
    print(f"  per frame, symgd (blitted):    {blit * 1e3:8.1f} ms   goal <= 50 ms")
    print(f"  per frame, full redraw:        {full * 1e3:8.1f} ms   (matplotlib's writers)")
    print(f"  symgd is {full / blit:.1f}x faster per frame")


if __name__ == "__main__":
    main()
