"""The six synthetic tables, column by column, and the archived texts their quotes come from.

Each builder returns its columns as pyarrow string arrays (a null is an empty
cell) plus the integer arrays that later steps (ties, defects) need. All
randomness comes from the one ``numpy.random.Generator`` passed in, in a
fixed order, so a seed gives the same package every time.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from tools.synth.columns import (
    BoolArray,
    IntArray,
    choice,
    const,
    dates,
    ids,
    join,
    null_where,
    padded,
    precision,
    slices,
    take,
    zipf,
)
from tools.synth.model import CITED, SynthError
from tools.synth.vocabulary import (
    ACT_P,
    ACT_TYPES,
    ACT_VERBS,
    CITE_FIELDS,
    COUNTRIES,
    CURRENCIES,
    DOMAINS,
    FEAT_A,
    FEAT_B,
    FEAT_CAT_P,
    FEAT_CATS,
    FEAT_DESC,
    FEAT_STATUS,
    FEAT_STATUS_P,
    FIRST,
    LAST,
    NOTE_TIE,
    ORG_DESCRIPTIONS,
    ORG_KINDS,
    ORG_TYPES,
    PUBLISHERS,
    REL_P,
    REL_TYPES,
    REL_VERBS,
    SRC_P,
    SRC_TYPES,
    SYL_A,
    SYL_B,
    TIE_STATUS,
    TIE_STATUS_P,
    TOKENS,
)

#: About one source in this many is archived under seeds/; the others are linked from it.
SOURCES_PER_ARCHIVE = 1000
_PARAGRAPHS = 40  # per archived text, of 20 to 60 words each: about 11 KB, like the real seed
#: The claims of synthetic citations (a party's statement would need a claimant).
CLAIMS = ("own_reporting", "other_outlet", "linked_url")
_QUOTE_WORDS = (5, 25)  # a quote is 5 to 24 whole words of one paragraph


@dataclass
class Orgs:
    cols: dict[str, Any]
    type_idx: IntArray
    names: Any
    by_type: dict[str, IntArray]


def organizations(rng: np.random.Generator, n: int) -> Orgs:
    """Organizations with names like ``Ashford Police Department``, in fixed shares of each type."""
    types = list(ORG_TYPES)
    quota = [max(1, int(n * p)) for p in ORG_TYPES.values()]
    quota[types.index("law_enforcement")] += n - sum(quota)
    type_idx = rng.permutation(np.repeat(np.arange(len(types), dtype=np.int64), quota))
    kinds: list[str] = []
    kind_lo = np.zeros(len(types), dtype=np.int64)
    kind_n = np.zeros(len(types), dtype=np.int64)
    for i, t in enumerate(types):
        kind_lo[i], kind_n[i] = len(kinds), len(ORG_KINDS[t])
        kinds.extend(ORG_KINDS[t])
    kind = kind_lo[type_idx] + (rng.random(n) * kind_n[type_idx]).astype(np.int64)
    place = join(
        take(SYL_A, rng.integers(0, len(SYL_A), size=n)), take(SYL_B, rng.integers(0, len(SYL_B), size=n))
    )
    names = join(place, take(kinds, kind), sep=" ")
    kind_slugs = [k.lower().replace("’", "").replace(" ", "-") for k in kinds]
    org_id = ids("organizations", n, join(pc.utf8_lower(place), take(kind_slugs, kind), sep="-"))
    by_type = {t: np.flatnonzero(type_idx == i) for i, t in enumerate(types)}
    company = type_idx == types.index("company")
    comp = by_type["company"]
    parent = np.full(n, -1, dtype=np.int64)
    if len(comp) > 1:  # about 5 % of companies belong to another company
        pick = comp[rng.integers(0, len(comp), size=n)]
        pick = np.where(pick == np.arange(n), comp[(np.searchsorted(comp, pick) + 1) % len(comp)], pick)
        parent = np.where(company & (rng.random(n) < 0.05), pick, -1)
    notes = take(
        ("The sources do not state the country.", "Name as the archived source gives it."),
        rng.integers(0, 2, size=n),
    )
    cols = {
        "org_id": org_id,
        "name": names,
        "aliases": null_where(place, ~(company & (rng.random(n) < 0.15))),
        "org_type": take(types, type_idx),
        "parent_org_id": null_where(org_id.take(pa.array(np.maximum(parent, 0))), parent < 0),
        "country": null_where(take(COUNTRIES, rng.integers(0, len(COUNTRIES), size=n)), rng.random(n) < 0.3),
        "description": join(names, take([ORG_DESCRIPTIONS[t] for t in types], type_idx), sep=" "),
        "notes": null_where(notes, rng.random(n) >= 0.1),
    }
    return Orgs(cols, type_idx, names, by_type)


@dataclass
class Ties:
    cols: dict[str, Any]
    org: IntArray
    partner: IntArray
    rel: IntArray
    status: IntArray  # index into TIE_STATUS
    has_ended: BoolArray
    ann_year: IntArray


def _distinct_ties(rng: np.random.Generator, n: int, orgs: Orgs) -> tuple[IntArray, IntArray, IntArray]:
    """``n`` distinct (org, partner, relationship type) triples, no org tied to itself.

    Providers are companies with a few big players (Zipf weights); partners
    are police and government bodies, or companies for investment and
    affiliation. Draws in bulk, drops self-ties and repeats, draws again for
    the shortfall (a few rounds, not one per row).
    """
    bt = orgs.by_type
    n_org = len(orgs.type_idx)
    providers = rng.permutation(np.concatenate([bt["company"], bt["other"]]))
    clients = np.concatenate([bt["law_enforcement"], bt["government_agency"], bt["military"]])
    got: list[tuple[IntArray, IntArray, IntArray]] = []
    seen = np.zeros(0, dtype=np.int64)
    have = 0
    for _ in range(50):
        m = int((n - have) * 1.2) + 16
        rel = choice(rng, m, REL_P)
        org = zipf(rng, providers, m)
        org = np.where(rel == 3, bt["investor"][rng.integers(0, len(bt["investor"]), size=m)], org)
        par = clients[rng.integers(0, len(clients), size=m)]
        par = np.where(rel >= 3, bt["company"][rng.integers(0, len(bt["company"]), size=m)], par)
        code = (org * n_org + par) * len(REL_TYPES) + rel
        keep = org != par
        _, first = np.unique(code[keep], return_index=True)
        first.sort()
        fresh = first[~np.isin(code[keep][first], seen)]
        count = min(len(fresh), n - have)
        chosen = fresh[:count]
        got.append((org[keep][chosen], par[keep][chosen], rel[keep][chosen]))
        seen = np.concatenate([seen, code[keep][chosen]])
        have += count
        if have == n:
            break
    else:  # pragma: no cover - only for shapes far outside the documented ones
        raise SynthError("could not draw enough distinct ties; use more rows")
    return (
        np.concatenate([g[0] for g in got]),
        np.concatenate([g[1] for g in got]),
        np.concatenate([g[2] for g in got]),
    )


def partnerships(rng: np.random.Generator, n: int, orgs: Orgs) -> Ties:
    """Ties with statuses consistent with their end dates, and every end after its start."""
    org, par, rel = _distinct_ties(rng, n, orgs)
    status = choice(rng, n, TIE_STATUS_P)
    ann_year = rng.integers(2008, 2025, size=n)
    ann_prec = precision(rng, n, 0.15)
    has_ended = (status == TIE_STATUS.index("ended")) | (status == TIE_STATUS.index("cancelled"))
    # the end year is after the start year, so the end is after the start at any precision
    end_year = ann_year + rng.integers(1, 3, size=n)
    end_prec = np.where(has_ended, precision(rng, n, 0.0), 0)
    org_ids = orgs.cols["org_id"]
    desc = join(orgs.names.take(pa.array(org)), take(REL_VERBS, rel), orgs.names.take(pa.array(par)), sep=" ")
    cols = {
        "partnership_id": ids("partnerships", n, take([r.replace("_", "-") for r in REL_TYPES], rel)),
        "org_id": org_ids.take(pa.array(org)),
        "partner_org_id": org_ids.take(pa.array(par)),
        "relationship_type": take(REL_TYPES, rel),
        "status": take(TIE_STATUS, status),
        "announced": dates(rng, ann_year, ann_prec),
        "ended": dates(rng, end_year, end_prec),
        "description": join(desc, "."),
        "notes": null_where(take(NOTE_TIE, rng.integers(0, len(NOTE_TIE), size=n)), rng.random(n) >= 0.2),
    }
    return Ties(cols, org, par, rel, status, has_ended, ann_year)


def features(rng: np.random.Generator, n: int, orgs: Orgs) -> dict[str, Any]:
    """Product features of companies; discontinued or cancelled ones carry the date, after the launch."""
    org = zipf(rng, rng.permutation(orgs.by_type["company"]), n)
    cat = choice(rng, n, FEAT_CAT_P)
    status = choice(rng, n, FEAT_STATUS_P)
    launch_year = rng.integers(2010, 2025, size=n)
    launch_prec = precision(rng, n, 0.3)
    disc_prec = np.where(status >= FEAT_STATUS.index("discontinued"), precision(rng, n, 0.0), 0)
    bio = np.where(
        cat == FEAT_CATS.index("facial_recognition"), 1, np.where(rng.random(n) < 0.4, 2, 0)
    )  # 0 false, 1 true, 2 not settled (empty)
    name = join(
        take(FEAT_A, rng.integers(0, len(FEAT_A), size=n)),
        take(FEAT_B, rng.integers(0, len(FEAT_B), size=n)),
        sep=" ",
    )
    return {
        "feature_id": ids("features", n, take([c.replace("_", "-") for c in FEAT_CATS], cat)),
        "org_id": orgs.cols["org_id"].take(pa.array(org)),
        "name": name,
        "category": take(FEAT_CATS, cat),
        "status": take(FEAT_STATUS, status),
        "launched": dates(rng, launch_year, launch_prec),
        "discontinued": dates(rng, launch_year + rng.integers(1, 3, size=n), disc_prec),
        "uses_biometrics": null_where(take(("false", "true", "false"), bio), bio == 2),
        "description": take(FEAT_DESC, cat),
        "notes": null_where(const("The sources give no launch date.", n), rng.random(n) >= 0.15),
    }


def regulatory_actions(rng: np.random.Generator, n: int, orgs: Orgs) -> tuple[dict[str, Any], BoolArray]:
    """Actions of regulators against companies; an amount always has its currency."""
    regs = orgs.by_type["regulator"]
    reg = regs[rng.integers(0, len(regs), size=n)]
    tgt = zipf(rng, rng.permutation(orgs.by_type["company"]), n)
    act = choice(rng, n, ACT_P)
    has_amount = rng.random(n) < np.asarray((0.9, 0.9, 0.3, 0.0, 0.0, 0.3))[act]
    whole = pc.cast(pa.array((10 ** rng.integers(3, 8, size=n)) * rng.integers(1, 100, size=n)), pa.string())
    cents = padded(rng.integers(0, 100, size=n), 2)
    amount = pc.if_else(pa.array(rng.random(n) < 0.1), join(whole, cents, sep="."), whole)
    desc = join(orgs.names.take(pa.array(reg)), take(ACT_VERBS, act), orgs.names.take(pa.array(tgt)), sep=" ")
    notes = const("amount: as the source states it, in units of currency.", n)
    cols = {
        "action_id": ids("regulatory_actions", n, take(ACT_TYPES, act)),
        "regulator_org_id": orgs.cols["org_id"].take(pa.array(reg)),
        "target_org_id": orgs.cols["org_id"].take(pa.array(tgt)),
        "action_type": take(ACT_TYPES, act),
        "action_date": dates(rng, rng.integers(2012, 2026, size=n), precision(rng, n, 0.1)),
        "amount": null_where(amount, ~has_amount),
        "currency": null_where(take(CURRENCIES, rng.integers(0, len(CURRENCIES), size=n)), ~has_amount),
        "description": join(desc, "."),
        "notes": null_where(notes, ~has_amount | (rng.random(n) >= 0.3)),
    }
    return cols, has_amount


@dataclass
class Archives:
    """The archived texts, and where each word of them lies (byte offsets into ``buf``)."""

    names: list[str]  # package-relative paths under seeds/
    texts: list[bytes]
    titles: list[str]
    authors: list[str]
    buf: npt.NDArray[np.uint8]  # all texts, one after the other
    word_start: IntArray  # per word (all archives): byte offsets in buf
    word_end: IntArray
    para_first: IntArray  # per word: the first and last word of its paragraph
    para_last: IntArray
    arch_lo: IntArray  # per archive: its first word, and how many words it has
    arch_n: IntArray


def archives(rng: np.random.Generator, n_arch: int, urls: list[str], published: list[str]) -> Archives:
    """``n_arch`` archived texts shaped like the real seed: front matter, then paragraphs of prose."""
    tokens = np.asarray(TOKENS, dtype=object)
    tok_len = np.asarray([len(t.encode("utf-8")) for t in TOKENS], dtype=np.int64)
    width = max(3, len(str(n_arch - 1)))
    empty = np.zeros(0, np.int64)
    out = Archives(
        [],
        [],
        [],
        [],
        np.zeros(0, np.uint8),
        empty,
        empty,
        empty,
        empty,
        np.zeros(n_arch, np.int64),
        np.zeros(n_arch, np.int64),
    )
    starts: list[IntArray] = []
    lengths: list[IntArray] = []
    para_lo: list[IntArray] = []
    para_hi: list[IntArray] = []
    base = words_before = 0
    for a in range(n_arch):  # one iteration per archived text (one per ~1,000 sources), not per row
        title = " ".join(tokens[rng.integers(0, len(tokens), size=int(rng.integers(6, 12)))]).rstrip(".,;")
        title = title[:1].upper() + title[1:]
        author = f"{FIRST[int(rng.integers(0, len(FIRST)))]} {LAST[int(rng.integers(0, len(LAST)))]}"
        head = (
            f'---\ntitle: "{title}"\nsource: "{author}"\nurl: "{urls[a]}"\n'
            f'published: "{published[a]}T09:00:00.000Z"\n---\n'
        ).encode()
        para_len = rng.integers(20, 61, size=_PARAGRAPHS)
        words = rng.integers(0, len(tokens), size=int(para_len.sum()))
        para_of = np.repeat(np.arange(_PARAGRAPHS), para_len)
        sep = np.ones(len(words), dtype=np.int64)  # " " after a word inside a paragraph
        sep[np.cumsum(para_len)[:-1] - 1] = 2  # "\n\n" after a paragraph; the text ends with one "\n"
        start = len(head) + np.concatenate([[0], np.cumsum(tok_len[words] + sep)[:-1]])
        body = "\n\n".join(" ".join(tokens[words[para_of == p]]) for p in range(_PARAGRAPHS)) + "\n"
        text = head + body.encode("utf-8")
        p_lo = np.concatenate([[0], np.cumsum(para_len)[:-1]])
        starts.append(base + start)
        lengths.append(tok_len[words])
        para_lo.append(words_before + p_lo[para_of])
        para_hi.append(words_before + p_lo[para_of] + para_len[para_of] - 1)
        out.arch_lo[a], out.arch_n[a] = words_before, len(words)
        out.names.append(f"seeds/{a:0{width}d}_{hashlib.sha256(text).hexdigest()[:16]}.txt")
        out.texts.append(text)
        out.titles.append(title)
        out.authors.append(author)
        base += len(text)
        words_before += len(words)
    out.buf = np.frombuffer(b"".join(out.texts), dtype=np.uint8)
    out.word_start = np.concatenate(starts)
    out.word_end = out.word_start + np.concatenate(lengths)
    out.para_first = np.concatenate(para_lo)
    out.para_last = np.concatenate(para_hi)
    return out


def sources(rng: np.random.Generator, n: int) -> tuple[dict[str, Any], IntArray, Archives]:
    """Sources in groups of about 1,000: the first of each group is archived, the others link from it.

    Returns the columns, the group (archive index) of each source, and the archives.
    """
    n_arch = max(1, round(n / SOURCES_PER_ARCHIVE))
    group = (np.arange(n, dtype=np.int64) * n_arch) // n
    archived_idx = np.searchsorted(group, np.arange(n_arch))  # the first source of each group
    archived = np.zeros(n, dtype=bool)
    archived[archived_idx] = True
    pub = rng.integers(0, len(PUBLISHERS), size=n)
    source_id = ids("sources", n, take([p.lower().replace(" ", "-") for p in PUBLISHERS], pub))
    year = rng.integers(2015, 2027, size=n)
    published = dates(rng, year, np.where(archived, 3, precision(rng, n, 0.3)))
    path = join(
        pc.cast(pa.array(year), pa.string()),
        padded(rng.integers(1, 13, size=n), 2),
        join("story", padded(np.arange(1, n + 1, dtype=np.int64), 7), sep="-"),
        sep="/",
    )
    url = join("https://", take(DOMAINS, pub), "/", path)
    arch = archives(
        rng,
        n_arch,
        url.take(pa.array(archived_idx)).to_pylist(),
        published.take(pa.array(archived_idx)).to_pylist(),
    )
    of_group = pa.array(group)
    link_words = rng.integers(0, len(TOKENS), size=(n, 2))
    cols = {
        "source_id": source_id,
        "source_type": take(SRC_TYPES, np.where(archived, 0, choice(rng, n, SRC_P))),
        "title": null_where(pa.array(arch.titles).take(of_group), ~archived),
        "link_text": null_where(
            join(take(TOKENS, link_words[:, 0]), take(TOKENS, link_words[:, 1]), sep=" "), archived
        ),
        "publisher": take(PUBLISHERS, pub),
        "author": null_where(pa.array(arch.authors).take(of_group), ~archived),
        "published": published,
        "url": url,
        "archive_path": null_where(pa.array(arch.names).take(of_group), ~archived),
        "cited_by": null_where(source_id.take(pa.array(archived_idx[group])), archived),
        "notes": pc.if_else(
            pa.array(archived),
            pa.scalar("Publication date from the archived front matter."),
            pa.scalar("Not archived; known only from its link."),
        ),
    }
    return cols, group, arch


@dataclass
class Cites:
    cols: dict[str, Any]
    table: IntArray  # index into CITED
    record: IntArray  # row index in that table
    extra: BoolArray  # a record's second, field-level citation


def citations(
    rng: np.random.Generator,
    n: int,
    records: dict[str, Any],
    source_ids: Any,
    group: IntArray,
    arch: Archives,
) -> Cites:
    """One citation per record, plus field-level second citations for ``n`` minus the records.

    Sorted by ``citation_id`` (``<record_id>-1``, ``<record_id>-2``). Each cites
    a random source and quotes 5 to 24 whole words of one paragraph of the
    archived text of that source's group.
    """
    sizes = np.asarray([len(records[t]) for t in CITED], dtype=np.int64)
    n_rec = int(sizes.sum())
    if n < n_rec:  # pragma: no cover - counts() keeps citations above the records
        raise SynthError(f"{n} citations cannot cite {n_rec} records")
    glob = np.concatenate([np.arange(n_rec), np.sort(rng.choice(n_rec, size=n - n_rec, replace=False))])
    extra = np.concatenate([np.zeros(n_rec, bool), np.ones(n - n_rec, bool)])
    order = np.lexsort((extra, glob))
    glob, extra = glob[order], extra[order]
    bounds = np.concatenate([[0], np.cumsum(sizes)])
    table = np.searchsorted(bounds, glob, side="right") - 1
    record_id = pa.concat_arrays([records[t] for t in CITED]).take(pa.array(glob))
    fields: list[str] = []
    f_lo = np.zeros(len(CITED), np.int64)
    f_n = np.zeros(len(CITED), np.int64)
    for i, t in enumerate(CITED):
        f_lo[i], f_n[i] = len(fields), len(CITE_FIELDS[t])
        fields.extend(CITE_FIELDS[t])
    field = f_lo[table] + (rng.random(n) * f_n[table]).astype(np.int64)
    source = rng.integers(0, len(group), size=n)
    a = group[source]
    word = arch.arch_lo[a] + (rng.random(n) * arch.arch_n[a]).astype(np.int64)
    length = rng.integers(*_QUOTE_WORDS, size=n)
    first = np.maximum(arch.para_first[word], np.minimum(word, arch.para_last[word] - length + 1))
    last = np.minimum(first + length - 1, arch.para_last[word])
    cols = {
        "citation_id": join(record_id, pc.if_else(pa.array(extra), pa.scalar("2"), pa.scalar("1")), sep="-"),
        "record_table": take(CITED, table),
        "record_id": record_id,
        "field": null_where(take(fields, field), ~extra),
        "source_id": source_ids.take(pa.array(source)),
        "claim": take(CLAIMS, rng.integers(0, len(CLAIMS), size=n)),
        "claimant_org_id": pa.nulls(n, pa.string()),
        "quote": slices(arch.buf, arch.word_start[first], arch.word_end[last]),
    }
    return Cites(cols, table, glob - bounds[table], extra)
