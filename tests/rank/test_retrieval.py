"""Candidates and raw signals: genre guesses from co-mentions, and popularity gated by the wants."""

import json

import numpy as np
from conftest import said
from scipy.sparse import csr_matrix

from recommender.catalogue.catalogue import Catalogue
from recommender.catalogue.spec import CatalogSpec
from recommender.catalogue.words import guess_words
from recommender.rank.constraints import Limit, allowed, notes
from recommender.rank.retrieval import (
    GUESSED_CREDIT,
    LIKED_KIND_WEIGHT,
    UNMATCHED_POPULARITY,
    Query,
    Retriever,
)
from recommender.schemas import Item, Profile, Range

ITEMS = [
    Item("c1", "Laugh One", attributes={"genres": ["comedy"], "year": 2001}),
    Item("c2", "Laugh Two", attributes={"genres": ["comedy", "crime"], "year": 2004}),
    Item("h1", "Scream One", attributes={"genres": ["horror"], "year": 1990}),
    Item("n1", "Mystery Hit", attributes={"year": 2018}),  # no metadata; mentioned with comedies
    Item("n2", "Blank Hit", attributes={"year": 2018}),  # no metadata, no co-mentions
]


def _data(tmp_path, embedder) -> Catalogue:
    side = tmp_path / "side"
    side.mkdir()
    mentions = {"c1": 5, "c2": 4, "h1": 50, "n1": 40, "n2": 60}
    (side / "popularity.json").write_text(json.dumps({"mentions": mentions}))
    pairs = {"n1": {"c1": 6, "c2": 5, "h1": 1}}
    (side / "cooccur.json").write_text(json.dumps({"pairs": pairs}))
    text = embedder.embed([item.text() for item in ITEMS])
    spec = CatalogSpec.bare("films", folder=side).model_copy(update={"kind_fields": ("genres",)})
    return Catalogue.build(spec, ITEMS, text)


def test_genres_are_guessed_from_co_mentioned_items_only_where_missing(tmp_path, embedder):
    data = _data(tmp_path, embedder)
    guessed = dict(zip([i.id for i in ITEMS], data.guessed, strict=True))
    assert "comedy" in guessed["n1"]
    assert "horror" not in guessed["n1"]  # too small a share of its co-mentions
    assert guessed["n2"] == frozenset()  # nothing to go on
    assert guessed["c1"] == frozenset()  # has its own genres
    assert data.described.tolist() == [True, True, True, False, False]
    no_co_mentions = csr_matrix((len(ITEMS), len(ITEMS)), dtype=np.float32)
    assert guess_words(ITEMS, no_co_mentions, "genres") == [frozenset()] * len(ITEMS)


def test_popularity_is_kept_by_matching_and_unknown_items_only(tmp_path, embedder):
    data = _data(tmp_path, embedder)
    profile = Profile(wanted=["comedy"])
    got = Retriever(data).candidates(Query(profile, "comedy", embedder.embed(["comedy"])[0]))
    ids = [data.items[p].id for p in got.positions]
    signal = dict(zip(ids, got.signals["popularity"].tolist(), strict=True))
    match = dict(zip(ids, got.signals["attribute"].tolist(), strict=True))
    # A guessed comedy counts half: a film known to be one comes first.
    assert match == {"c1": 1.0, "c2": 1.0, "h1": 0.0, "n1": GUESSED_CREDIT, "n2": 0.0}
    assert np.isclose(signal["h1"], 0.3 * np.log1p(50))  # a known horror film: a share only
    assert np.isclose(signal["n2"], np.log1p(60))  # unknown: all of it
    # a guessed comedy: the share its half match keeps
    assert np.isclose(signal["n1"], np.log1p(40) * (0.3 + 0.7 * GUESSED_CREDIT))
    # Without wants, popularity is the plain prior.
    plain = Retriever(data).candidates(Query(Profile(), "", None))
    assert np.allclose(np.sort(plain.signals["popularity"]), np.sort(np.log1p([5, 4, 50, 40, 60])))


