"""char-rnn checkpoints written by real Torch7 (nngraph gModules) load from Python and
reproduce Torch7's log-probabilities and final state (tests/fixtures/torch7/charrnn)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import client

CHARRNN = Path(__file__).resolve().parent / "fixtures" / "torch7" / "charrnn"

# char-rnn's own module class, as the fixture's README describes it; the checkpoints need it
ONE_HOT = """
local OneHot = torch.class('OneHot', 'nn.Module')
function OneHot:updateOutput(input)
  self.output:resize(input:size(1), self.outputSize):zero()
  self.output:copy(self._eye:index(1, input:long()))
  return self.output
end
"""


@pytest.fixture(scope="module")
def lua():
    """A private server: requiring nngraph makes module calls build graph nodes, which the
    session's shared server must not see."""
    conn = client.connect()
    conn.require("nngraph")
    conn.execute(ONE_HOT)
    yield conn
    conn.close()


def run(rnn, indices: np.ndarray, n_state: int, rnn_size: int) -> tuple[np.ndarray, np.ndarray]:
    """Feed the characters one at a time from a zero state, as the fixture was made."""
    rnn.evaluate()
    state = [np.zeros((1, rnn_size)) for _ in range(n_state)]
    logprobs = []
    for index in indices:
        out = [t.numpy() for t in rnn.forward([np.array([float(index)]), *state])]
        state = [s.copy() for s in out[:n_state]]
        logprobs.append(out[n_state][0])
    return np.array(logprobs), np.concatenate(state, axis=1)


@pytest.mark.parametrize("model", ["lstm", "gru"])
def test_checkpoint_reproduces_torch7_and_round_trips(lua, model, tmp_path):
    checkpoint = lua.load_t7(CHARRNN / f"{model}.t7")
    expected = lua.load_t7(CHARRNN / f"{model}_expected.t7")
    opt = checkpoint["opt"]
    assert opt["model"] == model
    assert len(checkpoint["vocab"]) == 71
    indices = expected["indices"].numpy()
    assert [checkpoint["vocab"][c] for c in expected["text"]] == list(indices)
    n_state = opt["num_layers"] * (2 if model == "lstm" else 1)

    rnn = checkpoint["protos"]["rnn"]
    assert rnn._typename == "nn.gModule"
    logprobs, final = run(rnn, indices, n_state, opt["rnn_size"])
    np.testing.assert_allclose(logprobs, expected["logprobs"].numpy(), rtol=0, atol=1e-10)
    np.testing.assert_allclose(final, expected["final_state"].numpy(), rtol=0, atol=1e-10)

    saved = tmp_path / f"{model}_rnn.t7"
    lua.save_t7(rnn, saved)
    again = lua.load_t7(saved)
    logprobs2, final2 = run(again, indices, n_state, opt["rnn_size"])
    np.testing.assert_array_equal(logprobs2, logprobs)
    np.testing.assert_array_equal(final2, final)
