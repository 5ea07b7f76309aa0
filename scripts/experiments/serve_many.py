"""Run Magpie as N app processes sharing one Chroma server and one LLM server, on loopback.

    .venv/bin/python scripts/experiments/serve_many.py --apps 2 [--base-port 7860] [--catalogs shop,movies]

Starts ``chroma run`` (the index every process shares), llama-cpp-python's OpenAI-compatible
server with the bundled GGUF (the one LLM every process streams from), ingests the offered
bundled catalogues into the Chroma server (seconds: prebuilt vectors), then N ``app.py``
processes on consecutive ports. Sessions live in each process's ``gr.State``: put a sticky
load balancer in front (docs/app.md), or pin each client to one URL as ``magpie bench load``
does. Prints the URLs; Ctrl-C (or --seconds) stops everything it started.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait(url: str, proc: subprocess.Popen, seconds: float = 300) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"{proc.args[0]} exited with {proc.returncode}")
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"{url} did not answer in {seconds} s")


def main() -> None:
    from recommender.config import load_settings
    from recommender.models.llm import model_file

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--apps", type=int, default=2)
    parser.add_argument("--base-port", type=int, default=7860)
    parser.add_argument("--catalogs", default="shop", help="offered catalogues, default first")
    parser.add_argument("--data", type=Path, help="folder for the Chroma server (default: temp)")
    parser.add_argument("--seconds", type=float, default=0, help="stop after this long (0: never)")
    parser.add_argument("--llm-threads", type=int, default=0, help="0: llama.cpp decides")
    args = parser.parse_args()

    settings = load_settings()
    data = args.data or Path(tempfile.mkdtemp(prefix="magpie-serve-"))
    logs = data / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    procs: list[subprocess.Popen] = []

    def start(cmd: list[str], name: str, env: dict[str, str] | None = None) -> subprocess.Popen:
        out = (logs / f"{name}.log").open("w")
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=ROOT)
        procs.append(proc)
        return proc

    try:
        chroma_port, llm_port = free_port(), free_port()
        chroma = shutil.which("chroma", path=str(Path(sys.executable).parent)) or "chroma"
        proc = start(
            [chroma, "run", "--path", str(data / "chroma"), "--host", "127.0.0.1", "--port", str(chroma_port)],
            "chroma",
        )  # fmt: skip
        wait(f"http://127.0.0.1:{chroma_port}/api/v2/heartbeat", proc)
        gguf = model_file(settings.llm_model, settings.cache_dir)
        llm = [sys.executable, "-m", "llama_cpp.server", "--model", str(gguf)]
        llm += ["--model_alias", "magpie", "--host", "127.0.0.1", "--port", str(llm_port)]
        if args.llm_threads:
            llm += ["--n_threads", str(args.llm_threads)]
        proc = start(llm, "llm")
        wait(f"http://127.0.0.1:{llm_port}/v1/models", proc)
        env = {
            **os.environ,
            "MAGPIE_CHROMA_HOST": "127.0.0.1",
            "MAGPIE_CHROMA_PORT": str(chroma_port),
            "MAGPIE_LLM_BACKEND": "openai",
            "MAGPIE_LLM_BASE_URL": f"http://127.0.0.1:{llm_port}/v1",
            "MAGPIE_LLM_MODEL": "magpie",
            "MAGPIE_APP_CATALOGS": args.catalogs,
            "MAGPIE_CATALOG": args.catalogs.split(",")[0],
            "MAGPIE_DATA_DIR": str(data / "app"),
        }
        for name in args.catalogs.split(","):
            subprocess.run(
                [sys.executable, "-m", "recommender", "ingest", name], env=env, check=True
            )
        urls = []
        for n in range(args.apps):
            port = args.base_port + n
            app_env = {**env, "GRADIO_SERVER_PORT": str(port), "GRADIO_SERVER_NAME": "127.0.0.1"}
            proc = start([sys.executable, "app.py"], f"app{n}", app_env)
            wait(f"http://127.0.0.1:{port}/", proc)
            ready_by = time.monotonic() + 600
            while "warm-up done" not in (logs / f"app{n}.log").read_text(errors="replace"):
                if proc.poll() is not None or time.monotonic() > ready_by:
                    raise SystemExit(f"app {n} did not warm up; see {logs}")
                time.sleep(1)  # every model loaded: the first turns measure turns, not start-up
            urls.append(f"http://127.0.0.1:{port}/")
        print("ready:", " ".join(urls), f"(logs: {logs})", flush=True)
        deadline = time.monotonic() + args.seconds if args.seconds else None
        while deadline is None or time.monotonic() < deadline:
            if any(p.poll() is not None for p in procs):
                raise SystemExit("a process stopped; see the logs")
            time.sleep(1)
    except KeyboardInterrupt:
        pass
    finally:
        for proc in reversed(procs):
            proc.send_signal(signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                proc.kill()


if __name__ == "__main__":
    main()
