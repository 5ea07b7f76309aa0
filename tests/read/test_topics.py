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
        ("something about skateboarding", ["skateboarding"]),
        ("a movie with lots of dancing", ["dancing"]),
        ("a movie about a teacher who inspires students", ["teacher", "students"]),
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
    known = {"horror", "zombies", "chick flick"}.__contains__
    assert described(parse("a horror movie with zombies and clowns"), known) == ["clowns"]
    assert described(parse("a chick flick"), known) == []  # the kind, with its noun


def test_a_chinese_topic_is_read_where_it_stands():
    from recommender.read.gloss import unread

    assert unread("推荐一部讲潜艇的片子", "zh") == ["潜艇"]
    assert unread("有没有机器人的电影", "zh") == ["机器人"]
    assert unread("推荐一部机器人电影", "zh") == ["机器人"]
    assert unread("给我推荐几部关于时间循环的科幻片", "zh") == ["时间循环"]
    # How good or how asked is no topic.
    assert unread("你好，有什么好看的电影吗", "zh") == []
    assert unread("有没有剧情好的电影", "zh") == []
    assert unread("quiero una película", "es") == []
