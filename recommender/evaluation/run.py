"""``magpie eval``: figures on real data for conversational recommendation, typed requests,
images and speech.

Each command prints a Markdown report and writes it with the JSON object (and, for crs, images
and speech, a PNG chart) under ``--out`` (default ``artifacts/eval``); ``--json OUT`` writes the
JSON object there as well.
The modules doing the work live in ``recommender/evaluation/``.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from recommender.cli.console import fail, settings_from, setup_logging
from recommender.config import ROOT
from recommender.errors import MagpieError

__all__ = ["eval_app"]

log = logging.getLogger(__name__)

# The shared data sets: beside the repository, or where MAGPIE_SHARED_DATA points.
SHARED = Path(os.environ.get("MAGPIE_SHARED_DATA") or ROOT.parent / "shared" / "data")
OUT = Path("artifacts") / "eval"  # git-ignored
# Published figures on ReDial (recommendation turns, exclude seen), drawn on the chart; from
# He et al. 2023 (CIKM), the data set's README and MISSION.md.
PUBLISHED_R10 = {"GPT-4 zero-shot (He et al. 2023)": 0.196, "Magpie goal": 0.25}

eval_app = typer.Typer(
    no_args_is_help=True,
    help="Measure Magpie on real data: conversations, typed requests, images, speech.",
)

_CONFIG = typer.Option("--config", help="settings file (TOML); default magpie.toml")
_LIMIT = typer.Option("--limit", min=1, help="only the first N cases (quick runs, CI)")
_JSON = typer.Option("--json", help="also write the JSON result to this file")
_OUTDIR = typer.Option("--out", help="folder for the Markdown, JSON and PNG reports")


def _bar(total: int, label: str) -> Any:
    from tqdm import tqdm

    return tqdm(total=total, desc=label, unit="turn", file=sys.stderr, leave=False)


def _counting(label: str) -> tuple[Any, Callable[[int, int], None]]:
    """A progress bar and the ``progress(done, total)`` callback the evaluations call."""
    bar = _bar(0, label)

    def progress(done: int, total: int) -> None:
        bar.total = total
        bar.update(done - bar.n)

    return bar, progress


def _measured(
    label: str, run: Callable[[Callable[[int, int], None]], dict[str, Any]]
) -> dict[str, Any] | None:
    """``run(progress)`` under a progress bar; a Magpie error is said as the CLI says one
    (None: nothing to write)."""
    bar, progress = _counting(label)
    try:
        return run(progress)
    except MagpieError as e:
        fail(e)
        return None
    finally:
        bar.close()


def _write(
    out: Path, stem: str, markdown: str, result: dict[str, Any], json_out: Path | None
) -> None:
    from recommender.evaluation.report import write_json

    out.mkdir(parents=True, exist_ok=True)
    (out / f"{stem}.md").write_text(markdown, encoding="utf-8")
    write_json(out / f"{stem}.json", result)
    if json_out is not None:
        write_json(json_out, result)
    typer.echo(markdown)
    typer.secho(f"written: {out / stem}.md and .json", dim=True, err=True)


@eval_app.command()
def crs(
    data: Annotated[
        Path,
        typer.Option(
            "--data", help="a folder in ReDial's format (test.jsonl, entity2id.json, item_ids.json)"
        ),
    ] = SHARED / "redial",
    split: Annotated[
        str, typer.Option("--split", help="fit | eval | all (md5 of the dialogue id, 0: fit)")
    ] = "eval",
    limit: Annotated[int | None, _LIMIT] = None,
    json_out: Annotated[Path | None, _JSON] = None,
    out: Annotated[Path, _OUTDIR] = OUT,
    tune: Annotated[
        Path | None,
        typer.Option("--tune", help="learn fusion weights on the fit half and write them here"),
    ] = None,
    popularity_cap: Annotated[
        float,
        typer.Option(
            "--popularity-cap", help="--tune: popularity's most, as a share of the top weight"
        ),
    ] = 0.1,
    compare_caps: Annotated[
        str, typer.Option("--compare-caps", help="--tune: also learn with these caps (0.25,0.5)")
    ] = "",
    config: Annotated[Path | None, _CONFIG] = None,
    verbose: Annotated[bool, typer.Option("-v")] = False,
) -> None:
    """Conversational recommendation: R@1/10/50, NDCG@10, MRR@10 of the app and baselines."""
    setup_logging(verbose)
    from recommender.evaluation.crs import evaluate_crs
    from recommender.evaluation.report import bar_chart, crs_markdown
    from recommender.pipeline import Recommender

    if split not in {"fit", "eval", "all"}:
        raise typer.BadParameter("--split is fit, eval or all")
    if tune is not None and split != "fit":
        raise typer.BadParameter("--tune learns on the fit half only: use --split fit")
    if not (data / "test.jsonl").is_file():
        raise typer.BadParameter(f"no test.jsonl in {data}")
    try:
        rec = Recommender.from_settings(settings_from(config))
        if tune is not None:
            from recommender.evaluation.tuning import tune_weights, write_fusion

            tuned = tune_weights(
                rec,
                data,
                limit,
                say=lambda line: typer.echo(line, err=True),
                popularity_cap=popularity_cap,
                other_caps=[float(c) for c in compare_caps.split(",") if c.strip()],
            )
            write_fusion(tune, tuned)
            typer.echo(
                f"fusion weights written to {tune} (fit R@10 {tuned['fit_recall@10']})", err=True
            )
            # The evaluation below then ranks with the new weights.
            rec = Recommender.from_settings(settings_from(config))
        bar, progress = _counting(f"crs {split}")

        result = evaluate_crs(rec, data, split, limit, progress)
        bar.close()
    except MagpieError as e:
        fail(e)
        return
    stem = f"crs-{result['dataset']}-{split}"
    references = PUBLISHED_R10 if result["dataset"] == "redial" and split == "eval" else None
    bar_chart(
        out / f"{stem}.png",
        result["systems"],
        "recall@10",
        f"{result['dataset']} {split} half: recall@10 with 95% intervals ({result['n_targets']} items)",
        references,
    )
    _write(out, stem, crs_markdown(result), result, json_out)


@eval_app.command()
def requests(
    split: Annotated[
        str, typer.Option("--split", help="test | tune | all (md5 of the case's group, 1: test)")
    ] = "test",
    data: Annotated[
        Path | None,
        typer.Option("--data", help="a request set (JSONL); default: the committed one"),
    ] = None,
    catalogue: Annotated[
        str | None, typer.Option("--catalogue", help="only this catalogue's cases (e.g. luma)")
    ] = None,
    limit: Annotated[int | None, _LIMIT] = None,
    json_out: Annotated[Path | None, _JSON] = None,
    out: Annotated[Path, _OUTDIR] = OUT,
    config: Annotated[Path | None, _CONFIG] = None,
    verbose: Annotated[bool, typer.Option("-v")] = False,
) -> None:
    """Typed requests: do the cards shown first meet what was asked (catalogue fields)?"""
    setup_logging(verbose)
    from recommender.evaluation.requests import REQUESTS_FILE, evaluate_requests, requests_markdown
    from recommender.pipeline import Recommender

    if split not in {"test", "tune", "all"}:
        raise typer.BadParameter("--split is test, tune or all")
    # The cards do not depend on the LLM unless profile_llm is on (the default is off):
    # without it a run takes minutes, not an hour of replies nobody reads.
    settings = settings_from(config)
    if not settings.profile_llm:
        settings = settings.with_(llm_backend="none")
    result = _measured(
        f"requests {split}",
        lambda progress: evaluate_requests(
            Recommender.from_settings(settings),
            split,
            limit,
            data or REQUESTS_FILE,
            progress,
            catalogue,
        ),
    )
    if result is None:
        return
    stem = f"requests-{split}" + (f"-{catalogue}" if catalogue else "")
    _write(out, stem, requests_markdown(result), result, json_out)


@eval_app.command()
def replies(
    llm: Annotated[
        str,
        typer.Option(
            "--llm", help="templates, or a model preset / .gguf path (default: the configured)"
        ),
    ] = "",
    limit: Annotated[int | None, _LIMIT] = None,
    json_out: Annotated[Path | None, _JSON] = None,
    out: Annotated[Path, _OUTDIR] = OUT,
    config: Annotated[Path | None, _CONFIG] = None,
    verbose: Annotated[bool, typer.Option("-v")] = False,
) -> None:
    """Replies: every turn of a fixed set (movies, shop, pictures; English and Chinese; photos
    and voice notes) checked for refusals, language, a fact-naming reason on every card, field
    names in brackets, repeated reasons and length; with the reply's speed."""
    setup_logging(verbose)
    from recommender.evaluation.replies import evaluate_replies, replies_markdown
    from recommender.pipeline import Recommender

    settings = settings_from(config)
    if llm == "templates":
        settings = settings.with_(llm_backend="none")
    elif llm:  # a preset or a .gguf path: llama.cpp runs it, whatever the default writer
        backend = "llama_cpp" if settings.llm_backend == "none" else settings.llm_backend
        settings = settings.with_(llm_backend=backend, llm_model=llm)

    def run(progress: Callable[[int, int], None]) -> dict[str, Any]:
        rec = Recommender.from_settings(settings)
        rec.warm()
        return evaluate_replies(rec, limit, progress=progress)

    result = _measured("replies", run)
    if result is None:
        return
    stem = "replies-" + (llm or settings.llm_model).replace("/", "_").removesuffix(".gguf")
    _write(out, stem, replies_markdown(result), result, json_out)