def _ids(data: Catalogue, positions) -> set[str]:
    return {data.items[int(p)].id for p in positions}


def test_every_source_draws_within_the_hard_constraints(tmp_path, embedder):
    data = _data(tmp_path, embedder)
    # Per-source depth 1: the single nearest/most popular item would be cut by the decade, so
    # the sources must search the allowed items, not filter their top after the fact.
    profile = Profile(ranges={"year": Range(min=2000, max=2009)})
    got = Retriever(data, per_source=1).candidates(
        Query(profile, "horror", embedder.embed(["horror"])[0])
    )
    assert _ids(data, got.positions) and _ids(data, got.positions) <= {"c1", "c2"}
    assert got.gate is not None and got.gate.relaxed == () and got.content


def test_avoided_words_rule_out_guessed_ones_too(tmp_path, embedder):
    data = _data(tmp_path, embedder)
    gate = allowed(data, Profile(avoided=["comedy"]))
    assert {i.id for i, ok in zip(ITEMS, gate.mask, strict=True) if ok} == {"h1", "n2"}


def test_the_softest_constraint_gives_way_and_is_named(tmp_path, embedder):
    data = _data(tmp_path, embedder)
    profile = Profile(ranges={"year": Range(min=1950, max=1959)}, avoided=["horror"])
    gate = allowed(data, profile)
    assert gate.relaxed == (Limit("year", 1950, 1959),)
    assert not gate.mask[data.position["h1"]]  # the negation held
    assert said(notes(gate)) == [
        "Nothing meets everything you asked, so these leave out: year 1950-1959."
    ]
    got = Retriever(data).candidates(Query(profile, "", None))
    assert got.positions.size and "h1" not in _ids(data, got.positions)


def test_a_budget_never_gives_way(tmp_path, embedder):
    items = [
        Item("a", "Lamp", attributes={"price": 30.0}),
        Item("b", "Desk", attributes={"price": 90.0}),
    ]
    data = Catalogue.build(CatalogSpec.bare("shop"), items, embedder.embed(["lamp", "desk"]))
    gate = allowed(data, Profile(ranges={"price": Range(max=10)}))
    assert not gate.mask.any() and gate.blocking == (Limit("price", high=10),)
    assert "price up to 10" in said(notes(gate))[0]
    assert (
        Retriever(data)
        .candidates(Query(Profile(ranges={"price": Range(max=10)}), "", None))
        .positions.size
        == 0
    )
    # Within budget, a missing category gives way instead.
    gate = allowed(data, Profile(ranges={"price": Range(max=50)}, categories=["sofa"]))
    assert gate.relaxed == (Limit("category", words=("sofa",)),)
    assert gate.mask.tolist() == [True, False]
    assert said(notes(gate, "zh"), "zh") == [
        "没有同时满足你所有要求的条目，所以这些推荐放宽了：sofa。"
    ]


def test_excluding_a_title_excludes_its_other_rows(embedder):
    items = [Item("jaws_film", "Jaws"), Item("jaws_ride", "Jaws"), Item("alien", "Alien")]
    data = Catalogue.build(CatalogSpec.bare("films"), items, embedder.embed(["a", "b", "c"]))
    assert allowed(data, Profile(), frozenset({"jaws_film"})).mask.tolist() == [False, False, True]


def test_when_everything_was_seen_the_reply_says_so(embedder):
    items = [Item("a", "Alien"), Item("b", "Brazil")]
    data = Catalogue.build(CatalogSpec.bare("films"), items, embedder.embed(["a", "b"]))
    gate = allowed(data, Profile(), frozenset({"a", "b"}))
    assert not gate.mask.any()
    assert said(notes(gate)) == [
        "Nothing in this catalogue meets all of: every item here is one you have rated or seen."
        " Loosen one and ask again."
    ]


