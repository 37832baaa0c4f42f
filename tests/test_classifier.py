"""The chrome classifier on small made-up pages: what it removes, what it keeps, and how it
explains itself.

Each page is built from blocks with `page(...)`: a block is one paragraph (a string) or a run of
lines with no blank line between them (a list of strings), the way text dumps lay out menus.
The classifier runs alone here (no rules), after the language stage, as in `corpusclean strip`.
"""
from __future__ import annotations

import pickle

import pytest

from corpusclean.classifier.recurrence import observe
from corpusclean.model import Document, DocumentMeta
from corpusclean.layout import apply
from corpusclean.rulebook import CATEGORIES
from corpusclean.stages.classify import REASONS, ClassifierStage, check_disabled
from corpusclean.stages.language import LanguageStage

# Made-up article paragraphs: long, ordinary prose.
P1 = ("The town council voted on Tuesday to keep the old library open for another five years, "
      "after residents filled the hall to argue that the building was still used every day by "
      "students, pensioners and families who had nowhere else to read in the evenings.")
P2 = ("Repairs to the roof will be paid for by a grant from the regional arts fund, and the "
      "council expects the work to take most of the summer, during which the reading room on "
      "the ground floor will stay open with shorter hours and a smaller lending desk.")
P3 = ("Several speakers said that the library was the only warm public place in the north of "
      "the town, and that closing it would have pushed the homework club and the weekly "
      "language classes into a church hall that has no heating and very little light.")
P4 = ("The head librarian, who has worked in the building for twenty years, said she was "
      "relieved but that the staff would now have to raise money for new shelves, since the "
      "grant covers the roof and the windows but nothing that stands inside the rooms.")
ARTICLE = [P1, P2, P3, P4]

MENU = ["Home", "News", "Sport", "Business", "Culture", "Weather"]


def page(*blocks: str | list[str]) -> str:
    return "\n\n".join(b if isinstance(b, str) else "\n".join(b) for b in blocks) + "\n"


def classify(*texts: str, stage: ClassifierStage | None = None) -> list[Document]:
    """Run language + classifier over the pages (one corpus), return the documents."""
    docs = [Document(f"page{n}", text) for n, text in enumerate(texts)]
    stage = stage or ClassifierStage()
    language = LanguageStage()
    for number, doc in enumerate(docs):
        stage.absorb(number, stage.observe(doc))
    stage.prepare()
    for doc in docs:
        language.process(doc)
        stage.process(doc)
    return docs


def removed(doc: Document) -> dict[str, tuple[str, str]]:
    """{removed line text: (rule, category)} for the classifier's removals."""
    out = {}
    for r in doc.removals:
        if r.stage == "classifier":
            for line in r.text.splitlines():
                if line.strip():
                    out[line] = (r.rule, r.category)
    return out


def kept(doc: Document) -> list[str]:
    return [line for line in apply(doc).splitlines() if line.strip()]


# -- menus and headings ------------------------------------------------------------------------

def test_a_menu_above_the_article_goes_as_navigation():
    [doc] = classify(page(MENU, *ARTICLE))
    gone = removed(doc)
    assert set(MENU) <= set(gone)
    assert {category for _, category in gone.values()} == {"navigation"}
    assert kept(doc) == ARTICLE


def test_a_short_heading_between_two_paragraphs_stays():
    [doc] = classify(page(P1, P2, "What happens next", P3, P4))
    assert "What happens next" in kept(doc)
    assert removed(doc) == {}


def test_a_title_right_above_the_article_stays():
    [doc] = classify(page(MENU, "Library saved after packed council meeting", *ARTICLE))
    assert kept(doc)[0] == "Library saved after packed council meeting"


def test_the_byline_and_dateline_above_the_article_go_but_its_title_stays():
    title = "Library saved after packed council meeting"
    [doc] = classify(page(MENU, title, "By Maria Lopez", "March 3, 2024 at 9:15 am", *ARTICLE))
    assert kept(doc) == [title, *ARTICLE]


def test_a_first_line_repeating_the_headline_with_the_site_name_is_the_page_title():
    headline = "Library saved after packed council meeting"
    [doc] = classify(page(f"{headline} | Valley Courier", MENU, headline, *ARTICLE))
    assert removed(doc)[f"{headline} | Valley Courier"] == ("heuristic.page-title", "duplicate")
    assert kept(doc) == [headline, *ARTICLE]


def test_the_title_line_is_found_whatever_the_case_and_spacing_of_the_headline():
    # units are compared casefolded with spaces collapsed; the quick look at how a unit starts
    # (page.demote_title_line) must let the same units through: "ß" folds to "ss"
    [doc] = classify(page("Straße closed after the storm | Valley Courier", MENU, "STRASSE  closed after the STORM",
                          *ARTICLE))
    assert removed(doc)["Straße closed after the storm | Valley Courier"] == ("heuristic.page-title", "duplicate")