@eval_app.command()
def reader(
    half: Annotated[
        str, typer.Option("--half", help="tune | test | all (sha1 of the line's id, 0: tune)")
    ] = "tune",
    limit: Annotated[int | None, _LIMIT] = None,
    json_out: Annotated[Path | None, _JSON] = None,
    out: Annotated[Path, _OUTDIR] = OUT,
    config: Annotated[Path | None, _CONFIG] = None,
    verbose: Annotated[bool, typer.Option("-v")] = False,
) -> None:
    """The reader on real seekers' words: precision and recall of each field it reads (titles
    liked, disliked, seen; kinds wanted, avoided; people; years) on labelled ReDial lines."""
    setup_logging(verbose)
    from recommender.evaluation.reader import evaluate_reader, reader_markdown
    from recommender.pipeline import Recommender

    if half not in {"test", "tune", "all"}:
        raise typer.BadParameter("--half is tune, test or all")
    settings = settings_from(config).with_(llm_backend="none")
    result = _measured(
        f"reader {half}",
        lambda progress: evaluate_reader(
            Recommender.from_settings(settings), half, limit=limit, progress=progress
        ),
    )
    if result is None:
        return
    _write(out, f"reader-{half}", reader_markdown(result), result, json_out)


@eval_app.command()
def images(
    data: Annotated[
        Path, typer.Option("--data", help="a labelled picture set (catalog.jsonl with images)")
    ] = SHARED / "tuxpaint",
    limit: Annotated[int | None, _LIMIT] = None,
    json_out: Annotated[Path | None, _JSON] = None,
    out: Annotated[Path, _OUTDIR] = OUT,
    config: Annotated[Path | None, _CONFIG] = None,
    verbose: Annotated[bool, typer.Option("-v")] = False,
) -> None:
    """Images: leave-one-out category P@1/P@5 (image->image, text->image in English and
    Chinese) and tagging accuracy of the image words; for a shop of style-colour products
    (assets/luma), colour-held-out photo P@5 by kind and how well colours are named."""
    setup_logging(verbose)
    from recommender.evaluation.media import (
        evaluate_images,
        evaluate_shop_photos,
        images_markdown,
        is_shop,
        shop_photos_markdown,
    )
    from recommender.evaluation.report import bar_chart

    if not (data / "catalog.jsonl").is_file():
        raise typer.BadParameter(f"no catalog.jsonl in {data}")
    if is_shop(data):
        try:
            shop = evaluate_shop_photos(settings_from(config), data)
        except MagpieError as e:
            fail(e)
            return
        _write(out, f"images-{shop['dataset']}", shop_photos_markdown(shop), shop, json_out)
        return
    try:
        result = evaluate_images(settings_from(config), data, limit)
    except MagpieError as e:
        fail(e)
        return
    stem = f"images-{result['dataset']}"
    bar_chart(
        out / f"{stem}.png", result["tasks"], "p@5", f"{result['dataset']}: precision@5 by task"
    )
    _write(out, stem, images_markdown(result), result, json_out)


