"""The ``magpie`` command line: ingest, ask, feedback, chat (and evaluation, benchmarks).

``magpie ask --json`` prints a stable JSON object (see README) so dialogues can be scripted
turn by turn with ``--session FILE``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from recommender.app.cards import CardStyle, key_facts
from recommender.cli.console import fail, settings_from, setup_logging
from recommender.errors import MagpieError
from recommender.reply.strings import notice

if TYPE_CHECKING:
    from recommender.schemas import TurnResult
from recommender.evaluation.run import eval_app

__all__ = ["app"]

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Magpie: a conversational, multimodal recommender.",
)
app.add_typer(eval_app, name="eval")

_CONFIG = typer.Option(
    "--config", help="settings file (TOML); default magpie.toml or $MAGPIE_CONFIG"
)


@app.command()
def ingest(
    path: Annotated[
        Path,
        typer.Argument(
            help="a catalogue folder (catalog.jsonl or .csv, catalog.toml), a bare .jsonl or "
            ".csv file, or the name of a bundled catalogue"
        ),
    ],
    catalog: Annotated[
        str | None,
        typer.Option("--name", "--catalog", help="catalogue name (default: the folder's name)"),
    ] = None,
    no_images: Annotated[bool, typer.Option("--no-images", help="skip photo embeddings")] = False,
    config: Annotated[Path | None, _CONFIG] = None,
    verbose: Annotated[bool, typer.Option("-v")] = False,
) -> None:
    """Validate, embed and upsert a catalogue into Chroma (idempotent, resumable)."""
    setup_logging(verbose)
    from recommender.catalogue.index import VectorIndex
    from recommender.catalogue.ingest import ingest as run_ingest
    from recommender.catalogue.rows import check_name
    from recommender.catalogue.spec import ROW_FILES, find_specs, read_spec
    from recommender.models.text import load_text_embedder
    from recommender.models.vision import load_image_encoder

    try:
        settings = settings_from(config)
        bundled = find_specs(settings)
        if not path.exists() and str(path) in bundled:
            spec = bundled[str(path)]
            spec = spec.model_copy(update={"name": check_name(catalog)}) if catalog else spec
        elif path.is_dir():
            spec = read_spec(path, catalog)
        elif path.name in ROW_FILES:
            spec = read_spec(path.parent, catalog)
        else:  # a bare file: defaults, named after the file
            spec = read_spec(path.parent, catalog or path.stem, file=path.name)
        name = spec.name
        image = None if no_images else load_image_encoder(settings.image_model, settings.cache_dir)
        report = run_ingest(
            spec,
            VectorIndex(settings),
            load_text_embedder(settings.text_model, settings.cache_dir),
            image,
        )
    except MagpieError as e:
        fail(e)
        return
    for problem in report.skipped:
        typer.secho(f"skipped {problem}", fg=typer.colors.YELLOW, err=True)
    typer.echo(
        f"{name}: {report.added} added, {report.updated} updated, {report.unchanged} unchanged, {report.removed} removed, "
        f"{len(report.skipped)} skipped, {report.images} photos embedded, "
        f"{report.prebuilt} prebuilt vectors, {report.seconds:.1f} s"
    )


@app.command()
def ask(
    text: Annotated[str, typer.Argument(help="what you would type in the chat")] = "",
    catalog: Annotated[str | None, typer.Option(help="catalogue name")] = None,
    session: Annotated[
        Path | None, typer.Option(help="conversation file, read and saved each turn")
    ] = None,
    image: Annotated[list[Path] | None, typer.Option(help="a photo (repeatable)")] = None,
    audio: Annotated[Path | None, typer.Option(help="a voice note")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print the stable JSON result")] = False,
    top: Annotated[int | None, typer.Option(help="number of items")] = None,
    language: Annotated[
        str | None, typer.Option(help="answer in en or zh (default: the message's language)")
    ] = None,
    config: Annotated[Path | None, _CONFIG] = None,
    verbose: Annotated[bool, typer.Option("-v")] = False,
) -> None:
    """One turn of a conversation."""
    setup_logging(verbose)
    from contextlib import nullcontext

    from recommender.pipeline import Recommender
    from recommender.sessions import session_file

    try:
        settings = settings_from(config, top_k=top)
        rec = Recommender.from_settings(settings)
        with (
            session_file(session, catalog, settings.catalog)
            if session
            else nullcontext(rec.new_session(catalog))
        ) as state:
            result = rec.ask(
                state, text, [str(p) for p in image or []], str(audio) if audio else None, language
            )
    except MagpieError as e:
        fail(e)
        return
    if as_json:
        shown = [notice(result.language, n) for n in result.notices]
        typer.echo(json.dumps(result.to_json(shown), ensure_ascii=False, indent=1))
        return
    spec = rec.catalogues.spec(state.catalog)
    _print_result(result, rec.describe(state), CardStyle.of(spec))


def _print_result(result: TurnResult, profile_text: str, style: CardStyle) -> None:
    """The turn for a terminal; item facts in the turn's language (titles as they are)."""
    for said in result.notices:
        typer.secho(f"! {notice(result.language, said)}", fg=typer.colors.YELLOW)
    if result.transcript:
        typer.secho(f"🎤 heard: {result.transcript}", fg=typer.colors.CYAN)
    if result.image_words:
        typer.secho(f"📷 I see: {', '.join(result.image_words)}", fg=typer.colors.CYAN)
    typer.echo(result.reply)
    for n, s in enumerate(result.items, start=1):
        facts = ", ".join(key_facts(s.item, style, result.language))
        typer.secho(f"#{n} {s.item.title}" + (f" ({facts})" if facts else ""), bold=True)
        typer.echo(f"   {s.reason}")
    typer.secho(f"profile: {profile_text}", dim=True)


