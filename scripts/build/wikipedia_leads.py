"""What a film's Wikipedia lead paragraph says: fine genres, director, a plot line.

Read by scripts/build/wikipedia_films.py from the shared ``wikipedia-movies`` lead paragraphs
(CC BY-SA 4.0). The first sentence names the film's kind ("Ocean's Eleven is a 2001 American heist
comedy film directed by Steven Soderbergh"); the sentences after it tell the story, or the
production, the cast and the reception, which are left out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from scripts.build.film_knowledge import COARSE, SUMMARY_CHARS

PLOT_SENTENCES = 2  # "a plot sentence or two" after the row's own factual sentence
MIN_PLOT_CHARS = 40  # a shorter sentence is a fragment ("It stars X.")
MAX_DIRECTORS = 5  # as movie_metadata.MAX_DIRECTORS
PHRASE_WORDS = 10  # words read after "is a" before giving up on a genre phrase
# Fine genres named in lead sentences (seen in the data, hyphens and slashes read as spaces) ->
# the catalogue's words, which are those the other sources already use ("coming of age",
# "comedy-drama", "black comedy"). Longest first wins: "romantic comedy drama" is a romantic
# comedy plus drama, "spy action comedy" a spy film plus an action comedy.
FINE = {
    "romantic comedy": "romantic comedy", "romantic drama": "romantic drama",
    "romantic fantasy": "romantic fantasy", "romantic thriller": "romantic thriller",
    "black comedy": "black comedy", "dark comedy": "black comedy", "comedy drama": "comedy-drama",
    "action comedy": "action comedy", "action thriller": "action thriller",
    "crime thriller": "crime thriller", "crime drama": "crime drama", "crime comedy": "crime comedy",
    "psychological thriller": "psychological thriller",
    "psychological horror": "psychological horror", "psychological drama": "psychological drama",
    "political thriller": "political thriller", "political drama": "political drama",
    "political satire": "political satire", "erotic thriller": "erotic thriller",
    "erotic drama": "erotic drama", "legal drama": "legal drama", "legal thriller": "legal thriller",
    "courtroom drama": "courtroom drama", "spy thriller": "spy thriller", "spy": "spy",
    "espionage": "spy", "horror comedy": "horror comedy", "comedy horror": "horror comedy",
    "science fiction horror": "science fiction horror", "fantasy comedy": "fantasy comedy",
    "fantasy adventure": "fantasy adventure", "adventure comedy": "adventure comedy",
    "musical comedy": "musical comedy", "musical drama": "musical drama",
    "family drama": "family drama", "historical drama": "historical drama",
    "period drama": "period piece", "period piece": "period piece",
    "costume drama": "costume drama", "teen": "teen",
    "buddy cop": "buddy cop", "buddy": "buddy", "coming of age": "coming of age",
    "neo noir": "neo-noir", "film noir": "film noir", "noir": "film noir",
    "found footage": "found footage", "mockumentary": "mockumentary", "docudrama": "docudrama",
    "slasher": "slasher", "superhero": "superhero", "heist": "heist", "caper": "heist",
    "disaster": "disaster", "monster": "monster", "creature feature": "monster",
    "kaiju": "monster", "zombie": "zombie", "vampire": "vampire", "werewolf": "werewolf",
    "martial arts": "martial arts", "kung fu": "martial arts", "wuxia": "wuxia",
    "blaxploitation": "blaxploitation", "exploitation": "exploitation", "stoner": "stoner",
    "sex comedy": "sex comedy", "screwball comedy": "screwball comedy", "slapstick": "slapstick",
    "parody": "parody", "spoof": "parody", "satire": "satire", "satirical": "satire",
    "epic": "epic", "space opera": "space opera", "sword and sorcery": "sword and sorcery",
    "sword and sandal": "sword and sandal", "swashbuckler": "swashbuckler",
    "swashbuckling": "swashbuckler", "revisionist western": "revisionist western",
    "neo western": "neo-western", "space western": "space western",
    "spaghetti western": "spaghetti western", "survival": "survival",
    "post apocalyptic": "post-apocalyptic", "dystopian": "dystopia", "cyberpunk": "cyberpunk",
    "time travel": "time travel", "road": "road", "gangster": "gangster", "mob": "gangster",
    "prison": "prison", "christmas": "christmas", "dance": "dance",
    "jukebox musical": "jukebox musical", "concert": "concert", "anthology": "anthology",
    "independent": "indie", "indie": "indie", "experimental": "experimental",
    "surrealist": "surrealism", "gothic": "gothic", "body horror": "body horror",
    "folk horror": "folk horror", "natural horror": "natural horror",
    "supernatural": "supernatural", "pre code": "pre-code", "silent": "silent", "short": "short",
    "made for television": "television film", "made for tv": "television film",
    "television": "television film", "direct to video": "direct-to-video",
    "straight to video": "direct-to-video", "computer animated": "computer animation",
    "stop motion": "stop motion", "biblical": "biblical", "christian": "christian",
    "vigilante": "vigilante", "revenge": "revenge", "melodrama": "melodrama",
    "whodunit": "whodunit", "anti war": "anti-war", "children's": "children's",
    "erotic": "erotic", "political": "political", "legal": "legal",
}  # fmt: skip
# Words of the genre phrase that name the catalogue's coarse genres (COARSE), compounds included:
# a romantic comedy is a romance and a comedy. They fill ``genres`` only where the row has none.
COARSE_WORDS = {
    "action": "action", "adventure": "adventure", "animated": "animation",
    "animation": "animation", "biographical": "biography", "biopic": "biography",
    "biography": "biography", "comedy": "comedy", "crime": "crime",
    "documentary": "documentary", "drama": "drama", "family": "family", "fantasy": "fantasy",
    "historical": "history", "horror": "horror", "music": "music", "musical": "musical",
    "mystery": "mystery", "romance": "romance", "romantic": "romance",
    "science fiction": "science fiction", "sports": "sport", "sport": "sport",
    "sci fi": "science fiction", "suspense": "thriller", "thriller": "thriller", "war": "war",
    "western": "western",
}  # fmt: skip
# Where a genre phrase ends: its head noun, or the words that start what follows it.
PHRASE_END = {
    "film", "films", "movie", "picture", "feature", "directed", "written", "produced",
    "starring", "about", "by", "that", "which", "who", "based", "from", "of", "with", "in", "on",
    "for", "set", "released", "adaptation", "remake", "version", "sequel", "prequel",
}  # fmt: skip
# Words up to one of these describe the director, whose name follows:
# "directed by Hong Kong action director John Woo", "by Academy Award-winning filmmaker X".
ROLE_WORDS = {
    "director", "filmmaker", "screenwriter", "writer", "producer", "actor", "actress", "veteran",
    "founder", "creator", "comedian", "cinematographer", "animator", "editor",
}  # fmt: skip
DESCRIBED = re.compile(rf"^(?:[\w'.-]+\s+){{0,4}}?(?:{'|'.join(sorted(ROLE_WORDS))})s?\s+")
NAME_PARTICLES = {"de", "del", "della", "der", "di", "da", "du", "van", "von", "la", "le", "dos"}
ABBREVIATIONS = (
    "Jr.", "Sr.", "St.", "Dr.", "Mr.", "Mrs.", "Ms.", "Mt.", "vs.", "U.S.", "Bros.", "Vol.", "No.",
    "Inc.", "Co.", "Ltd.", "Gen.", "Capt.", "Lt.", "Sgt.", "Col.",
)  # fmt: skip
SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"'(])")
# Lead sentences about the production, release or reception: not the story.
NOT_PLOT = re.compile(
    r"\b(?:reviews?|critic(?:s|al|ally)?|acclaim\w*|box office|gross(?:ed|ing)?|budget|"
    r"premiere[ds]?|(?:was|were|be|been|its|theatrical|wide|limited) releas\w*|"
    r"released (?:on|in|by|theatrically)|distribut\w*|awards?|Oscars?|nominat\w*|festival|"
    r"filming|filmed|photography|screenplay|produced|producers?|written|directed|directorial|"
    r"narrated|release|debut|sequel|prequel|installment|instalment|remake|"
    r"adaptation|based on|soundtrack|theaters|theatres|DVD|home video|rated|earned|"
    r"commercial(?:ly)? success|cult (?:film|following|classic)|considered|regarded|"
    r"Library of Congress|National Film Registry|trilogy|franchise|score|composed|composer|"
    r"cinematograph\w*|collaboration|wrote|vehicle for|(?:best |well )?known for|noted|notable|"
    r"famous|iconic|remembered|book|novel|memoir|voices? of|voiced|voice cast|appears?|"
    r"appearance|cameo|teamed|inspiration|inspired by|ranked|placed|announced|aired|broadcast|"
    r"designer|costumes|visual effects|actors?|actress(?:es)?|its title|the title|unrelated|"
    r"(?:television|TV|weekly) series)\b",
    re.I,
)
NOT_PLOT_NAMES = re.compile(
    r"\b(?:Pictures|Studios|Entertainment|Productions|American Film Institute|AFI|Academy)\b"
)
# ... or a list of the cast ("It stars X", "Y and Z star in supporting roles"), not "a star athlete".
CAST_LINE = re.compile(
    r"\bstars (?:[A-Z]|in\b|alongside\b|opposite\b)|\bstar (?:in|alongside|opposite)\b|"
    r"\b[Cc]o-?stars?\b|\b[Ss]tarring\b|\bsupporting (?:roles?|cast)\b|\bcast\b"
)
LEAD = re.compile(r"\b(?:is|was) an? ")
FILM_WORD = re.compile(r"\b(?:film|movie|picture|documentary|cartoon|feature)\b", re.I)


@dataclass(frozen=True)
class Lead:
    """What a lead paragraph says about its film."""

    about_a_film: bool  # the first sentence calls it a film (a band's article does not)
    tags: list[str]  # fine genres
    genres: list[str]  # coarse genres named in the genre phrase
    directors: list[str]
    plot: str  # sentences after the first that tell the story, whole


def split_sentences(text: str) -> list[str]:
    """Sentences, not cut after an initial ('M. Night') or an abbreviation ('Jr.', 'U.S.')."""
    out: list[str] = []
    for piece in SENTENCE_END.split(text):
        if out and (re.search(r"(?:^|[\s.])[A-Z]\.$", out[-1]) or out[-1].endswith(ABBREVIATIONS)):
            out[-1] = f"{out[-1]} {piece}"
        else:
            out.append(piece)
    return out


def genre_phrase(sentence: str) -> tuple[list[str], list[str]]:
    """(fine genres, coarse genres) of a lead sentence's 'is a ... film' phrase.

    >>> genre_phrase("Ocean's Eleven is a 2001 American heist comedy film directed by S.")
    (['heist'], ['comedy'])
    >>> genre_phrase("It is a 1995 American neo-noir spy thriller, written by X.")
    (['neo-noir', 'spy thriller'], ['thriller'])
    >>> genre_phrase("Kiki is a 1931 American pre-Code romantic comedy-drama film.")
    (['pre-code', 'romantic comedy'], ['romance', 'comedy', 'drama'])
    """
    found = LEAD.search(sentence)
    if found is None:
        return [], []
    rest = re.sub(r"[-/–]", " ", sentence[found.end() :].lower())
    words = re.findall(r"[a-z0-9']+", rest)[:PHRASE_WORDS]
    fine: list[str] = []
    coarse: list[str] = []
    i = 0
    while i < len(words):
        for n in (4, 3, 2, 1):
            gram = " ".join(words[i : i + n])
            if len(words) - i >= n and (gram in FINE or gram in COARSE_WORDS):
                for tag in [FINE.get(gram), *_coarse(words[i : i + n])]:
                    bucket = coarse if tag in COARSE else fine
                    if tag and tag not in bucket:
                        bucket.append(tag)
                i += n
                break
        else:
            if words[i] in PHRASE_END:
                break
            i += 1
    return fine, coarse


def _coarse(words: list[str]) -> list[str]:
    """Coarse genres named among ``words`` ('science fiction' spans two)."""
    text = " ".join(words)
    found = ["science fiction"] if "science fiction" in text or "sci fi" in text else []
    return found + [COARSE_WORDS[w] for w in words if w in COARSE_WORDS]


def directors(sentence: str) -> list[str]:
    """Names after 'directed by' in a sentence.

    >>> directors("X is a 1998 film directed by Joel and Ethan Coen and starring Jeff Bridges.")
    ['Joel Coen', 'Ethan Coen']
    >>> directors("X is a 2004 film directed by M. Night Shyamalan, written by him.")
    ['M. Night Shyamalan']
    >>> directors("X is a 2001 film directed by and starring Beau Bridges.")
    []
    >>> directors("X is a 1993 film directed by Hong Kong action director John Woo; it stars Y.")
    ['John Woo']
    >>> directors("X is a 2000 film directed by George Tillman, Jr. and produced by Y.")
    ['George Tillman Jr.']
    """
    found = re.search(r"\bdirected by ", sentence)
    if found is None:
        return []
    rest = DESCRIBED.sub("", sentence[found.end() :], count=1)
    words = re.sub(r"([,;])", r" \1 ", rest).split()
    names: list[list[str]] = [[]]
    for word in words:
        if word.lower() in ROLE_WORDS and names[-1]:
            names[-1] = []
            continue
        if word.rstrip(".") in {"Jr", "Sr", "III"} and not names[-1] and len(names) > 1:
            names.pop()  # "George Tillman, Jr."
            names[-1].append(word)
            continue
        bare = word.rstrip(".") if not re.fullmatch(r"(?:[A-Z]\.)+|Jr\.|Sr\.|St\.", word) else word
        if bare and bare[0].isupper():
            names[-1].append(bare)
            if bare != word:  # a sentence's full stop ends the names
                break
        elif word.lower() in NAME_PARTICLES and names[-1]:
            names[-1].append(word)
        elif word in {"and", ","} and names[-1]:
            names.append([])
        else:
            break
    names = [n for n in names if n and n[-1].lower() not in NAME_PARTICLES]
    if len(names) > 1 and len(names[0]) == 1 and len(names[-1]) > 1:  # "Joel and Ethan Coen"
        names = [n + names[-1][1:] if len(n) == 1 else n for n in names]
    return [" ".join(n) for n in names if len(n) > 1 or (n[0].isupper() and len(n[0]) > 2)]


def plot_sentences(sentences: list[str], limit: int = SUMMARY_CHARS) -> str:
    """Up to PLOT_SENTENCES whole sentences after the first that tell the story."""
    kept: list[str] = []
    for sentence in sentences[1:]:
        if len(kept) == PLOT_SENTENCES:
            break
        if len(sentence) < MIN_PLOT_CHARS or any(
            r.search(sentence) for r in (NOT_PLOT, NOT_PLOT_NAMES, CAST_LINE)
        ):
            continue
        if len(" ".join([*kept, sentence])) > limit:
            break
        kept.append(sentence)
    return " ".join(kept)


def read_lead(extract: str) -> Lead:
    sentences = split_sentences(extract)
    first = sentences[0] if sentences else ""
    if not (LEAD.search(first) and FILM_WORD.search(first)):
        return Lead(False, [], [], [], "")
    fine, coarse = genre_phrase(first)
    said = [
        s
        for s in sentences[1:]
        if re.match(r"(?:It|The film) (?:was|is) (?:co-)?(?:written and )?directed by", s)
    ]
    names = directors(first) or (directors(said[0]) if said else [])
    return Lead(True, fine, coarse, names[:MAX_DIRECTORS], plot_sentences(sentences))
