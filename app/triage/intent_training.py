"""Builds the shipped intent model ahead of time.

    python -m app.triage.intent_training [--bitext CSV] [--out FILE] [--check]

Training data, all turned into what the classifier sees at run time (Slack markup resolved,
key-word typos corrected, as :mod:`app.triage.offline` does):

- the product's examples (``data/intent_examples.yml``) and paraphrases
  (``data/intent_paraphrases.yml``), in eight languages, each with
  :data:`VARIANTS_PER_EXAMPLE` Slack-style variants (mentions, emoji codes, links, inline
  code, greetings and sign-offs, shorthand, typos, no punctuation);
- the Bitext customer-support sample, mapped onto the taxonomy and reworded from retail to
  the product as ``data/bitext_intent_map.yml`` says, except the held-out fifth of its rows
  (:func:`is_bitext_holdout`), which measures the model instead.

Each class carries the same total weight, and a Bitext row weighs :data:`BITEXT_WEIGHT` of a
product example, so that the templated retail set sharpens the model without drowning the
product's own vocabulary. The model file records a hash of each file and of the recipe
(:func:`training_provenance`); at start-up a model built from other versions of the shipped
files is not used (see :func:`app.triage.intent_classifier.load_or_train`).
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import random
import re
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from app.triage.evaluation import BITEXT_RELATIVE_PATH
from app.triage.fuzzy import correct_typos
from app.triage.intent_classifier import (
    DATA_DIR,
    EXAMPLES_PATH,
    MODEL_PATH,
    Example,
    IntentClassifier,
    load_examples,
)
from app.triage.text import prepare

PARAPHRASES_PATH = DATA_DIR / "intent_paraphrases.yml"
BITEXT_MAP_PATH = DATA_DIR / "bitext_intent_map.yml"
#: Where the shared data sets sit beside a checkout of the repository.
DEFAULT_BITEXT_PATH = Path(__file__).resolve().parents[3] / "shared" / BITEXT_RELATIVE_PATH
BITEXT_SOURCE = BITEXT_RELATIVE_PATH.name
#: Bump when anything below changes what is trained (weights, variants, regularisation).
RECIPE_VERSION = "1"
RECIPE_KEY = "recipe"
#: The shipped files the model is built from, by the name recorded in its provenance.
SHIPPED_SOURCES: Mapping[str, Path] = {
    EXAMPLES_PATH.name: EXAMPLES_PATH,
    PARAPHRASES_PATH.name: PARAPHRASES_PATH,
    BITEXT_MAP_PATH.name: BITEXT_MAP_PATH,
}
#: Slack-style variants added for each product example (beside the example itself).
VARIANTS_PER_EXAMPLE = 4
#: Weight of one Bitext row, relative to one product example (with its variants).
BITEXT_WEIGHT = 0.1
#: A Bitext row whose instruction hashes to bucket 0 of this many is held out.
HOLDOUT_BUCKETS = 5
REGULARISATION_C = 20.0


@dataclass(frozen=True, slots=True)
class TrainingRow:
    """One training text as the classifier sees it, with its weight and where it came from."""

    text: str
    intent: str
    language: str
    weight: float
    origin: str


# --- provenance ---------------------------------------------------------------------------


def file_digest(path: Path) -> str:
    """sha256 of a text file's content (line endings normalised)."""
    return hashlib.sha256(path.read_bytes().replace(b"\r\n", b"\n")).hexdigest()


def training_provenance(bitext: Path | None) -> dict[str, str]:
    """What a model trained now would be built from: file name -> sha256, plus the recipe."""
    provenance = {name: file_digest(path) for name, path in SHIPPED_SOURCES.items()}
    if bitext is not None:
        provenance[BITEXT_SOURCE] = file_digest(bitext)
    provenance[RECIPE_KEY] = RECIPE_VERSION
    return provenance


def stale_sources(provenance: Mapping[str, str]) -> list[str]:
    """The shipped files (and the recipe) that differ from what a model was built from."""
    current = training_provenance(None)
    return [name for name, digest in current.items() if provenance.get(name) != digest]


# --- Bitext -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BitextMapping:
    """Bitext intent -> taxonomy intent, and the retail words to reword per intent."""

    intents: Mapping[str, str]
    rewrites: Mapping[str, Mapping[str, tuple[str, ...]]]
    rewrite_all: Mapping[str, tuple[str, ...]]
    left_out: frozenset[str]