def test_a_menu_of_labels_inside_the_article_goes():
    [doc] = classify(page(P1, P2, ["World", "Politics", "Science", "Travel"], P3, P4))
    gone = removed(doc)
    assert set(gone) == {"World", "Politics", "Science", "Travel"}
    assert {rule for rule, _ in gone.values()} == {"heuristic.menu-run"}


def test_a_list_introduced_by_a_colon_stays():
    items = ["Reading Room", "Homework Club", "Language Classes"]
    [doc] = classify(page(P1, P2, "The building houses three services:", items, P3, P4))
    assert set(items) <= set(kept(doc))


def test_list_items_quotes_and_captions_inside_the_article_stay():
    body = page(
        P1,
        ["- the roof, which leaks over the reading room", "- the windows on the north side",
         "- the heating in the children's corner"],
        P2,
        "“We were told it was finished. It is not finished,” one resident said.",
        P3,
        "The reading room on the ground floor, photographed last spring.",
        P4,
    )
    [doc] = classify(body)
    assert removed(doc) == {}


def test_a_table_of_figures_inside_the_article_stays():
    table = ["Loans by branch", "North Street 1,204 38%", "Harbour Road 987 31%", "Mill Lane 956 30%"]
    [doc] = classify(page(P1, P2, table, P3, P4))
    assert set(table) <= set(kept(doc))


def test_formulas_with_their_titles_between_paragraphs_stay():
    # a page of worked examples: short titles, each over a formula, then the explanation
    formulas = ["The area of a circle", "A = π × r ^ 2", "The volume of a cylinder", "V = π × r ^ 2 × h",
                "The volume of a cone", "V = ( π × r ^ 2 × h ) / 3"]
    [doc] = classify(page(MENU, "Shapes and their measures", P1, *formulas, P2, P3))
    assert set(formulas) <= set(kept(doc))
    assert set(MENU) <= set(removed(doc))


def test_an_html_sample_introduced_by_a_colon_stays_but_stray_markup_goes():
    sample = '<script src="counter.js" data-count="visits"></script>'
    stray = '<div class="ad-slot"><img src="pixel.gif" width="1" height="1"></div>'
    intro = "To count the visits, the library's web page loads a small script with one line of HTML:"
    [doc] = classify(page(P1, intro, sample, P2, stray, P3, P4))
    assert sample in kept(doc)
    assert removed(doc)[stray][0] == "heuristic.markup"


def test_a_paragraph_that_names_a_tag_is_prose():
    about = ("The catalogue pages were rebuilt last year, and the developers say that every "
             "picture now has a <figure> element with a caption, so that readers who use a screen "
             "reader hear what the photograph shows before they move on to the text below it.")
    [doc] = classify(page(P1, P2, about, P3, P4))
    assert about in kept(doc)


def test_the_articles_references_stay_under_their_headings_but_the_footer_goes():
    # a wiki dump: each reference breaks at its link, the rest of it on a line of its own
    references = ["^ Smith, Jane (2015). \"Reading rooms of the north\"", ". Valley Press. Retrieved 3 May 2016.",
                  "^ Jones, Karl (2016). \"Public libraries\"", ". City Books. Retrieved 9 May 2017.",
                  "^ Lee, Ming (2018). \"Town halls\"", ". Harbour House. Retrieved 1 June 2019.",
                  "^ Park, Jo (2019). \"Heating old buildings\"", ". Stone Press. Retrieved 2 June 2020."]
    footer = ["About us", "Contact", "Privacy policy", "Terms of use"]
    [doc] = classify(page(*ARTICLE, "See also", ["Public library", "Reading room"], "References",
                          references, footer))
    assert set(references) <= set(kept(doc))
    assert set(footer) <= set(removed(doc))


def test_commands_and_the_sentences_leading_into_them_stay():
    steps = ["First, make a folder for the catalogue:", "$ mkdir catalogue",
             "Then copy the list of loans into it:", "$ cp loans.csv catalogue/"]
    [doc] = classify(page(P1, P2, *steps, P3, P4))
    assert set(steps) <= set(kept(doc))


def test_footer_lines_below_the_article_go():
    footer = ["About us", "Contact", "Privacy policy", "Terms of use"]
    [doc] = classify(page(*ARTICLE, footer))
    assert set(footer) <= set(removed(doc))
    assert kept(doc) == ARTICLE


# -- prose that is chrome all the same ---------------------------------------------------------

APPEAL = [
    "Dear readers, we are an independent newsroom and we rely on you. If you value our reporting, "
    "please consider supporting us with a donation today so that we can keep our journalism free.",
    "Every contribution helps us pay our reporters. Become a member and support the work you "
    "read here every day: it takes a minute, and you can cancel your membership at any time.",
]


def test_a_donation_appeal_after_the_article_goes_as_donation():
    [doc] = classify(page(*ARTICLE, *APPEAL))
    gone = removed(doc)
    assert set(APPEAL) <= set(gone)
    assert {gone[p] for p in APPEAL} == {("heuristic.appeal", "donation")}
    assert kept(doc) == ARTICLE


