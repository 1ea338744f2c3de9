"""The Torch7 tensor library through the Python proxies: a representative sample."""

from __future__ import annotations

import numpy as np
import pytest

import client


@pytest.fixture
def m(torch):
    return torch.Tensor([[1, 2, 3], [4, 5, 6]])


def test_views_share_storage(lua, torch, m):
    col = m.select(2, 2)
    col.fill(0)
    assert m.numpy().tolist() == [[1, 0, 3], [4, 0, 6]]
    n = m.t().narrow(1, 2, 2)  # a narrow of a transpose writes through to the base
    n.fill(9)
    assert m.numpy().tolist() == [[1, 9, 9], [4, 9, 9]]
    assert m.storageOffset() == 1 and n.storageOffset() == 2


def test_result_first_and_functional_forms(lua, torch, m):
    res = torch.Tensor()
    torch.add(res, m, m)
    assert res.numpy().tolist() == [[2, 4, 6], [8, 10, 12]]
    fresh = torch.cmul(m, m)
    assert fresh.numpy().tolist() == [[1, 4, 9], [16, 25, 36]]
    m.add(10)
    assert m.numpy()[0, 0] == 11


def test_reductions_keep_dimension_and_indices_are_one_based(torch, m):
    s = m.sum(2)
    assert s.numpy().tolist() == [[6], [15]]
    values, indices = torch.max(m, 1)
    assert values.numpy().tolist() == [[4, 5, 6]] and indices.numpy().tolist() == [[2, 2, 2]]
    v, i = torch.sort(torch.Tensor([3, 1, 2]))
    assert v.numpy().tolist() == [1, 2, 3] and i.numpy().tolist() == [2, 3, 1]
    assert m.sum() == 21


def test_comparisons_return_byte_tensors(torch, m):
    mask = m.gt(3)
    assert mask.type() == "torch.ByteTensor"
    assert mask.numpy().tolist() == [[0, 0, 0], [1, 1, 1]]
    assert m.maskedSelect(mask).numpy().tolist() == [4, 5, 6]


def test_indexing_and_cat(lua, torch, m):
    idx = torch.LongTensor([2, 1])
    assert m.index(1, idx).numpy().tolist() == [[4, 5, 6], [1, 2, 3]]
    assert torch.cat(m, m, 1).size(1) == 4
    assert torch.range(1, 4).numpy().tolist() == [1, 2, 3, 4]
    assert lua.eval("torch.Tensor{{1, 2}, {3, 4}}[{2, 1}]") == 3


def test_random_streams_match_torch7(lua, torch, manifest):
    torch.manualSeed(123)
    expected = np.array(manifest["sequential"]["parameters"][0]["data"])  # Linear(2,3) weight
    stdv = 1 / np.sqrt(2)
    drawn = torch.Tensor(3, 2).uniform(-stdv, stdv).numpy().ravel()
    assert np.array_equal(drawn, expected)


def test_integer_division_truncates(torch):
    t = torch.LongTensor([7, -7])
    t.div(2)
    assert t.numpy().tolist() == [3, -3]


def test_errors_name_the_argument(torch, m):
    with pytest.raises(client.RemoteError) as info:
        m.narrow(1, 2, 5)
    assert "narrow" in info.value.evalue and "dimension 1" in info.value.evalue
    with pytest.raises(client.RemoteError) as info:
        m.add(torch.Tensor(4))
    assert "[2x3]" in info.value.evalue and "[4]" in info.value.evalue


def test_printing_is_torch7s(lua, torch):
    assert str(torch.Tensor([[1, 2], [3, 4]])) == " 1  2\n 3  4\n[torch.DoubleTensor of size 2x2]\n"


def test_python_operators_keep_torch7_meaning(lua, torch):
    a = torch.Tensor([[1, 2], [3, 4]])
    assert (a + 1).numpy().tolist() == [[2, 3], [4, 5]]
    assert (10 - a).numpy().tolist() == [[9, 8], [7, 6]]
    assert (a * a).numpy().tolist() == [[7, 10], [15, 22]]  # a matrix product, as in Torch7
    assert (2 * a).numpy().tolist() == [[2, 4], [6, 8]]
    assert (a / 2).numpy().tolist() == [[0.5, 1], [1.5, 2]]
    assert (-a).numpy().tolist() == [[-1, -2], [-3, -4]]
    assert (a + np.ones((2, 2))).numpy().tolist() == [[2, 3], [4, 5]]
    v = torch.Tensor([1, 2])
    assert v * v == 5  # 1-D . 1-D is a dot product, a number
    with pytest.raises(client.RemoteError) as info:
        a + torch.Tensor(3)
    assert "[2x2]" in info.value.evalue and "[3]" in info.value.evalue
