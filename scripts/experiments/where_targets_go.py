"""Where the movies ReDial's recommenders named end up before ranking, on the fit half.

For each fit-half turn (the app's own path, tables from the other folds): is each ground-truth
movie among the candidates, allowed but retrieved by no source, or cut by a constraint (an
excluded item, or a range, category or avoided word)? The eval half is never read.

    MAGPIE_SHARED_DATA=../shared/data .venv/bin/python scripts/experiments/where_targets_go.py 500
"""

from __future__ import annotations

import os
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from recommender.cli.console import settings_from
from recommender.evaluation.crs import CrsDataset, candidates_cache, prepared_groups
from recommender.pipeline import Recommender


def main(limit: int | None) -> None:
    rec = Recommender.from_settings(settings_from(None).with_(llm_backend="none"))
    data_dir = Path(os.environ.get("MAGPIE_SHARED_DATA", "../shared/data")) / "redial"
    counts: Counter[str] = Counter()
    with prepared_groups(rec, CrsDataset.load(data_dir), "fit", limit) as (groups, _):
        for group in groups:
            data = group.data
            for turn, found in candidates_cache(rec, group):
                positions = {int(p) for p in found.positions}
                for target in turn.targets:
                    if target not in data.position:
                        continue
                    p = data.position[target]
                    counts["targets"] += 1
                    if not found.gate.mask[p]:
                        counts["cut by a constraint" if found.gate.constrained else "excluded"] += 1
                    elif p not in positions:
                        counts["allowed, in no source"] += 1
                    else:
                        counts["among the candidates"] += 1
    total = counts.pop("targets", 0) or 1
    for name, n in counts.most_common():
        print(f"{name}: {n} ({n / total:.0%})")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else None)