def test_wanted_words_are_read_from_attributes_not_titles(embedder):
    items = [
        Item("sw", "Star Wars", attributes={"genres": ["science fiction"]}),
        Item("pr", "Saving Private Ryan", attributes={"genres": ["war"]}),
    ]
    data = Catalogue.build(CatalogSpec.bare("films"), items, embedder.embed(["a", "b"]))
    assert data.having(["war"])[:, 0].tolist() == [False, True]
    assert data.having(["star"], titles=True)[:, 0].tolist() == [True, False]
    # ... while an avoided word still keeps a film named with it out.
    assert allowed(data, Profile(avoided=["star"])).mask.tolist() == [False, True]


def test_a_rare_wanted_word_falls_back_on_its_kind_learned_from_the_items(embedder):
    """Few films record "heist", all of them crime films: asked for a heist film of a decade
    none of them is from, crime films come before films of neither; a name has no kind."""
    old = [
        Item(
            f"h{n}",
            f"Old Heist {n}",
            attributes={
                "genres": ["crime"],
                "tags": ["heist"],
                "director": ["Ann Lee"],
                "year": 1960,
            },
        )
        for n in range(3)
    ]
    crime = [
        Item(f"c{n}", f"Crime {n}", attributes={"genres": ["crime"], "year": 2005})
        for n in range(9)
    ]
    others = [
        Item(f"o{n}", f"Other {n}", attributes={"genres": ["comedy"], "year": 2005})
        for n in range(40)
    ]
    items = old + crime + others
    spec = CatalogSpec.bare("films").model_copy(update={"link_fields": ["director"]})
    data = Catalogue.build(spec, items, embedder.embed([i.title for i in items]))
    assert data.broader("heist") == ("crime",)
    assert data.broader("ann lee") == ()  # a director's films are not a kind
    profile = Profile(wanted=["heist"], ranges={"year": Range(min=2000, max=2009)})
    found = Retriever(data).candidates(Query(profile, "heist", embedder.embed(["heist"])[0]))
    ranked = sorted(
        zip(found.positions, found.signals["attribute"], strict=True), key=lambda pair: -pair[1]
    )
    assert {items[p].id for p, _ in ranked[:9]} == {c.id for c in crime}
    assert ranked[9][1] == 0.0


def test_a_liked_item_asks_for_its_kind(embedder):
    """'More like Ocean's Eleven': items sharing its genres and tags come before others, and a
    guessed genre counts half of a recorded one."""
    items = [
        Item("oe", "Ocean's Eleven", attributes={"genres": ["comedy", "crime"], "tags": ["heist"]}),
        Item("ot", "Ocean's Twelve", attributes={"genres": ["comedy", "crime"], "tags": ["heist"]}),
        Item("sb", "Superbad", attributes={"genres": ["comedy"]}),
        Item("ex", "The Exorcist", attributes={"genres": ["horror"]}),
    ] + [Item(f"d{n}", f"Drama {n}", attributes={"genres": ["drama"]}) for n in range(20)]
    spec = CatalogSpec.bare("films").model_copy(update={"kind_fields": ["genres", "tags"]})
    data = Catalogue.build(spec, items, embedder.embed([i.title for i in items]))
    assert data.kinds[0] == frozenset({"comedy", "crime", "heist"})
    found = Retriever(data).candidates(
        Query(Profile(liked=["oe"]), "", None, exclude=frozenset({"oe"}))
    )
    kind = dict(
        zip([items[p].id for p in found.positions], found.signals["attribute"], strict=True)
    )
    assert np.isclose(kind["ot"], LIKED_KIND_WEIGHT)
    # Superbad shares only "comedy", the commonest of the three words: less than a third.
    rare = {w: data.kind_weight(w) for w in ("comedy", "crime", "heist")}
    assert rare["comedy"] < rare["crime"] == rare["heist"]
    assert np.isclose(kind["sb"], LIKED_KIND_WEIGHT * rare["comedy"] / sum(rare.values()))
    assert kind["sb"] < LIKED_KIND_WEIGHT / 3 and kind.get("ex", 0.0) == 0.0