@eval_app.command()
def speech(
    recordings: Annotated[
        Path | None,
        typer.Option(
            "--recordings",
            help="folder searched for English .ogg/.wav recordings named after what they say "
            "(default: Debian's tuxpaint-stamps-default, when installed)",
        ),
    ] = None,
    models: Annotated[
        str,
        typer.Option("--models", help="speech models compared on the same clips, comma-separated"),
    ] = "tiny.en,base",
    voices: Annotated[
        Path,
        typer.Option(help="Common Voice folders of real people's voices (en/, zh-CN/)"),
    ] = SHARED / "common-voice",
    voices_only: Annotated[
        bool, typer.Option("--voices-only", help="real voices only: no espeak-ng, no Tux Paint")
    ] = False,
    beam_size: Annotated[
        int | None,
        typer.Option(help="decoding of English notes: 0 greedy, n a beam (default: the setting)"),
    ] = None,
    beam_size_other: Annotated[
        int | None,
        typer.Option(
            help="decoding of non-English notes: 0 greedy, n a beam (default: the setting)"
        ),
    ] = None,
    trim_silence: Annotated[
        bool | None,
        typer.Option("--trim-silence/--no-trim-silence", help="decoding (default: the setting)"),
    ] = None,
    simplified: Annotated[
        bool | None,
        typer.Option("--simplified/--as-heard", help="Mandarin output (default: the setting)"),
    ] = None,
    limit: Annotated[int | None, _LIMIT] = None,
    json_out: Annotated[Path | None, _JSON] = None,
    out: Annotated[Path, _OUTDIR] = OUT,
    config: Annotated[Path | None, _CONFIG] = None,
    verbose: Annotated[bool, typer.Option("-v")] = False,
) -> None:
    """Speech: WER and CER on real people's voices (Common Voice, English and Mandarin), on
    espeak-ng requests and Tux Paint recordings; speed, memory; spoken vs typed top-10."""
    setup_logging(verbose)
    from recommender.evaluation.speech import evaluate_speech, speech_markdown

    names = [m.strip() for m in models.split(",") if m.strip()]
    settings = settings_from(
        config,
        speech_beam_size=beam_size,
        speech_beam_size_other=beam_size_other,
        speech_trim_silence=trim_silence,
        speech_simplified=simplified,
    )
    try:
        result = evaluate_speech(settings, recordings, limit, names, voices, voices_only)
    except MagpieError as e:
        fail(e)
        return
    _write(out, "speech", speech_markdown(result), result, json_out)