def test_a_newsletter_pitch_is_named_newsletter():
    pitch = ("Get our best stories in your inbox: sign up for our free newsletter and we will send "
             "you the news you need every morning. You can unsubscribe at any time.")
    [doc] = classify(page(*ARTICLE, pitch))
    assert removed(doc)[pitch] == ("heuristic.appeal", "newsletter")


def test_an_author_bio_closing_the_article_goes():
    bio = "Maria Lopez is a reporter for the Valley Courier who writes about local government and schools."
    [doc] = classify(page(*ARTICLE, bio))
    assert removed(doc)[bio] == ("heuristic.author-bio", "author-bio")


def test_a_licence_notice_goes_as_legal():
    notice = ("This article was originally published by the Valley Courier and is republished here "
              "under a Creative Commons licence.")
    [doc] = classify(page(*ARTICLE, notice))
    assert removed(doc)[notice] == ("heuristic.licence-notice", "legal")


def test_an_article_that_quotes_an_appeal_once_keeps_it():
    quote = ("“We need you to support the library, and we ask every family to join the friends' "
             "association,” the chair told the meeting, before the vote was taken.")
    [doc] = classify(page(P1, quote, P2, P3, P4))
    assert quote in kept(doc)


# a closing appeal that points at facts: the days, places and hours of the clinics it names
CLINIC_APPEAL = ("It takes an hour of your time, and every donation helps: please consider giving "
                 "blood this winter, and book your appointment to donate at one of the clinics below.")
CLINICS = [["Tuesday, March 4, 2025", "Riverside Community Hall", "14 Mill Lane", "3:30 – 8:00 pm"],
           ["Saturday, March 8, 2025", "St. Anne's Primary School", "220 Station Road", "10:00 am – 3:00 pm"],
           ["Monday, March 10, 2025", "Northgate Leisure Centre", "9 Quarry Avenue", "2:00 – 7:30 pm"]]
SIGN_OFF = ["With thanks,", "The editors", "Donate now"]


def test_a_closing_appeal_stops_before_a_list_of_dates_places_and_hours():
    # the appeal closes the article, so it goes and would take the rest of the region with
    # it; the dates, street addresses and times below it are the article's, not the appeal's
    [doc] = classify(page(*ARTICLE, CLINIC_APPEAL, *CLINICS))
    assert removed(doc) == {CLINIC_APPEAL: ("heuristic.appeal", "donation")}
    assert kept(doc) == ARTICLE + [line for clinic in CLINICS for line in clinic]

    # an appeal letter after the list still goes, sign-off and all, and the list stays
    [doc] = classify(page(*ARTICLE, CLINIC_APPEAL, *CLINICS, APPEAL[1], SIGN_OFF))
    gone = removed(doc)
    assert gone[APPEAL[1]] == ("heuristic.appeal", "donation") and set(SIGN_OFF) <= set(gone)
    assert kept(doc) == ARTICLE + [line for clinic in CLINICS for line in clinic]


def test_a_closing_appeal_letter_still_goes_with_its_sign_off():
    # nothing in the sign-off informs (no date, time or address): the letter goes whole
    [doc] = classify(page(*ARTICLE, APPEAL[0], SIGN_OFF, APPEAL[1]))
    gone = removed(doc)
    assert {gone[p] for p in APPEAL} == {("heuristic.appeal", "donation")}
    assert set(SIGN_OFF) <= set(gone)
    assert kept(doc) == ARTICLE


def test_comments_below_the_article_go_as_comments_or_a_dated_feed():
    # long enough to read as paragraphs: only their dated headers give them away
    comments = [
        "Sam Reed · March 10, 2017 at 9:12 AM",
        "Good news at last. My children have used that library every week since they were small, and "
        "the staff there have been patient with all of their questions about dinosaurs and planets. "
        "We will be there on the first day it opens again.",
        "Jo Park · March 10, 2017 at 11:40 AM",
        "I hope the council will also fix the heating in the children's corner before the winter, "
        "because last year the reading groups had to sit in their coats for most of January. It was "
        "not a good look for a town that calls itself friendly.",
        "Ana Ruiz · March 11, 2017 at 8:05 PM",
        "Does anyone know whether the homework club will keep its Thursday evening slot once the "
        "roof works begin, or will it move to the church hall on the other side of the square? The "
        "notice on the door says nothing about it yet.",
    ]
    [doc] = classify(page(*ARTICLE, "3 comments", *comments))
    gone = removed(doc)
    assert set(comments) | {"3 comments"} <= set(gone)
    assert set(gone.values()) == {("heuristic.comments", "comments")}
    assert kept(doc) == ARTICLE
    # without the heading, the same entries are a dated feed (live updates, teasers)
    [doc] = classify(page(*ARTICLE, *comments))
    assert set(removed(doc).values()) == {("heuristic.dated-feed", "widget")}
    assert kept(doc) == ARTICLE


# -- reader comments ---------------------------------------------------------------------------