def test_the_focus_counts_more_than_the_other_liked_items(embedder):
    """'More like #2': the liked item in focus leads the liked-item signals."""
    items = [
        Item("oe", "Ocean's Eleven", attributes={"genres": ["comedy", "crime"]}),
        Item("ex", "The Exorcist", attributes={"genres": ["horror"]}),
        Item("ot", "Ocean's Twelve", attributes={"genres": ["comedy", "crime"]}),
        Item("om", "The Omen", attributes={"genres": ["horror"]}),
    ]
    spec = CatalogSpec.bare("films").model_copy(update={"kind_fields": ["genres"]})
    data = Catalogue.build(spec, items, embedder.embed([i.title for i in items]))

    def kind(focus: list[str]) -> dict[str, float]:
        profile = Profile(liked=["oe", "ex"], focus=focus)
        found = Retriever(data).candidates(
            Query(profile, "", None, exclude=frozenset({"oe", "ex"}))
        )
        ids = [items[p].id for p in found.positions]
        return dict(zip(ids, found.signals["attribute"], strict=True))

    even = kind([])
    assert np.isclose(even["ot"], even["om"])
    assert kind(["ex"])["om"] > kind(["ex"])["ot"] and kind(["oe"])["ot"] > kind(["oe"])["om"]


def test_a_refused_describing_word_pushes_close_items_down(embedder):
    items = [Item("v", "Violent gang war"), Item("g", "Gentle garden party")]
    data = Catalogue.build(
        CatalogSpec.bare("films"), items, embedder.embed([i.title for i in items])
    )
    shun = embedder.embed(["violent"])[0]
    found = Retriever(data).candidates(Query(Profile(shunned=["violent"]), "", None, shun=shun))
    away = dict(zip([items[p].id for p in found.positions], found.signals["shun"], strict=True))
    assert away["v"] < away["g"]


def test_a_thumbs_down_pushes_down_only_what_is_near_it(embedder):
    """Only the candidates nearest a disliked item go down; the rest keep their order: the
    farthest from it must not come up ("not like The Notebook" had lifted a documentary)."""
    titles = [f"{w} story" for w in ("love", "romance", "wedding", "kiss", "date")] + [
        f"{w} film" for w in ("war", "space", "robot", "zombie", "heist", "cowboy", "shark")
    ]
    items = [Item(str(n), t) for n, t in enumerate(titles)]
    data = Catalogue.build(CatalogSpec.bare("films"), items, embedder.embed(titles))
    found = Retriever(data).candidates(
        Query(Profile(disliked=["0"]), "", None, exclude=frozenset("0"))
    )
    pushed = found.signals["feedback"]
    assert (pushed <= 0).all() and (pushed == 0).sum() >= len(pushed) - 2


def test_a_refused_describing_word_pushes_its_kinds_down(embedder):
    """'Nothing too violent': the catalogue names the kinds that carry the word (a war film, a
    slasher); those go down, nothing is cut, and a word it does not describe moves nothing."""
    items = [
        Item("w", "Beach Landing", attributes={"genres": ["war", "drama"]}),
        Item("s", "Camp Night", attributes={"genres": ["horror"], "tags": ["slasher"]}),
        Item("c", "Road Trip", attributes={"genres": ["comedy"]}),
    ]
    spec = CatalogSpec.bare("films").model_copy(
        update={"kind_fields": ("genres", "tags"), "describing": {"violent": ("war", "slasher")}}
    )
    data = Catalogue.build(spec, items, embedder.embed([i.title for i in items]))
    shun = embedder.embed(["violent"])[0]
    found = Retriever(data).candidates(Query(Profile(shunned=["violent"]), "", None, shun=shun))
    ids = [items[p].id for p in found.positions]
    kinds = dict(zip(ids, found.signals["refused_kind"], strict=True))
    assert set(ids) == {"w", "s", "c"} and kinds["w"] == kinds["s"] == -1.0 and kinds["c"] == 0
    other = Retriever(data).candidates(Query(Profile(shunned=["sad"]), "", None, shun=shun))
    assert not other.signals["refused_kind"].any()
    # A kind asked for is not pushed down by it: "slashers, nothing too violent".
    asked = Profile(wanted=["slasher"], shunned=["violent"])
    found = Retriever(data).candidates(Query(asked, "", None, shun=shun))
    ids = [items[p].id for p in found.positions]
    kinds = dict(zip(ids, found.signals["refused_kind"], strict=True))
    assert kinds["s"] == 0 and kinds["w"] == -1.0


