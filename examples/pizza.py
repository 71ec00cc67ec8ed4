"""The pizza lesson: reservations -> pizzas, fitted by gradient descent.

First the model y = w*x (no bias), 100 iterations of lr = 0.001, printing
the loss before each step as the lesson's train() does; then the bias added
back, y = w*x + b, 20,000 iterations. Both runs are checked against a
hand-written NumPy loop of the lesson's formulas. The data is the lesson's
pizza.txt, built into symgd:

    X, Y = np.loadtxt(symgd.dataset_path("pizza"), skiprows=1, unpack=True)

Run: python examples/pizza.py
"""

import numpy as np

import symgd

COLUMNS = {"x": "Reservations", "y": "Pizzas"}
X, Y = np.loadtxt(symgd.dataset_path("pizza"), skiprows=1, unpack=True)

# --- without bias: 100 iterations, the loss printed each time
L = symgd.mse("w*x", "pizza", columns=COLUMNS)
print(f"loss:     {L}")
print(f"gradient: {L.gradient[0]}\n")
res = symgd.descend(L, start=0, lr=0.001, max_iter=100, tol=None)
for i, loss in enumerate(res.history.loss[:-1]):
    print("Iteration %4d => Loss: %.10f" % (i, loss))
print("\nw=%.10f" % res.x[0])

# the lesson's own loop, for comparison
w, losses = 0.0, []
for _ in range(100):
    losses.append(np.average((X * w - Y) ** 2))
    w -= 2 * np.average(X * (X * w - Y)) * 0.001
worst = max(np.max(np.abs(res.history.loss[:-1] / losses - 1)), abs(res.x[0] / w - 1))
print(f"largest relative difference from the hand-written NumPy loop: {worst:.1e}")
assert worst <= 1e-12

# --- with the bias added back: 20,000 iterations
L = symgd.mse("w*x + b", "pizza", columns=COLUMNS, params=["w", "b"])
print(f"\nloss:     {L}")
for name, g in zip(L.names, L.gradient):
    print(f"dL/d{name} = {g}")
res = symgd.descend(L, start=0, lr=0.001, max_iter=20_000, tol=None)
for i in range(0, 20_000, 2_000):
    print("Iteration %4d => Loss: %.10f" % (i, res.history.loss[i]))
w_hat, b_hat = res.x
print("\nw=%.10f, b=%.10f" % (w_hat, b_hat))
print("Prediction: x=%d => y=%.2f" % (20, w_hat * 20 + b_hat))

w = b = 0.0
for _ in range(20_000):
    r = X * w + b - Y
    w, b = w - 2 * np.average(X * r) * 0.001, b - 2 * np.average(r) * 0.001
worst = max(abs(w_hat / w - 1), abs(b_hat / b - 1))
print(f"largest relative difference from the hand-written NumPy loop: {worst:.1e}")
assert worst <= 1e-12
