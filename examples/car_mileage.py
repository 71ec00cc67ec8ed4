"""The car lesson: weight (1000s of pounds) -> miles per gallon, f(x) = w*x + b.

The mean squared error and its two partial derivatives in textbook form,
the gradient at w = b = 0, the first steps of gradient descent with
lr = 0.01, and the run to convergence compared with the closed-form least
squares fit. Run: python examples/car_mileage.py
"""

import numpy as np

import symgd

cars = symgd.Dataset({"weight": [3.5, 3.69, 3.44, 3.43, 4.34, 4.42, 2.37],
                      "mpg": [18, 15, 18, 16, 15, 14, 24]})
L = symgd.mse("w*x + b", cars, columns={"x": "weight", "y": "mpg"}, params=["w", "b"])

print(f"MSE:      {L}")
for name, g in zip(L.names, L.gradient):
    print(f"dL/d{name} = {g}")

value, grad = L.value_and_grad([0, 0])
print(f"\nat w = b = 0: loss {value:.2f}, slopes dL/dw = {grad[0]:.1f}, dL/db = {grad[1]:.1f}")

res = symgd.descend(L, start=[0, 0], lr=0.01, max_iter=5)
print("\nThe first steps with lr = 0.01 (iteration 0 is the start):")
print(res.table(digits=4))

res = symgd.descend(L, start=[0, 0], lr=0.01, max_iter=200_000, tol=1e-9)
print(f"\n{res.message}")
print(f"gradient descent: w = {res.x[0]:.6f}, b = {res.x[1]:.6f}, loss {res.fun:.4f}")
X = np.column_stack([cars["weight"], np.ones(cars.rows)])
w, b = np.linalg.lstsq(X, cars["mpg"], rcond=None)[0]
print(f"least squares:    w = {w:.6f}, b = {b:.6f}")
assert np.allclose(res.x, [w, b], atol=1e-6)

bound = symgd.step_size_bound(L)
print(f"\nThe loss is quadratic: fixed steps converge for lr < {bound.bound:.4f}; "
      f"the fastest is lr = {bound.best:.4f}.")