def test_co_mentions_of_a_rarely_named_title_do_not_lead(tmp_path, embedder):
    """One dialogue naming a film beside a horror film is no evidence: below MIN_SUPPORT
    mentions the liked items' co-mentions stay out; with enough they count."""
    side = tmp_path / "side"
    side.mkdir()
    items = [
        Item("ij", "The Italian Job", attributes={"genres": ["crime"]}),
        Item("gu", "The Guest", attributes={"genres": ["horror"]}),
        Item("ot", "Ocean's Twelve", attributes={"genres": ["crime"]}),
    ]
    (side / "cooccur.json").write_text(json.dumps({"pairs": {"ij": {"gu": 1}}}))
    spec = CatalogSpec.bare("films", folder=side)

    def cooccur(mentions: int) -> bool:
        (side / "popularity.json").write_text(json.dumps({"mentions": {"ij": mentions}}))
        data = Catalogue.build(spec, items, embedder.embed([i.title for i in items]))
        found = Retriever(data).candidates(
            Query(Profile(liked=["ij"]), "", None, exclude=frozenset({"ij"}))
        )
        return "cooccur" in found.signals

    assert not cooccur(1) and cooccur(5)


def test_earlier_conversations_vote_within_what_carries_every_wanted_word(tmp_path, embedder):
    """The conversations nearest the query vote for what they named; with wanted words, only
    known items carrying all of them keep their votes."""
    from recommender.catalogue.dialogues import write_dialogues

    data = _data(tmp_path, embedder)
    talk = [
        ("a funny comedy please", ["c1", "h1"]),  # a horror film named in a comedy chat
        ("something scary", ["h1"]),
        ("a crime comedy", ["c2", "n2"]),
    ]
    write_dialogues(data.spec.folder, talk, embedder.embed, embedder.name)
    data = Catalogue.build(data.spec, ITEMS, data.text)
    assert data.dialogues is not None and len(data.dialogues.words) == 3
    query = embedder.embed(["a funny comedy"])[0]
    votes = dict(zip([i.id for i in ITEMS], data.dialogues.votes(query, k=1).tolist(), strict=True))
    assert votes["c1"] > 0 and votes["h1"] > 0 and votes["c2"] == votes["n2"] == 0
    got = Retriever(data).candidates(Query(Profile(wanted=["comedy"]), "comedy", query))
    signal = dict(
        zip(_ids_list(data, got.positions), got.signals["dialogues"].tolist(), strict=True)
    )
    assert signal["h1"] == 0.0  # a known horror film: no comedy, no vote
    assert signal["c1"] > 0  # a comedy
    assert signal["n2"] == 0.0  # named in a crime comedy chat, but nothing is known of it
    # Without wanted words every vote counts; without the files there is no signal.
    free = Retriever(data).candidates(Query(Profile(), "", query))
    votes = free.signals["dialogues"].tolist()
    assert dict(zip(_ids_list(data, free.positions), votes, strict=True))["h1"] > 0
    for name in ("dialogues.json", "dialogues.npz"):
        (data.spec.folder / name).unlink()
    assert Catalogue.build(data.spec, ITEMS, data.text).dialogues is None


