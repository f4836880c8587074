"""Reading the user's input files with bounds: regular files only, a size limit per kind, UTF-8,
references that stay inside the project, and YAML without aliases, duplicate keys or deep nesting.

Every file ReformSim reads from a user (BPMN, scenario and register YAML, Prosimos JSON, event
logs) goes through :func:`read_bytes`; a problem is a :class:`~sim.errors.ReformSimError` naming
the file (and line), never a hang on a FIFO, a read of ``/dev/zero`` or a traceback.

The allowed root. A file the user names may refer to other files (``extends:``, ``process:``,
a register's ``test.process``); such a path is resolved relative to the file that names it
(symlinks resolved) and refused if it leaves the root. The root is, in this order:

1. the ``root=`` argument of the API call;
2. ``reformsim ... --root DIR`` (the CLI sets it for the command with :func:`using_root`);
3. the project of the named file: the nearest folder at or above it that holds ``.git`` or both
   a ``scenarios/`` and a ``processes/`` folder (the layout of this repository and of a
   planner's copy of it); when there is none, the named file's own folder.

Example:
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "s.yaml").write_text("name: 试点\\ncases: 10\\n", encoding="utf-8")
    >>> read_yaml(folder / "s.yaml", SCENARIO)
    {'name': '试点', 'cases': 10}
    >>> _ = (folder / "bomb.yaml").write_text("a: &x [1, 2]\\nb: *x\\n", encoding="utf-8")
    >>> read_yaml(folder / "bomb.yaml", SCENARIO)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    sim.errors.ScenarioError: .../bomb.yaml: line 2: not valid YAML: aliases (*name) are not allowed ...
"""

from __future__ import annotations

import contextvars
import os
import re
import reprlib
import stat
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .errors import ModelError, ReformSimError, ScenarioError

__all__ = ["Kind", "BPMN", "SCENARIO", "REGISTER", "PROSIMOS_JSON", "EVENT_LOG", "MAX_YAML_DEPTH",
           "read_bytes", "read_text", "read_yaml", "read_json", "decode_utf8", "project_root", "allowed_root",
           "using_root", "resolve_reference", "is_inside", "shown", "redacted", "NOT_SHOWN"]

MiB = 2**20
# Nesting deeper than this is no scenario (ours nest 4 levels: agencies.x.hours...); PyYAML's
# composer recurses per level, so without a bound a deep file ends in RecursionError.
MAX_YAML_DEPTH = 64


def _scenario_error(message: str, file: str, line: int | None) -> ReformSimError:
    return ScenarioError([(f"line {line}" if line else "", message)], file=file)


def _model_error(message: str, file: str, line: int | None) -> ReformSimError:
    return ModelError(message, file=file, line=line)


@dataclass(frozen=True)
class Kind:
    """What a file is, how big it may be, and which error reports a problem with it.

    >>> SCENARIO.max_bytes // MiB, BPMN.what
    (1, 'BPMN file')
    """

    what: str
    max_bytes: int
    error: Callable[[str, str, int | None], ReformSimError]


# Limits: the largest file we ship is 20 KB of YAML and 60 KB of BPMN; the limits leave room for
# real models drawn elsewhere and stop a wrong file early. YAML is the slow one: PyYAML builds
# Python objects slowly (measured on the shared 2-core machine: a 1 MiB scenario in 2.9-4.5 s
# with libyaml, 21 s without), so 1 MiB (50× our register) keeps the worst case to seconds.
BPMN = Kind("BPMN file", 16 * MiB, _model_error)
SCENARIO = Kind("scenario file", 1 * MiB, _scenario_error)
REGISTER = Kind("target register", 1 * MiB, _scenario_error)
PROSIMOS_JSON = Kind("Prosimos scenario (JSON)", 16 * MiB, _model_error)
# assumption: a year of a busy chain's log (~10^6 events × ~150 bytes) fits in 256 MiB.
EVENT_LOG = Kind("event log", 256 * MiB, _scenario_error)