def _word_lists(raw: Any, where: str) -> dict[str, tuple[str, ...]]:
    if raw is None:
        return {}
    if not isinstance(raw, dict) or not all(isinstance(v, list) and v for v in raw.values()):
        raise ValueError(f"{where}: expected word -> [replacements]")
    return {str(word).lower(): tuple(str(r) for r in options) for word, options in raw.items()}


def load_bitext_mapping(path: Path = BITEXT_MAP_PATH) -> BitextMapping:
    document: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(document, dict) or not isinstance(document.get("intents"), dict):
        raise ValueError(f"{path}: expected a mapping under 'intents'")
    intents: dict[str, str] = {}
    rewrites: dict[str, dict[str, tuple[str, ...]]] = {}
    for bitext_intent, entry in document["intents"].items():
        if not isinstance(entry, dict) or not isinstance(entry.get("intent"), str):
            raise ValueError(f"{path}: {bitext_intent!r} needs an 'intent'")
        intents[str(bitext_intent)] = entry["intent"]
        rewrites[str(bitext_intent)] = _word_lists(entry.get("rewrite"), f"{path}: {bitext_intent}")
    return BitextMapping(
        intents=intents,
        rewrites=rewrites,
        rewrite_all=_word_lists(document.get("rewrite_all"), f"{path}: rewrite_all"),
        left_out=frozenset(str(name) for name in document.get("left_out") or {}),
    )


_WORDS = re.compile(r"\w+")


def _bucket(text: str, buckets: int) -> int:
    return int(hashlib.sha256(text.encode("utf-8")).hexdigest()[:8], 16) % buckets


def is_bitext_holdout(text: str) -> bool:
    """Whether a (reworded) Bitext sentence belongs to the fifth that is never trained on.

    Decided on its words alone, so that sentences differing only in case, spacing or
    punctuation fall on the same side."""
    return _bucket(" ".join(_WORDS.findall(text.lower())), HOLDOUT_BUCKETS) == 0


def reword(text: str, words: Mapping[str, tuple[str, ...]]) -> str:
    """Replace whole ``words`` (any case); the replacement is chosen by the sentence's hash."""
    if not words:
        return text
    pattern = re.compile(r"\b(" + "|".join(map(re.escape, words)) + r")\b", re.IGNORECASE)
    seed = _bucket(text, 1 << 30)

    def replace(match: re.Match[str]) -> str:
        options = words[match.group(0).lower()]
        return options[(seed + match.start()) % len(options)]

    return pattern.sub(replace, text)


def load_bitext(
    path: Path, mapping: BitextMapping, *, holdout: bool = False
) -> tuple[Example, ...]:
    """The mapped, reworded rows of the training part (or with ``holdout``, the held-out
    part) of the Bitext sample."""
    examples: list[Example] = []
    with path.open(encoding="utf-8", newline="") as handle:
        for record in csv.DictReader(handle):
            bitext_intent = record.get("intent", "")
            instruction = record.get("instruction", "").strip()
            if bitext_intent not in mapping.intents or not instruction:
                continue
            text = reword(instruction, mapping.rewrites.get(bitext_intent, {}))
            text = reword(text, mapping.rewrite_all)
            if is_bitext_holdout(text) != holdout:
                continue
            examples.append(Example(text, mapping.intents[bitext_intent], "en"))
    return tuple(examples)


# --- Slack-style variants -----------------------------------------------------------------

