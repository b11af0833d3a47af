# %% imports
import torch
from torch.distributions import Categorical, Multinomial, Normal

from d2lref import torch as d2l

# %% one-roll
torch.manual_seed(0)
fair_probs = torch.ones([6]) / 6
# One draw from the die: a vector of counts with a single 1 at the face that came up.
roll = Multinomial(1, fair_probs).sample()
assert roll.shape == (6,) and roll.sum() == 1 and set(roll.tolist()) <= {0.0, 1.0}
roll

# %% many-rolls
counts = Multinomial(1000, fair_probs).sample()
frequencies = counts / 1000
# With 1000 rolls each frequency is within a few hundredths of 1/6.
assert torch.allclose(frequencies, fair_probs, atol=0.05)
frequencies

# %% convergence
# 500 groups of 10 rolls; after each group, the frequency of every face so far.
counts = Multinomial(10, fair_probs).sample((500,))
cum_counts = counts.cumsum(dim=0)
estimates = cum_counts / cum_counts.sum(dim=1, keepdims=True)
groups = torch.arange(1, 501)
d2l.plot(
    groups,
    [estimates[:, face] for face in range(6)] + [torch.full((500,), 1 / 6)],
    "groups of experiments",
    "estimated probability",
    legend=[f"P(die={face + 1})" for face in range(6)] + ["1/6"],
    fmts=("-", "-", "-", "-", "-", "-", "k--"),
    figsize=(6, 4.5),
)
assert torch.allclose(estimates[-1], fair_probs, atol=0.03)
estimates[-1]

# %% joint-marginal
# A joint distribution of two binary variables A (rows) and B (columns): P(A=a, B=b).
joint = torch.tensor([[0.3, 0.1], [0.2, 0.4]])
assert torch.isclose(joint.sum(), torch.tensor(1.0))
p_a = joint.sum(dim=1)  # marginal of A: sum over B
p_b = joint.sum(dim=0)  # marginal of B: sum over A
p_b_given_a = joint / p_a[:, None]  # conditional P(B=b | A=a): every row sums to 1
p_a_given_b = joint / p_b[None, :]
# Bayes' theorem: P(A | B) = P(B | A) P(A) / P(B).
assert torch.allclose(p_a_given_b, p_b_given_a * p_a[:, None] / p_b[None, :])
# A and B are not independent: P(A, B) differs from P(A) P(B).
assert not torch.allclose(joint, torch.outer(p_a, p_b))
p_a, p_b, p_b_given_a

# %% bayes-one-test
# HIV test: D1 = 1 is a positive result, H = 1 means infected.
p_h1 = 0.0015  # prevalence
p_d1_given_h1 = 1.0  # the test never misses an infection...
p_d1_given_h0 = 0.01  # ...but 1% of healthy people test positive
p_d1 = p_d1_given_h1 * p_h1 + p_d1_given_h0 * (1 - p_h1)  # marginalize over H
p_h1_given_d1 = p_d1_given_h1 * p_h1 / p_d1
assert round(p_h1_given_d1, 4) == 0.1306
print(f"P(D1=1) = {p_d1:.6f}, P(H=1 | D1=1) = {p_h1_given_d1:.4f}")

# %% bayes-two-tests
# A second, different test; given H, the two results are conditionally independent.
p_d2_given_h1, p_d2_given_h0 = 0.98, 0.03
both_given_h1 = p_d1_given_h1 * p_d2_given_h1
both_given_h0 = p_d1_given_h0 * p_d2_given_h0
p_both = both_given_h1 * p_h1 + both_given_h0 * (1 - p_h1)
p_h1_given_both = both_given_h1 * p_h1 / p_both
assert round(p_h1_given_both, 4) == 0.8307
# Conditionally independent given H, but not independent: one
# positive makes the other likelier.
p_d2 = p_d2_given_h1 * p_h1 + p_d2_given_h0 * (1 - p_h1)
assert p_both > p_d1 * p_d2
print(f"P(D1=1, D2=1) = {p_both:.6f}, P(H=1 | D1=1, D2=1) = {p_h1_given_both:.4f}")