def _file_type(mode: int) -> str:
    for test, name in ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISCHR, "a character device"),
                       (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket")):
        if test(mode):
            return name
    return "not a regular file"


def read_bytes(path: str | os.PathLike[str], kind: Kind, name: str | None = None) -> bytes:
    """The bytes of a regular file of at most ``kind.max_bytes``; anything else is ``kind``'s error.

    A FIFO, device or folder is refused before it is opened; the file is opened non-blocking and
    checked again on the open descriptor, so one swapped in between cannot hang the read.

    >>> read_bytes("/dev/zero", SCENARIO)
    Traceback (most recent call last):
    ...
    sim.errors.ScenarioError: /dev/zero: a character device, expected a scenario file (a regular file)
    """
    name = name or str(path)
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise kind.error("file not found", name, None) from None
    except OSError as exc:
        raise kind.error(f"cannot read the file: {exc.strerror}", name, None) from None

    def check(st: os.stat_result) -> None:
        if not stat.S_ISREG(st.st_mode):
            raise kind.error(f"{_file_type(st.st_mode)}, expected a {kind.what} (a regular file)", name, None)
        if st.st_size > kind.max_bytes:
            raise kind.error(f"the file has {st.st_size / MiB:.1f} MiB; a {kind.what} may have at most "
                             f"{kind.max_bytes // MiB} MiB", name, None)

    check(st)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise kind.error(f"cannot read the file: {exc.strerror}", name, None) from None
    try:
        check(os.fstat(fd))
        chunks, total = [], 0
        while True:  # read at most one byte past the limit: a file that grows after fstat is still bounded
            chunk = os.read(fd, min(MiB, kind.max_bytes + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            if total > kind.max_bytes:
                raise kind.error(f"the file grew beyond {kind.max_bytes // MiB} MiB while being read", name, None)
    except OSError as exc:
        raise kind.error(f"cannot read the file: {exc.strerror}", name, None) from None
    finally:
        os.close(fd)
    return b"".join(chunks)


def decode_utf8(data: bytes, name: str, kind: Kind) -> str:
    """``data`` as UTF-8 text (a byte-order mark is dropped); UTF-16 or bad bytes are ``kind``'s error, with the line.

    >>> decode_utf8("名称".encode("utf-16"), "a.yaml", SCENARIO)
    Traceback (most recent call last):
    ...
    sim.errors.ScenarioError: a.yaml: line 1: the file is UTF-16 or UTF-32 (it starts with a byte-order mark); save it as UTF-8
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise kind.error("the file is UTF-16 or UTF-32 (it starts with a byte-order mark); save it as UTF-8", name, 1)
    nul = data.find(b"\x00")
    if nul >= 0:
        raise kind.error("the file contains NUL bytes (UTF-16 without a byte-order mark, or not text); save it as UTF-8",
                         name, data.count(b"\n", 0, nul) + 1)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise kind.error(f"not valid UTF-8 (byte {exc.start} of the file); save it as UTF-8",
                         name, data.count(b"\n", 0, exc.start) + 1) from None


def read_text(path: str | os.PathLike[str], kind: Kind) -> str:
    """:func:`read_bytes` then :func:`decode_utf8`."""
    return decode_utf8(read_bytes(path, kind), str(path), kind)


# -- YAML ---------------------------------------------------------------------------------------
# libyaml's parser when PyYAML has it (5× faster here); the constructor is Python either way.
_Base: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _check_events(text: str) -> None:
    """Refuse aliases and deep nesting on the event stream, before anything is composed.

    Aliases are refused outright: none of our files needs them, and an alias bomb (billion
    laughs) loads as a small graph that ``json.dumps``, ``str`` or an error message then expands
    exponentially; refusing them also refuses merge keys that use them (``<<: *base``). The
    parser is iterative, while composing recurses per level (RecursionError in Python, the C
    stack in libyaml), so depth is bounded here.
    """
    depth = 0
    for event in yaml.parse(text, Loader=_Base):
        if isinstance(event, yaml.AliasEvent):
            raise yaml.composer.ComposerError(None, None, "aliases (*name) are not allowed in ReformSim files; write the value out",
                                              event.start_mark)
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_YAML_DEPTH:
                raise yaml.composer.ComposerError(None, None, f"nested deeper than {MAX_YAML_DEPTH} levels", event.start_mark)
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


class _BoundedLoader(_Base):  # type: ignore[misc, valid-type]
    """``yaml.safe_load``'s loader, refusing duplicate keys and reporting bad values with their line.

    Dates stay text (no implicit timestamps): ``start: 2021-13-01`` then gets the scenario's own
    located message ("expected a date like 2021-07-01") and calendar files parse their dates.
    """

    def construct_object(self, node: Any, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep)
        except (ValueError, OverflowError) as exc:  # e.g. a date like 2021-13-45, or an int with 10^5 digits
            raise yaml.constructor.ConstructorError(None, None, f"cannot read the value: {exc}", node.start_mark) from None

    def construct_mapping(self, node: Any, deep: bool = False) -> Any:
        if isinstance(node, yaml.MappingNode):
            first: dict[Any, int] = {}
            for key_node, _ in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    continue
                key = self.construct_object(key_node, deep=True)
                try:
                    seen = first.get(key)
                except TypeError:
                    continue  # an unhashable key; SafeConstructor reports it
                if seen is not None:
                    raise yaml.constructor.ConstructorError(
                        None, None, f"the key {shown(key)} appears twice (first on line {seen}); keep one",
                        key_node.start_mark)
                first[key] = key_node.start_mark.line + 1
        return super().construct_mapping(node, deep)


_BoundedLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in _Base.yaml_implicit_resolvers.items()
}


def read_yaml(path: str | os.PathLike[str], kind: Kind = SCENARIO) -> object:
    """One YAML document from a regular file: safe types only, no aliases, no duplicate keys,
    at most :data:`MAX_YAML_DEPTH` levels; any problem is ``kind``'s error with the line."""
    name = str(path)
    text = read_text(path, kind)
    loader = None
    try:
        _check_events(text)
        loader = _BoundedLoader(text)
        return loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise kind.error(f"not valid YAML: {exc.problem or exc.context}", name, mark.line + 1 if mark else None) from None
    except yaml.YAMLError as exc:  # ReaderError (a control character) has a position, not a mark
        raise kind.error(f"not valid YAML: {exc}", name, None) from None
    finally:
        if loader is not None:
            loader.dispose()


def read_json(path: str | os.PathLike[str], kind: Kind = PROSIMOS_JSON) -> object:
    """A JSON file read with the same bounds: regular file, size limit, UTF-8, no duplicate keys,
    nesting bounded by Python's recursion limit (reported, not raised as RecursionError).

    >>> import tempfile
    >>> f = Path(tempfile.mkdtemp()) / "p.json"
    >>> _ = f.write_text('{"a": 1, "a": 2}', encoding="utf-8")
    >>> read_json(f)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    sim.errors.ModelError: .../p.json: the key 'a' appears twice; keep one
    """
    import json

    name = str(path)
    text = read_text(path, kind)

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in items:
            if key in out:
                raise kind.error(f"the key {shown(key)} appears twice; keep one", name, None)
            out[key] = value
        return out

    try:
        return json.loads(text, object_pairs_hook=pairs)
    except json.JSONDecodeError as exc:
        raise kind.error(f"not valid JSON: {exc.msg}", name, exc.lineno) from None
    except RecursionError:
        raise kind.error("not valid JSON here: nested too deeply", name, None) from None
    except ValueError as exc:  # e.g. an integer with more digits than Python converts
        raise kind.error(f"not valid JSON here: {exc}", name, None) from None


# -- the allowed root and references -------------------------------------------------------------
_ROOT: contextvars.ContextVar[Path | None] = contextvars.ContextVar("reformsim_root", default=None)


def project_root(named: str | os.PathLike[str]) -> Path:
    """The project folder of a file (see the module docstring, rule 3); symlinks resolved.

    >>> import sim
    >>> project_root(Path(sim.__file__).parents[1] / "scenarios" / "targets.yaml") == Path(sim.__file__).resolve().parents[1]
    True
    """
    start = Path(named).resolve().parent
    for folder in (start, *start.parents):
        if (folder / ".git").exists() or ((folder / "scenarios").is_dir() and (folder / "processes").is_dir()):
            return folder
    return start


def allowed_root(named: str | os.PathLike[str], root: str | os.PathLike[str] | None = None) -> Path:
    """The root references from ``named`` must stay in: ``root``, else the CLI's ``--root``, else :func:`project_root`."""
    if root is not None:
        return Path(root).resolve()
    given = _ROOT.get()
    return given if given is not None else project_root(named)


@contextmanager
def using_root(root: str | os.PathLike[str] | None) -> Iterator[None]:
    """Within the block, :func:`allowed_root` defaults to ``root`` (``None``: the project rule)."""
    token = _ROOT.set(Path(root).resolve() if root is not None else None)
    try:
        yield
    finally:
        _ROOT.reset(token)


def is_inside(path: Path, root: Path) -> bool:
    """Whether ``path`` (resolved, symlinks followed) lies in ``root``."""
    try:
        path.resolve().relative_to(root.resolve())
    except ValueError:
        return False
    return True


def resolve_reference(ref: object, *, named_by: str | os.PathLike[str], root: Path, where: str,
                      expected: str, echo: bool = True) -> Path:
    """The file ``ref`` (a path written in ``named_by`` at YAML path ``where``), resolved against
    ``named_by``'s folder; a :class:`ScenarioError` when it is not a path, leaves ``root``, does
    not exist or is not a regular file. ``echo=False`` keeps ``ref`` itself out of the message
    (for a file the user did not name).

    >>> resolve_reference("/etc/passwd", named_by="/tmp/s.yaml", root=Path("/tmp"), where="extends",
    ...                   expected="a scenario file")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    sim.errors.ScenarioError: /tmp/s.yaml: extends: '/etc/passwd' leads outside the allowed folder /tmp; ...
    """
    file = str(named_by)
    said = shown(ref) if echo else "the path"
    if not isinstance(ref, str) or not ref.strip():
        raise ScenarioError([(where, f"expected the path of {expected}" + (f", got {said}" if echo else ""))], file=file)
    target = (Path(named_by).resolve().parent / ref).resolve()
    if not is_inside(target, root):
        message = (f"{said} leads outside the allowed folder {root}; files may only refer to files inside it "
                   "(move the file there, or choose the folder with --root / root=)")
        raise ScenarioError([(where, message)], file=file)
    try:
        st = os.stat(target)
    except OSError:
        raise ScenarioError([(where, f"file not found: {said} (paths are relative to {Path(named_by).resolve().parent})")],
                            file=file) from None
    if not stat.S_ISREG(st.st_mode):
        raise ScenarioError([(where, f"{said} is {_file_type(st.st_mode)}, expected {expected} (a regular file)")], file=file)
    return target


_SHORT = reprlib.Repr()
_SHORT.maxstring = 60
_SHORT.maxother = 60
_SHORT.maxlist = _SHORT.maxtuple = _SHORT.maxdict = _SHORT.maxset = 4
_SHORT.maxlevel = 2


def shown(value: object) -> str:
    """A value from the user's file as an error message quotes it: a ``repr`` cut short.

    >>> shown("SECRET" * 40)
    "'SECRETSECRETSECRETSECRETSEC...CRETSECRETSECRETSECRETSECRET'"
    >>> shown([[1, 2, 3, 4, 5]] * 9)
    '[[1, 2, 3, 4, ...], [1, 2, 3, 4, ...], [1, 2, 3, 4, ...], [1, 2, 3, 4, ...], ...]'
    """
    return _SHORT.repr(value)


# A file the user did not name (reached by ``extends:``) may be any file of theirs: a message
# about it must locate the problem without quoting what the file holds.
NOT_SHOWN = "(values not shown: they are in a file you did not name)"
_GOT = re.compile(r",?\s*\bgot\b.*$", re.DOTALL)  # "... expected X, got 'the value'"
_REPRS = re.compile(r"\{[^{}]*\}|\[[^\[\]]*['\"][^\[\]]*\]")  # a mapping or a list of strings quoted whole
_QUOTED = re.compile(r"""(["'])([^"'\n]+)\1""")
_LONG_ENOUGH = 4  # a value this long is hidden wherever it appears; shorter ones ("2", "ab") only where quoted


def _scalars(data: object) -> Iterator[str]:
    """Every string and number in ``data`` (mapping values and list items, nested; not mapping keys)."""
    if isinstance(data, dict):
        for v in data.values():
            yield from _scalars(v)
    elif isinstance(data, (list, tuple)):
        for v in data:
            yield from _scalars(v)
    elif isinstance(data, str) and data:
        yield data
    elif isinstance(data, (int, float)) and not isinstance(data, bool):
        yield str(data)


def redacted(message: str, values: Iterable[object] = ()) -> str:
    """``message`` with what it quotes of ``values`` (the content of a file the user did not name) taken out.

    The ", got ..." tail and quoted mappings go; each string or number of ``values`` (searched
    through nested lists and mappings) goes where it is quoted, and a long one wherever it appears.

    >>> redacted('unknown step "SECRET-1"; expected the id of a task', [{"remove": "SECRET-1"}])
    'unknown step "…"; expected the id of a task (values not shown: they are in a file you did not name)'
    >>> redacted("expected a whole number > 0, got -1")
    'expected a whole number > 0 (values not shown: they are in a file you did not name)'
    """
    scalars = sorted(set(_scalars(list(values))), key=len, reverse=True)  # longest first: "ab" inside "abc" stays hidden
    out = _REPRS.sub("{…}", _GOT.sub("", message))
    # anything quoted that is (part of) a value: 'unknown time unit "X" in "2 X"' quotes a piece of one
    out = _QUOTED.sub(lambda m: '"…"' if any(m.group(2) in v for v in scalars) else m.group(0), out)
    for value in scalars:
        if len(value) >= _LONG_ENOUGH:
            out = out.replace(value, "…")
    return out if out == message else f"{out} {NOT_SHOWN}"
