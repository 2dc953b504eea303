"""Malformed and hostile BPMN (reliability.md R11): mutations of the corpus models
(``../shared/corpus/bpmn``) deployed over HTTP. Each must be refused with a 4xx, or accepted
and then startable without a server error (a documented Camunda 500 — an expression failing
while the process continues — is counted apart). Never a 500 at deployment, never a hang.

Mutations (one to three per case, seeded): drop, duplicate or rename an element; drop, rename
or blow up an attribute (1 MB values); point a reference (sourceRef, targetRef, attachedToRef,
default, errorRef, ...) nowhere; inject a DOCTYPE with external entities, an external DTD,
billion laughs, quadratic blowup, XInclude, ``xsi:schemaLocation``; truncate; flip bytes;
deep nesting; hostile expressions in conditions, topics and I/O mappings.

    .venv/bin/python reliability/malformed_bpmn.py --count 3000
"""

from __future__ import annotations

import argparse
import copy
import json
import random
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from lxml import etree

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from reliability.fuzz_api import is_documented_500  # noqa: E402
from reliability.servers import start_node, stop_node  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus" / "bpmn"
REFERENCE_ATTRIBUTES = (
    "sourceRef",
    "targetRef",
    "attachedToRef",
    "default",
    "errorRef",
    "messageRef",
    "signalRef",
    "escalationRef",
    "calledElement",
    "processRef",
    "bpmnElement",
)
HOSTILE_EXPRESSIONS = (
    "${''.__class__.__mro__[1].__subclasses__()}",
    "${__import__('os').system('touch /tmp/cadenza-canary')}",
    "${x.getClass().forName('java.lang.Runtime').getRuntime().exec('id')}",
    "${'{0.__class__}'.format(x)}",
    "${'%s' % x}",
    "${" + "(" * 500 + "1" + ")" * 500 + "}",
    "${" + "1+" * 3000 + "1}",
    "${9223372036854775807 * 9223372036854775807}",
    "${" + "'a'" + ".concat('a')" * 400 + "}",
    "${execution.__dict__}",
    "${empty ? : }",
)
BPMN_TAGS = (
    "startEvent",
    "endEvent",
    "userTask",
    "serviceTask",
    "scriptTask",
    "exclusiveGateway",
    "parallelGateway",
    "inclusiveGateway",
    "eventBasedGateway",
    "subProcess",
    "callActivity",
    "boundaryEvent",
    "intermediateCatchEvent",
    "sequenceFlow",
    "timerEventDefinition",
    "unknownThing",
)
XXE_FILE = b'<!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
EXTERNAL_DTD = b'<!DOCTYPE definitions SYSTEM "http://127.0.0.1:9/evil.dtd">'
PARAMETER_ENTITY = b'<!DOCTYPE d [<!ENTITY % p SYSTEM "http://127.0.0.1:9/p.dtd"> %p;]>'
LAUGHS = (
    b'<!DOCTYPE d [<!ENTITY a "lol">'
    + b"".join(
        b'<!ENTITY %s "%s">' % (bytes([98 + i]), (b"&" + bytes([97 + i]) + b";") * 10) for i in range(9)
    )
    + b"]>"
)
MUST_REFUSE = {"xxe", "dtd", "param_entity", "laughs", "quadratic"}
QUADRATIC = b'<!DOCTYPE d [<!ENTITY q "' + b"Q" * 100_000 + b'">]>'


@dataclass
class Outcome:
    cases: int = 0
    refused: Counter[int] = field(default_factory=Counter)
    accepted: int = 0
    starts: Counter[int] = field(default_factory=Counter)
    documented_start_500: int = 0
    mutations: Counter[str] = field(default_factory=Counter)
    failures: list[dict[str, object]] = field(default_factory=list)
    slowest: float = 0.0

    def summary(self) -> str:
        return (
            f"{self.cases} mutated models: refused {sum(self.refused.values())} {dict(self.refused)}, "
            f"accepted {self.accepted}, starts {dict(self.starts)} "
            f"(documented engine 500s {self.documented_start_500}), failures {len(self.failures)}, "
            f"slowest request {self.slowest:.2f}s"
        )


def corpus_models() -> list[tuple[str, bytes]]:
    models = sorted(p for p in CORPUS.rglob("*") if p.suffix in (".bpmn", ".xml") and p.is_file())
    return [
        (p.name if p.name.endswith((".bpmn", ".bpmn20.xml")) else p.name + ".bpmn", p.read_bytes())
        for p in models
    ]