@eval_app.command()
def linking(
    data: Annotated[
        Path,
        typer.Option(
            "--data", help="a folder in ReDial's format (test.jsonl, entity2id.json, item_ids.json)"
        ),
    ] = SHARED / "redial",
    split: Annotated[
        str,
        typer.Option(
            "--split", help="fit | eval | all: ReDial's half (the request set's tune | test half)"
        ),
    ] = "fit",
    catalog: Annotated[str, typer.Option(help="the catalogue ReDial's items live in")] = "movies",
    limit: Annotated[
        int | None, typer.Option("--limit", min=1, help="only the first N dialogues")
    ] = None,
    requests_file: Annotated[
        Path | None,
        typer.Option("--requests", help="a request set (JSONL); default: the committed one"),
    ] = None,
    json_out: Annotated[Path | None, _JSON] = None,
    out: Annotated[Path, _OUTDIR] = OUT,
    config: Annotated[Path | None, _CONFIG] = None,
    verbose: Annotated[bool, typer.Option("-v")] = False,
) -> None:
    """Title and people linking: precision and recall on perturbed ReDial messages (year
    dropped, typos, "Eleven", no "The", "Part 2" ...) and on the request set."""
    setup_logging(verbose)
    from recommender.evaluation.linking import evaluate_linking, linking_markdown, text_only
    from recommender.evaluation.requests import REQUESTS_FILE

    if split not in {"fit", "eval", "all"}:
        raise typer.BadParameter("--split is fit, eval or all")
    if not (data / "test.jsonl").is_file():
        raise typer.BadParameter(f"no test.jsonl in {data}")
    try:
        catalogue = text_only(settings_from(config), catalog)
        result = evaluate_linking(
            catalogue,
            data,
            split,
            limit,
            requests_file or REQUESTS_FILE,
            lambda line: typer.echo(line, err=True),
        )
    except MagpieError as e:
        fail(e)
        return
    _write(out, f"linking-{split}", linking_markdown(result), result, json_out)
