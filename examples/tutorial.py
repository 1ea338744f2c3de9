"""The classic Lua Torch tutorial (XOR with a two-layer MLP), driven from Python.

Run with `make demo`: it starts a private local server, trains, prints the error every
200 iterations and the final output, and stops the server.
"""

import numpy as np

import client

X = np.array([[0, 0, 1], [0, 1, 1], [1, 0, 1], [1, 1, 1]], dtype=np.float32)
y = np.array([[0], [1], [1], [0]], dtype=np.float32)


def main() -> None:
    lua = client.connect()  # no address: a private local server
    torch = lua.require("torch")
    nn = lua.require("nn")
    torch.manualSeed(1)

    net = nn.Sequential()
    net.add(nn.Linear(3, 4))
    net.add(nn.Sigmoid())
    net.add(nn.Linear(4, 1))
    net.add(nn.Sigmoid())
    net.float()  # X is float32, so the network computes in torch.FloatTensor
    crit = nn.MSECriterion()

    # In a pipeline block, calls go to the server in batches without waiting for replies,
    # and their results (out) are used before they arrive; printing the loss waits for it.
    with lua.pipeline():
        for j in range(2400):
            net.zeroGradParameters()
            out = net.forward(X)
            loss = crit.forward(out, y)
            net.backward(X, crit.backward(out, y))
            net.updateParameters(1)
            if (j + 1) % 200 == 0:
                print(f"Error:{loss}")

    print(net)
    print("Final output:")
    print(net.forward(X).numpy())
    lua.close()


if __name__ == "__main__":
    main()
