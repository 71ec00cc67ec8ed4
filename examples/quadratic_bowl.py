"""The lesson on z = x² + xy + y², end to end.

Partial derivatives by treating the other variable as a constant, the
gradient vector, the update x_{t+1} = x_t − γ∇z(x_t), and the step size γ:
too big overshoots, too small is slow, and the run stops where the gradient
vanishes. Run: python examples/quadratic_bowl.py
"""

import symgd

z = symgd.Objective("z = x² + xy + y²")

print("The objective and its derivatives")
print(f"  {z}")
for name, partial in zip(z.names, z.gradient):
    print(f"  ∂z/∂{name} = {partial}")
print(f"  ∇z = [{', '.join(map(str, z.gradient))}]")

print("\nThe gradient points uphill; a step goes the other way")
value, grad = z.value_and_grad([1, 1])
print(f"  at (1, 1): z = {value:g}, ∇z = {grad.tolist()}")
print(f"  one step with γ = 0.1 lands at {([1, 1] - 0.1 * grad).tolist()}")

bound = symgd.step_size_bound(z)
print(f"\nThe Hessian is constant, eigenvalues {bound.lambda_min:g} and {bound.lambda_max:g}:")
print(f"  fixed steps converge exactly when γ < 2/λmax = {bound.bound_text()}")
print(f"  the fastest fixed step is γ = 2/(λmin + λmax) = {bound.best_text()}")

print("\nThe step size γ, from (1, 1) with at most 1000 steps:")
for lr in (0.01, 0.1, 0.5, 0.66, 0.7):
    res = symgd.descend(z, start=[1, 1], lr=lr, max_iter=1000)
    where = ", ".join(f"{v:.3g}" for v in res.x)
    print(f"  γ = {lr:<5g} {res.nit:5d} steps  -> ({where})  {res.message.split(':')[0]}")

res = symgd.descend(z, start=[1, 1], lr=0.1)
print("\nWith γ = 0.1 the gradient vanishes at the minimum (0, 0):")
print(res.table(every=8, digits=4))
print(res.message)
assert res.success and abs(res.x).max() < 1e-6
