"""How long a large portfolio file takes to load and validate (names, duplicates, conflicts).

    python bench/portfolio_load.py [--domains 5000] [--orgs 10] [--rounds 3]

Writes a file of N domains (a tenth of them internationalised names, some `www.` forms, nested
subdomains that draw a warning) and prints the best time of a few loads, with and without one bad
entry in ten (reported, one line each).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from crawler.errors import PortfolioError  # noqa: E402
from crawler.net.domains import registrable_domain  # noqa: E402
from crawler.net.host_names import normalise_host  # noqa: E402
from crawler.portfolio.model import load_portfolio  # noqa: E402


def portfolio_text(domains: int, orgs: int, bad_every: int = 0) -> str:
    lines = ["organisations:"]
    per_org = max(1, domains // orgs)
    for n in range(domains):
        if n % per_org == 0:
            lines += [f"  - name: 某某公司{n // per_org}", "    domains:"]
        if bad_every and n % bad_every == bad_every - 1:
            name = ["10.0.4.14", "-bad-.cn", "com.cn", "example.123"][n // bad_every % 4]
        elif n % 10 == 5:
            name = f"例子{n}.中国"
        elif n % 10 == 7:
            name = f"www.site{n}.com.cn"
        elif n % 50 == 9:
            name = f"news.site{n - 1}.cn"  # under the domain listed just before: a warning
        else:
            name = f"site{n}.cn"
        lines.append(f"      - domain: {name}")
    return "\n".join(lines) + "\n"


def best_of(path: Path, rounds: int) -> tuple[float, str]:
    best, outcome = float("inf"), ""
    for _ in range(rounds):
        # Cold caches each round: a run loads its file once.
        normalise_host.cache_clear()
        registrable_domain.cache_clear()
        start = time.perf_counter()
        try:
            portfolio = load_portfolio(path)
            outcome = f"{portfolio.domain_count()} domains, {len(portfolio.warnings)} warnings"
        except PortfolioError as exc:
            outcome = f"{len(exc.lines)} problems reported"
        best = min(best, time.perf_counter() - start)
    return best, outcome


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--domains", type=int, default=5000)
    parser.add_argument("--orgs", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for label, bad_every in (("valid", 0), ("1 bad in 10", 10)):
            path = Path(tmp) / f"{bad_every}.yaml"
            path.write_text(portfolio_text(args.domains, args.orgs, bad_every), encoding="utf-8")
            seconds, outcome = best_of(path, args.rounds)
            print(f"{label:12} {args.domains} domains: {seconds:.2f} s "
                  f"({args.domains / seconds:,.0f} domains/s); {outcome}")


if __name__ == "__main__":
    main()