def _elements(tree: etree._Element) -> list[etree._Element]:
    return [e for e in tree.iter() if isinstance(e.tag, str) and e is not tree]


def _tree_mutation(rng: random.Random, root: etree._Element) -> str:
    elements = _elements(root)
    if not elements:
        return "none"
    target = rng.choice(elements)
    kind = rng.choice(
        [
            "drop",
            "duplicate",
            "rename",
            "drop_attr",
            "rename_attr",
            "huge_attr",
            "break_ref",
            "expression",
            "nest",
        ]
    )
    parent = target.getparent()
    if kind == "drop" and parent is not None:
        parent.remove(target)
    elif kind == "duplicate" and parent is not None:
        parent.insert(parent.index(target), copy.deepcopy(target))
    elif kind == "rename":
        namespace = etree.QName(target).namespace
        tag = rng.choice(BPMN_TAGS)
        target.tag = f"{{{namespace}}}{tag}" if namespace else tag
    elif kind == "drop_attr" and target.attrib:
        del target.attrib[rng.choice(list(target.attrib))]
    elif kind == "rename_attr" and target.attrib:
        name = rng.choice(list(target.attrib))
        value = target.attrib.pop(name)
        target.set(
            rng.choice(["id", "name", "x" + etree.QName(name).localname, "sourceRef", "camunda_bad"]), value
        )
    elif kind == "huge_attr":
        name = rng.choice([*target.attrib, "id", "name"])
        target.set(name, rng.choice(["A" * 1_000_000, "\u202e" * 1000, "", " ", "id with spaces", "1" * 300]))
    elif kind == "break_ref":
        candidates = [e for e in elements if any(a in e.attrib for a in REFERENCE_ATTRIBUTES)]
        holder = rng.choice(candidates) if candidates else target
        names = [a for a in REFERENCE_ATTRIBUTES if a in holder.attrib] or ["sourceRef"]
        holder.set(rng.choice(names), rng.choice(["nowhere", "", holder.get("id", "self")]))
    elif kind == "expression":
        camunda = "http://camunda.org/schema/1.0/bpmn"
        payload = rng.choice(HOSTILE_EXPRESSIONS)
        slot = rng.choice(["topic", "assignee", "condition", "name"])
        if slot == "condition":
            flows = [e for e in elements if etree.QName(e).localname == "sequenceFlow"]
            flow = rng.choice(flows) if flows else target
            condition = etree.SubElement(flow, f"{{{etree.QName(flow).namespace}}}conditionExpression")
            condition.text = payload
        elif slot == "topic":
            target.set(f"{{{camunda}}}type", "external")
            target.set(f"{{{camunda}}}topic", payload)
        elif slot == "assignee":
            target.set(f"{{{camunda}}}assignee", payload)
        else:
            target.set("name", payload)
    elif kind == "nest":
        node = target
        for _ in range(rng.choice([50, 500, 5000])):
            node = etree.SubElement(node, target.tag if isinstance(target.tag, str) else "x")
    return kind