def test_earlier_conversations_vote_by_what_was_said_this_conversation(tmp_path, embedder):
    """The whole conversation's words, not only the request, pick the conversations that vote
    (they are compared with what their seekers said in the whole of them)."""
    from recommender.catalogue.dialogues import write_dialogues
    from recommender.schemas import ChatMessage, Session
    from recommender.sessions import said_so_far

    session = Session(catalog="films")
    session.history += [
        ChatMessage(role="user", content="I want something scary"),
        ChatMessage(role="assistant", content="How about Scream One?"),
    ]
    assert said_so_far(session) == "I want something scary"
    # A new request ("something like X instead") starts what the conversation is about.
    session.history += [
        ChatMessage(role="user", content="a comedy instead", new_request=True),
        ChatMessage(role="assistant", content="Here are five comedies"),
        ChatMessage(role="user", content="from the 90s"),
    ]
    assert said_so_far(session) == "a comedy instead from the 90s"
    assert said_so_far(Session(catalog="films")) == ""
    data = _data(tmp_path, embedder)
    talk = [("a funny comedy please", ["c1"]), ("something scary", ["h1"])]
    write_dialogues(data.spec.folder, talk, embedder.embed, embedder.name)
    data = Catalogue.build(data.spec, ITEMS, data.text)
    request = embedder.embed(["a funny comedy please"])[0]
    said = embedder.embed(["something scary"])[0]

    def votes(spoken) -> dict[str, float]:
        got = Retriever(data).candidates(Query(Profile(), "", request, said=spoken))
        return dict(zip(_ids_list(data, got.positions), got.signals["dialogues"], strict=True))

    assert votes(None)["c1"] > votes(None)["h1"]  # without the conversation: the request
    assert votes(said)["h1"] > votes(said)["c1"]


def test_earlier_conversations_vote_within_the_liked_films_kind(tmp_path, embedder):
    """'I loved Ocean's Eleven and The Italian Job': what people who talked alike were
    recommended counts only among films of the liked ones' kind (a black comedy the crowd
    named is not a heist film)."""
    from recommender.catalogue.dialogues import write_dialogues

    data = _data(tmp_path, embedder)
    talk = [("I loved Laugh One", ["c2", "h1"]), ("Scream One was great", ["h1"])]
    write_dialogues(data.spec.folder, talk, embedder.embed, embedder.name)
    data = Catalogue.build(data.spec, ITEMS, data.text)
    query = embedder.embed(["I loved Laugh One"])[0]
    votes = data.dialogues.votes(query, k=1) if data.dialogues else None
    assert votes is not None and votes[data.position["h1"]] > 0
    got = Retriever(data).candidates(
        Query(Profile(liked=["c1"]), "", query, exclude=frozenset({"c1"}))
    )
    signal = dict(zip(_ids_list(data, got.positions), got.signals["dialogues"], strict=True))
    assert signal["h1"] == 0.0 and signal["c2"] > 0


def _ids_list(data: Catalogue, positions) -> list[str]:
    return [data.items[int(p)].id for p in positions]


def test_earlier_conversations_with_nothing_left_to_rank(tmp_path, embedder):
    from recommender.catalogue.dialogues import write_dialogues

    data = _data(tmp_path, embedder)
    write_dialogues(data.spec.folder, [("a comedy", ["c1"])], embedder.embed, embedder.name)
    data = Catalogue.build(data.spec, ITEMS, data.text)
    everything = frozenset(i.id for i in ITEMS)
    query = Query(
        Profile(wanted=["comedy"]), "comedy", embedder.embed(["comedy"])[0], exclude=everything
    )
    assert len(Retriever(data).candidates(query).positions) == 0


def test_films_sharing_people_with_a_liked_one_go_up(embedder):
    """ "I loved Ocean's Eleven": the other films of its director and cast score by how many of
    them they share (``spec.link_fields``); a film sharing none scores nothing."""
    items = [
        Item(
            "oe",
            "Ocean's Eleven",
            attributes={"director": ["Steven Soderbergh"], "cast": ["George Clooney", "Brad Pitt"]},
        ),
        Item(
            "ot",
            "Ocean's Twelve",
            attributes={"director": ["Steven Soderbergh"], "cast": ["George Clooney", "Brad Pitt"]},
        ),
        Item(
            "co",
            "Contagion",
            attributes={"director": ["Steven Soderbergh"], "cast": ["Matt Damon"]},
        ),
        Item("xx", "Other Film", attributes={"director": ["Someone Else"], "cast": ["Nobody"]}),
    ]
    spec = CatalogSpec.bare("films").model_copy(update={"link_fields": ("director", "cast")})
    data = Catalogue.build(spec, items, embedder.embed([i.title for i in items]))
    found = Retriever(data).candidates(
        Query(Profile(liked=["oe"]), "", None, exclude=frozenset({"oe"}))
    )
    shared = dict(zip([items[p].id for p in found.positions], found.signals["people"], strict=True))
    assert shared == {"ot": 3.0, "co": 1.0, "xx": 0.0}