COMMENTS = [
    "Comments",
    "I grew up two streets from that library and spent every wet Saturday of my childhood in the "
    "reading room, so I am very glad the council listened to the people who actually use it.",
    "Posted by: riverwatcher | March 10, 2017 09:12 AM",
    "Five more years is not a plan. Someone has to say where the money for the shelves and the "
    "heating will come from once the grant has been spent on the roof and the windows.",
    "Posted by: Dan K. | March 10, 2017 11:40 AM",
    "Report this comment",
    "Thank you to everyone who came to the meeting; the hall was full and the speakers were "
    "excellent, especially the students who explained what the homework club means to them.",
    "Posted by: mlee | March 11, 2017 08:05 PM",
]


def test_reader_comments_under_an_article_go_as_comments():
    """Comments read like prose; their section is told by its heading and by the line naming
    each comment's writer and time. The whole section goes, in its own category."""
    [doc] = classify(page(*ARTICLE, *COMMENTS, ["About us", "Contact", "Privacy"]))
    assert kept(doc) == ARTICLE
    gone = removed(doc)
    assert {line: gone[line] for line in COMMENTS if gone[line][0] == "heuristic.comments"}
    for body in COMMENTS[1::2]:
        assert gone[body] == ("heuristic.comments", "comments")


def test_disable_comments_keeps_them():
    stage = ClassifierStage(disabled=["comments"])
    [doc] = classify(page(*ARTICLE, *COMMENTS), stage=stage)
    for body in COMMENTS[1::2]:
        assert body in kept(doc)
    assert kept(doc)[:4] == ARTICLE


def test_a_comments_heading_with_no_comments_under_it_takes_nothing():
    """'Comments' as a section title of the article (or a menu entry) starts no section: no
    entry names a writer and a time after it."""
    [doc] = classify(page(P1, P2, "Comments", P3, P4))
    assert [line for line in kept(doc) if line != "Comments"] == ARTICLE
    assert "heuristic.comments" not in {rule for rule, _ in removed(doc).values()}


def test_comments_need_the_article_above_them():
    """A page that is only a discussion has no article for the comments to be under: its
    posts are its text (forum threads are judged elsewhere)."""
    [doc] = classify(page(*COMMENTS))
    assert "heuristic.comments" not in {rule for rule, _ in removed(doc).values()}


# what readers wrote, long enough to read as paragraphs: nothing in their words says "comment"
READERS = [
    "I grew up two streets from that library and spent every wet Saturday of my childhood in the "
    "reading room, so I am very glad the council listened to the people who actually use it.",
    "Five more years is not a plan. Someone has to say where the money for the shelves and the "
    "heating will come from once the grant has been spent on the roof and the windows.",
    "Thank you to everyone who came to the meeting; the hall was full and the speakers were "
    "excellent, especially the students who explained what the homework club means to them.",
    "My mother worked at the lending desk for thirty years and she always said the building "
    "would outlive every plan to close it, which it now seems it will, at least for a while.",
    "The real question is why the roof was left to leak for so long when everyone could see the "
    "buckets in the corridor every time it rained, and nobody at the council did anything.",
]


def test_a_discussion_under_its_heading_goes_however_its_entries_are_signed():
    """A heading that can only name a discussion ("Reader comments (5)") below the article: the
    article is looked for above it (a discussion longer than a short article must not take the
    article's place), and the discussion goes as comments however its entries are signed."""
    signed = [line for name, body in zip(["Stephen B", "puddin and pie", "Lina", "Ralph", "Frank"], READERS)
              for line in (name, body)]
    [doc] = classify(page(MENU, *ARTICLE, "Reader comments (5)", signed, ["About us", "Contact", "Privacy"]))
    assert kept(doc) == ARTICLE
    gone = removed(doc)
    for body in READERS:
        assert gone[body] == ("heuristic.comments", "comments")


def test_a_comments_link_under_the_headline_starts_no_discussion():
    """'Comments (12)' right under the headline links to the comments below the article: a
    standfirst and a teaser above it do not make an article, and the article below it stays."""
    standfirst = ("The old library will stay open for five more years after residents packed the "
                  "hall on Tuesday evening.")
    teaser = ("Elsewhere in town the harbour festival moves to the old docks this summer, and the "
              "ferry gets a new timetable.")
    [doc] = classify(page(MENU, "Library saved after vote", standfirst, teaser, "Comments (12)", *ARTICLE,
                          ["About us", "Contact", "Privacy"]))
    assert all(paragraph in kept(doc) for paragraph in ARTICLE)


def test_a_section_of_the_article_titled_response_stays():
    """"Response", "Discussion" or "Comments" alone may title a section of the article itself."""
    for title in ("Response", "Discussion", "Comments"):
        [doc] = classify(page(P1, P2, title, P3, P4))
        assert [line for line in kept(doc) if line != title] == ARTICLE


