"""Topics: what a request says its item is about when no catalogue field holds it."""

import pytest

from recommender.read.stance import parse
from recommender.read.topics import described


@pytest.mark.parametrize(
    ("text", "topics"),
    [
        ("I want something with good car chases", ["car chases"]),  # "good" grades it
        ("a film about chess", ["chess"]),
        ("something set on a submarine", ["submarine"]),
        ("a movie that takes place in space", ["space"]),
        ("a dog movie", ["dog"]),
        ("a movie involving robots", ["robots"]),
        ("a movie where a dog finds its way home", ["dog"]),
        ("something that has robots and aliens in it", ["robots", "aliens"]),
        ("I want a movie about a haunted house", ["haunted house"]),
        ("something with time loops", ["time loops"]),
        ("a romantic comedy set in Paris", ["Paris"]),
    ],
)
def test_what_a_request_is_about_is_read_by_where_it_stands(text, topics):
    assert described(parse(text)) == topics


@pytest.mark.parametrize(
    "text",
    [
        "Hi, I'm looking for a good movie to watch with my family tonight",  # who watches
        "something to watch with friends",  # "with" hangs from the watching
        "I like movies with a good plot and great acting",  # how well made
        "any good comedies with Adam Sandler?",  # a person
        "not a movie about a dog please",  # refused
        "I love movies like The Matrix",
        "Can you recommend a movie for my kids?",
    ],
)
def test_audience_quality_people_and_refusals_are_no_topics(text):
    assert described(parse(text)) == []


def test_a_word_the_vocabulary_reads_is_no_topic():
    known = {"horror", "zombies"}.__contains__
    assert described(parse("a horror movie with zombies and clowns"), known) == ["clowns"]