# %% expectation-exact
faces = torch.arange(1, 7, dtype=torch.float64)
probs = torch.full((6,), 1 / 6, dtype=torch.float64)
mean = (faces * probs).sum()  # E[X] = sum_x x P(X = x)
var = ((faces - mean) ** 2 * probs).sum()  # E[(X - E[X])^2]
var_shortcut = (faces**2 * probs).sum() - mean**2  # E[X^2] - E[X]^2
assert torch.isclose(mean, torch.tensor(3.5, dtype=torch.float64))
assert torch.isclose(var, torch.tensor(35 / 12, dtype=torch.float64))
assert torch.isclose(var, var_shortcut)
mean, var

# %% expectation-sampled
rolls = Categorical(fair_probs).sample((100_000,)) + 1.0  # faces 1..6
sample_mean, sample_var = rolls.mean(), rolls.var()
assert abs(sample_mean - 3.5) < 0.05 and abs(sample_var - 35 / 12) < 0.05
sample_mean, sample_var

# %% coin
# A coin's expectation depends on the numbers given to its sides.
heads_tails_01 = torch.tensor([1.0, 0.0])  # heads = 1, tails = 0
heads_tails_pm = torch.tensor([1.0, -1.0])  # heads = +1, tails = -1
p_coin = torch.tensor([0.5, 0.5])
assert (heads_tails_01 * p_coin).sum() == 0.5
assert (heads_tails_pm * p_coin).sum() == 0.0
(heads_tails_01 * p_coin).sum(), (heads_tails_pm * p_coin).sum()

# %% continuous
# For a continuous variable, P(a <= X <= b) is the integral
# of its density p(x) from a to b.
normal = Normal(0.0, 1.0)
grid = torch.linspace(-1, 1, 2001)
by_integral = torch.trapezoid(normal.log_prob(grid).exp(), grid)
by_cdf = normal.cdf(torch.tensor(1.0)) - normal.cdf(torch.tensor(-1.0))
assert torch.isclose(by_integral, by_cdf, atol=1e-5)
by_integral, by_cdf

# %% [markdown]
# Exercises: answers

# %% exercise-1
# The same test (never misses, 1% false positives) at ten times the prevalence.
for prevalence in (0.0015, 0.015):
    p_positive = 1.0 * prevalence + 0.01 * (1 - prevalence)
    posterior = 1.0 * prevalence / p_positive
    print(f"P(H=1) = {prevalence:.4f}: P(H=1 | D1=1) = {posterior:.4f}")
assert round(posterior, 4) == 0.6036

# %% exercise-2
# How far the frequency of face 1 is from 1/6, over 2000 experiments of n rolls each.
torch.manual_seed(0)
spreads = {}
for n in (100, 10_000):
    frequencies = Multinomial(n, fair_probs).sample((2000,))[:, 0] / n
    spreads[n] = frequencies.std().item()
    theory = (1 / 6 * 5 / 6 / n) ** 0.5
    print(f"n={n:>6}: std of the frequency {spreads[n]:.4f}, "
          f"sqrt(p(1-p)/n) = {theory:.4f}")
# 100 times more rolls, 10 times (sqrt(100)) less spread.
assert 8 < spreads[100] / spreads[10_000] < 12


# %% exercise-3
def sum_of_two_dice():
    """Distribution of the sum of two independent dice, from their joint one."""
    joint = torch.outer(probs, probs)  # independent: P(X=i, Y=j) = P(X=i) P(Y=j)
    totals = faces[:, None] + faces[None, :]
    values = torch.arange(2, 13, dtype=torch.float64)
    return values, torch.stack([joint[totals == v].sum() for v in values])


values, p_sum = sum_of_two_dice()
mean_sum = (values * p_sum).sum()
var_sum = ((values - mean_sum) ** 2 * p_sum).sum()
# Expectations always add; variances add because the dice are independent.
assert torch.isclose(mean_sum, 2 * mean) and torch.isclose(var_sum, 2 * var)
assert torch.isclose(p_sum[5], torch.tensor(6 / 36, dtype=torch.float64))  # a sum of 7
mean_sum, var_sum
