"""One session per activity. `nox` with no arguments runs the whole test suite: the sessions listed below."""

from __future__ import annotations

import filecmp
import json
import shutil
import tempfile
import zipfile
from pathlib import Path

import nox

ROOT = Path(__file__).parent
nox.options.default_venv_backend = "uv|virtualenv"
nox.options.reuse_existing_virtualenvs = True
nox.options.error_on_missing_interpreters = True
nox.options.sessions = [
    "lint", "typing", "tests", "schemas", "models", "compat", "build", "glance", "ceilometer", "oslo", "broker",
]  # fmt: skip

GLANCE = "glance==33.0.0"
CEILOMETER = "ceilometer==27.0.0"
DATAMODEL_CODEGEN = "datamodel-code-generator==0.89.0"


@nox.session
def tests(session: nox.Session) -> None:
    """Run the test suite against the installed package (not the source tree), after a smoke run of the bare core."""
    session.install(".")
    # The core alone (no extras, no broker library) builds, validates and sends: the demo through the memory driver.
    session.run("notify-schemas", "demo", "--driver", "memory", silent=True)
    session.install(".[test]")
    # tests/interop needs Glance or oslo.messaging; their own sessions run it.
    session.run("pytest", "--ignore=tests/interop", *session.posargs)


@nox.session
def schemas(session: nox.Session) -> None:
    """Check derived files are fresh; run the corpus and the differential test under python, rust and ajv."""
    session.install(".[test]")
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "schemas"
        shutil.copytree(ROOT / "schemas", copy)
        session.run("python", "-m", "notify_schemas.authoring.bundle", str(copy), silent=True)
        session.run("python", "tools/make_corpus.py", str(copy), silent=True)
        # -P: import the installed package (which reads its own schemas), not the source tree in the working folder.
        session.run("python", "-P", "-m", "notify_schemas.authoring.asyncapi", str(copy / "asyncapi"), silent=True)
        session.run("python", "-P", "-m", "notify_schemas.authoring.docs", str(Path(tmp) / "docs"), silent=True)
        stale_docs = _differences(ROOT / "docs" / "reference", Path(tmp) / "docs")
        stale = _differences(ROOT / "schemas", copy) + stale_docs
        if stale:
            session.error(
                f"generated files are stale: {', '.join(stale)}; "
                "run: python -m notify_schemas.authoring.bundle schemas && python tools/make_corpus.py && "
                "python -m notify_schemas.authoring.asyncapi schemas/asyncapi && "
                "python -m notify_schemas.authoring.docs docs/reference"
            )
    session.run("python", "tools/run_corpus.py")
    session.run("npm", "ci", "--no-audit", "--no-fund", "--prefix", "tests/js", external=True)
    session.run(
        "node",
        "tests/js/run_corpus.mjs",
        *sorted(str(p) for p in (ROOT / "schemas/corpus").glob("*.json")),
        external=True,
    )
    # Go (gojsonschema: RE2 patterns) and Perl (JSON::Validator), from Debian's packages that .ci/run installs.
    corpora = sorted(str(p) for p in (ROOT / "schemas/corpus").glob("*.json"))
    with tempfile.TemporaryDirectory() as tmp:
        go = {"GO111MODULE": "off", "GOPATH": "/usr/share/gocode", "GOPROXY": "off", "GOCACHE": f"{tmp}/cache"}
        session.run("go", "build", "-o", f"{tmp}/verdicts", "tests/go/verdicts.go", env=go, external=True)
        session.run(f"{tmp}/verdicts", "corpus", *corpora, external=True)
        session.run("perl", "tests/perl/verdicts.pl", "corpus", *corpora, external=True)
        # What `schemas export` writes, read by each as a tool with a resolver reads it, with the network refused:
        # every file valid under draft-07's meta-schema, every $ref and $id resolved among the files alone, and the
        # corpus judged alike through the source variants (and in ajv through the all-in-one bundle as well).
        export = f"{tmp}/export"
        session.run("notify-schemas", "schemas", "export", export, silent=True)
        session.run("node", "tests/js/run_sources.mjs", export, external=True)
        session.run(f"{tmp}/verdicts", "sources", export, external=True)
        draft_07 = "tests/js/node_modules/ajv/dist/refs/json-schema-draft-07.json"
        session.run("perl", "tests/perl/verdicts.pl", "sources", draft_07, export, external=True)
    documents = sorted(str(p) for p in (ROOT / "schemas/asyncapi").glob("*.json"))
    session.run("node", "tests/js/parse_asyncapi.mjs", *documents, external=True)
    # 2,500 generated messages, valid and broken, judged alike by python-jsonschema, jsonschema-rs, ajv,
    # gojsonschema and JSON::Validator.
    session.run("pytest", "-m", "node", "tests/interop/test_differential.py", "-p", "no:cacheprovider")


