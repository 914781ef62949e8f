"""Run the sandbox: `python -m bot.sandbox --port 8080`, then open the page in a browser."""

from __future__ import annotations

import argparse

from . import SandboxConfig, create_sandbox_app, sandbox_server


def main() -> None:
    """Serve one sandbox until interrupted."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    args = parser.parse_args()
    sandbox_server(create_sandbox_app(SandboxConfig()), host=args.host, port=args.port).run()


if __name__ == "__main__":
    main()
