"""Every figure of the three lessons, drawn by symgd and written to files.

* the car lesson (weight -> miles per gallon, f(x) = w*x + b): the loss
  curve on linear and log scales, the model at the beginning, middle and end
  of training with its residual lines, and the convex loss surface with the
  descent path rolling down to the minimum;
* the pizza lesson (reservations -> pizzas, no bias): the loss curve of w,
  its minimum (a green cross) and the tangent where the hiker stands;
* z = x² + xy + y²: contour lines, the descent path, the downhill arrows
  -∇z, and the learning rate too small, good and too big.

Run: python examples/figures.py [OUTPUT_FOLDER] [--docs]
(default folder out/figures; --docs also refreshes the README's images in
docs/images/).
"""

import pathlib
import sys

import matplotlib

matplotlib.use("Agg")           # files only: no window
import matplotlib.pyplot as plt  # noqa: E402
from PIL import Image  # noqa: E402  (installed with matplotlib)

import symgd  # noqa: E402
from symgd import plot as plotting  # noqa: E402

args = [a for a in sys.argv[1:] if a != "--docs"]
OUT = pathlib.Path(args[0] if args else "out/figures")
DOCS = pathlib.Path(__file__).resolve().parent.parent / "docs" / "images"
OUT.mkdir(parents=True, exist_ok=True)
written = []


def keep(drawn, name, docs=None):
    """Save a figure as PNG (and SVG), optionally a small PNG for the README."""
    written.append(plotting.save(drawn, OUT / f"{name}.png"))
    written.append(plotting.save(drawn, OUT / f"{name}.svg"))
    if docs and "--docs" in sys.argv:
        DOCS.mkdir(parents=True, exist_ok=True)
        small = plotting.save(drawn, DOCS / docs, dpi=80)
        # 256 colours are plenty for a figure and make the file 3 to 4 times smaller
        Image.open(small).convert("RGB").quantize(256, method=Image.Quantize.FASTOCTREE).save(
            small, optimize=True)
        written.append(small)
    plt.close(drawn.figure)


# --- the car lesson ----------------------------------------------------------
cars = symgd.mse("w*weight + b", "cars", target="mpg", params=["w", "b"])
best = cars.least_squares()
# lr = 0.03 is below the stability bound 2/λmax ≈ 0.0698 of this loss.
res = symgd.descend(cars, start=[0, 0], lr=0.03, max_iter=3000, tol=None)

keep(plotting.plot_loss(res, name="L"), "car_loss")
keep(plotting.plot_loss(res, log=True, name="L"), "car_loss_log")
keep(plotting.plot_snapshots(cars, res, iterations=[2, 400, 3000]), "car_snapshots")
keep(plotting.plot_fit(cars, res, iterations=[2, 400, 3000]), "car_fit", docs="fit.png")
keep(plotting.plot_surface(cars, res), "car_surface",
     docs="surface.png")
keep(plotting.plot_contour(cars, res), "car_contour")

# --- the pizza lesson: no bias, the hiker in the valley ----------------------
pizza = symgd.mse("w*x", "pizza", columns={"x": "Reservations", "y": "Pizzas"})
hiker = plotting.plot_slice(pizza, "w", bounds=(-1, 4), tangent_at=0.5)
keep(hiker, "pizza_hiker")

# --- z = x² + xy + y² --------------------------------------------------------
z = symgd.Objective("z = x² + xy + y²")
res = symgd.descend(z, start=[2, 1], lr=0.1)
keep(plotting.plot_contour(z, res, label=r"descent path, $\gamma = 0.1$"), "bowl_contour",
     docs="contour.png")
keep(plotting.plot_surface(z, res, clip=True), "bowl_surface")
keep(plotting.plot_learning_rates(z, start=[2, 1], max_iter=500), "learning_rates",
     docs="learning_rates.png")

print(f"car lesson: least squares w = {best[0]:.4f}, b = {best[1]:.4f}")
print(f"pizza lesson: the slope at w = 0.5 is dL/dw = {hiker.slope:.4f}")
for path in written:
    print(path)
