"""Topics: what a request says its item is about when no catalogue field holds it.

"a film about chess", "something with good car chases", "set on a submarine", "a dog movie",
"a movie where a robot falls in love": the catalogue has no field for chess or car chases, so
the reader's vocabulary finds nothing, yet the words say more than any genre would. They are
read from the parse (``stance.parse``) by where they stand, not from a list of subjects:

- the object of a describing preposition or verb (``[topics] about``: "about", "with",
  "featuring") hanging from what is asked for;
- a place where the story is set ("*set* on a submarine", "takes place in space");
- a noun compounded with a word for the item ("a *dog* movie");
- a noun of a clause describing the item or a topic ("a movie *where a dog* finds its way
  home", "a teacher who inspires *students*");
- a gerund ("about *surfing*") or the noun of a quantity ("lots of *dancing*") standing so;

and a noun listed with one of those ("robots and aliens"). Not a word the person refuses (the
stance says so), a word the catalogue's vocabulary reads (a genre, a person), a title (one the
linker found, or one written with its year), who watches ("with *my* kids"), how well a film
is made ("with a good *plot*": ``quality``), or a typed slip of a word of asking ("moovie").
Retrieval looks for them in what the items are about (BM25, else by meaning: ``Signal.TOPIC``).

>>> described(parse("I want something with good car chases"))
['car chases']
>>> described(parse("a film about chess, nothing with clowns"))
['chess']
>>> described(parse("something to watch with my kids, with a great plot"))
[]
"""

from __future__ import annotations

import difflib
import functools
import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from recommender.languages import pack
from recommender.read.stance import PLACEHOLDER, Parsed, parse  # noqa: F401 (parse: doctests)
from recommender.text import stem

if TYPE_CHECKING:
    from spacy.tokens import Token

__all__ = ["described"]

_NOUNS = {"NOUN", "PROPN"}
_SLIP_CUTOFF = 0.8  # difflib's ratio to a word of asking: "moovie"/"movie" 0.91, "thas"/"has" 0.86
_YEAR_AFTER = re.compile(r"^(?:[\w'&:-]+\s*){0,4}\(\s*(?:19|20)\d\d\s*\)")
_MODIFIERS = {"compound", "amod"}  # "*car* chases", "a *haunted* house"


def described(parsed: Parsed, known: Callable[[str], bool] = lambda _: False) -> list[str]:
    """The topics of a request, lower case but for names ("Paris"), each with the words that
    qualify it ("car chases", "haunted house"); ``known`` tells a word the reader already reads
    (a genre, a person, a category), which is no topic."""
    out: list[str] = []
    for token in parsed.doc:
        if not _topic(token, parsed):
            continue
        # A name as written ("set in Paris"), any other word in lower case
        phrase = " ".join(t.text if t.pos_ == "PROPN" else t.lower_ for t in _qualified(token))
        # "a chick flick", "a popcorn movie": a kind the vocabulary reads with its noun
        whole = f"{phrase} {token.head.text}".lower() if token.dep_ == "compound" else ""
        if (
            phrase not in out
            and not known(phrase.lower())
            and not (whole and known(whole))
            # a kind the vocabulary reads, graded: "cheesy action", "inspirational war"
            and not (" " in phrase and known(token.lower_))
        ):
            out.append(phrase)
    return out


def _topic(token: Token, parsed: Parsed) -> bool:
    if not _plain_noun(token, parsed) or _slip(token) or _in_title(token):
        return False
    head = token
    while head.dep_ == "conj" and head.head is not head:
        head = head.head  # "with robots and *aliens*": as the first one stands
    # a name as written; a lower-case word the tagger took for one ("gore movies") is none
    return _describes(head, proper=token.pos_ == "PROPN" and token.text[:1].isupper())


def _slip(token: Token) -> bool:
    """A word no dictionary has that is a slip of a word of asking ("moovie", "thas movie",
    "hwhat"): no topic. A rare real word stays ("skateboarding", "miniatures")."""
    cues = pack().reader
    lower = token.lower_
    words = pack().names.words
    if token.pos_ == "PROPN" or {lower, stem(lower), lower.removesuffix("s")} & words:
        return False
    plain = _plain_words()
    return bool(difflib.get_close_matches(lower, plain, n=1, cutoff=_SLIP_CUTOFF)) or (
        lower.rstrip("s") in cues.stance.generic
    )