def test_comments_whose_lines_name_several_writers_go_without_a_heading():
    """No heading, but under the article a run of entries each followed by a line naming its
    writer and time, several writers: comments. The first comment, above the first such line,
    cannot be told from the article's last paragraph and stays."""
    writers = ["riverwatcher", "Dan K.", "mlee", "Sue", "Tom Reed"]
    entries = [line for writer, body in zip(writers, READERS)
               for line in (body, f"Posted by: {writer} | March 10, 2017 09:{10 + len(writer)} AM")]
    [doc] = classify(page(*ARTICLE, *entries))
    assert kept(doc) == ARTICLE + READERS[:1]
    for body in READERS[1:]:
        assert removed(doc)[body] == ("heuristic.comments", "comments")


def test_one_authors_posts_on_a_blog_front_page_stay():
    """The same lines on a blog's front page name one writer throughout: its posts, not comments."""
    posts = [[P1, P2, P3], [P4, READERS[0]], [READERS[1], READERS[2]], [READERS[3], READERS[4]]]
    front_page = [line for k, post in enumerate(posts)
                  for line in (*post, f"Posted by: Anna Berg | March {10 + k}, 2017 09:12 AM")]
    [doc] = classify(page(*front_page))
    assert [line for line in kept(doc) if not line.startswith("Posted by")] == [p for post in posts for p in post]


def test_a_drop_down_list_of_names_goes_but_a_paragraph_of_names_stays():
    """A drop-down's choices run together are a long line of capitalised names with no sentence:
    titles of films or places carry enough "of" and "the" to pass for prose by stopwords alone.
    A paragraph that lists names in sentences stays."""
    choices = ("Choose a film Harbour Lights Winter Fields Night Train to Varna The Last Orchard Return to "
               "Ashford Station Road Under the Old Oak The Keeper of the Bridge Summer in Glass City Mill "
               "Street Blue Harbour The Island Girl Silver Creek Northern Lights Express")
    names = ("The prize went to Anna Berg of Oslo, Tom Reed of Leeds and Sue Park of Busan. The jury, "
             "chaired by Marta Lind of the Royal Academy of Music, praised all three of them for the "
             "care they had taken with the old scores of the city orchestra.")
    [doc] = classify(page(P1, P2, choices, P3, names, P4))
    assert removed(doc)[choices] == ("heuristic.name-list", "navigation")
    assert kept(doc) == [P1, P2, P3, names, P4]


def test_the_last_paragraph_keeps_its_reporting_credit_and_its_place():
    """An agency story's last paragraph ends in its credit in brackets: it still ends a
    sentence, and stays with the article."""
    last = "The library will reopen in May. (Reporting by Jane Doe; editing by John Roe)"
    [doc] = classify(page(MENU, *ARTICLE, last, ["About us", "Contact", "Privacy"]))
    assert kept(doc) == ARTICLE + [last]


def test_a_list_of_headlines_with_counts_or_times_goes_wherever_it_stands():
    """Most read, most discussed, latest: other stories' titles, each stamped with a count in
    brackets or a time. The list goes even between the article's paragraphs; a list of the
    article's own (titles without counts or times) stays."""
    discussed = ["Most discussed", "Why the bridge toll went up again this spring (420)",
                 "Council to vote on new cycle lanes next week (295)", "Harbour festival moves to the old docks (211)",
                 "Readers pick the best bakery in the town centre (190)"]
    latest = ["Ferry timetable changes for the winter 14/01/08 7:36 AM", "New head teacher named at Hill School 14/01/08 6:41 AM",
              "Road works close the bridge for a week 14/01/08 6:40 AM", "Choir wins the regional final 14/01/08 6:12 AM"]
    own = ["The council approved four projects:", "A new roof for the old library building",
           "Longer opening hours for the reading room", "A homework club on Thursday evenings", "New shelves for the children's corner"]
    releases = ["Version 4.2.3 14 April 2014", "Version 4.2.4 2 May 2014", "Version 4.2.5 6 June 2014",
                "Version 4.3 20 July 2014"]   # a table of dates: figures, not titles
    [doc] = classify(page(MENU, P1, latest, P2, discussed, P3, own, releases, P4))
    gone = removed(doc)
    for line in discussed[1:] + latest:
        assert gone[line] == ("heuristic.related-links", "widget")
    assert kept(doc) == [P1, P2, P3, *own, *releases, P4]


TEASERS = [["Bridge toll goes up again", "Drivers will pay a pound more from April, the council said on Monday"],
           ["Harbour festival moves to the old docks", "Organisers say the new site has room for twice as many stalls"],
           ["New head teacher named at Hill School", "The deputy head of a school in the next county takes over in "
            "September after a long search."],
           ["Choir wins the regional final", "The town's youth choir beat eleven others and will sing in the national "
            "final in June"]]


