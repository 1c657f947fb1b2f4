"""Summaries of timing samples: median, min, max, n, and paired ratios against bare."""
import statistics


def summary(values):
    if not values:
        return None
    return {"median": statistics.median(values), "min": min(values), "max": max(values), "n": len(values)}


def paired_ratios(bare, other):
    """Ratio of each round's run to the bare run of the same round (rounds missing on
    either side are dropped)."""
    return [o / b for r, o in other.items() if (b := bare.get(r)) and o is not None]


def paired_differences(bare, other):
    return [o - b for r, o in other.items() if (b := bare.get(r)) is not None and o is not None]