GREETINGS: Mapping[str, tuple[str, ...]] = {
    "en": ("hey team", "hi all", "hello", "hi there", "morning!", "hey folks", "quick q:"),
    "es": ("hola equipo", "hola", "buenas", "buenos días"),
    "de": ("hallo zusammen", "hallo", "moin", "guten Morgen"),
    "fr": ("bonjour", "salut", "bonjour à tous", "hello"),
    "pt": ("olá", "oi pessoal", "bom dia", "oi"),
    "ja": ("お疲れ様です", "こんにちは", "すみません", "お世話になっております"),
    "it": ("ciao", "buongiorno", "ciao a tutti", "salve"),
    "nl": ("hoi", "hallo allemaal", "goedemorgen", "hey"),
}
SIGN_OFFS: Mapping[str, tuple[str, ...]] = {
    "en": ("thanks", "thx", "ty", "cheers", "pls", "thanks in advance", "any ideas?"),
    "es": ("gracias", "saludos", "gracias de antemano"),
    "de": ("danke", "viele Grüße", "danke im Voraus"),
    "fr": ("merci", "merci d'avance", "bonne journée"),
    "pt": ("obrigado", "valeu", "obrigada"),
    "ja": ("よろしくお願いします", "ありがとうございます"),
    "it": ("grazie", "grazie mille", "saluti"),
    "nl": ("bedankt", "alvast bedankt", "groetjes"),
}
MENTIONS = ("<@U04QX9ZL2>", "<!here>", "<@U02AB3CD4|maria>", "<@U07TT1K0P>", "<!channel>")
EMOJI_CODES = (":wave:", ":pray:", ":sweat_smile:", ":eyes:", ":thinking_face:", ":bow:")
LINKS = (
    "<https://app.orbitly.io/w/acme/board/182>",
    "<https://app.orbitly.io/w/acme/report/77|link>",
    "<https://files.slack.com/files-pri/T01/F02/screenshot.png|screenshot>",
    "https://app.orbitly.io/w/northwind/projects/41",
)
INLINE_CODE = ("`WS-2231`", "`acme-prod`", "`export.csv`", "`user_id=8812`", "`v2`")
SHORTHAND: tuple[tuple[str, str], ...] = (
    (r"\byou\b", "u"),
    (r"\bplease\b", "pls"),
    (r"\bthanks\b", "thx"),
    (r"\bcan't\b", "cant"),
    (r"\bdon't\b", "dont"),
    (r"\bI'm\b", "im"),
    (r"\bwhat's\b", "whats"),
    (r"\bdoesn't\b", "doesnt"),
    (r"\bare\b", "r"),
    (r"\bbecause\b", "bc"),
)
_PUNCTUATION = re.compile("[?!.,;:¿¡。、\uff1f\uff01]+")
_LATIN_WORD = re.compile(r"[A-Za-zÀ-ÿ]{4,}")


def _typo(word: str, rng: random.Random) -> str:
    i = rng.randrange(1, len(word) - 1)
    kind = rng.randrange(3)
    if kind == 0:  # swap two neighbours
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if kind == 1:  # drop one
        return word[:i] + word[i + 1 :]
    return word[:i] + word[i] + word[i:]  # double one


def _with_typos(text: str, rng: random.Random) -> str:
    words = list(_LATIN_WORD.finditer(text))
    if not words:
        return text
    chosen = {match.start() for match in rng.sample(words, min(len(words), rng.choice((1, 2))))}
    return _LATIN_WORD.sub(
        lambda m: _typo(m.group(0), rng) if m.start() in chosen else m.group(0), text
    )


def slack_variant(text: str, language: str, rng: random.Random) -> str:
    """One way a customer might type ``text`` in a Slack channel."""
    if language == "en" and rng.random() < 0.4:
        for pattern, short in SHORTHAND:
            text = re.sub(pattern, short, text, flags=re.IGNORECASE)
    if rng.random() < 0.4:
        text = _PUNCTUATION.sub(" ", text).strip()
    if language != "ja" and rng.random() < 0.5:
        text = _with_typos(text, rng)
    if rng.random() < 0.5:
        text = text.lower()
    prefix: list[str] = []
    if rng.random() < 0.25:
        prefix.append(rng.choice(MENTIONS))
    if rng.random() < 0.35:
        prefix.append(rng.choice(GREETINGS.get(language, GREETINGS["en"])))
    if rng.random() < 0.2:
        prefix.append(rng.choice(EMOJI_CODES))
    suffix: list[str] = []
    if rng.random() < 0.15:
        suffix.append(rng.choice(INLINE_CODE))
    if rng.random() < 0.15:
        suffix.append(rng.choice(LINKS))
    if rng.random() < 0.3:
        suffix.append(rng.choice(SIGN_OFFS.get(language, SIGN_OFFS["en"])))
    if rng.random() < 0.2:
        suffix.append(rng.choice(EMOJI_CODES))
    return " ".join([*prefix, text, *suffix])


def _rng(text: str, index: int) -> random.Random:
    return random.Random(f"{index}:{text}")  # noqa: S311 - reproducible variants, not secrets


# --- the training set ---------------------------------------------------------------------


def model_text(text: str) -> str:
    """What the classifier is given for a raw message (as the offline backend prepares it)."""
    return correct_typos(prepare(text).prose)


def product_examples() -> tuple[Example, ...]:
    return load_examples(EXAMPLES_PATH) + load_examples(PARAPHRASES_PATH)