def test_a_list_of_teasers_closing_the_article_goes():
    """Other stories, each a headline with its one-sentence teaser held together as one
    paragraph, after the article's last paragraph, which an extractor took along: a listing
    of teasers, not the article."""
    doc = classify_extracted(page(*ARTICLE, *TEASERS))
    gone = removed(doc)
    for headline, teaser in TEASERS[:-1]:
        assert gone[headline] == gone[teaser] == ("heuristic.teaser-list", "widget")
    assert kept(doc) == ARTICLE


def test_subheadings_over_their_paragraphs_and_a_page_of_teasers_stay():
    """An article's subheadings stand apart from the paragraph under them, and a page that is
    only a listing of teasers (a blog's front page) has no article to close: both stay."""
    sections = [block for pair in zip(["The vote", "The repairs", "The classes"], [P2, P3, P4]) for block in pair]
    assert kept(classify_extracted(page(P1, *sections))) == [P1, *sections]
    listing = TEASERS + [["Road works close the bridge", "The bridge will be shut for a week from Monday while "
                          "the road is resurfaced"]]
    assert "heuristic.teaser-list" not in {rule for rule, _ in removed(classify_extracted(page(*listing))).values()}


def test_a_slideshow_inside_the_article_goes_with_its_title_and_captions():
    slides = []
    for k, place in enumerate(["the reading room", "the roof", "the children's corner", "the lending desk"], 1):
        slides += [f"{k}/4 A look at {place}",
                   f"Volunteers have spent the spring repairing {place}, which had been closed for most "
                   f"of last year while the council argued about the cost of the work that was needed.",
                   "Valley Courier"]
    [doc] = classify(page(P1, P2, "The library in pictures", *slides, P3, P4))
    gone = removed(doc)
    assert set(slides) | {"The library in pictures"} <= set(gone)
    assert gone["1/4 A look at the reading room"] == ("heuristic.slideshow", "widget")
    assert kept(doc) == ARTICLE


def test_recipe_fractions_are_not_a_slideshow():
    recipe = ["1/2 cup of flour", "1/4 cup of sugar", "3/4 cup of milk"]
    [doc] = classify(page(P1, P2, "You will need:", recipe, P3, P4))
    assert set(recipe) <= set(kept(doc))


def test_related_stories_closing_the_article_go():
    teasers = [
        "Council approves new cycle lanes on the ring road after a long debate.",
        "Harbour festival returns in June with a bigger programme than ever before.",
        "School choir wins regional prize for the third year running, to cheers.",
    ]
    [doc] = classify(page(*ARTICLE, "Related stories", teasers))
    gone = removed(doc)
    assert set(teasers) | {"Related stories"} <= set(gone)
    assert kept(doc) == ARTICLE


def test_related_stories_with_long_teasers_go_but_the_article_after_a_related_heading_stays():
    """A teaser as long as a paragraph stands under its headline; the article's paragraphs
    stand under the heading itself or after one another. Only the first are a list of other
    stories, even where the extractor's text makes them part of the article's region."""
    stories = ["Bridge toll goes up again",
               "Drivers will pay a pound more from April, the council said on Monday, after the cost of "
               "repairing the old bridge over the river rose for the third year running and the county "
               "refused to share it with the town as it had done before.",
               "New head teacher named at Hill School",
               "The deputy head of a school in the next county takes over in September after a long search "
               "that the governors said had drawn more applicants than any other in the school's long "
               "history, and from as far away as the capital.",
               "Choir wins the regional final",
               "The town's youth choir beat eleven others at the regional final on Saturday and will sing in "
               "the national final in June, the first time a choir from the town has gone so far since the "
               "competition began."]
    for heading in ("More in Local news", "More Valley headlines", "County Headlines"):
        doc = classify_extracted(page([*ARTICLE, heading, *stories]))
        assert kept(doc) == ARTICLE
        assert {removed(doc)[line] for line in stories} == {("heuristic.related-links", "widget")}
    doc = classify_extracted(page(P1, P2, "Related stories", P3, P4))
    assert [line for line in kept(doc) if line != "Related stories"] == ARTICLE


def test_a_list_of_dated_references_is_not_a_feed():
    references = [
        "Smith, J. (March 3, 2015). Libraries and towns. Valley Press.",
        "Jones, K. (May 9, 2016). Reading rooms. City Books.",
        "Lee, M. (June 1, 2018). Public buildings. Harbour House.",
    ]
    [doc] = classify(page(*ARTICLE, "References", references))
    assert "heuristic.dated-feed" not in {rule for rule, _ in removed(doc).values()}


def classify_extracted(text: str) -> Document:
    """Run language + classifier over an HTML extractor's text."""
    doc = Document("page", text, meta=DocumentMeta(extractor={"name": "trafilatura"}))
    language, stage = LanguageStage(), ClassifierStage()
    stage.absorb(0, stage.observe(doc))
    stage.prepare()
    language.process(doc)
    stage.process(doc)
    return doc


def test_extracted_html_text_keeps_its_broken_lines_and_loses_only_clear_chrome():
    # an HTML extractor's text: the page's chrome is already gone, inline code sits on lines of its own
    doc = classify_extracted(page(P1, "Support can be detected by checking for", "Headers", ",", "Request", "or",
                                  "Response", "on the window.", P2, "Share on Facebook", P3, P4))
    assert set(removed(doc)) == {"Share on Facebook"}