def _byte_mutation(rng: random.Random, data: bytes) -> tuple[str, bytes]:
    kind = rng.choice(
        [
            "truncate",
            "flip",
            "xxe",
            "dtd",
            "param_entity",
            "laughs",
            "quadratic",
            "xinclude",
            "schema",
            "bom",
            "garbage",
        ]
    )
    body = data.split(b"?>", 1)[1] if data.lstrip().startswith(b"<?xml") else data
    head = b'<?xml version="1.0" encoding="UTF-8"?>\n'
    if kind == "truncate":
        return kind, data[: rng.randrange(max(1, len(data)))]
    if kind == "flip":
        mutable = bytearray(data)
        for _ in range(rng.randint(1, 20)):
            mutable[rng.randrange(len(mutable))] = rng.randrange(256)
        return kind, bytes(mutable)
    if kind == "xxe":
        return kind, head + XXE_FILE + body.replace(b'id="', b'name="&x;" id="', 1)
    if kind == "dtd":
        return kind, head + EXTERNAL_DTD + body
    if kind == "param_entity":
        return kind, head + PARAMETER_ENTITY + body
    if kind == "laughs":
        return kind, head + LAUGHS + body.replace(b'id="', b'name="&j;" id="', 1)
    if kind == "quadratic":
        return kind, head + QUADRATIC + body.replace(b'id="', b'name="' + b"&q;" * 10_000 + b'" id="', 1)
    if kind == "xinclude":
        include = (
            b'<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="file:///etc/passwd" parse="text"/>'
        )
        index = body.find(b">", body.find(b"<definitions") if b"<definitions" in body else body.find(b"<"))
        return kind, head + body[: index + 1] + include + body[index + 1 :]
    if kind == "schema":
        return kind, head + body.replace(
            b"<",
            b'<x:y xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://127.0.0.1:9/s.xsd"/><',
            0,
        ).replace(
            b">",
            b' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="x http://127.0.0.1:9/s.xsd">',
            1,
        )
    if kind == "bom":
        return kind, rng.choice([b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff\x00"]) + data
    return kind, bytes(rng.randrange(256) for _ in range(rng.randint(0, 2000)))


def mutate(rng: random.Random, content: bytes) -> tuple[list[str], bytes]:
    """One hostile variant of ``content`` and the names of the mutations applied."""
    if rng.random() < 0.3:
        kind, data = _byte_mutation(rng, content)
        return [kind], data
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        root = etree.fromstring(content, parser)
    except etree.XMLSyntaxError:
        kind, data = _byte_mutation(rng, content)
        return [kind], data
    kinds = [_tree_mutation(rng, root) for _ in range(rng.randint(1, 3))]
    return kinds, etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def run_mutations(
    base_url: str,
    count: int,
    *,
    seed: int = 8,
    timeout: float = 30,
    progress: Callable[[str], None] | None = None,
) -> Outcome:
    rng = random.Random(seed)
    models = corpus_models()
    outcome = Outcome()
    with httpx.Client(base_url=base_url, timeout=timeout) as client:
        for number in range(count):
            name, original = rng.choice(models)
            kinds, data = mutate(rng, original)
            if progress is not None and number and number % 500 == 0:
                progress(f"  {number}: {outcome.summary()}")
            outcome.cases += 1
            outcome.mutations.update(kinds)
            case = {"case": number, "model": name, "mutations": kinds}
            began = time.monotonic()
            try:
                response = client.post(
                    "/deployment/create",
                    data={"deployment-name": f"fuzz-{number}"},
                    files={"data": (name, data, "application/octet-stream")},
                )
            except httpx.HTTPError as error:
                outcome.failures.append({**case, "error": f"deploy: {type(error).__name__}: {error}"})
                continue
            outcome.slowest = max(outcome.slowest, time.monotonic() - began)
            if response.status_code != 200:
                if 400 <= response.status_code < 500 and response.json().get("type"):
                    outcome.refused[response.status_code] += 1
                    if b"root:x:0:0" in response.content:
                        outcome.failures.append({**case, "error": "file content echoed in the error"})
                else:
                    outcome.failures.append(
                        {**case, "status": response.status_code, "body": response.text[:300]}
                    )
                continue
            if MUST_REFUSE & set(kinds):
                outcome.failures.append({**case, "error": "a DOCTYPE/entity model was accepted"})
            outcome.accepted += 1
            for definition in (response.json().get("deployedProcessDefinitions") or {}).values():
                began = time.monotonic()
                try:
                    started = client.post(f"/process-definition/{definition['id']}/start", json={})
                except httpx.HTTPError as error:
                    outcome.failures.append({**case, "error": f"start: {type(error).__name__}: {error}"})
                    continue
                outcome.slowest = max(outcome.slowest, time.monotonic() - began)
                outcome.starts[started.status_code] += 1
                if started.status_code >= 500:
                    if is_documented_500(started.status_code, started.text):
                        outcome.documented_start_500 += 1
                    else:
                        outcome.failures.append(
                            {**case, "start_status": started.status_code, "body": started.text[:300]}
                        )
    return outcome


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--count", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument("--database-url", default=None, help="default: a fresh SQLite file")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="cadenza-bpmn-fuzz-"))
    url = args.database_url or f"sqlite:///{work / 'fuzz.db'}"
    node = start_node(url, work / "server.log", synchronous="NORMAL")
    began = time.monotonic()
    try:
        outcome = run_mutations(node.base_url, args.count, seed=args.seed, progress=print)
    finally:
        stop_node(node)
    print(f"malformed_bpmn: {time.monotonic() - began:.0f}s, mutations used {dict(outcome.mutations)}")
    print(outcome.summary())
    for failure in outcome.failures[:30]:
        print("   ", json.dumps(failure)[:400])
    return 1 if outcome.failures else 0


if __name__ == "__main__":
    sys.exit(main())