@functools.cache
def _plain_words() -> list[str]:
    cues = pack().reader
    words = cues.stop_words | cues.common_words | cues.asking_words | cues.stance.generic
    return sorted(w for w in words if len(w) >= 3)


def _in_title(token: Token) -> bool:
    """Part of a title the linker did not know, written with its year ("Isle Of Dogs (2018)"),
    or the start of one it knew in part: no topic."""
    after = token.doc[token.i + 1 : token.i + 6]
    if not token.text[:1].isupper():
        return False
    return bool(_YEAR_AFTER.match(after.text)) or any(t.text == PLACEHOLDER for t in after[:2])


def _plain_noun(token: Token, parsed: Parsed) -> bool:
    """A noun of the request (not a refused one) that names no audience and no quality."""
    cues = pack().reader
    lower = token.lower_
    gerund = token.tag_ == "VBG" and token.dep_ == "pcomp" and not list(token.children)
    hyphen = token.i > 0 and token.doc[token.i - 1].text == "-"  # "an old-*school* movie"
    return (
        (token.pos_ in _NOUNS or gerund)  # "a film about *surfing*"
        and token.tag_ not in {"JJS", "JJR"}  # "one of the *funniest* movies"
        and not hyphen
        and token.is_alpha
        and token.text != PLACEHOLDER
        and parsed.stances[token.i] == "want"
        and lower not in cues.stop_words
        and lower not in cues.asking_words
        and lower not in cues.stance.generic
        and lower not in cues.topics.quality
        and lower not in cues.title_kind_words
        and lower.removesuffix("s") not in cues.title_kind_words
        and not any(c.dep_ == "poss" and c.lower_ in cues.topics.owners for c in token.children)
    )


def _describes(token: Token, proper: bool) -> bool:
    """Does ``token`` stand where a request says what its item is about? A name ("Paris")
    only as a place or a subject: "a comedy with Adam Sandler" names a person."""
    cues = pack().reader
    topics = cues.topics
    items = cues.stance.generic | cues.stance.heads | frozenset(cues.title_kind_words)
    head = token.head
    if token.dep_ == "pcomp":  # "about surfing": as an object of the preposition
        return head.lower_ in topics.about and head.lower_ != "with"
    if token.dep_ == "pobj" and head.lower_ == "of" and head.head.lower_ in topics.quality:
        # "with lots of dancing", "with a bunch of robots": as the quantity stands
        return _describes(head.head, proper)
    if token.dep_ == "pobj" and head.lower_ in topics.places:  # "set on a submarine"
        verb = head.head
        return verb.lower_ in topics.setting or (
            verb.lower_ == "place" and verb.head.lower_ in topics.setting
        )
    if proper:
        return token.dep_ == "pobj" and head.lower_ == "about"
    if token.dep_ == "pobj" and head.lower_ in topics.about:
        # "a film about chess", "something with robots", "also with robots"; not "to watch
        # with friends": "with" on a verb tells how, not what about
        return head.lower_ != "with" or head.head.pos_ not in {"VERB", "AUX"}
    if token.dep_ == "dobj" and head.lower_ in topics.about:  # "a movie involving robots"
        return True
    if token.dep_ == "compound" and head.pos_ == "NOUN":  # "a dog movie"
        return head.lower_ in items or head.lower_.removesuffix("s") in items
    if token.dep_ in {"nsubj", "nsubjpass", "dobj", "pobj", "attr"}:
        # "a movie where a dog finds its way home", "something that has robots in it"
        for above in token.ancestors:
            if above.dep_ == "relcl":  # of the item, or of a topic ("a teacher who inspires
                # students")
                head = above.head
                return head.lower_ in items or (
                    head.pos_ == "NOUN" and head.i != token.i and _describes(head, proper=False)
                )
    return False


def _qualified(token: Token) -> list[Token]:
    """``token`` with the words that qualify it before it: "car chases", "haunted house",
    not "good" ("good car chases") nor a word of the request itself."""
    cues = pack().reader
    before = [
        c
        for c in token.lefts
        if c.dep_ in _MODIFIERS
        and c.is_alpha
        and c.text != PLACEHOLDER
        and (
            c.dep_ == "compound"  # "*time* loops"
            or not {c.lower_} & (cues.topics.grading | cues.stance.praise | cues.stop_words)
        )
    ]
    return [*before, token]