def test_chrome_an_extractor_took_along_below_the_article_goes():
    """The extractor's choice is evidence, not the verdict: when the article region holds its
    text's paragraphs, a headline list and a footer it took along go as the footer zone, while
    a table and a marked list below the article stay."""
    headlines = ["Harbour board approves new ferry timetable for the winter (12)",
                 "Council to review parking charges in the old town after complaints",
                 "Schools in the north of the county close early because of snow"]
    table = ["Route | Departs | Arrives", "Town to Isle | 09:00 | 09:40", "Isle to Town | 10:00 | 10:40"]
    footer = ["About us", "Contact", "Privacy"]
    doc = classify_extracted(page(*ARTICLE, table, "Most read", headlines, footer))
    assert kept(doc) == [*ARTICLE, *table]


def test_a_discussion_an_extractor_took_along_goes_as_comments():
    """An extractor told to leave comments out still takes them along where the page does not
    mark them as comments: under a heading that can only name a discussion, below the article,
    they go as comments; the same heading right under the headline (a link to them) takes
    nothing."""
    signed = [line for name, body in zip(["Ann K", "harbourwatcher", "Tom", "Mary (Leeds)", "J. Smith"], READERS)
              for line in (name, body)]
    doc = classify_extracted(page("Library saved after vote", *ARTICLE, "Reader comments (5)", signed))
    assert kept(doc) == ["Library saved after vote", *ARTICLE]
    gone = removed(doc)
    for body in READERS:
        assert gone[body] == ("heuristic.comments", "comments")
    doc = classify_extracted(page("Library saved after vote", "Reader comments (5)", *ARTICLE))
    assert [line for line in kept(doc) if line != "Reader comments (5)"] == ["Library saved after vote", *ARTICLE]


def test_extracted_text_that_opens_with_a_paragraph_the_page_repeats_keeps_it():
    """A text dump opens with the page's <title>, which may repeat the headline; an
    extractor's text does not hold the <title>, so its first paragraph is never that copy."""
    doc = classify_extracted(page(P1, P2, P1, P3))
    assert kept(doc) == [P1, P2, P1, P3]


def test_long_prose_an_extractor_kept_below_the_article_stays_despite_few_stopwords():
    """Recall before precision: a long paragraph of sentences the extractor chose stays even
    where it has few stopwords (names, figures, a language the stoplist covers badly), while
    the headline list beside it still goes."""
    names = ("Photos by Anna Berg (Harbour Archive), Tom Lund, Kari Nes, Ole Moe, Per Dahl, "
             "Siri Holm, Jon Vik, Liv Aas, Eva Strand and Nils Haug for Harbour News Weekly, 2024, "
             "Valley Press, Isle Times, North Coast Photo Agency and Town Library Collection.")
    headlines = ["Harbour board approves new ferry timetable for the winter (12)",
                 "Council to review parking charges in the old town after complaints",
                 "Schools in the north of the county close early because of snow"]
    doc = classify_extracted(page(*ARTICLE, names, "Most read", headlines))
    assert kept(doc) == [*ARTICLE, names]



def test_an_extracted_headline_of_names_and_figures_stays_above_the_article():
    """Where the extractor's text has chrome below the article, the footer and header zones
    are trimmed; the one line right above the article's first paragraph is its headline even
    with few stopwords (names, figures) or none (a language with no usable stoplist), while
    the headline list below the article still goes."""
    title = "Library Roof Grant 2025: Council Budget Figures, Ferry Fares, Parking Charges"
    headlines = ["Harbour board approves new ferry timetable for the winter (12)",
                 "Council to review parking charges in the old town after complaints",
                 "Schools in the north of the county close early because of snow"]
    doc = classify_extracted(page(title, *ARTICLE, "Most read", headlines))
    assert kept(doc) == [title, *ARTICLE]


def test_an_extracted_page_of_formulas_keeps_its_headings_above_its_one_paragraph():
    """The extractor's text above the article region is its chrome only while it is the lesser
    part: a page of headed formulas with one paragraph of prose at its end keeps its headings
    and formulas, while the footer below still goes."""
    formulas = ["The Quadratic Formula", "x = − b ± √ ( b 2 − 4 a c ) / 2 a",
                "The Lorenz Equations", "x ˙ = σ ( y − x ) y ˙ = ρ x − y − x z z ˙ = − β z + x y",
                "Euler's Identity", "e i π + 1 = 0",
                "The Cauchy-Schwarz Inequality", "( ∑ k = 1 n a k b k ) 2 ≤ ( ∑ k = 1 n a k 2 ) ( ∑ k = 1 n b k 2 )",
                "The Binomial Theorem", "( x + y ) n = ∑ k = 0 n ( n k ) x n − k y k"]
    footer = ["About us", "Contact", "Privacy"]
    doc = classify_extracted(page(*formulas, P1, footer))
    assert kept(doc) == [*formulas, P1]

