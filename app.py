"""Serve Magpie in the browser: ``python app.py`` (http://127.0.0.1:7860).

Settings come from ``magpie.toml`` and ``MAGPIE_*`` variables (see the README, "Configuration");
``MAGPIE_APP_CATALOGS`` (comma-separated) limits the catalogues offered; where it listens
from Gradio's own ``GRADIO_SERVER_NAME`` and ``GRADIO_SERVER_PORT`` (Hugging
Face Spaces sets them). Models and missing bundled indexes load in the background while the
page already answers, with a status line saying what is loading.
"""

from __future__ import annotations

import logging
import os

from recommender.app.ui import build_app, launch_options
from recommender.config import load_settings
from recommender.pipeline import Recommender


def main() -> None:
    logging.basicConfig(
        level=os.environ.get("MAGPIE_LOG_LEVEL", "INFO").upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    settings = load_settings()
    rec = Recommender.from_settings(settings)
    # Which catalogues the page offers, e.g. "shop,movies" (default: all bundled and ingested).
    offered = [c.strip() for c in os.environ.get("MAGPIE_APP_CATALOGS", "").split(",") if c.strip()]
    demo = build_app(rec, catalogs=offered or None)
    demo.launch(
        server_name=os.environ.get("GRADIO_SERVER_NAME", "127.0.0.1"),
        server_port=int(os.environ.get("GRADIO_SERVER_PORT", "7860")),
        **launch_options(settings, rec),
    )


if __name__ == "__main__":
    main()
