#!/usr/bin/env python
"""Generate the bundled sample dataset (`oshs/data/sample.json.gz`) from the published figures.

The public non-fork repositories of each organisation reproduce the cumulative counts published
by nhsengland/open-health-statistics (`openhealthstats.csv`) at every published date, and its
per-date stargazer, fork and open-issue totals; organisations absent there are shaped on
`org_repos_agg.csv`. Forks, private and internal repositories, and hostile text are mixed in on
top. Fully deterministic: seeded `random.Random` per organisation, no clock, sorted JSON keys,
gzip with mtime 0, so two runs give byte-identical files.

A week later (`NEXT_COLLECTED_AT`, 2025-10-13) is stored as changes under the top-level `next`
key (see `next_week`): counts move, a few repositories are created, archived or deleted in
several organisations; `oshs.sample.load_sample_at` applies them.

The GitLab group `gitlab.com/nhsbsa` is made by `sample_gitlab.py` (same published file).

Usage: generate_sample.py [--reference DIR] [--out PATH]
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import math
import random
import re
from collections import Counter, defaultdict
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import yaml


def words(text: str) -> list[str]:
    """Whitespace-separated words (hyphens in a word stand for spaces where noted)."""
    return text.split()


REPO = Path(__file__).resolve().parents[1]
DEFAULT_REFERENCE = REPO.parent / "shared" / "reference" / "nhs-open-source-stats"
DEFAULT_OUT = REPO / "oshs" / "data" / "sample.json.gz"
COLLECTED_AT = "2025-10-06T06:00:00Z"
COLLECTED = datetime(2025, 10, 6, 6, 0, 0, tzinfo=UTC)
NEXT_COLLECTED_AT = "2025-10-13T06:00:00Z"
NEXT_COLLECTED = datetime(2025, 10, 13, 6, 0, 0, tzinfo=UTC)
# organisation: (repositories created, archived, deleted) in the week to NEXT_COLLECTED_AT
NEXT_WEEK = {
    "nhsengland": (3, 1, 1), "NHSDigital": (2, 1, 1), "opensafely-core": (2, 0, 0),
    "nhs-r-community": (1, 1, 0), "ukhsa-collaboration": (1, 0, 1), "nhsx": (0, 2, 0),
    "The-Strategy-Unit": (0, 1, 0), "nhsuk": (0, 0, 2), "CDU-data-science-team": (0, 0, 1),
}  # fmt: skip
MOVING = 0.12  # share of active public repositories whose counts move in the week
# publichealthengland is in neither published file: its 25 repositories are invented.
INVENTED = {"publichealthengland": 25}

# login | blog (https://, {gov} = www.gov.uk/government/organisations/) | location | verified |
# description
ORG_TABLE = """
nhsx|www.nhsx.nhs.uk|London, UK|y|Digital transformation of health and care
111Online|111.nhs.uk|Leeds, UK|y|NHS 111 online services
NHSDigital|digital.nhs.uk|Leeds, UK|y|Technology partner to the health and care system
nhsconnect|developer.nhs.uk|Leeds, UK|n|Interoperability specifications & FHIR profiles
nhsengland|www.england.nhs.uk|England|y|NHS England: data science, analytics and digital
nhs-pycom|nhs-pycom.net|United Kingdom|n|The NHS Python Community for Healthcare
nhs-r-community|nhsrcommunity.com|United Kingdom|n|Promoting the use of R in the NHS
nhsuk|www.nhs.uk|United Kingdom|y|The NHS website and apps
ukhsa-collaboration|{gov}uk-health-security-agency|London, UK|y|UKHSA open collaboration
UKHSA-Internal|{gov}uk-health-security-agency|London, UK|y|UK Health Security Agency
CDU-data-science-team|cdu-data-science-team.github.io|Nottingham, UK|n|CDU data science team
Nottingham-and-Nottinghamshire-ICS|healthandcarenotts.co.uk|Nottingham, UK|n|ICS analytics
The-Strategy-Unit|www.strategyunitwm.nhs.uk|Birmingham, UK|n|Analysis for health and care
ebmdatalab|www.bennett.ox.ac.uk|Oxford, UK|n|Bennett Institute for Applied Data Science
opensafely|www.opensafely.org|Oxford, UK|y|OpenSAFELY research studies
opensafely-core|www.opensafely.org|Oxford, UK|y|OpenSAFELY core platform
HFAnalyticsLab|www.health.org.uk|London, UK|n|The Health Foundation's analytics lab
nhs-bnssg-analytics|bnssghealthiertogether.org.uk|Bristol, UK|n|BNSSG <Healthier Together> analytics
BHFDSC|bhfdatasciencecentre.org|United Kingdom|n|BHF Data Science Centre
NHSLeadership|www.leadershipacademy.nhs.uk|Leeds, UK|n|NHS Leadership Academy
nice-digital|www.nice.org.uk|Manchester, UK|y|National Institute for Health and Care Excellence
nhsbsa|www.nhsbsa.nhs.uk|Newcastle upon Tyne, UK|y|NHS Business Services Authority
MHRA|{gov}medicines-and-healthcare-products-regulatory-agency|London, UK|y|Medicines regulator
NHS-Blood-and-Transplant|www.nhsbt.nhs.uk|Bristol, UK|n|NHS Blood and Transplant
CQCDigital|www.cqc.org.uk|Newcastle upon Tyne, UK|y|Care Quality Commission digital
Health-Education-England|www.hee.nhs.uk|Leeds, UK|n|Health Education England
NHSE-NDRS|digital.nhs.uk/ndrs|England|n|National Disease Registration Service
publichealthengland|{gov}public-health-england|London, UK|y|Public Health England (closed 2021)
ncl-icb-analytics|nclhealthandcare.org.uk|London, UK|n|North Central London ICB analytics
Birmingham-and-Solihull-ICS|www.birminghamsolihullics.org.uk|Birmingham, UK|n|BSol ICS analytics
GIG-Cymru-NHS-Wales|www.nhs.wales|Wales|y|GIG Cymru | NHS Wales
"""
ORGS: dict[str, tuple[str, str, bool, str]] = {
    row[0]: ("https://" + row[1].format(gov="www.gov.uk/government/organisations/"), row[2],
             row[3] == "y", "|".join(row[4:]))
    for row in (line.split("|") for line in ORG_TABLE.strip().splitlines())
}  # fmt: skip
# published licence name | GitHub key | SPDX id | weight of a random draw ("Other": e.g. OGL-UK-3.0)
LICENCE_TABLE = """
MIT License|mit|MIT|3.0
Apache License 2.0|apache-2.0|Apache-2.0|1.0
Other|other|NOASSERTION|1.0
GNU General Public License v3.0|gpl-3.0|GPL-3.0|0.7
Creative Commons Zero v1.0 Universal|cc0-1.0|CC0-1.0|0.5
The Unlicense|unlicense|Unlicense|0.3
BSD 3-Clause "New" or "Revised" License|bsd-3-clause|BSD-3-Clause|0.3
GNU Affero General Public License v3.0|agpl-3.0|AGPL-3.0|0.2
"""
LICENCES = {r[0]: (r[1], r[2]) for r in (x.split("|") for x in LICENCE_TABLE.strip().splitlines())}
LICENCE_WEIGHTS = [(None, 2.5)] + [
    (r[0], float(r[3])) for r in (x.split("|") for x in LICENCE_TABLE.strip().splitlines())
]
LANGUAGES = [w.replace("-", " ") for w in words(
    "Python R JavaScript HTML Shell TypeScript CSS Java C# Dockerfile PowerShell Go Ruby TSQL "
    "Makefile SCSS TeX Jupyter-Notebook PLpgSQL HCL")]  # fmt: skip
COMPANIONS = {
    "Python": "Shell Dockerfile Makefile HTML Jupyter-Notebook",
    "R": "HTML CSS TeX Shell JavaScript",
    "JavaScript": "HTML CSS SCSS Shell Dockerfile",
    "C#": "HTML CSS JavaScript PowerShell TSQL",
    "Java": "Shell HTML JavaScript Dockerfile",
    "Rust": "Shell Dockerfile Python",
}
WORDS_A = words("""
    covid-19 fhir gp ae waiting-list prescribing mental-health cancer maternity workforce
    hes ecds snomed dmd icd10 ctv3 population-health inequalities synthetic nlp llm vaccine
    bed-occupancy discharge referral primary-care ambulance pharmacy dental nhs-number
    patient-flow outpatients diabetes frailty demand capacity elective urgent-care
    cardiovascular antibiotics open-prescribing codelists terminology spc-charts""")
WORDS_B = words("""
    analysis dashboard pipeline api tools model simulation report data etl app frontend
    service schema examples docs website notebooks rap package scripts validator mapping
    explorer tracker study forecast toolkit""")
TOPICS = words("""
    nhs python r rap data-science fhir api machine-learning synthetic simulation opensafely
    covid-19 epidemiology health-data open-data dashboard shiny nlp statistics public-health
    primary-care reproducible-analytical-pipelines hl7 snomed-ct govuk frontend
    healthcare interoperability quarto forecasting""")
# name | primary language | licence: public forks of well-known projects
UPSTREAMS = [
    tuple(x or None for x in line.split("|"))
    for line in """synthea|Java|Apache License 2.0
    govuk-frontend|JavaScript|MIT License
    hapi-fhir|Java|Apache License 2.0
    cookiecutter-data-science|Python|MIT License
    nhsuk-frontend|SCSS|MIT License
    shiny-server|JavaScript|Other
    dbt-utils|Python|Apache License 2.0
    awesome-healthcare||Creative Commons Zero v1.0 Universal
    streamlit|Python|Apache License 2.0
    quarto-web|JavaScript|Other""".replace("    ", "").splitlines()
]
DESCRIPTIONS = [
    "{Words}", "{Words} for {login}", "{Words}: code and documentation",
    "Reproducible analytical pipeline: {words}", "{Words} (work in progress)",
    "Public code for the {words} project", "{Words}, using open data only",
]  # fmt: skip
LONG_1000 = ("Lorem ipsum NHS data " * 50)[:1000]
LONG_MARKUP = ("<b>long</b> | **text** " * 50)[:990] + "<!-- x -->"
HOSTILE = [
    ("description", "<img src=x onerror=alert(1)>"),
    ("description", "**bold** | pipe [link](javascript:alert(1))"),
    ("description", "<script>alert('xss')</script> waiting list dashboard"),
    ("description", "=cmd|' /C calc'!A0"),
    ("description", "+SUM(A1)"),
    ("description", "@foo"),
    ("description", "-2+3"),
    ("description", "Invoice \u202egpj.exe right-to-left override"),
    ("description", LONG_1000),
    ("description", LONG_MARKUP),
    ("description", 'Line one\nline two\r\n"quoted", comma; tab\there & <ampersand>'),
    ("description", "Données de santé — ünïcode 🏥 ∑"),
    ("homepage", "javascript:alert(1)"),
    ("homepage", 'http://insecure.example.org/"><script>alert(1)</script>'),
    ("topics", ["script-alert", "img-onerror-alert", "nhs"]),
    ("topics", ["a-very-long-topic-that-is-exactly-fifty-characters"]),
]
HOSTILE_ORGS = [
    "nhsengland", "NHSDigital", "nhs-r-community", "opensafely", "nhsx",
    "ukhsa-collaboration", "The-Strategy-Unit", "ebmdatalab",
]  # fmt: skip


def iso(moment: datetime) -> str:
    """Format an aware datetime as GitHub does (UTC, seconds, `Z`)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def login_of(cell: str) -> tuple[str, str]:
    """Return (host, login) from an HTML link cell of `openhealthstats.csv`."""
    match = re.search(r"href='https://(github|gitlab)\.com/([^'/]+)'", cell)
    if not match:
        raise ValueError(f"no organisation link in {cell!r}")
    return match.group(1), match.group(2)


