"""Skew by projection profiles of points (component baselines or centres): the angle at which the
points line up in the fewest, fullest rows. Angles in degrees, positive = counter-clockwise as seen
by a viewer (text rising to the right); correct by rotating clockwise by that angle."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class SkewSearch:
    angle: float
    score: float
    """sum of squared row counts at the best angle, per point (higher = sharper rows)."""
    sharpness: float
    """best score over the median score of the searched range (1 = no structure)."""


def profile_scores(xs: np.ndarray, ys: np.ndarray, angles_deg: np.ndarray, bin_px: float = 1.0) -> np.ndarray:
    """For every angle: sum over rows of (points in row)^2, rows being ``bin_px`` high along the
    direction perpendicular to lines tilted by that angle."""
    t = np.deg2rad(angles_deg).astype(np.float32)
    proj = ys.astype(np.float32)[:, None] * np.cos(t)[None, :] + xs.astype(np.float32)[:, None] * np.sin(t)[None, :]
    proj -= proj.min(axis=0, keepdims=True)
    idx = (proj / bin_px).astype(np.int64)
    n_bins = int(idx.max()) + 1
    flat = idx + np.arange(len(angles_deg))[None, :] * n_bins
    counts = np.bincount(flat.ravel(), minlength=n_bins * len(angles_deg)).reshape(len(angles_deg), n_bins)
    return (counts.astype(np.float64) ** 2).sum(axis=1) / max(1, len(xs))


def search_skew(xs: np.ndarray, ys: np.ndarray, max_angle: float = 20.0, coarse_step: float = 0.25,
                fine_step: float = 0.01, bin_px: float = 1.0) -> SkewSearch:
    coarse = np.arange(-max_angle, max_angle + coarse_step / 2, coarse_step)
    scores = profile_scores(xs, ys, coarse, bin_px)
    best = float(coarse[int(np.argmax(scores))])
    baseline = float(np.median(scores))
    fine = np.arange(best - 2 * coarse_step, best + 2 * coarse_step + fine_step / 2, fine_step)
    fine_scores = profile_scores(xs, ys, fine, bin_px)
    # smooth the fine curve a little: single-bin jitter would otherwise pick a noisy maximum
    kernel = np.array([1, 2, 3, 2, 1], dtype=np.float64)
    smooth = np.convolve(fine_scores, kernel / kernel.sum(), mode="same")
    i = int(np.argmax(smooth[2:-2])) + 2
    angle = float(fine[i])
    if 0 < i < len(fine) - 1:  # parabolic refinement
        a, b, c = smooth[i - 1], smooth[i], smooth[i + 1]
        denom = a - 2 * b + c
        if denom < 0:
            angle += 0.5 * (a - c) / denom * fine_step
    score = float(fine_scores[i])
    return SkewSearch(angle=round(angle, 3), score=score, sharpness=score / baseline if baseline > 0 else 0.0)


def profile_sharpness(xs: np.ndarray, ys: np.ndarray, max_angle: float = 20.0, step: float = 1.0,
                      bin_px: float = 1.0) -> float:
    """Best row-profile score over the median score, across angles (coarse only): how strongly the
    points form rows in some direction within +-max_angle of horizontal."""
    angles = np.arange(-max_angle, max_angle + step / 2, step)
    scores = profile_scores(xs, ys, angles, bin_px)
    median = float(np.median(scores))
    return float(scores.max()) / median if median > 0 else 0.0
