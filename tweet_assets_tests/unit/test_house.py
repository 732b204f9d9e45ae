"""The house rules a newcomer relies on, checked on the source: where configuration enters, which
way imports point, what tests share, and what the lock file pins."""

import ast
import re
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tweet_assets.settings import VARIABLES

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "tweet_assets"
TESTS = ROOT / "tweet_assets_tests"
# The package's rooms, lowest first: a module may import its own room and the rooms before it.
ROOMS = [
    "settings",
    "partitions",
    "transforms",
    "spark",
    "source",
    "lake",
    "assets",
    "schedules",
    "definitions",
    "cli",
]


def modules(folder: Path) -> dict[str, ast.Module]:
    """Every module below `folder`, by dotted name, parsed."""
    parsed = {}
    for path in sorted(folder.rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        parsed[name] = ast.parse(path.read_text(encoding="utf-8"))
    return parsed


def imports(tree: ast.Module) -> list[tuple[str, list[str]]]:
    """(module, names imported from it) for every import statement of the tree."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.append((node.module, [alias.name for alias in node.names]))
        elif isinstance(node, ast.Import):
            found += [(alias.name, []) for alias in node.names]
    return found


def room(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if parts[0] == "tweet_assets" and len(parts) > 1 else None


def reads_environment(tree: ast.Module) -> bool:
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in ("environ", "environb", "getenv"):
            return True
        if (
            isinstance(node, ast.ImportFrom)
            and node.module == "os"
            and {alias.name for alias in node.names} & {"environ", "environb", "getenv"}
        ):
            return True
    return False


def test_exactly_one_module_of_the_package_reads_the_environment() -> None:
    readers = [name for name, tree in modules(PACKAGE).items() if reads_environment(tree)]

    assert readers == ["tweet_assets.settings"]


def test_every_environment_variable_is_declared_once() -> None:
    names = {variable.name for variable in VARIABLES}
    declared = [
        node.value
        for tree in modules(PACKAGE).values()
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and node.value in names
    ]

    assert sorted(declared) == sorted(names)


def test_imports_point_down_from_room_to_room() -> None:
    upward = []
    for name, tree in modules(PACKAGE).items():
        own = room(name)
        if own is None:
            continue
        assert own in ROOMS, f"{own} is a new room: place it in ROOMS"
        for target, _ in imports(tree):
            other = room(target)
            if other is not None and ROOMS.index(other) > ROOMS.index(own):
                upward.append(f"{name} imports {target}")

    assert upward == []


def test_no_module_reaches_into_another_rooms_internals() -> None:
    parsed = modules(PACKAGE)
    # A room whose package lists its public names (`__all__`) is entered through the package.
    fronted = {
        name
        for name, tree in parsed.items()
        if any(
            isinstance(node, ast.Assign)
            and any(getattr(t, "id", "") == "__all__" for t in node.targets)
            for node in tree.body
        )
    }
    reaching = []
    for name, tree in parsed.items():
        for target, names in imports(tree):
            if room(target) is None or room(target) == room(name):
                continue
            private = [n for n in names if n.startswith("_")]
            if private or any(part.startswith("_") for part in target.split(".")):
                reaching.append(f"{name} imports {private or target}")
            package = ".".join(target.split(".")[:2])
            if package in fronted and target != package:
                reaching.append(f"{name} imports {target}, not {package}")

    assert reaching == []


# The modules that may import Dagster's private packages (`dagster._…`, `dagster_shared`), and
# why: each is a name Dagster does not export yet.
PRIVATE_DAGSTER = {
    # AssetCheckEvaluationTargetMaterializationData ties a day's verdict to that day's
    # materialization; `dagster` exports AssetCheckEvaluation but not its target type.
    "tweet_assets.assets.verdicts": "AssetCheckEvaluationTargetMaterializationData",
}


def test_dagster_is_used_through_its_public_names() -> None:
    private = {
        name
        for folder in (PACKAGE, TESTS, ROOT / "bench")
        for name, tree in modules(folder).items()
        for target, _ in imports(tree)
        if target.startswith(("dagster._", "dagster_shared"))
    }

    assert private == set(PRIVATE_DAGSTER), "import it from `dagster`, or list it with a reason"


def test_no_test_module_imports_another_test_module() -> None:
    found = [
        f"{name} imports {target}"
        for name, tree in modules(TESTS).items()
        for target, _ in imports(tree)
        if target.startswith("tweet_assets_tests")
        and re.search(r"(^|\.)(test_\w+|conftest)$", target)
    ]

    assert found == []


def test_the_lock_file_pins_every_package_the_project_installs() -> None:
    pinned = {}
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        if line and not line.startswith("#"):
            name, _, version = line.partition("==")
            assert version, f"{line!r} in requirements.lock is not pinned with =="
            pinned[canonicalize_name(name)] = version
    needed, queue = set(), [Requirement("tweet-lake[test]")]
    while queue:
        requirement = queue.pop()
        name = canonicalize_name(requirement.name)
        environment = {"extra": ""}
        for extra in requirement.extras or {""}:
            environment["extra"] = extra
            for text in metadata.requires(name) or []:
                dependency = Requirement(text)
                applies = dependency.marker is None or dependency.marker.evaluate(environment)
                if applies and canonicalize_name(dependency.name) not in needed:
                    needed.add(canonicalize_name(dependency.name))
                    queue.append(dependency)

    unpinned = sorted(needed - set(pinned))
    assert unpinned == [], f"run `make lock`: requirements.lock lacks {unpinned}"
    drifted = {
        n: (pinned[n], metadata.version(n)) for n in needed if metadata.version(n) != pinned[n]
    }
    assert drifted == {}, "the installed versions differ from requirements.lock: `make install`"