@app.command()
def feedback(
    session: Annotated[Path, typer.Option(help="conversation file")],
    like: Annotated[str | None, typer.Option("--like", help="item id to thumb up")] = None,
    dislike: Annotated[str | None, typer.Option("--dislike", help="item id to thumb down")] = None,
    config: Annotated[Path | None, _CONFIG] = None,
) -> None:
    """Thumbs up or down on an item; the next ``ask`` follows it."""
    from recommender.pipeline import Recommender
    from recommender.sessions import session_file

    if (like is None) == (dislike is None):
        typer.secho(
            "error: give exactly one of --like ID or --dislike ID", fg=typer.colors.RED, err=True
        )
        raise typer.Exit(code=2)
    try:
        settings = settings_from(config)
        rec = Recommender.from_settings(settings)
        with session_file(session, None, settings.catalog) as state:
            rec.feedback(state, like or dislike or "", liked=like is not None)
    except MagpieError as e:
        fail(e)
        return
    typer.echo(f"profile: {rec.describe(state)}")


@app.command()
def chat(
    catalog: Annotated[str | None, typer.Option(help="catalogue name")] = None,
    config: Annotated[Path | None, _CONFIG] = None,
) -> None:
    """An interactive chat in the terminal (streams the reply). Commands: /like ID, /dislike ID, /new, /quit."""
    from recommender.events import Done, ItemsRanked, Token
    from recommender.pipeline import Recommender

    settings = settings_from(config)
    rec = Recommender.from_settings(settings)
    state = rec.new_session(catalog)
    typer.secho(
        f"Magpie ({state.catalog}). Type a request; /like ID, /dislike ID, /new, /quit.", bold=True
    )
    while True:
        try:
            line = input("you> ").strip()
        except (EOFError, KeyboardInterrupt):
            typer.echo()
            return
        if not line:
            continue
        if line in {"/quit", "/exit"}:
            return
        try:
            if line == "/new":
                state = rec.new_session(state.catalog)
                continue
            if line.startswith(("/like ", "/dislike ")):
                command, item_id = line.split(maxsplit=1)
                rec.feedback(state, item_id.strip(), liked=command == "/like")
                typer.secho(f"profile: {rec.describe(state)}", dim=True)
                continue
            result = None
            typer.echo("magpie> ", nl=False)
            for event in rec.turn(state, line):
                if isinstance(event, ItemsRanked):
                    typer.echo()
                    for n, s in enumerate(event.items, start=1):
                        typer.secho(f"  #{n} {s.item.title} [{s.item.id}]", bold=True)
                elif isinstance(event, Token):
                    typer.echo(event.text, nl=False)
                elif isinstance(event, Done):
                    result = event.result
            typer.echo()
            if result is not None:
                for said in result.notices:
                    typer.secho(f"! {notice(result.language, said)}", fg=typer.colors.YELLOW)
                typer.secho(f"profile: {rec.describe(state)}", dim=True)
        except MagpieError as e:
            typer.secho(f"! {e}", fg=typer.colors.YELLOW)


bench_app = typer.Typer(
    invoke_without_command=True,
    help="Speed and memory figures: per-stage turn latency, retrieval at scale, ingest, RSS.",
)
app.add_typer(bench_app, name="bench")


@bench_app.callback()
def bench(
    ctx: typer.Context,
    quick: Annotated[bool, typer.Option("--quick", help="fewer rounds and sizes (CI)")] = False,
    json_out: Annotated[
        Path | None, typer.Option("--json", help="also write the figures here")
    ] = None,
    config: Annotated[Path | None, _CONFIG] = None,
) -> None:
    """Speed and memory figures of the engine in this process (``bench load``: running apps)."""
    if ctx.invoked_subcommand is not None:
        return
    setup_logging(False)
    from recommender.cli.bench import format_figures, run_bench

    try:
        figures = run_bench(settings_from(config), quick=quick)
    except MagpieError as e:
        fail(e)
        return
    typer.echo(format_figures(figures))
    if json_out:
        json_out.write_text(json.dumps(figures, indent=1), encoding="utf-8")


@bench_app.command("load")
def bench_load(
    url: Annotated[
        list[str],
        typer.Option("--url", help="a running app (repeat for several processes)"),
    ],
    catalog: Annotated[str, typer.Option(help="the catalogue to ask")] = "",
    text: Annotated[
        list[str] | None,
        typer.Option(
            "--text", help="a turn (repeat); default: its first example, then more like #2"
        ),
    ] = None,
    sessions: Annotated[
        int, typer.Option("--sessions", "--clients", min=1, max=200, help="people at once")
    ] = 20,
    json_out: Annotated[
        Path | None, typer.Option("--json", help="also write the figures here")
    ] = None,
    config: Annotated[Path | None, _CONFIG] = None,
) -> None:
    """Many people at once against running app processes: cards and turn p50/p95, errors, leaks."""
    setup_logging(False)
    from recommender.catalogue.spec import find_specs
    from recommender.cli.loadbench import FOLLOW_UP, run_load

    settings = settings_from(config)
    catalog = catalog or settings.catalog
    if not text:
        spec = find_specs(settings).get(catalog)
        first = next((e.text for e in spec.examples if e.text), "") if spec else ""
        text = [first or "something I would like", FOLLOW_UP]
    figures = run_load(url, text, catalog, sessions)
    typer.echo(json.dumps(figures, indent=1))
    if json_out:
        json_out.write_text(json.dumps(figures, indent=1), encoding="utf-8")


def main() -> None:
    app()


if __name__ == "__main__":
    main()