def read_published(reference: Path) -> dict[str, list[dict]]:
    """Per canonical login (GitHub only), the published points of `openhealthstats.csv`."""
    canon = {login.lower(): login for login in ORGS}
    points: dict[str, list[dict]] = defaultdict(list)
    with open(reference / "openhealthstats.csv", newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            host, login = login_of(row["Organisation"])
            if host != "github":
                continue  # the nhsbsa GitLab group
            points[canon[login.lower()]].append({
                "date": row["Date"], "cum": int(row["Open Repositories"]),
                "stars": int(float(row["Stargazers"])), "forks": int(float(row["Forks"])),
                "issues": int(float(row["Open Issues"])),
                "language": row["Top Language"] or None, "licence": row["Top License"] or None,
            })  # fmt: skip
    return {login: sorted(rows, key=lambda p: p["date"]) for login, rows in points.items()}


def read_aggregated(reference: Path, skip: set[str]) -> dict[str, list[dict]]:
    """Per login not in `skip`: `org_repos_agg.csv` deduplicated, max cumulative count per date."""
    canon = {login.lower(): login for login in ORGS}
    best: dict[tuple[str, str], dict] = {}
    with open(reference / "org_repos_agg.csv", newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            login = canon.get(row["Organisation"].lower())
            if login is None or login in skip:
                continue
            point = {"date": row["Date"], "cum": int(row["Open Repositories"]), "stars": None}
            point |= {
                "language": row["Top Language"] or None,
                "licence": row["Top License"] or None,
            }
            key = (login, row["Date"])
            if key not in best or point["cum"] >= best[key]["cum"]:
                best[key] = point
    points: dict[str, list[dict]] = defaultdict(list)
    for (login, _), point in sorted(best.items()):
        previous = points[login][-1]["cum"] if points[login] else 0
        if point["cum"] > previous:  # drop padding rows that add no repository
            points[login].append(point)
    return dict(points)


def invented_points(rng: random.Random, count: int) -> list[dict]:
    """Invented creation dates for an organisation with no published figures."""
    days = sorted(rng.sample(range((date(2021, 9, 30) - date(2016, 1, 4)).days), count))
    return [{"date": (date(2016, 1, 4) + timedelta(days=d)).isoformat(), "cum": i + 1,
             "stars": None, "language": rng.choice(["R", "R", "Python"]),
             "licence": "Other" if i > 3 else "MIT License"}
            for i, d in enumerate(days)]  # fmt: skip


def display_names(reference: Path) -> dict[str, str]:
    """Lower-cased login to display name: `org_list.yaml` first, then `config-nhsengland.yaml`."""
    names: dict[str, str] = {}
    for filename in ("org_list.yaml", "config-nhsengland.yaml"):
        doc = yaml.safe_load((reference / filename).read_text(encoding="utf-8"))
        for name, login in doc["github_org_dict"].items():
            names.setdefault(login.lower(), name)
    return names


def assign_modal(
    rng: random.Random, steps: list[tuple[int, object]], weights: list, p: float
) -> list:
    """Draw one category per new item so that each step's target is, where possible, the mode.

    Each item is the step's target with probability `p`, else a weighted draw; then new items are
    flipped to the target until it is strictly the most frequent of the cumulative counts.
    """
    pool, odds = [w[0] for w in weights], [w[1] for w in weights]
    counts: Counter = Counter()
    out: list = []
    for n, target in steps:
        new = [target if rng.random() < p else rng.choices(pool, odds)[0] for _ in range(n)]
        counts.update(new)
        while True:
            rivals = sorted(
                ((c, str(k), k) for k, c in counts.items() if k != target and c), reverse=True
            )
            if not rivals or counts[target] > rivals[0][0]:
                break
            flip = [i for i, v in enumerate(new) if v == rivals[0][2]] or [
                i for i, v in enumerate(new) if v != target
            ]
            if not flip:
                break
            counts[new[flip[0]]] -= 1
            new[flip[0]] = target
            counts[target] += 1
        out.extend(new)
    return out


def split_total(rng: random.Random, total: int, n: int, alpha: float = 1.1) -> list[int]:
    """Split `total` into `n` heavy-tailed (Pareto) integer parts that sum exactly to it."""
    weights = [rng.paretovariate(alpha) for _ in range(n)]
    raw = [total * w / sum(weights) for w in weights]
    parts = [math.floor(r) for r in raw]
    order = sorted(range(n), key=lambda i: (parts[i] - raw[i], i))
    for i in order[: total - sum(parts)]:
        parts[i] += 1
    return parts


def counters(
    rng: random.Random, points: list[dict], steps: list[int]
) -> list[tuple[int, int, int]]:
    """Per new repository (stars, forks, open issues incl. PRs), from published per-date totals."""
    out: list[tuple[int, int, int]] = []
    previous = {"stars": 0, "forks": 0, "issues": 0}
    for point, n in zip(points, steps, strict=True):
        if point["stars"] is None:
            out += [(int(rng.paretovariate(1.2)) - 1, int(rng.paretovariate(1.6)) - 1,
                     int(rng.paretovariate(1.4)) - 1) for _ in range(n)]  # fmt: skip
            continue
        split = {k: split_total(rng, max(0, point[k] - previous[k]), n) for k in previous}
        previous = {k: max(previous[k], point[k]) for k in previous}
        out += list(zip(split["stars"], split["forks"], split["issues"], strict=True))
    return out


def repo_name(rng: random.Random, language: str | None, template: bool, used: set[str]) -> str:
    """A plausible, GitHub-valid repository name, unique (case-insensitively) in `used`."""
    a, b = rng.choice(WORDS_A), rng.choice(WORDS_B)
    if language == "C#":
        name = ".".join(w.capitalize() for w in re.split(r"[-_]", f"nhs-{a}-{b}"))
    elif language == "R" and rng.random() < 0.3:
        name = "".join(w.capitalize() for w in a.split("-")) + b.capitalize()
    else:
        name = f"{a}-{b}" + (f"-{rng.randint(2019, 2025)}" if rng.random() < 0.15 else "")
        name = name.replace("-", "_") if rng.random() < 0.1 else name
    name += "-template" if template else ""
    base, k = name, 2
    while name.lower() in used:
        name, k = f"{base}-{k}", k + 1
    used.add(name.lower())
    return name


def languages_for(rng: random.Random, primary: str | None) -> dict[str, int]:
    """Bytes per language; `primary` strictly the largest (none: no code at all)."""
    if primary is None:
        return {}
    top = int(math.exp(rng.gauss(10.5, 1.6))) + 500
    result = {primary: top}
    companions = [
        c.replace("-", " ") for c in COMPANIONS.get(primary, "HTML Shell Dockerfile").split()
    ]
    for other in rng.sample(companions, rng.choice([0, 1, 1, 2, 2, 3])):
        if other != primary:
            result[other] = max(1, min(top - 1, int(top * rng.uniform(0.005, 0.6))))
    return result


def timestamps(rng: random.Random, created: datetime, archived: bool) -> tuple[str, str]:
    """(updated_at, pushed_at): pushed <= updated, both after creation and before collection."""
    span = (COLLECTED - created).total_seconds() - 1
    f = (
        rng.uniform(0, 0.4)
        if archived
        else rng.choice([rng.random() ** 2, rng.uniform(0.5, 1), 0.001])
    )
    pushed = created + timedelta(seconds=int(span * f))
    updated = pushed + timedelta(
        seconds=int((COLLECTED - pushed).total_seconds() * rng.random() * 0.5)
    )
    return iso(min(updated, COLLECTED)), iso(pushed)


def describe(rng: random.Random, slug: str, login: str) -> str:
    """A plain description built from the repository's name."""
    text = slug.replace("-", " ").strip()
    return rng.choice(DESCRIPTIONS).format(words=text, Words=text.capitalize(), login=login)


def root_files(rng: random.Random, licence: str | None) -> list[str]:
    """Root tree entries: README on most, LICENSE when licensed, the others on some."""
    odds = [("README.md", 0.92), ("LICENSE", 1.0 if licence else 0.0),
            ("CONTRIBUTING.md", 0.25), ("CODE_OF_CONDUCT.md", 0.15), ("SECURITY.md", 0.08),
            ("CITATION.cff", 0.06)]  # fmt: skip
    return [name for name, p in odds if rng.random() < p]


def make_repo(rng: random.Random, login: str, created: datetime, primary: str | None,
              licence: str | None, counts: tuple, used: set[str], **flags) -> dict:  # fmt: skip
    """One dataset repository with the fields of docs/architecture.md."""
    stars, forks, open_total = counts
    template, archived = flags.get("is_template", False), flags.get("archived", False)
    name = flags.get("name") or repo_name(rng, primary, template, used)
    prs = int(open_total * rng.uniform(0, 0.5))
    updated, pushed = timestamps(rng, created, archived)
    a = name.replace("_", "-").replace(".", "-").lower()
    pages = rng.random() < 0.15
    files = root_files(rng, licence)
    key, spdx = LICENCES[licence] if licence else (None, None)
    branch = "main" if created.year * 100 + created.month >= 202010 else "master"
    branch = branch if rng.random() < 0.9 else rng.choice(["main", "master", "develop"])
    languages = languages_for(rng, primary)
    size = int(sum(languages.values()) / 1024 * rng.uniform(1.1, 4)) + rng.randint(1, 300)
    topics = sorted(set(rng.sample(TOPICS, rng.choice([0, 0, 1, 2, 3, 5]))))
    return {
        "id": 0, "name": name, "created_at": iso(created), "updated_at": updated,
        "pushed_at": pushed,
        "description": None if rng.random() < 0.15 else describe(rng, a, login),
        "homepage": f"https://{login.lower()}.github.io/{name}" if pages else None,
        "languages": languages, "topics": topics,
        "license": {"key": key, "name": licence, "spdx_id": spdx} if licence else None,
        "stargazers_count": stars, "watchers_count": stars, "forks_count": forks,
        "open_issues": open_total - prs, "open_pull_requests": prs,
        "size": size, "default_branch": branch, "fork": flags.get("fork", False),
        "archived": archived, "disabled": False, "is_template": template,
        "has_issues": open_total - prs > 0 or rng.random() < 0.85, "has_wiki": rng.random() < 0.4,
        "has_projects": rng.random() < 0.6, "has_pages": pages, "has_downloads": True,
        "has_discussions": rng.random() < 0.05, "visibility": flags.get("visibility", "public"),
        "files": files,
    }  # fmt: skip


def creation_times(rng: random.Random, day: str, n: int) -> list[datetime]:
    """`n` distinct creation times on `day`, between 07:00 and 19:00 UTC, in order."""
    start = datetime.fromisoformat(day).replace(hour=7, tzinfo=UTC)
    return [start + timedelta(seconds=s) for s in sorted(rng.sample(range(12 * 3600), n))]


def public_repositories(
    rng: random.Random, login: str, points: list[dict], used: set[str]
) -> list[dict]:
    """The counted (public non-fork) repositories, created on the published dates."""
    steps = [p["cum"] - (points[i - 1]["cum"] if i else 0) for i, p in enumerate(points)]
    top_langs = {p["language"] for p in points if p["language"]}
    lang_weights = (
        [(lang, 4.0) for lang in sorted(top_langs)]
        + [(lang, 0.4) for lang in LANGUAGES]
        + [(None, 0.3)]
    )
    primaries = assign_modal(
        rng, [(n, p["language"]) for n, p in zip(steps, points, strict=True)], lang_weights, 0.5
    )
    top_lics = sorted({p["licence"] for p in points if p["licence"]})
    licences = assign_modal(rng, [(n, p["licence"]) for n, p in zip(steps, points, strict=True)],
                            [(lic, 5.0) for lic in top_lics] + LICENCE_WEIGHTS, 0.6)  # fmt: skip
    stats = counters(rng, points, steps)
    times = [
        t for p, n in zip(points, steps, strict=True) for t in creation_times(rng, p["date"], n)
    ]
    repos = []
    for created, primary, licence, counts in zip(times, primaries, licences, stats, strict=True):
        archived = rng.random() < (0.15 if created.year < 2021 else 0.04)
        flags = {"archived": archived, "is_template": rng.random() < 0.02}
        repos.append(make_repo(rng, login, created, primary, licence, counts, used, **flags))
    return repos


def extra_repositories(
    rng: random.Random, login: str, points: list[dict], used: set[str]
) -> list[dict]:
    """Forks (public) and private/internal repositories, none of them counted."""
    count = points[-1]["cum"]
    extras = []
    days = [p["date"] for p in points]
    n_forks, n_private, n_internal = (
        min(8, count // 25) + (count >= 10),
        min(6, count // 40),
        min(4, count // 80),
    )
    for upstream, language, licence in rng.sample(UPSTREAMS, min(n_forks, len(UPSTREAMS))):
        created = creation_times(rng, rng.choice(days), 1)[0]
        extras.append(
            make_repo(
                rng, login, created, language, licence, (0, 0, 0), used, fork=True, name=upstream
            )
        )
        used.add(upstream.lower())
    for visibility, n in (("private", n_private), ("internal", n_internal)):
        for _ in range(n):
            created = creation_times(rng, rng.choice(days), 1)[0]
            language, counts = rng.choice(["Python", "R", "TSQL"]), (0, 0, rng.randint(0, 5))
            extras.append(
                make_repo(rng, login, created, language, None, counts, used, visibility=visibility)
            )
    return extras


def organisation(login: str, name: str, points: list[dict]) -> dict:
    """One dataset organisation with its repositories (ids assigned later)."""
    rng = random.Random(f"oshs-sample/{login}")
    blog, location, verified, description = ORGS[login]
    used: set[str] = set()
    repos = public_repositories(rng, login, points, used) + extra_repositories(
        rng, login, points, used
    )
    first = min(datetime.fromisoformat(r["created_at"].replace("Z", "+00:00")) for r in repos)
    created = max(first - timedelta(days=rng.randint(30, 900)), datetime(2010, 7, 1, tzinfo=UTC))
    created = created.replace(
        hour=rng.randint(8, 17), minute=rng.randint(0, 59), second=rng.randint(0, 59)
    )
    return {
        "login": login, "id": 0, "name": name, "description": description, "blog": blog,
        "location": location, "email": None, "twitter_username": None,
        "created_at": iso(min(created, first - timedelta(hours=1))),
        "updated_at": iso(COLLECTED - timedelta(seconds=rng.randint(86_400, 300 * 86_400))),
        "is_verified": verified, "repositories": repos,
    }  # fmt: skip


def inject_hostile(orgs: list[dict]) -> None:
    """Put hostile text into some public repositories, and edge-case (valid) names into others."""
    rng = random.Random("oshs-sample/hostile")
    by_login = {o["login"]: o for o in orgs}
    for i, (field, value) in enumerate(HOSTILE):
        candidates = [r for r in by_login[HOSTILE_ORGS[i % len(HOSTILE_ORGS)]]["repositories"]
                      if r["visibility"] == "public" and not r["fork"]]  # fmt: skip
        rng.choice(candidates)[field] = value
    fork = next(r for r in by_login["nhsengland"]["repositories"] if r["fork"])
    fork["description"] = "Fork with <script>alert('fork')</script> | =1+1"
    for login, suffix in (
        ("nhsuk", ".github.io"),
        ("nhs-r-community", ".github.io"),
        ("nhsx", ".github"),
    ):
        public = [r for r in by_login[login]["repositories"] if r["visibility"] == "public"]
        repo = rng.choice([r for r in public if not r["fork"]])
        repo["name"] = f"{login.lower()}{suffix}" if suffix != ".github" else ".github"
    long_name = rng.choice([r for r in by_login["NHSDigital"]["repositories"] if r["is_template"]])
    long_name["name"] = ("nhs-digital-" + "very-long-repository-name-" * 4)[:100]


def assign_ids(orgs: list[dict]) -> None:
    """Ids that grow with creation time, as GitHub's do: unique across the dataset."""
    rng = random.Random("oshs-sample/ids")
    next_id = 20_000_000
    for org in sorted(orgs, key=lambda o: (o["created_at"], o["login"].lower())):
        next_id += rng.randint(1, 9_000)
        org["id"] = next_id
    repos = [r for o in orgs for r in o["repositories"]]
    next_id = 40_000_000
    for repo in sorted(repos, key=lambda r: (r["created_at"], r["name"].lower(), r["visibility"])):
        next_id += rng.randint(1, 300_000)
        repo["id"] = next_id
    for org in orgs:
        org["repositories"].sort(key=lambda r: r["id"])


def moved_counts(rng: random.Random, repo: dict) -> dict:
    """New stars, forks, open issues and pull requests of a repository a week later."""
    stars = repo["stargazers_count"] + rng.choice([1, 1, 1, 2, 3, 5, 21])
    issues = max(0, repo["open_issues"] + rng.randint(-1, 2))
    return {
        "stargazers_count": stars, "watchers_count": stars,
        "forks_count": repo["forks_count"] + (rng.random() < 0.3),
        "open_issues": issues, "open_pull_requests": max(0, repo["open_pull_requests"]
                                                         + rng.randint(-1, 1)),
    }  # fmt: skip


def touched(rng: random.Random, repo: dict, pushed: bool) -> dict:
    """`updated_at` (and `pushed_at` when `pushed`) moved into the week before the collection."""
    moment = COLLECTED + timedelta(seconds=rng.randint(3600, 6 * 86_400))
    change = {"updated_at": iso(moment)}
    if pushed:
        change["pushed_at"] = iso(moment - timedelta(seconds=rng.randint(0, 3000)))
    return change


def week_of_changes(rng: random.Random, org: dict, plan: tuple[int, int, int], next_id: int):
    """One organisation's changes: (created repositories, deleted ids, updates by id)."""
    created_n, archived_n, deleted_n = plan
    active = [r for r in org["repositories"]
              if r["visibility"] == "public" and not r["fork"] and not r["archived"]]  # fmt: skip
    deleted = sorted(r["id"] for r in rng.sample(active, deleted_n))
    alive = [r for r in active if r["id"] not in deleted]
    updates: dict[str, dict] = {}
    for repo in rng.sample(alive, archived_n):
        updates[str(repo["id"])] = {"archived": True, **touched(rng, repo, False)}
    for repo in alive:
        if str(repo["id"]) not in updates and rng.random() < MOVING:
            pushed = rng.random() < 0.5
            updates[str(repo["id"])] = {**moved_counts(rng, repo), **touched(rng, repo, pushed)}
    used = {r["name"].lower() for r in org["repositories"]}
    created = []
    for k in range(created_n):
        moment = COLLECTED + timedelta(days=k + 1, hours=rng.randint(1, 9))
        language = rng.choice(["Python", "R", "TypeScript"])
        counts = (rng.randint(0, 3), 0, rng.randint(0, 2))
        repo = make_repo(rng, org["login"], moment, language, "MIT License", counts, used)
        repo |= {"id": next_id + 1000 * (k + 1), "updated_at": iso(moment + timedelta(hours=2)),
                 "pushed_at": iso(moment + timedelta(hours=1))}  # fmt: skip
        created.append(repo)
    return created, deleted, updates


def next_week(orgs: list[dict]) -> dict:
    """The changes of the week to `NEXT_COLLECTED_AT` (deterministic, seeded separately)."""
    rng = random.Random("oshs-sample/next-week")
    next_id = max(r["id"] for o in orgs for r in o["repositories"])
    changes = {}
    for org in orgs:
        plan = NEXT_WEEK.get(org["login"], (0, 0, 0))
        created, deleted, updates = week_of_changes(rng, org, plan, next_id)
        next_id += 10_000
        changes[org["login"]] = {"created": created, "deleted": deleted, "updated": updates}
    return {"collected_at": NEXT_COLLECTED_AT, "organisations": changes}


def build_dataset(reference: Path) -> dict:
    """The whole sample dataset, from the reference figures."""
    published = read_published(reference)
    aggregated = read_aggregated(reference, set(published))
    names = display_names(reference)
    orgs = []
    for login in ORGS:
        points = published.get(login) or aggregated.get(login)
        if points is None:
            points = invented_points(random.Random(f"oshs-sample/{login}/dates"), INVENTED[login])
        orgs.append(organisation(login, names.get(login.lower(), login), points))
    inject_hostile(orgs)
    assign_ids(orgs)
    later = next_week(orgs)
    from sample_gitlab import gitlab_group  # it imports this module: imported here

    return {
        "format": 1, "collected_at": COLLECTED_AT, "organisations": orgs, "next": [later],
        "gitlab_groups": [gitlab_group(reference)],
    }  # fmt: skip


def encode(dataset: dict) -> bytes:
    """Gzip JSON with sorted keys and a fixed gzip header (mtime 0): reproducible bytes."""
    text = json.dumps(dataset, sort_keys=True, ensure_ascii=False, separators=(",", ":")) + "\n"
    return gzip.compress(text.encode("utf-8"), compresslevel=9, mtime=0)


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reference", type=Path, default=DEFAULT_REFERENCE)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    data = encode(build_dataset(args.reference))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    tmp = args.out.with_name(args.out.name + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(args.out)
    print(f"wrote {args.out} ({len(data):,} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