# -- pages the classifier leaves alone ---------------------------------------------------------

def test_a_page_without_prose_is_left_as_it_is():
    [doc] = classify(page("Opening hours", ["Monday 9-17", "Tuesday 9-17", "Wednesday closed"]))
    assert removed(doc) == {}


def test_an_empty_page_is_fine():
    [doc] = classify("")
    assert doc.removals == []


def test_a_chinese_article_keeps_its_paragraphs_and_loses_its_menu():
    article = [
        "市议会星期二投票决定，老图书馆将继续开放五年。许多居民来到会场，说这座建筑每天都有学生、老人和家庭在使用，他们晚上没有别的地方可以读书。",
        "屋顶的维修费用将由地区艺术基金的拨款支付。议会预计工程将持续整个夏天，在此期间一楼的阅览室仍然开放，但是开放时间会缩短。",
        "馆长在这座建筑里工作了二十年。她说她松了一口气，但是工作人员现在还要为新书架筹款，因为这笔拨款只包括屋顶和窗户。",
    ]
    menu = ["首页", "新闻", "体育", "财经", "娱乐"]
    [doc] = classify(page(menu, *article))
    assert kept(doc) == article
    assert set(menu) <= set(removed(doc))


# -- the corpus pass ---------------------------------------------------------------------------

def test_a_short_line_on_many_pages_is_site_template():
    template = "Weekend edition"
    pages = [page(template, *ARTICLE[k % 4:], *ARTICLE[:k % 4]) for k in range(6)]
    docs = classify(*pages)
    for doc in docs:
        assert removed(doc)[template] == ("heuristic.corpus-repeat", "navigation") or template not in kept(doc)


def test_the_same_short_line_on_one_page_only_is_judged_by_its_place():
    [doc] = classify(page(P1, P2, "Weekend edition", P3, P4))
    assert "Weekend edition" in kept(doc)


def test_the_corpus_observation_depends_only_on_the_text():
    doc = Document("p", page(MENU, *ARTICLE))
    before = observe(doc.lines)
    doc.remove(0, len(MENU) - 1, stage="rules", rule="navigation.menu", category="navigation")
    assert (ClassifierStage().observe(doc) == before).all()


# -- explanations and switches -----------------------------------------------------------------

def test_every_removal_names_its_test_a_category_and_the_signals():
    [doc] = classify(page(MENU, *ARTICLE, *APPEAL, ["About us", "Contact"]))
    removals = [r for r in doc.removals if r.stage == "classifier"]
    assert removals
    for r in removals:
        assert r.rule.startswith("heuristic.") and r.rule.removeprefix("heuristic.") in REASONS
        assert r.category in CATEGORIES
        assert r.reason
        signals = r.details["signals"]
        assert {"class", "chars", "words", "stopwords", "sentence_end"} <= set(signals)


def test_a_disabled_category_is_left_to_the_reader():
    stage = ClassifierStage(disabled=["donation"])
    [doc] = classify(page(*ARTICLE, *APPEAL), stage=stage)
    assert not set(APPEAL) & set(removed(doc))


def test_a_disabled_test_is_left_out():
    stage = ClassifierStage(disabled=["heuristic.header-zone"])
    [doc] = classify(page(MENU, *ARTICLE), stage=stage)
    assert "heuristic.header-zone" not in {rule for rule, _ in removed(doc).values()}
    assert "Sport" in kept(doc)  # only the header-zone test would have removed it


def test_an_unknown_heuristic_name_is_refused_with_the_known_ones():
    with pytest.raises(ValueError, match="heuristic.menu-run"):
        check_disabled(["heuristic.no-such-test"])


def test_strip_takes_classifier_test_ids_in_disable_and_refuses_unknown_ones(tmp_path):
    from conftest import read_report, run_cli, write_tree

    write_tree(tmp_path / "in", {"page.txt": page(MENU, *ARTICLE)})
    result = run_cli("strip", str(tmp_path / "in"), str(tmp_path / "out"), "-q", "-w", "1",
                     "--disable", "heuristic.header-zone")
    assert result.exit_code == 0
    rules = {r["rule"] for r in read_report(tmp_path / "out", "page")["removals"]}
    assert "heuristic.header-zone" not in rules
    result = run_cli("strip", str(tmp_path / "in"), str(tmp_path / "out2"), "-q", "--disable", "heuristic.nope")
    assert result.exit_code == 1
    assert "unknown classifier test(s) heuristic.nope" in result.stderr


def test_the_prepared_stage_survives_pickling():
    stage = ClassifierStage()
    docs = classify(page(MENU, *ARTICLE), stage=stage)
    again = pickle.loads(pickle.dumps(stage))
    copy = Document("page0", docs[0].text)
    LanguageStage().process(copy)
    again.process(copy)
    assert removed(copy) == removed(docs[0])