@nox.session
def models(session: nox.Session) -> None:
    """Generate typed models from the bundled schemas: TypeScript (json-schema-to-typescript, checked by tsc --strict
    against every valid corpus message) and Python (datamodel-code-generator's pydantic v2 models, round-tripping
    them); both refuse and take the invalid corpus messages as the README's "Typed models" says (D89)."""
    session.install(".[test]", DATAMODEL_CODEGEN)
    session.run("npm", "ci", "--no-audit", "--no-fund", "--prefix", "tests/js", external=True)
    with tempfile.TemporaryDirectory() as tmp:
        session.run("node", "tests/js/typed_models.mjs", str(ROOT / "schemas"), tmp, external=True)
    session.run("pytest", "-m", "models", "tests/interop/test_models.py", "-p", "no:cacheprovider")


@nox.session
def compat(session: nox.Session) -> None:
    """Check schemas/ against the last released contract: a break needs a new major version in the $ids."""
    session.install(".[compat]")
    baseline = ROOT / "tests" / "released" / "v1"
    output = session.run("notify-schemas", "compat", str(baseline), "schemas", success_codes=[0, 1], silent=True)
    print(output)
    major = json.loads((ROOT / "schemas" / "envelope.json").read_text())["$id"].split("/schemas/")[1].split("/")[0]
    if "NEW is not backward compatible" in str(output) and major == baseline.name:
        session.error(f"schemas/ breaks the released {baseline.name} contract; a breaking change needs a new major $id")


def _differences(left: Path, right: Path) -> list[str]:
    compared = filecmp.dircmp(left, right)
    found = [str(left / name) for name in compared.diff_files + compared.left_only + compared.right_only]
    for sub in compared.common_dirs:
        found += _differences(left / sub, right / sub)
    return found


def _interop(session: nox.Session, marker: str) -> None:
    """The tests under tests/interop that carry ``marker``; Eventlet's deprecation notice from oslo is silenced."""
    session.run("pytest", "-m", marker, "tests/interop", "-p", "no:cacheprovider",
                "-W", "ignore::DeprecationWarning", *session.posargs)  # fmt: skip


@nox.session
def glance(session: nox.Session) -> None:
    """Drive the real glance.notifier (Glance from PyPI) and check its stream against both profiles."""
    session.install(".[test]", GLANCE)
    _interop(session, "glance and not rabbitmq and not ceilometer")


@nox.session
def ceilometer(session: nox.Session) -> None:
    """Run ceilometer's own image meters (ceilometer from PyPI) over the glance profile's samples and real Glance."""
    session.install(".[test]", GLANCE, CEILOMETER)
    _interop(session, "ceilometer")


@nox.session
def oslo(session: nox.Session) -> None:
    """Compare the envelope and the log driver with the real oslo.messaging."""
    session.install(".[test,oslo]")
    _interop(session, "oslo")


@nox.session
def broker(session: nox.Session) -> None:
    """Start a RabbitMQ of the tests' own; run the messaging drivers, the listener and real Glance through it."""
    session.install(".[test,oslo]", GLANCE)
    _interop(session, "rabbitmq")


@nox.session(default=False)
def bench(session: nox.Session) -> None:
    """Measure validation, Notifier.info, drivers, the conformance suite and compat against alternatives, as ratios."""
    session.install(".[bench,conformance,compat]", "jsonschema")
    session.run("python", "benchmarks/bench.py", *session.posargs)
    session.run("python", "benchmarks/bench_conformance.py")
    session.run("python", "benchmarks/bench_compat.py")
    session.run("python", "benchmarks/bench_cli.py")
    session.run("python", "-W", "ignore::DeprecationWarning", "benchmarks/bench_broker.py")  # needs rabbitmq-server
    session.run("python", "-W", "ignore::DeprecationWarning", "benchmarks/bench_cluster.py")


@nox.session
def lint(session: nox.Session) -> None:
    """Lint and check formatting with ruff."""
    session.install("ruff")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session
def typing(session: nox.Session) -> None:
    """Type-check the package with mypy in strict mode."""
    session.install(".[oslo,compat,test]", "mypy", "types-jsonschema")
    session.run("mypy")


@nox.session
def build(session: nox.Session) -> None:
    """Build sdist and wheel, check their metadata, and that the wheel installs notify_schemas alone, schemas inside."""
    session.install("build", "twine")
    dist = Path(session.create_tmp()) / "dist"
    shutil.rmtree(dist, ignore_errors=True)
    session.run("python", "-m", "build", "--outdir", str(dist))
    session.run("twine", "check", "--strict", *map(str, dist.iterdir()))
    wheel = next(dist.glob("*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    wanted = ["notify_schemas/schemas/envelope.json", "notify_schemas/conformance/exec/PROTOCOL.md",
              "notify_schemas/conformance/exec/examples/node/producer.mjs"]  # fmt: skip
    missing = [name for name in wanted if name not in names]
    if missing:
        session.error(f"missing from the wheel: {', '.join(missing)}")
    # One import package, notify_schemas: a top-level name of its own (conformance, say) could collide.
    tops = sorted({name.split("/")[0] for name in names if not name.split("/")[0].endswith(".dist-info")})
    if tops != ["notify_schemas"]:
        session.error(f"the wheel installs more than notify_schemas: {', '.join(tops)}")