def test_what_a_film_is_about_leads_and_the_popular_rest_keep_a_share(tmp_path, embedder):
    """'A film about chess': the items whose own text says chess lead on the topic signal;
    the popular items without it keep only a share of their popularity."""
    items = [
        Item("q", "Queen of the Board", "A girl from Kampala becomes a chess champion."),
        Item("b", "Blockbuster", "Heroes fight a purple giant."),
        Item("d", "Dog Days", "A boy and his dog cross the country."),
    ]
    side = tmp_path / "side"
    side.mkdir()
    (side / "popularity.json").write_text(json.dumps({"mentions": {"q": 2, "b": 90, "d": 5}}))
    data = Catalogue.build(
        CatalogSpec.bare("films", folder=side), items, embedder.embed([i.text() for i in items])
    )
    found = Retriever(data).candidates(Query(Profile(topics=["chess"]), "a film about chess", None))
    ids = [items[p].id for p in found.positions]
    topic = dict(zip(ids, found.signals["topic"].tolist(), strict=True))
    popular = dict(zip(ids, found.signals["popularity"].tolist(), strict=True))
    assert topic["q"] > 0 and topic["b"] == topic["d"] == 0
    assert np.isclose(popular["b"], UNMATCHED_POPULARITY * np.log1p(90))
    assert np.isclose(popular["q"], np.log1p(2))
    assert found.content  # a topic is something asked for: the content weights rank it
    plain = Retriever(data).candidates(Query(Profile(), "a film about chess", None))
    assert "topic" not in plain.signals


def test_a_topic_no_item_spells_is_matched_by_meaning(embedder):
    """'讲潜艇的片子' (a film about a submarine): no item's text has the Chinese word, so the
    items nearest its embedding are about it, and only those; an item whose description says
    no more than its title ("Sub is a film.") tells nothing of what it is about."""
    stories = {
        "0": "A crew of sailors trapped in a deep sea submarine",
        "1": "Friends plan a garden party for their old neighbour",
        "2": "Astronauts repair a broken space station far from home",
    }
    items = [Item(k, f"Film {k}", v) for k, v in stories.items()] + [
        Item(f"x{n}", f"Other {n}", f"an ordinary story number {n} of people at work")
        for n in range(200)
    ]
    items.append(Item("bare", "Deep sea submarine", "Deep sea submarine is a film."))
    data = Catalogue.build(
        CatalogSpec.bare("films"), items, embedder.embed([i.text() for i in items])
    )
    vector = embedder.embed([stories["0"]])[0]
    found = Retriever(data).candidates(Query(Profile(topics=["潜艇"]), "潜艇", None, topic=vector))
    about = dict(zip([items[p].id for p in found.positions], found.signals["topic"], strict=True))
    assert max(about, key=about.get) == "0"
    assert about["bare"] == 0
    assert sum(v > 0 for v in about.values()) <= 0.05 * len(items)


def test_a_topic_is_not_looked_for_in_peoples_names(embedder):
    """'A movie about the stone age' finds the film about it, not one Emma Stone is in."""
    items = [
        Item("s", "Teen Comedy", "Two friends plan a party.", attributes={"cast": ["Emma Stone"]}),
        Item("a", "Early Folk", "A tribe in the stone age hunts a mammoth."),
        Item("o", "Other", "A quiet story of a town."),
    ]
    spec = CatalogSpec.bare("films").model_copy(update={"link_fields": ("cast",)})
    data = Catalogue.build(spec, items, embedder.embed([i.text() for i in items]))
    found = Retriever(data).candidates(Query(Profile(topics=["stone age"]), "", None))
    about = dict(zip([items[p].id for p in found.positions], found.signals["topic"], strict=True))
    assert about["a"] > 0 and about["s"] == 0