def _balanced(rows: Sequence[TrainingRow]) -> list[TrainingRow]:
    """Scale weights so that every intent carries the same total."""
    totals: defaultdict[str, float] = defaultdict(float)
    for row in rows:
        totals[row.intent] += row.weight
    target = sum(totals.values()) / len(totals)
    return [
        TrainingRow(row.text, row.intent, row.language, row.weight * target / totals[row.intent],
                    row.origin)
        for row in rows
    ]  # fmt: skip


def training_rows(
    examples: Iterable[Example],
    *,
    bitext: Iterable[Example] = (),
    variants: int = VARIANTS_PER_EXAMPLE,
) -> list[TrainingRow]:
    """Product examples with their variants, then Bitext rows, weights balanced per intent."""
    rows: list[TrainingRow] = []
    for example in examples:
        texts = [example.text] + [
            slack_variant(example.text, example.language, _rng(example.text, index))
            for index in range(variants)
        ]
        weight = 1.0 / len(texts)
        rows.extend(
            TrainingRow(model_text(text), example.intent, example.language, weight, "product")
            for text in texts
        )
    rows.extend(
        TrainingRow(model_text(example.text), example.intent, "en", BITEXT_WEIGHT, "bitext")
        for example in bitext
    )
    return _balanced([row for row in rows if row.text])


def train_rows(
    rows: Sequence[TrainingRow],
    *,
    provenance: Mapping[str, str] | None = None,
    regularisation: float = REGULARISATION_C,
) -> IntentClassifier:
    return IntentClassifier.train(
        [Example(row.text, row.intent, row.language) for row in rows],
        sample_weights=[row.weight for row in rows],
        regularisation=regularisation,
        provenance=provenance,
    )


def train_on_shipped_examples() -> IntentClassifier:
    """The start-up fallback: the shipped examples and paraphrases only, without variants."""
    return train_rows(training_rows(product_examples(), variants=0))


def build(bitext: Path) -> IntentClassifier:
    """Train the model that is shipped, from the shipped files and the Bitext sample."""
    mapping = load_bitext_mapping()
    rows = training_rows(product_examples(), bitext=load_bitext(bitext, mapping))
    return train_rows(rows, provenance=training_provenance(bitext))


# --- command line -------------------------------------------------------------------------


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--bitext",
        type=Path,
        default=DEFAULT_BITEXT_PATH,
        help=f"the Bitext sample CSV (default: {DEFAULT_BITEXT_PATH})",
    )
    parser.add_argument(
        "--out", type=Path, default=MODEL_PATH, help=f"model file to write (default: {MODEL_PATH})"
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="write nothing; exit 1 unless the model file was built from the current data",
    )


def _holdout_accuracy(classifier: IntentClassifier, bitext: Path) -> tuple[int, int]:
    held_out = load_bitext(bitext, load_bitext_mapping(), holdout=True)
    right = sum(classifier.predict(model_text(ex.text)).intent == ex.intent for ex in held_out)
    return right, len(held_out)


def run(args: argparse.Namespace, _settings: object = None) -> int:
    """Build (or with ``--check``, verify) the model file; the ``train-intents`` command."""
    bitext: Path = args.bitext
    out: Path = args.out
    if not bitext.is_file():
        print(f"Bitext sample not found at {bitext} (pass --bitext)", file=sys.stderr)
        return 2
    if args.check:
        try:
            shipped = IntentClassifier.load(out)
        except (OSError, ValueError) as exc:
            print(f"{out}: {exc}", file=sys.stderr)
            return 1
        expected = training_provenance(bitext)
        differing = sorted(k for k in expected if shipped.provenance.get(k) != expected[k])
        if differing:
            print(f"{out} is stale: built from other versions of {', '.join(differing)}")
            return 1
        print(f"{out} is current")
        return 0
    classifier = build(bitext)
    classifier.save(out)
    counts = Counter(classifier.intents)
    right, total = _holdout_accuracy(classifier, bitext)
    print(f"wrote {out} ({out.stat().st_size / 1e6:.1f} MB, {classifier.feature_count} features, "
          f"{len(counts)} intents)")  # fmt: skip
    print(f"held-out Bitext rows (never trained on): {right}/{total} = {right / total:.1%}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m app.triage.intent_training", description=__doc__
    )
    add_arguments(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    raise SystemExit(main())
