"""Fits boxes by gradient descent through crgb.torch.crop_and_resize.

The target patches are crops of an image at the true boxes; starting from
perturbed boxes, Adam on the squared difference of the crops moves the boxes
back onto the true ones, through crgb's boxes gradient (TensorFlow's
CropAndResizeGradBoxes). The image is smooth (a few Gaussian blobs) so that
the loss is smooth in the box coordinates and has one minimum near the truth.

    PYTHONPATH=build-python/site .venv-torch/bin/python examples/python/fit_boxes_torch.py
"""

import torch

import crgb.torch


def main(steps: int = 200, crop=(12, 12), seed: int = 0):
    """Returns (start error, final error, final loss): the largest
    coordinate error of the boxes before and after, and the last loss."""
    g = torch.Generator().manual_seed(seed)
    y, x = torch.meshgrid(torch.linspace(0, 1, 48), torch.linspace(0, 1, 48), indexing="ij")
    centers, widths = torch.rand(8, 2, generator=g), 0.1 + 0.15 * torch.rand(8, generator=g)
    blobs = torch.exp(-((y[..., None] - centers[:, 0]) ** 2 + (x[..., None] - centers[:, 1]) ** 2)
                      / (2 * widths**2))  # [48, 48, 8]: one channel per blob
    image = torch.cat([blobs, blobs.sum(-1, keepdim=True)], -1)[None]  # [1, 48, 48, 9]
    true_boxes = torch.tensor([[0.2, 0.3, 0.6, 0.8], [0.5, 0.1, 0.9, 0.45]])
    box_ind = torch.zeros(2, dtype=torch.int32)

    # The model: boxes, the crops they cut, the loss against the target crops.
    target = crgb.torch.crop_and_resize(image, true_boxes, box_ind, crop)
    boxes = true_boxes + 0.06 * (2 * torch.rand(2, 4, generator=g) - 1)
    start_error = float((boxes - true_boxes).abs().max())
    boxes.requires_grad_()
    optimizer = torch.optim.Adam([boxes], lr=0.01)
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, steps)
    for step in range(steps):
        loss = (crgb.torch.crop_and_resize(image, boxes, box_ind, crop) - target).square().mean()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        schedule.step()
        if step % 50 == 0 or step == steps - 1:
            error = float((boxes.detach() - true_boxes).abs().max())
            print(f"step {step:3d}: loss {loss.item():.3e}, largest box error {error:.2e}")
    final_error = float((boxes.detach() - true_boxes).abs().max())
    print(f"converged: largest box error {start_error:.3f} -> {final_error:.1e}")
    return start_error, final_error, loss.item()


if __name__ == "__main__":
    main()
