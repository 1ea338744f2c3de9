"""Torch7's LAPACK and convolution functions through the Python client."""

from __future__ import annotations

import numpy as np
import pytest

import client


def test_gesv_result_is_column_major_and_solves(torch):
    a = torch.Tensor([[2, 1], [1, 3]])
    b = torch.Tensor([[3], [5]])
    x, lu = torch.gesv(b, a)
    np.testing.assert_allclose(x.numpy(), [[0.8], [1.4]], atol=1e-14)
    assert (lu.stride(1), lu.stride(2)) == (1, 2)


def test_svd_of_a_numpy_array_reconstructs_it(torch):
    arr = np.random.default_rng(0).standard_normal((5, 3))
    u, s, v = torch.svd(torch.Tensor(arr.tolist()))
    recon = u.numpy() @ np.diag(s.numpy()) @ v.numpy().T
    np.testing.assert_allclose(recon, arr, atol=1e-12)


def test_conv2_full(torch):
    x = torch.Tensor([[1, 2, 3], [4, 5, 6]])
    k = torch.Tensor([[1, 0], [0, -1]])
    assert torch.conv2(x, k).numpy().tolist() == [[4, 4]]
    assert torch.xcorr2(x, k, "F").size(2) == 4


def test_lapack_failure_is_a_remote_error_and_the_server_goes_on(torch):
    with pytest.raises(client.RemoteError) as info:
        torch.inverse(torch.Tensor([[1, 2], [2, 4]]))
    assert "U(2,2) is 0, U is singular" in info.value.evalue
    assert torch.inverse(torch.Tensor([[2, 0], [0, 4]])).numpy().tolist() == [[0.5, 0], [0, 0.25]]
