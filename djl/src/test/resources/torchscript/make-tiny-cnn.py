"""Writes tiny-cnn.pt, the TorchScript fixture of DjlWorkloadTest: a two-layer CNN for 1x3x32x32 input, weights
from seed 0. Made with Debian's python3-torch 1.13.1 (apt-get install python3-torch; /usr/bin/python3 make-tiny-cnn.py)."""
import torch

torch.manual_seed(0)
net = torch.nn.Sequential(
    torch.nn.Conv2d(3, 8, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
    torch.nn.Conv2d(8, 16, 3, padding=1), torch.nn.ReLU(), torch.nn.AdaptiveAvgPool2d(1),
    torch.nn.Flatten(), torch.nn.Linear(16, 10)).eval()
torch.jit.trace(net, torch.rand(1, 3, 32, 32)).save("tiny-cnn.pt")
