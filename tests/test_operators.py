"""Python operators on tensor proxies: Lua Torch's meaning, whichever side the ndarray is on."""

from __future__ import annotations

import numpy as np
import pytest

A = np.arange(1.0, 7.0).reshape(2, 3)      # 1 2 3 / 4 5 6
B = np.array([[1.0, 0.0], [0.0, 2.0], [1.0, 1.0]])


@pytest.fixture
def t(torch):
    return torch.Tensor(A)


def test_ndarray_on_either_side_means_luas_operator(t, torch):
    square = torch.Tensor(np.eye(2) * 3)
    eye = np.eye(2)
    # Lua's * of two matrices is a matrix product, also when the ndarray comes first
    assert np.array_equal((square * eye).numpy(), (eye * square).numpy())
    assert np.array_equal((eye * square).numpy(), 3 * np.eye(2))
    assert np.array_equal((t * B).numpy(), A @ B)
    assert np.array_equal((B.T * t.t()).numpy(), B.T @ A.T)
    for ndarray_first, proxy_first in [(A + t, t + A), (A - t, -(t - A))]:
        assert np.array_equal(ndarray_first.numpy(), proxy_first.numpy())
    assert type(A + t).__name__ == "Tensor"


def test_matmul_power_abs_and_division(t, torch):
    assert np.array_equal((t @ torch.Tensor(B)).numpy(), A @ B)
    assert np.array_equal((t @ np.ones(3)).numpy(), A @ np.ones(3))       # mv
    assert t.select(1, 1) @ t.select(1, 2) == 1 * 4 + 2 * 5 + 3 * 6       # dot
    assert np.array_equal((A.T @ t).numpy(), A.T @ A)
    assert np.array_equal((t ** 2).numpy(), A ** 2)
    assert np.array_equal((2 ** t).numpy(), 2 ** A)
    assert np.array_equal((t ** t).numpy(), A ** A)
    assert np.array_equal(abs(-t).numpy(), A)
    assert np.allclose((2 / t).numpy(), 2 / A)
    assert np.allclose((t / 2).numpy(), A / 2)


def test_comparisons_are_byte_tensors(t):
    below = t < 3.5
    assert below.type() == "torch.ByteTensor"
    assert np.array_equal(below.numpy(), (A < 3.5).astype(np.uint8))
    assert np.array_equal((t >= A.T.T).numpy(), np.ones((2, 3), np.uint8))
    assert np.array_equal((A > t).numpy(), (t < A).numpy())
    assert np.array_equal((3 <= t).numpy(), (A >= 3).astype(np.uint8))


def test_equality_is_luas_identity_so_proxies_stay_hashable(t, torch):
    assert t == t and t != torch.Tensor(A)
    assert len({t, t}) == 1


def test_len_iteration_and_membership(t, torch):
    assert len(t) == 2
    rows = [row.numpy() for row in t]
    assert np.array_equal(np.stack(rows), A)
    assert list(torch.Tensor(np.array([1.5, 2.5]))) == [1.5, 2.5]
    assert 5 in t and 7 not in t
    with pytest.raises(TypeError):
        "x" in t  # noqa: B015
    assert bool(torch.Tensor())  # every Lua object is true


def test_lua_tables_are_not_iterated_by_python(lua, nn):
    with pytest.raises(TypeError, match="not iterable"):
        list(nn.Linear(2, 2))
    with pytest.raises(TypeError):
        1 in nn.Linear(2, 2)  # noqa: B015


def test_operator_errors_are_luas_without_internal_frames(t):
    import client

    with pytest.raises(client.SizeError) as info:
        t @ t
    assert "2x3" in str(info.value)
    assert "lua_server" not in str(info.value) and "[operator]" not in str(info.value)
